"""Console adapter: questions from a terminal or a pipe, answers as plain text."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.texts import CONSOLE_GREETING, CONSOLE_HELP, CONSOLE_UNKNOWN_COMMAND
from retrieval.answer import Answer, render_reply
from retrieval.excerpt import Excerpt, with_marks
from retrieval.index import SearchIndex
from retrieval.live import LiveIndex
from retrieval.text import shown_name

PROMPT = "❓ "
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q", "quit", "exit", "thoát", "thoat"})
ANSI_BOLD, ANSI_RESET = "\033[1m", "\033[0m"


def sources_listing(index: SearchIndex) -> str:
    return "\n".join(
        f"• {article.title} — {shown_name(article.source)}" for article in index.articles
    )


def _bold_on_terminal(excerpt: Excerpt) -> str:
    return with_marks(excerpt, ANSI_BOLD, ANSI_RESET, str)


def show(answer: Answer, tty: bool) -> str:
    if not (tty and answer.answered):
        return answer.reply
    return render_reply(answer.blocks, _bold_on_terminal)


def respond(line: str, live: LiveIndex, ask: Callable[[str], Answer], tty: bool) -> str:
    command, _, rest = line.strip().partition(" ")
    command = command.lower()
    if not command.startswith("/"):
        return show(ask(line), tty)
    if command == "/ask":
        return show(ask(rest), tty)
    if command == "/sources":
        return sources_listing(live.current)
    if command in ("/help", "/start"):
        return CONSOLE_HELP.format(count=len(live.current.articles))
    return CONSOLE_UNKNOWN_COMMAND.format(command=command)


def run_console(
    live: LiveIndex,
    ask: Callable[[str], Answer],
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Answer one question a line until EOF, Ctrl-C or a quit word; prompts only on an
    interactive terminal."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    tty = stdin.isatty() and stdout.isatty()
    if tty:
        print(CONSOLE_GREETING.format(count=len(live.current.articles)), file=stdout)
    while True:
        if tty:
            stdout.write(PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:  # Ctrl-C at the prompt: leave the terminal on a fresh line
            line = ""
        if not line or line.strip().lower() in QUIT_COMMANDS:
            if tty and not line.strip():
                print(file=stdout)
            return 0
        print(respond(line, live, ask, tty), file=stdout, end="\n\n", flush=True)
