"""A throwaway PostgreSQL server on loopback for the shared-inbox tests: the Debian
`postgresql` package's initdb and pg_ctl in a temporary folder, a free port, trust auth.

Run as the `postgres` user when the tests run as root (initdb refuses root). Outside CI a
machine without the package skips these tests; `.ci/run` installs it, so CI never does.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path
    port: int
    binaries: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_owner(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    @classmethod
    def create(cls) -> PostgresServer | None:
        binaries = _binaries()
        if binaries is None:
            return None
        folder = Path(tempfile.mkdtemp(prefix="tin-bot-pg-"))
        os.chmod(folder, 0o777)
        server = cls(folder, _free_port(), binaries)
        server._as_owner(
            str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
            "--auth=trust", "--no-sync",
        )  # fmt: skip
        server.start()
        return server

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._as_owner(
            str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
            "-l", str(self.folder / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._as_owner(
            str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w",
            "stop",
        )  # fmt: skip

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)
