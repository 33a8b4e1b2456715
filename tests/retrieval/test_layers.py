"""The retrieval core in layers: each sub-package imports only the ones below it, no two
modules import each other, and nothing in it reaches for an adapter (bot, Telegram). And the
index caches are versioned by every file the terms depend on."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from retrieval.index.search_index import _TERM_CODE
from tests.conftest import PROJECT_DIR

RETRIEVAL_DIR = PROJECT_DIR / "retrieval"
# Lowest first: a module may import its own layer and those before it.
LAYERS = ("language", "index", "question", "ranking", "reply", "evaluation")
ADAPTERS = ("bot", "benchmark", "telegram")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def layer_of(module: str) -> int:
    """The layer of `retrieval.<layer>.…`; the package's own `__init__` is above them all."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 else len(LAYERS)


MODULES = {module_name(path): path for path in sorted(RETRIEVAL_DIR.rglob("*.py"))}
IMPORTS = {
    module: {name for name in imported_names(path) if name.split(".")[0] == "retrieval"}
    for module, path in MODULES.items()
}


def test_every_module_lives_in_a_layer() -> None:
    loose = [m for m in MODULES if m != "retrieval" and m.split(".")[1] not in LAYERS]
    assert loose == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module: str) -> None:
    higher = [name for name in IMPORTS[module] if layer_of(name) > layer_of(module)]
    assert higher == [], f"{module} imports a higher layer"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_core_imports_no_adapter(module: str) -> None:
    adapters = [n for n in imported_names(MODULES[module]) if n.split(".")[0] in ADAPTERS]
    assert adapters == [], f"{module} imports an adapter"


def test_no_two_modules_import_each_other_even_through_others() -> None:
    reached: dict[str, set[str]] = {}

    def reach(module: str, seen: frozenset[str]) -> set[str]:
        if module not in reached:
            assert module not in seen, f"an import cycle through {module}"
            below = {name for name in IMPORTS.get(module, ()) if name in MODULES}
            reached[module] = below.union(*(reach(n, seen | {module}) for n in below))
        return reached[module]

    for module in MODULES:
        reach(module, frozenset())


def test_the_term_code_names_every_module_the_terms_depend_on() -> None:
    """Passages come from `index/corpus.py`, terms from `language/tokens.py`: they, and what
    they import, version the index caches (`search_index._TERM_CODE`)."""
    depended = {"retrieval.index.corpus", "retrieval.language.tokens"}
    while more := {n for m in depended for n in IMPORTS[m] if n in MODULES} - depended:
        depended |= more
    paths = {str(MODULES[m].relative_to(RETRIEVAL_DIR)) for m in depended}
    assert paths <= set(_TERM_CODE)
    assert all((RETRIEVAL_DIR / name).is_file() for name in _TERM_CODE)
