import functools
import io

from bot.console import ANSI_BOLD, PROMPT, run_console
from retrieval.answer import USAGE_HINT, answer


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
    stdin, stdout = io.StringIO("tự soi tự sửa\nHướng dẫn đăng ký xe máy online"), io.StringIO()
    run_console(seed_live, functools.partial(answer, index=seed_live.current), stdin, stdout)
    text = stdout.getvalue()
    assert PROMPT not in text and "\033" not in text
    assert "004_ad9aaa6e7a83250b.txt" in text and "không có thông tin" in text
