"""The operator page as a browser draws it: headless Chromium (Debian's `chromium`) takes a
screenshot of GET / of a running bot; the screenshot is not blank and the chart's bars are
there, in each tier's colour."""

from __future__ import annotations

import asyncio
import os
import shutil
import struct
import zlib
from collections import Counter

import pytest

from bot.operator.chart import COLOURS
from retrieval.reply.answer import Tier
from tests.bot.conftest import bot_settings
from tests.bot.test_operator_e2e import reply_to, running_bot
from tests.conftest import free_port

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

QUESTIONS = {
    Tier.ANSWER: "Trưởng Ban Nội chính Thành ủy là ai?",
    Tier.RELATED: "Hướng dẫn đăng ký xe máy online",
    Tier.NONE: "giá vàng hôm nay",
}
LEGEND_PIXELS = 12 * 12


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run should have installed it")
        pytest.skip("chromium (Debian's chromium package) is not installed")
    return found


def _paeth(left: int, up: int, corner: int) -> int:
    guess = left + up - corner
    near = min(
        (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
    )
    return near[2]


def colours_of(png: bytes) -> Counter[tuple[int, int, int]]:
    """How many pixels of each RGB colour an 8-bit RGB or RGBA PNG holds."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data = 8, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, body = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    assert depth == 8 and colour_type in (2, 6)
    channels = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(data), width * channels
    previous, found = bytearray(stride), Counter[tuple[int, int, int]]()
    for y in range(height):
        start = y * (stride + 1)
        kind_of_filter, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            predicted = (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind_of_filter]
            line[i] = (line[i] + predicted) & 0xFF
        found.update(zip(line[0::channels], line[1::channels], line[2::channels], strict=True))
        previous = line
    return found


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


async def test_chromium_draws_the_page_and_its_chart(fake_api, seed_live, tmp_path) -> None:
    browser = chromium()
    settings = bot_settings(fake_api, data_dir=tmp_path / "data", http_port=free_port())
    screenshot = tmp_path / "page.png"
    async with running_bot(settings, seed_live):
        for number, question in enumerate(QUESTIONS.values()):
            await reply_to(fake_api, 900 + number, question)
        process = await asyncio.create_subprocess_exec(
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}",
            "--window-size=800,700", f"http://127.0.0.1:{settings.http_port}/",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            env={**os.environ, "HOME": str(tmp_path)},
        )  # fmt: skip
        assert await asyncio.wait_for(process.wait(), 60) == 0
    colours = await asyncio.to_thread(colours_of, screenshot.read_bytes())
    white = colours[255, 255, 255]
    assert white < 0.98 * sum(colours.values()) and len(colours) > 20  # not blank
    for tier in QUESTIONS:  # today's bar: one reply of each tier, above its legend square
        assert colours[rgb(COLOURS[tier])] > LEGEND_PIXELS, tier
