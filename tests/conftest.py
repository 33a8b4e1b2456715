"""Shared fixtures: the seed corpus index (built once per session) and made-up corpora."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from retrieval.index.indexer import load_index
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.index.store import IndexStore

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_DIR / "seeds"
SHARED_EVAL_DIR = PROJECT_DIR.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def seed_live(tmp_path_factory: pytest.TempPathFactory) -> LiveIndex:
    """The seed corpus, indexed once per test session."""
    return LiveIndex(SEEDS_DIR, IndexStore(tmp_path_factory.mktemp("seed-cache"), SEEDS_DIR))


@pytest.fixture(scope="session")
def seed_index(seed_live: LiveIndex) -> SearchIndex:
    return seed_live.current


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env, BOT_* variables or cache."""
    for name in list(os.environ):
        if name.startswith("BOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_INDEX_DIR", str(tmp_path / "index-cache"))
    monkeypatch.setenv("BOT_CORPUS_DIR", str(SEEDS_DIR))  # the default, ./seeds, is left behind
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """An index of the test module's made-up corpus, its ARTICLES = {file name: text}."""
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in request.module.ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_index(folder, tmp_path_factory.mktemp("cache"))


CorpusFactory = Callable[[dict[str, str]], Path]


@pytest.fixture
def make_corpus(tmp_path: Path) -> CorpusFactory:
    """Write {file name: text} into a fresh folder and return it."""
    counter = iter(range(1_000_000))

    def write(files: dict[str, str]) -> Path:
        folder = tmp_path / f"corpus{next(counter)}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return write


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def printed_by(script: str, environment: dict[str, str] | None = None) -> list[str]:
    """The lines `script` prints, run by a fresh interpreter in the project folder (so that
    what it imports is its own doing)."""
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split("\n")
