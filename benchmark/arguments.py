"""Arguments of `python -m bot bench` (the benchmark itself loads only when run)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--workdir", type=Path, help="reuse this folder (the archive is kept)")
    parser.add_argument(
        "--long-line-mb", type=float, default=2.0, help="size of the one-line article (MB)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
