"""The benchmark's command line: `python -m benchmark [options]`, which `python -m bot bench`
runs. Settings, logging and failures are handled as by the bot's own commands."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from benchmark.bench import MissingExtra, check_extras, render, run
from benchmark.feeds import render_feeds, run_feeds
from bot.cli import EXIT_OK, CliError, run_guarded


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tin-bot bench", description="Compare with rank-bm25 and bm25s on an archive."
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=10_000,
        help="synthetic archive size (default 10,000 articles: about 2 minutes and 2.5 GB)",
    )
    parser.add_argument(
        "--paragraphs", type=int, default=11, help="paragraphs per article (default 11)"
    )
    parser.add_argument(
        "--questions", type=int, default=200, help="questions timed on this project (default 200)"
    )
    parser.add_argument(
        "--naive-questions",
        type=int,
        default=20,
        help="questions timed on plain rank-bm25, which is slow (default 20)",
    )
    parser.add_argument(
        "--reference-passages",
        type=int,
        default=200_000,
        help="passages rank-bm25 and bm25s index, the archive's first (default 200,000: "
        "they hold every term as a string, about 20 KB a passage)",
    )
    parser.add_argument("--workdir", type=Path, help="reuse this folder (the archive is kept)")
    parser.add_argument(
        "--long-line-mb", type=float, default=2.0, help="size of the one-line article (MB)"
    )
    parser.add_argument(
        "--segment-mb",
        type=float,
        default=2.0,
        help="archive text on which the segmenter is timed against pyvi (MB)",
    )
    parser.add_argument(
        "--feeds",
        type=int,
        metavar="N",
        help="instead: the feed follower, `python -m bot fetch` on N loopback articles, twice",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def bench(args: argparse.Namespace) -> int:
    if args.feeds is not None:
        feeds = run_feeds(args.feeds)
        print(json.dumps(feeds, indent=2) if args.json else render_feeds(feeds))
        return EXIT_OK
    try:
        check_extras()
    except MissingExtra as error:
        raise CliError(str(error)) from None
    result = run(args)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else render(result))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded(lambda settings: bench(args))
