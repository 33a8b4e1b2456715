import io
import logging

from bot.progress import progress_printer
from retrieval.index.indexer import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_a_bar_with_files_speed_and_eta() -> None:
    stream = Terminal()
    show = progress_printer(stream)
    show(Progress(1, 4, 500_000, 2_000_000, 2.0))
    show(Progress(4, 4, 2_000_000, 2_000_000, 8.0))
    text = stream.getvalue()
    assert "\r[#######" in text and "1/4 files" in text and "0.25 MB/s" in text
    assert "ETA 00:06" in text and text.endswith("\n")


def test_a_pipe_gets_plain_log_lines(caplog) -> None:
    show = progress_printer(io.StringIO())
    with caplog.at_level(logging.INFO):
        for done in range(1, 101):
            show(Progress(done, 100, done, 100, 0.1))
    lines = [r.getMessage() for r in caplog.records]
    assert 1 <= len(lines) <= 3 and lines[-1].startswith("tokenising: 100/100 files")
