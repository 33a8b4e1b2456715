import functools
import io
import logging

import pytest

from bot.console import ANSI_BOLD, CLEAR_LINE, PROMPT, run_console
from bot.logs import configure_logging
from retrieval.reply.answer import answer
from retrieval.reply.phrases import RELATED, USAGE_HINT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_session_prompts_and_bolds_matched_words(seed_live) -> None:
    stdin, stdout = Terminal("tự soi tự sửa\n\n/quit\nnever asked\n"), Terminal()
    code = run_console(seed_live, functools.partial(answer, index=seed_live.current), stdin, stdout)
    text = stdout.getvalue()
    assert code == 0 and text.count(PROMPT) == 3
    assert ANSI_BOLD in text and "004_ad9aaa6e7a83250b.txt" in text
    assert USAGE_HINT in text and "never asked" not in text


def test_piped_session_prints_answers_without_prompts_or_escapes(seed_live) -> None:
    questions = "tự soi tự sửa\nHướng dẫn đăng ký xe máy online\ngiá vàng hôm nay"
    stdin, stdout = io.StringIO(questions), io.StringIO()
    run_console(seed_live, functools.partial(answer, index=seed_live.current), stdin, stdout)
    text = stdout.getvalue()
    assert PROMPT not in text and "\033" not in text
    assert "004_ad9aaa6e7a83250b.txt" in text and "không có thông tin" in text
    assert RELATED in text  # the second question's related passages, under their notice


@pytest.mark.slow  # a process of its own
def test_a_running_console_answers_from_an_article_added_meanwhile(make_corpus, tmp_path) -> None:
    import os
    import subprocess
    import sys
    import time

    from tests.conftest import PROJECT_DIR

    folder = make_corpus(
        {
            "a.txt": "Hội nghị sơ kết\n\nThành ủy tổ chức hội nghị sơ kết Thông tri 18.\n",
            "b.txt": "Lễ ký kết\n\nBộ Tư lệnh ký kết quy chế phối hợp với Ban Tuyên giáo.\n",
        }
    )
    environment = {**os.environ, "BOT_RELOAD_SECONDS": "0.2", "BOT_INDEX_DIR": str(tmp_path / "i")}
    console = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--corpus", str(folder)],
        cwd=PROJECT_DIR, env=environment, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    question = "cau Rach Mieu khanh thanh khi nao\n"
    try:
        console.stdin.write(question)
        console.stdin.flush()
        before = "".join(iter(console.stdout.readline, "\n"))
        (folder / "c.txt").write_text(
            "Cầu Rạch Miễu\n\nCầu Rạch Miễu hai được khánh thành vào tháng tám.\n", "utf-8"
        )
        time.sleep(1.5)
        console.stdin.write(question)
        console.stdin.close()
        after = console.stdout.read()
    finally:
        console.wait(timeout=30)
    assert "c.txt" not in before and "Nguồn: c.txt, đoạn 2" in after


def test_console_commands_ask_help_unknown_and_quit_words(seed_live) -> None:
    lines = "/ask tự soi tự sửa\n/help\n/foo\nquit\nnever asked\n"
    stdin, stdout = Terminal(lines), Terminal()
    run_console(seed_live, functools.partial(answer, index=seed_live.current), stdin, stdout)
    replies = stdout.getvalue().split(PROMPT)[1:]
    assert "004_ad9aaa6e7a83250b.txt" in replies[0]  # /ask asks the rest of the line
    assert "/sources" in replies[1] and "/ask" in replies[1]  # a real help, not the greeting
    assert "Không có lệnh /foo" in replies[2]
    assert "never asked" not in stdout.getvalue() and len(replies) == 4


def test_end_of_input_on_a_terminal_leaves_a_fresh_line(seed_live) -> None:
    stdin, stdout = Terminal(""), Terminal()
    assert (
        run_console(seed_live, functools.partial(answer, index=seed_live.current), stdin, stdout)
        == 0
    )
    assert stdout.getvalue().endswith(PROMPT + "\n")


class LoggingTerminal(Terminal):
    """A terminal whose reader logs a line while it waits, as the watcher thread does."""

    def readline(self, size: int = -1) -> str:
        logging.getLogger("retrieval.index.live").warning("reloaded: 1 article added")
        return super().readline(size)


def test_a_log_line_while_the_prompt_waits_gets_a_line_of_its_own(seed_live) -> None:
    screen = Terminal()
    configure_logging("INFO", [], screen)  # stderr and stdout are the same terminal
    try:
        stdin = LoggingTerminal("tự soi tự sửa\n")
        run_console(seed_live, functools.partial(answer, index=seed_live.current), stdin, screen)
    finally:
        configure_logging("WARNING", [])
    text = screen.getvalue()
    cleared = text.index(CLEAR_LINE)
    logged = text.index("reloaded: 1 article added")
    assert text[:cleared].endswith(PROMPT) and cleared < logged  # the prompt's line is erased
    assert "\n" not in text[cleared:logged]  # and the log line written on it
    assert text[text.index("\n", logged) + 1 :].startswith(PROMPT)  # the prompt comes back
