"""Command line: python -m bot [run | console | ask | eval | index | bench]."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.bench_arguments import add_bench_arguments
from bot.console import run_console
from bot.logs import configure_logging
from bot.progress import progress_printer
from bot.settings import Settings, SettingsError, load_settings
from retrieval.answer import Answer, answer
from retrieval.corpus import CorpusError
from retrieval.evaluation import LEAD_CHARS, Report, evaluate, read_cases
from retrieval.indexer import ProgressCallback
from retrieval.live import LiveIndex
from retrieval.store import IndexStore

log = logging.getLogger("bot")

EXIT_OK, EXIT_BELOW_TARGET, EXIT_USAGE = 0, 1, 2
CONSOLE_NOTICE = "BOT_TOKEN is not set: starting the console adapter instead of Telegram."


class CliError(Exception):
    """Stops the program with exit status 2 and a one-line message."""


def open_index(
    settings: Settings, corpus: Path | None = None, progress: ProgressCallback | None = None
) -> LiveIndex:
    folder = corpus or settings.corpus_dir
    try:
        live = LiveIndex(folder, IndexStore(settings.index_dir), progress)
    except CorpusError as error:
        raise CliError(str(error)) from None
    index = live.current
    log.info("index ready: %d articles, %d passages", len(index.articles), len(index.passages))
    return live


def asker(live: LiveIndex, top_k: int) -> Callable[[str], Answer]:
    """Answers from whatever snapshot is current when each question arrives."""
    return lambda question: answer(question, live.current, top_k)


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token is None:
        print(CONSOLE_NOTICE, file=sys.stderr)
        return command_console(args, settings)
    from bot.telegram.app import TelegramStartError, run_telegram  # imported only when used

    try:
        return run_telegram(settings, open_index(settings))
    except TelegramStartError as error:
        raise CliError(str(error)) from None


def command_console(args: argparse.Namespace, settings: Settings) -> int:
    live = open_index(settings, getattr(args, "corpus", None))
    stop = live.watch(settings.reload_seconds) if settings.reload_seconds else None
    try:
        return run_console(live, asker(live, settings.top_k))
    finally:
        if stop is not None:
            stop.set()


def command_ask(args: argparse.Namespace, settings: Settings) -> int:
    ask = asker(open_index(settings, args.corpus), args.top or settings.top_k)
    questions = sys.stdin if args.question == "-" else [args.question]
    for question in questions:
        result = ask(question.rstrip("\n"))
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(result.reply, end="\n\n", flush=True)
    return EXIT_OK


def print_report(report: Report, title: str) -> None:
    print(f"== {title}")
    print(f"top-1: {report.top1}/{report.answerable}   top-3: {report.top3}/{report.answerable}")
    print(
        f"abstention: {report.abstained_correctly}/{report.unanswerable} no-answer abstained, "
        f"{report.answered_wrongly} answered wrongly, "
        f"{report.abstained_wrongly} answerable abstained"
    )
    near_abstained, near_total = report.near_topic
    print(f"near-topic abstention: {near_abstained}/{near_total}")
    share = report.restored_words / max(report.restorable_words, 1)
    print(
        f"diacritics restored: {report.restored_words}/{report.restorable_words} words "
        f"({share:.1%}) of the questions asked without diacritics"
    )
    print(
        f"gold in the first {LEAD_CHARS} characters of the reply: "
        f"{report.gold_in_lead}/{report.answerable}"
    )
    print("per kind:")
    for kind, (good, total) in report.by_kind().items():
        print(f"  {kind:<20} {good}/{total}")
    for outcome in report.failures():
        hits = ", ".join(f"{h.source}#{h.paragraph}" for h in outcome.answer.hits) or "no answer"
        print(f"  FAIL {outcome.case.id} [{outcome.case.kind}] {outcome.asked!r} -> {hits}")


def below_targets(report: Report, args: argparse.Namespace) -> list[str]:
    checks = [
        ("top-1", report.top1, args.min_top1),
        ("top-3", report.top3, args.min_top3),
        ("no-answer abstained", report.abstained_correctly, args.min_abstained),
        ("gold in lead", report.gold_in_lead, args.min_gold_in_lead),
    ]
    misses = [
        f"{name} {value} < {floor}"
        for name, value, floor in checks
        if floor is not None and value < floor
    ]
    restored = report.restored_words / max(report.restorable_words, 1)
    if args.min_restored is not None and restored < args.min_restored:
        misses.append(f"diacritics restored {restored:.3f} < {args.min_restored}")
    if args.max_wrong_abstained is not None and report.abstained_wrongly > args.max_wrong_abstained:
        misses.append(
            f"answerable abstained {report.abstained_wrongly} > {args.max_wrong_abstained}"
        )
    return misses


def command_eval(args: argparse.Namespace, settings: Settings) -> int:
    live = open_index(settings, args.corpus)
    ask = asker(live, settings.top_k)
    cases = []
    for path in args.files:
        try:
            cases += read_cases(path)
        except (OSError, ValueError, KeyError) as error:
            raise CliError(f"cannot read eval file {path}: {error}") from None
    known = live.current.vocabulary.forms.__contains__
    report = evaluate(cases, ask, known, args.strip_diacritics)
    title = " + ".join(p.name for p in args.files)
    print_report(report, title + (" (diacritics stripped)" if args.strip_diacritics else ""))
    misses = below_targets(report, args)
    for miss in misses:
        print(f"BELOW TARGET: {miss}")
    return EXIT_BELOW_TARGET if misses else EXIT_OK


def command_index(args: argparse.Namespace, settings: Settings) -> int:
    started = time.monotonic()
    index = open_index(settings, args.corpus, progress_printer(sys.stderr)).current
    print(
        f"{len(index.articles)} articles, {len(index.passages)} passages indexed "
        f"in {time.monotonic() - started:.1f} s"
    )
    return EXIT_OK


def command_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bench import main as bench  # numpy-heavy comparisons load only when asked for

    return bench(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tin-bot", description="Answers questions about Vietnamese news articles."
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="Telegram bot when BOT_TOKEN is set, else the console")
    console = commands.add_parser("console", help="ask questions in the terminal (or a pipe)")
    ask = commands.add_parser("ask", help="answer one question ('-': one per line from stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="JSON Lines output")
    ask.add_argument("--top", type=int, choices=range(1, 11), metavar="K", help="hits to show")
    evaluation = commands.add_parser("eval", help="score the bot on JSONL question files")
    evaluation.add_argument("files", nargs="+", type=Path)
    evaluation.add_argument("--strip-diacritics", action="store_true")
    evaluation.add_argument("--min-top1", type=int)
    evaluation.add_argument("--min-top3", type=int)
    evaluation.add_argument("--min-abstained", type=int, help="floor on no-answer abstained")
    evaluation.add_argument("--min-gold-in-lead", type=int, help="floor on gold in reply's lead")
    evaluation.add_argument("--min-restored", type=float, help="floor on restored share, 0-1")
    evaluation.add_argument(
        "--max-wrong-abstained", type=int, help="ceiling on answerable abstained"
    )
    index = commands.add_parser("index", help="build or update the index cache")
    bench = commands.add_parser("bench", help="compare with rank-bm25 and bm25s on an archive")
    add_bench_arguments(bench)
    for sub in (console, ask, evaluation, index):
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
    "index": command_index,
    "bench": command_bench,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        token = settings.token.get_secret_value() if settings.token else ""
        configure_logging(settings.log_level, [token])
        return COMMANDS[args.command](args, settings)
    except (SettingsError, CliError) as error:
        print(f"tin-bot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # output piped into a reader that stopped early, e.g. head
        sys.stderr.close()
        return EXIT_OK
