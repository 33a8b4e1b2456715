"""A throwaway PostgreSQL server on loopback for the shared-inbox tests: the Debian
`postgresql` package's initdb and pg_ctl in a temporary folder, a free port, trust auth.

Run as the `postgres` user when the tests run as root (initdb refuses root). Outside CI a
machine without the package skips these tests; `.ci/run` installs it, so CI never does.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


@dataclass
class PostgresServer:
    folder: Path
    port: int
    binaries: Path

    databases: int = 0

    @property
    def url(self) -> str:
        return self.url_of("postgres")

    def url_of(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a fresh, empty database: a test's rows never meet another's."""
        import psycopg

        self.databases += 1
        name = f"tin_bot_test_{self.databases}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url_of(name)

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
        server = cls(folder, free_port(), binaries)
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
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
