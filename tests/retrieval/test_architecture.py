"""docs/architecture.md stays true: every path it names exists, and it names every module of
the retrieval core."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PROJECT_DIR

DOC = (PROJECT_DIR / "docs" / "architecture.md").read_text(encoding="utf-8")
RETRIEVAL_DIR = PROJECT_DIR / "retrieval"
# A path in backticks: `retrieval/index/bm25.py`, `bot/telegram/`, `.ci/run`
_NAMED_PATH = re.compile(r"`(\.?[\w.-]+/[\w./-]*)`")
# A module in the data-flow diagram, relative to retrieval/: index/corpus.py
_DIAGRAM_MODULE = re.compile(r"\b([a-z]+/[a-z_]+\.py)\b")


def diagram() -> str:
    return DOC.split("```text", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("path", sorted(set(_NAMED_PATH.findall(DOC))))
def test_every_path_the_document_names_exists(path: str) -> None:
    assert (PROJECT_DIR / path).exists(), path


@pytest.mark.parametrize("module", sorted(set(_DIAGRAM_MODULE.findall(diagram()))))
def test_every_module_of_the_data_flow_exists(module: str) -> None:
    assert (RETRIEVAL_DIR / module).is_file(), module


def test_the_document_names_every_module_of_the_core() -> None:
    files = [p for p in RETRIEVAL_DIR.rglob("*") if p.suffix in (".py", ".txt", ".tsv")]
    paths = [str(p.relative_to(PROJECT_DIR)) for p in files if p.name != "__init__.py"]
    assert paths
    assert [path for path in paths if f"`{path}`" not in DOC] == []
