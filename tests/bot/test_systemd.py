"""The systemd unit of docs/operations.md, simulated: its commands run where ProtectSystem=strict
leaves every mount read-only but ReadWritePaths, and PrivateTmp=yes gives a fresh /tmp.

The simulation is a mount namespace (`unshare -m`, root only): every mount is remounted
read-only, each ReadWritePaths entry is a writable folder of the test, and /tmp a fresh tmpfs.
Without PrivateTmp the same sandbox leaves no writable temporary folder, and the commands
still run: nothing of theirs writes there (pyvi's model, once unpacked there, is read in place).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

UNIT = re.search(
    r"```ini\n(# /etc/systemd/system/tin-bot.service.*?)```",
    (PROJECT_DIR / "docs" / "operations.md").read_text(encoding="utf-8"),
    re.DOTALL,
)
# Inside the namespace: the writable folders are bound under a private tmpfs on /mnt, every
# other mount is made read-only, then /tmp becomes a fresh tmpfs when PRIVATE_TMP is set. The
# project and its Python ($KEEP) stay in view when they live under /tmp (a CI clone does).
SANDBOX = r"""
set -e
mount -t tmpfs tmpfs /mnt
for pair in $WRITABLE; do
  inside=${pair%%=*}; outside=${pair#*=}
  mkdir -p "$inside"; mount --bind "$outside" "$inside"
done
for kept in $KEEP; do mkdir -p "/mnt/kept$kept"; mount --bind "$kept" "/mnt/kept$kept"; done
awk '{print $2}' /proc/self/mounts | sort -u | while read -r point; do
  case "$point" in /proc*|/sys*|/dev*|/mnt*) continue;; esac
  mount -o remount,bind,ro "$point" 2>/dev/null || true
done
if [ -n "$PRIVATE_TMP" ]; then
  mount -t tmpfs tmpfs /tmp
  for kept in $KEEP; do
    mkdir -p "$kept"; mount --bind "/mnt/kept$kept" "$kept"; mount -o remount,bind,ro "$kept"
  done
fi
cd "$WORKDIR"
exec "$@"
"""


def _settings(unit: str) -> dict[str, str]:
    pairs = re.findall(r"^(\w+)=(.*?)\s*(?:#.*)?$", unit, re.MULTILINE)
    return dict(pairs)


def _environment(unit: str) -> dict[str, str]:
    return dict(re.findall(r"^Environment=(\w+)=(\S+)", unit, re.MULTILINE))


def _can_unshare() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


def test_the_unit_sandboxes_its_temporary_files_and_writes_only_its_own_folders() -> None:
    assert UNIT is not None
    settings = _settings(UNIT.group(1))
    assert settings["ProtectSystem"] == "strict" and settings["PrivateTmp"] == "yes"
    writable = settings["ReadWritePaths"].split()
    for name in ("BOT_INDEX_DIR", "BOT_DATA_DIR"):
        folder = _environment(UNIT.group(1))[name]
        assert any(folder == path or folder.startswith(path + "/") for path in writable), name


def _run_sandboxed(tmp_path: Path, private_tmp: bool, *command: str) -> subprocess.CompletedProcess:
    assert UNIT is not None
    unit = UNIT.group(1)
    settings = _settings(unit)
    writable = {}
    for number, path in enumerate(settings["ReadWritePaths"].split()):
        outside = tmp_path / f"writable{number}"
        outside.mkdir(exist_ok=True)
        writable[path] = (f"/mnt/writable{number}", str(outside))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TMP"))}
    for name, value in _environment(unit).items():
        inside = next((w[0] + value[len(p) :] for p, w in writable.items() if value.startswith(p)))
        environment[name] = inside
    environment |= {  # the corpus: seeds/ of the working folder (read-only there)
        "WRITABLE": " ".join(f"{inside}={outside}" for inside, outside in writable.values()),
        "WORKDIR": str(PROJECT_DIR),
        "PRIVATE_TMP": "1" if private_tmp else "",
        "KEEP": " ".join(
            str(p) for p in {PROJECT_DIR, Path(sys.prefix)} if p.is_relative_to("/tmp")
        ),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    sandbox = ["unshare", "-m", "--propagation", "private", "sh", "-c", SANDBOX, "sandbox"]
    return subprocess.run(
        [*sandbox, sys.executable, "-m", "bot", *command],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.mark.skipif(not _can_unshare(), reason="needs root and unshare for a mount namespace")
def test_the_units_commands_run_in_its_sandbox_even_without_private_tmp(tmp_path) -> None:
    indexed = _run_sandboxed(tmp_path, True, "index")
    assert indexed.returncode == 0, indexed.stderr[-1500:]
    asked = _run_sandboxed(tmp_path, True, "ask", "bi thu thanh uy la ai")
    assert asked.returncode == 0 and "Nguyễn Văn Nên" in asked.stdout, asked.stderr[-1500:]
    assert any((tmp_path / "writable0").iterdir())  # the index went where the unit says

    without = _run_sandboxed(tmp_path, False, "ask", "bi thu thanh uy la ai")
    assert without.returncode == 0 and "Nguyễn Văn Nên" in without.stdout, without.stderr[-1500:]
