"""The feed benchmark on a few pages: `python -m bot fetch` twice against the loopback site."""

import pytest

from benchmark.cli import main
from benchmark.feeds import render_feeds, run_feeds

pytestmark = pytest.mark.slow  # two bot processes


def test_a_second_fetch_round_only_asks_the_feed_conditionally(capsys) -> None:
    result = run_feeds(4)
    assert result["saved"] == 4 and result["pages_per_s"] > 0 and result["peak_rss_mb"] > 0
    assert result["second_round_requests"] == result["second_round_conditional"] == 1
    assert result["second_round_pages"] == 0
    assert "4 saved" in render_feeds(result)
    assert main(["--feeds", "2"]) == 0
    assert "0 pages fetched again" in capsys.readouterr().out
