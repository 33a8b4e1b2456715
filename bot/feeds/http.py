"""Every request the feed follower makes: http and https only, to allowed hosts only, one at a
time and at least the delay apart per host, with a User-Agent naming tin-bot, and hard limits
(time, redirects, bytes counted after decompression, so a gzip bomb stops at the limit)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

REQUEST_SECONDS = 20.0
MAX_REDIRECTS = 5
PAGE_BYTES = 5 * 2**20
FEED_BYTES = 10 * 2**20
SCHEMES = ("http", "https")


class FetchError(Exception):
    """A request that gave nothing usable; the message is the reason, for one log line."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status  # the HTTP status, when the server gave an error one


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_address(url: str, hosts: frozenset[str] | None) -> None:
    """FetchError unless `url` is http(s) on one of `hosts` (None: any host)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise FetchError(f"not http or https ({parts.scheme or 'no scheme'})")
    if not parts.hostname:
        raise FetchError("no host")
    if hosts is not None and parts.hostname.lower() not in hosts:
        raise FetchError(f"host {parts.hostname} is not the feed's own nor in BOT_FEED_HOSTS")


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back: the last response's ETag and Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes  # empty when not modified
    validators: Validators
    not_modified: bool = False


@dataclass
class PoliteClient:
    """One request at a time (the caller's one thread), each host's requests `delay` apart."""

    user_agent: str
    delay: float
    transport: httpx.BaseTransport | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            transport=self.transport,
            timeout=REQUEST_SECONDS,
            follow_redirects=False,
            headers={"User-Agent": self.user_agent},
        )

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        max_bytes: int,
        hosts: frozenset[str] | None,
        validators: Validators | None = None,
    ) -> Fetched:
        """The body at `url`, following at most MAX_REDIRECTS redirects, each to an allowed
        host; FetchError with the reason otherwise."""
        for _ in range(MAX_REDIRECTS + 1):
            check_address(url, hosts)
            try:
                fetched, location = self._once(url, max_bytes, validators)
            except httpx.TimeoutException:
                raise FetchError(f"no answer within {REQUEST_SECONDS:.0f} s") from None
            except httpx.HTTPError as error:
                raise FetchError(f"{type(error).__name__}: {error}"[:200]) from None
            if fetched is not None:
                return fetched
            url = location
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _once(
        self, url: str, max_bytes: int, validators: Validators | None
    ) -> tuple[Fetched | None, str]:
        self._wait_for(host_of(url))
        headers = validators.headers() if validators else {}
        started = self.clock()
        with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return Fetched(url, b"", validators or Validators(), not_modified=True), url
            if response.is_redirect:
                return None, urljoin(url, response.headers.get("location", ""))
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code}", response.status_code)
            body = _read_limited(response, max_bytes, started, self.clock)
            got = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
            return Fetched(url, body, got), url

    def _wait_for(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            self.sleep(max(0.0, last + self.delay - self.clock()))
        self._last[host] = self.clock()


def _read_limited(
    response: httpx.Response, max_bytes: int, started: float, clock: Callable[[], float]
) -> bytes:
    """The decompressed body, stopped at `max_bytes` or REQUEST_SECONDS, whichever first."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"over {max_bytes // 2**20} MB")
        if clock() - started > REQUEST_SECONDS:
            raise FetchError(f"not read within {REQUEST_SECONDS:.0f} s")
        chunks.append(chunk)
    return b"".join(chunks)
