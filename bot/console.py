"""Console adapter: questions from a terminal or a pipe, answers as plain text."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from datetime import tzinfo
from typing import TextIO

from bot.listing import NEWEST_LISTED, dated_source
from bot.logs import log_handler
from bot.settings import DEFAULT_ZONE
from bot.texts import (
    CONSOLE_GREETING,
    CONSOLE_HELP,
    CONSOLE_UNKNOWN_COMMAND,
    NEWEST_HEADING,
    NEWEST_ON_TOPIC_HEADING,
    NO_DATED_ARTICLES,
    NO_NEWS_ON_TOPIC,
)
from retrieval.index.corpus import Article
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.reply.answer import Answer, render_reply
from retrieval.reply.excerpt import Excerpt, with_marks
from retrieval.reply.topics import by_date, newest_articles

PROMPT = "❓ "
CLEAR_LINE = "\r\033[2K"  # carriage return, then erase the whole line
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q", "quit", "exit", "thoát", "thoat"})
ANSI_BOLD, ANSI_RESET = "\033[1m", "\033[0m"


def article_lines(articles: list[Article], zone: tzinfo) -> str:
    """One line an article: title, file and date, URL."""
    return "\n".join(
        f"• {a.title} — {dated_source(a.source, a.provenance, zone)}"
        + (f" · {a.provenance.url}" if a.provenance.url else "")
        for a in articles
    )


def newest_listing(index: SearchIndex, zone: tzinfo, topic: str) -> str:
    articles = newest_articles(index, zone, topic, NEWEST_LISTED)
    if not articles:
        return NO_NEWS_ON_TOPIC.format(topic=topic) if topic else NO_DATED_ARTICLES
    heading = NEWEST_ON_TOPIC_HEADING.format(topic=topic) if topic else NEWEST_HEADING
    return f"{heading}\n{article_lines(articles, zone)}"


def _bold_on_terminal(excerpt: Excerpt) -> str:
    return with_marks(excerpt, ANSI_BOLD, ANSI_RESET, str)


def show(answer: Answer, tty: bool) -> str:
    if not (tty and answer.shows_hits):
        return answer.reply
    return render_reply(answer.blocks, _bold_on_terminal)


def respond(
    line: str, *, live: LiveIndex, ask: Callable[[str], Answer], tty: bool, zone: tzinfo
) -> str:
    command, _, rest = line.strip().partition(" ")
    command = command.lower()
    if not command.startswith("/"):
        return show(ask(line), tty)
    if command == "/ask":
        return show(ask(rest), tty)
    if command == "/sources":
        return article_lines(by_date(live.current.articles, zone), zone)
    if command == "/moi":
        return newest_listing(live.current, zone, rest.strip())
    if command in ("/help", "/start"):
        return CONSOLE_HELP.format(count=len(live.current.articles))
    return CONSOLE_UNKNOWN_COMMAND.format(command=command)


class PromptLine:
    """Keeps log lines off the prompt's line: a log line written while the prompt waits for
    input (a reload seen by the watcher thread, say) clears that line first, and the prompt is
    drawn again after it."""

    def __init__(self, terminal: TextIO, logs: TextIO) -> None:
        self.terminal = terminal
        self.logs = logs
        self.waiting = False

    def write(self, text: str) -> int:
        if self.waiting:
            self.terminal.write(CLEAR_LINE)
            self.terminal.flush()
        written = self.logs.write(text)
        self.logs.flush()
        if self.waiting:
            self.terminal.write(PROMPT)
            self.terminal.flush()
        return written

    def flush(self) -> None:
        self.logs.flush()


@contextlib.contextmanager
def logs_off_the_prompt(terminal: TextIO) -> Iterator[PromptLine]:
    """The bot's log handler writes through a PromptLine while the console runs."""
    handler = log_handler()
    if handler is None:
        yield PromptLine(terminal, sys.stderr)
        return
    previous = handler.stream
    guard = PromptLine(terminal, previous)
    with handler.lock or contextlib.nullcontext():  # not setStream: it flushes the old stream
        handler.stream = guard  # type: ignore[assignment]  # it writes and flushes, as a stream
    try:
        yield guard
    finally:
        with handler.lock or contextlib.nullcontext():
            handler.stream = previous


def run_console(
    live: LiveIndex,
    ask: Callable[[str], Answer],
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    zone: tzinfo = DEFAULT_ZONE,
) -> int:
    """Answer one question a line until EOF, Ctrl-C or a quit word; prompts only on an
    interactive terminal, with log lines kept off the prompt's line. Dates are days in
    `zone`."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    reply = functools.partial(respond, live=live, ask=ask, zone=zone)
    if not (stdin.isatty() and stdout.isatty()):
        return _answer_lines(reply, stdin, stdout, None)
    print(CONSOLE_GREETING.format(count=len(live.current.articles)), file=stdout)
    with logs_off_the_prompt(stdout) as prompt:
        return _answer_lines(reply, stdin, stdout, prompt)


def _answer_lines(
    reply: Callable[..., str], stdin: TextIO, stdout: TextIO, prompt: PromptLine | None
) -> int:
    tty = prompt is not None
    while True:
        if prompt is not None:
            stdout.write(PROMPT)
            stdout.flush()
            prompt.waiting = True
        try:
            line = stdin.readline()
        except KeyboardInterrupt:  # Ctrl-C at the prompt: leave the terminal on a fresh line
            line = ""
        finally:
            if prompt is not None:
                prompt.waiting = False
        if not line or line.strip().lower() in QUIT_COMMANDS:
            if tty and not line.strip():
                print(file=stdout)
            return 0
        print(reply(line, tty=tty), file=stdout, end="\n\n", flush=True)
