"""Command line: python -m bot [run | console | ask | eval | calibrate | index | fetch | questions |
bench].

`bench` is the benchmark's own program (`python -m benchmark`, the `benchmark` package, which
builds on the bot), run in a process of its own with the arguments given: the bot never
imports it.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.console import run_console
from bot.indexing import open_index
from bot.logs import configure_logging
from bot.progress import progress_printer
from bot.scorecard import (
    Requirement,
    UnknownFigure,
    figures_of,
    print_evaluation,
    reports_of,
    unmet,
)
from bot.settings import Settings, SettingsError, installed_version, load_settings
from bot.texts import CONSOLE_NOTICE
from retrieval.evaluation.baseline import PlainBm25
from retrieval.evaluation.calibration import Shape, fit, labelled_rows, leave_one_shape_out
from retrieval.evaluation.scoring import Case, evaluate, read_cases
from retrieval.index.corpus import CorpusError
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.index.shard_writer import write_shards
from retrieval.reply.answer import Answer, Tier, answer

log = logging.getLogger("bot")

EXIT_OK, EXIT_BELOW_TARGET, EXIT_USAGE = 0, 1, 2
EXIT_FAILURE = 1


class CliError(Exception):
    """Stops the program with exit status 2 and a one-line message."""


def asker(live: LiveIndex, top_k: int, zone: ZoneInfo) -> Callable[[str], Answer]:
    """Answers from whatever snapshot is current when each question arrives, on the day it
    arrives in `zone` (BOT_TIMEZONE)."""
    return lambda question: answer(question, live.current, top_k, now=datetime.now(zone))


# A question file's fixed day is asked at noon: "hôm nay" is that day in any zone nearby.
EVAL_TIME = clock_time(12)


def asked_at(day: date | None, zone: ZoneInfo) -> datetime:
    """When an eval question is asked: noon of its day in `zone`, or now when it has none."""
    return datetime.combine(day, EVAL_TIME, zone) if day else datetime.now(zone)


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token is None:
        print(CONSOLE_NOTICE, file=sys.stderr)
        return command_console(args, settings)
    from bot.telegram.bootstrap import TelegramStartError, run_telegram  # imported only when used

    settings.check_webhook()
    try:
        return run_telegram(settings)
    except TelegramStartError as error:
        raise CliError(str(error)) from None


def command_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.poller import FeedPoller

    live = open_index(settings, getattr(args, "corpus", None))
    live.start_watching(settings.reload_seconds)
    feeds = FeedPoller(settings)
    feeds.start()
    try:
        return run_console(live, asker(live, settings.top_k, settings.zone), zone=settings.zone)
    finally:
        feeds.stop()
        live.stop_watching()


def command_ask(args: argparse.Namespace, settings: Settings) -> int:
    ask = asker(open_index(settings, args.corpus), args.top or settings.top_k, settings.zone)
    typed = " ".join(args.question)
    questions = sys.stdin if typed == "-" else [typed]
    for question in questions:
        result = ask(question.rstrip("\n"))
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(result.reply, end="\n\n", flush=True)
    return EXIT_OK


EVAL_TOP_K = 10  # enough hits for hit@10 and MRR@10


def cases_of(paths: list[Path]) -> list[Case]:
    cases = []
    for path in paths:
        try:
            cases += read_cases(path)
        except (OSError, ValueError, KeyError) as error:
            raise CliError(f"cannot read eval file {path}: {error}") from None
    return cases


def command_eval(args: argparse.Namespace, settings: Settings) -> int:
    index = open_index(settings, args.corpus).current
    cases = cases_of(args.files)
    known = index.vocabulary.forms.__contains__
    zone = settings.zone

    def ask(question: str, day: date | None) -> Answer:
        return answer(question, index, EVAL_TOP_K, now=asked_at(day, zone))

    bot = evaluate(cases, ask, known)
    baseline = None
    if args.baseline:
        plain = PlainBm25(index)
        baseline = evaluate(cases, lambda question, day: plain.answer(question, EVAL_TOP_K))
    reports = reports_of(bot, baseline)
    print_evaluation(" + ".join(p.name for p in args.files), reports, args.failures)
    try:
        misses = unmet(args.require, figures_of(reports))
    except UnknownFigure as error:
        raise CliError(str(error)) from None
    for miss in misses:
        print(f"BELOW TARGET: {miss}")
    return EXIT_BELOW_TARGET if misses else EXIT_OK


def calibration_shapes(args: argparse.Namespace, settings: Settings) -> list[Shape]:
    """A shape for each folder argument (its corpus/ and its *.jsonl question files), and one
    for the JSONL files given, asked of --corpus."""
    folders = [path for path in args.shapes if path.is_dir()]
    files = [path for path in args.shapes if not path.is_dir()]
    sets = [(folder.name, folder / "corpus", sorted(folder.glob("*.jsonl"))) for folder in folders]
    if files:
        corpus = args.corpus or settings.corpus_dir
        sets.append((corpus.name, corpus, files))
    shapes = []
    for name, corpus, questions in sets:
        index = open_index(settings, corpus).current
        shapes.append(Shape(name, labelled_rows(cases_of(questions), index)))
    return shapes


def command_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    shapes = calibration_shapes(args, settings)
    try:
        fitted = fit(shapes)
        left_out = leave_one_shape_out(shapes) if len(shapes) > 1 else []
    except ValueError as error:
        raise CliError(str(error)) from None
    print(fitted.as_code())
    for name, judged in left_out:
        verdict = judged or "the other shapes lack answerable or no-answer questions"
        print(f"# without {name}, judged on it: {verdict}")
    return EXIT_OK


def command_fetch(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.feeds:
        raise CliError("BOT_FEEDS is not set: nothing to fetch")
    from bot.feeds.poller import run_round  # imported only when used

    if not settings.corpus_dir.is_dir():
        raise CliError(f"corpus folder not found: {settings.corpus_dir.absolute()}")
    report = run_round(settings, progress_printer(sys.stderr, "fetching"))
    print(
        f"{len(report.saved)} articles saved, {report.pages_failed} pages failed, "
        f"{report.waiting} waiting for later rounds"
    )
    return EXIT_OK


def command_index(args: argparse.Namespace, settings: Settings) -> int:
    started = time.monotonic()
    tokenising = progress_printer(sys.stderr)
    index = open_index(settings, args.corpus, tokenising, sharded=False).current
    print(
        f"{len(index.articles)} articles, {len(index.passages)} passages indexed "
        f"in {time.monotonic() - started:.1f} s"
    )
    if args.xapian is not None:
        write_xapian_shards(index, args.xapian, args.shards)
    return EXIT_OK


_SPAN = re.compile(r"(\d+)([dh])")
_SPAN_SECONDS = {"d": 86_400, "h": 3_600}


def time_span(text: str) -> float:
    """A span such as "7d" or "12h", in seconds (an argparse type)."""
    match = _SPAN.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError("a number of days or hours, e.g. 7d or 12h")
    return int(match.group(1)) * _SPAN_SECONDS[match.group(2)]


def tiers(text: str) -> frozenset[Tier]:
    """A list such as "none,related", as tiers (an argparse type)."""
    try:
        return frozenset(Tier(name) for name in text.replace(" ", "").split(",") if name)
    except ValueError:
        raise argparse.ArgumentTypeError("tiers among answer, related, none") from None


def command_questions(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.keep_questions:
        raise CliError("BOT_KEEP_QUESTIONS is off: no questions are kept")
    from bot.telegram.stores import open_kept_questions  # imported only when used

    with ExitStack() as resources:
        kept = open_kept_questions(settings, resources)
        groups = kept.unanswered(time.time() - args.since, args.tier)
    for group in groups:
        if args.json:
            print(json.dumps(group.to_json(), ensure_ascii=False))
        else:
            print(group.line())
    return EXIT_OK


def write_xapian_shards(index: SearchIndex, folder: Path, shards: int) -> None:
    if shards < 1:
        raise CliError("--shards must be 1 or more")
    started = time.monotonic()
    report = write_shards(index, folder, shards, progress_printer(sys.stderr, "writing shards"))
    print(
        f"{shards} Xapian shards in {folder}: {report.written} articles written, "
        f"{report.removed} removed, {report.unchanged} unchanged "
        f"in {time.monotonic() - started:.1f} s"
    )


BENCH = "bench"


def run_benchmark(arguments: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "benchmark", *arguments]).returncode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tin-bot", description="Answers questions about Vietnamese news articles."
    )
    parser.add_argument("--version", action="version", version=f"tin-bot {installed_version()}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="Telegram bot when BOT_TOKEN is set, else the console")
    console = commands.add_parser("console", help="ask questions in the terminal (or a pipe)")
    ask = commands.add_parser("ask", help="answer one question ('-': one per line from stdin)")
    ask.add_argument(
        "question", nargs="+", help="the question, quoted or not ('-': one per line from stdin)"
    )
    ask.add_argument("--json", action="store_true", help="JSON Lines output")
    ask.add_argument("--top", type=int, choices=range(1, 11), metavar="K", help="hits to show")
    evaluation = commands.add_parser("eval", help="score the bot on JSONL question files")
    evaluation.add_argument(
        "files",
        nargs="+",
        type=Path,
        help="JSONL question files (see retrieval/evaluation/scoring.py)",
    )
    evaluation.add_argument(
        "--baseline", action="store_true", help="also score plain pyvi + rank-bm25 beside it"
    )
    evaluation.add_argument(
        "--require",
        type=Requirement.parse,
        action="append",
        default=[],
        metavar="FIGURE>=BOUND",
        help="a floor or ceiling (FIGURE<=BOUND) on a figure of the table, e.g. hit@1>=500, "
        "hit@1:bare>=495, hit@10>=hit@10:bm25; exit 1 when one is missed",
    )
    evaluation.add_argument(
        "--failures", action="store_true", help="list every question the bot got wrong"
    )
    calibrate = commands.add_parser(
        "calibrate", help="fit the answer-or-related constants of retrieval/ranking/confidence.py"
    )
    calibrate.add_argument(
        "shapes",
        nargs="+",
        type=Path,
        help="corpus shapes: folders holding corpus/ and *.jsonl question files, or JSONL "
        "files asked of --corpus (one shape together)",
    )
    index = commands.add_parser("index", help="build or update the index cache")
    index.add_argument(
        "--xapian",
        type=Path,
        metavar="DIR",
        help="also write (or update) the Xapian shards DIR/0 … DIR/N-1 (see --shards)",
    )
    index.add_argument(
        "--shards", type=int, default=1, metavar="N", help="how many shards (default 1)"
    )
    commands.add_parser("fetch", help="one round over BOT_FEEDS: new articles into the corpus")
    questions = commands.add_parser(
        "questions", help="the kept questions the archive could not answer (BOT_KEEP_QUESTIONS)"
    )
    questions.add_argument(
        "--since", type=time_span, default=time_span("7d"), help="how far back: 7d (default), 12h"
    )
    questions.add_argument(
        "--tier",
        type=tiers,
        help="only replies of these tiers, e.g. none,related (default: none or related, or 👎)",
    )
    questions.add_argument("--json", action="store_true", help="JSON Lines output")
    commands.add_parser(
        BENCH,
        add_help=False,  # its options are the benchmark's own: `bench --help` lists them
        help="compare with rank-bm25 and bm25s on an archive",
    )
    for sub in (console, ask, evaluation, calibrate, index):
        sub.add_argument(
            "--corpus", type=Path, help="folder of .txt articles (default BOT_CORPUS_DIR)"
        )
    return parser


COMMANDS = {
    None: command_run,
    "run": command_run,
    "console": command_console,
    "ask": command_ask,
    "eval": command_eval,
    "calibrate": command_calibrate,
    "index": command_index,
    "fetch": command_fetch,
    "questions": command_questions,
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [BENCH]:
        return run_guarded(lambda settings: run_benchmark(arguments[1:]))
    args = build_parser().parse_args(arguments)
    return run_guarded(lambda settings: COMMANDS[args.command](args, settings))


def run_guarded(command: Callable[[Settings], int]) -> int:
    """Run a command with the settings loaded and logging set up; whatever stops it ends in
    one line on stderr and an exit status."""
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.secrets())
        return command(settings)
    except (SettingsError, CliError, CorpusError) as error:
        print(f"tin-bot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # output piped into a reader that stopped early, e.g. head
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # anything else: one line, the traceback only at DEBUG
        log.debug("stopped by an unexpected error", exc_info=True)
        print(
            f"tin-bot: stopped by an unexpected {type(error).__name__} "
            "(BOT_LOG_LEVEL=DEBUG shows where)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
