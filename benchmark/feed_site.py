"""A news site on loopback for the feed tests and the feed benchmark: fixture feeds, sitemaps
and Vietnamese article pages with real-looking chrome, ETags honoured, every request recorded."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Response = tuple[int, dict[str, str], bytes]


def article_page(base: str, slug: str, title: str, published: str) -> bytes:
    paragraphs = "".join(
        f"<p>{title}: đoạn {n}. Sáng nay, Ủy ban nhân dân thành phố đã họp để bàn về dự án, "
        f"với sự tham dự của đại diện các sở, ngành và người dân địa phương trong khu vực.</p>"
        for n in range(1, 5)
    )
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title} | Báo Mẫu</title>
<link rel="canonical" href="{base}/thoi-su/{slug}.html">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}">
</head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a> <a href="/kinh-te">Kinh tế</a>
</nav></header>
<main><article><h1>{title}</h1>{paragraphs}</article></main>
<aside><h3>Tin cùng chuyên mục</h3><ul><li><a href="/x">Một bài khác</a></li></ul></aside>
<footer>© Báo Mẫu. Giấy phép số 123/GP-BTTTT.</footer>
</body></html>""".encode()


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, link, RFC 822 date)."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{d}</pubDate></item>"
        for t, link, d in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo Mẫu'
        f"</title><link>/</link><description>Tin</description>{body}</channel></rss>"
    ).encode()


def gzip_bomb(megabytes: int) -> bytes:
    return gzip.compress(b"\0" * megabytes * 2**20)


@dataclass
class FeedSite:
    base: str = ""
    pages: dict[str, Response] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def put(self, path: str, body: bytes, status: int = 200, **headers: str) -> None:
        self.pages[path] = (status, {"ETag": f'"{hash(body)}"', **headers}, body)

    def asked(self, path: str) -> list[dict[str, str]]:
        return [headers for asked, headers in self.requests if asked == path]


@contextmanager
def serving() -> Iterator[FeedSite]:
    site = FeedSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers)))
            status, headers, body = site.pages.get(self.path, (404, {}, b"not found"))
            if status == 200 and self.headers.get("If-None-Match") == headers.get("ETag"):
                status, body = 304, b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
