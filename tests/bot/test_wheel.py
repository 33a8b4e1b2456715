"""The built wheel, installed in a fresh virtual environment, answers from any folder.

The fresh environment gets only the wheel; the libraries it needs are borrowed from the test
run's environment through a `.pth` line (that folder's own `.pth` files, among them the
editable install of this checkout, are not read), so `bot` and `retrieval` can only come from
the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR, SEEDS_DIR

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API


def _run(command: list[str | Path], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, **options
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a fresh venv holding the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", root, PROJECT_DIR])
    assert built.returncode == 0, built.stderr[-2000:]
    venv = root / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", venv]).returncode == 0
    python = venv / "bin" / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(site.stdout.strip()) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"])
    wheel = next(root.glob("tin_bot-*.whl"))
    install = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps"]
    done = _run([*install, wheel])
    assert done.returncode == 0, done.stderr[-2000:]
    return venv / "bin"


def _environment(tmp_path: Path) -> dict[str, str]:
    kept = {key: value for key, value in os.environ.items() if not key.startswith("BOT_")}
    return kept | {"BOT_DATA_DIR": str(tmp_path / "data"), "BOT_INDEX_DIR": str(tmp_path / "ix")}


def test_the_installed_wheel_answers_from_the_seeds_of_the_working_folder(installed, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(SEEDS_DIR, work / "seeds")
    where = _run([installed / "python", "-c", "import bot; print(bot.__file__)"], cwd=tmp_path)
    assert str(installed.parent) in where.stdout  # the wheel's copy, not this checkout
    asked = _run(
        [installed / "tin-bot", "ask", "bi", "thu", "thanh", "uy", "la", "ai"],
        cwd=work,
        env=_environment(tmp_path),
    )
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert "Nguyễn Văn Nên" in asked.stdout and "Nguồn:" in asked.stdout


def test_without_a_corpus_the_installed_tool_names_both_places_to_put_one(installed, tmp_path):
    asked = _run([installed / "tin-bot", "ask", "ai"], cwd=tmp_path, env=_environment(tmp_path))
    assert asked.returncode != 0
    lines = asked.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_CORPUS_DIR" in lines[0] and "seeds" in lines[0]
