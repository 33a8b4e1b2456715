"""Stock Xapian servers on 127.0.0.1, started and stopped by their process ids: the shards'
`xapian-tcpsrv`, and `xapian-replicate-server` / `xapian-replicate` keeping replicas. Used by
the shard measurements (`benchmark/shards.py`) and the slow tests that start real servers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

START_SECONDS = 10.0  # a server listens within this
REPLICATE_SECONDS = 60.0  # a one-shot copy of a shard takes less
REPLICATE_EVERY_SECONDS = 1  # how often a replica asks its master for changes

Endpoint = tuple[str, int]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class Servers:
    """Processes started on 127.0.0.1, each in a process group of its own (xapian-tcpsrv
    forks a child per connection: a dead host takes both), all killed at the end."""

    def __init__(self) -> None:
        self.groups: dict[int, subprocess.Popen[bytes]] = {}
        self.serving: dict[Endpoint, int] = {}  # a tcpsrv's endpoint -> its pid

    def start(self, *command: str, port: int | None = None) -> int:
        process = subprocess.Popen(
            command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.groups[process.pid] = process
        if port is not None:
            wait_listening(port)
        return process.pid

    def tcpsrv(self, path: Path, port: int | None = None) -> Endpoint:
        """A `xapian-tcpsrv` serving the shard (or replica) at `path`, read-only, on `port`
        (a free one by default; a server killed there before comes back)."""
        port = port or free_port()
        self.serving["127.0.0.1", port] = self.start(
            "xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), str(path), port=port
        )
        return "127.0.0.1", port

    def replicated(self, master: Path, replica: Path) -> Path:
        """`replica` copied from the shard `master` by a `xapian-replicate-server` serving its
        folder, then kept up to date by a `xapian-replicate` asking every second. `-r 0`:
        changesets are applied at once; the default waits 30 s between two for readers to
        close, which a server holding the replica open never does."""
        replica.parent.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.start("xapian-replicate-server", "--interface", "127.0.0.1", "--port", str(port),
                   str(master.parent), port=port)  # fmt: skip
        command = ["xapian-replicate", "-h", "127.0.0.1", "-p", str(port), "-m", master.name,
                   "-r", "0", "-q", str(replica)]  # fmt: skip
        subprocess.run([*command, "-o"], check=True, timeout=REPLICATE_SECONDS)
        self.start(*command, "-i", str(REPLICATE_EVERY_SECONDS))
        return replica

    def kill(self, pid: int) -> None:
        """SIGKILL to the process and its children, as a host dying."""
        os.killpg(pid, signal.SIGKILL)
        self.groups.pop(pid).wait()

    def kill_serving(self, endpoint: Endpoint) -> None:
        self.kill(self.serving.pop(endpoint))

    def kill_all(self) -> None:
        for pid in list(self.groups):
            self.kill(pid)
