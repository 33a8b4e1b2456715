"""The benchmark's parts on a tiny archive, in process (the real run spawns a process each)."""

import argparse
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from benchmark.bench import (
    archive_passages,
    build_cold,
    long_article,
    make_questions,
    measure_bm25s,
    measure_naive,
    measure_one_article,
    measure_ours,
    measure_segmenters,
    render,
    write_archive,
    write_reference_tokens,
)
from benchmark.cli import build_parser, main
from bot.cli import EXIT_USAGE
from retrieval.language.tokens import analyze
from tests.conftest import PROJECT_DIR


def test_archive_and_questions_are_deterministic(tmp_path) -> None:
    write_archive(tmp_path / "a", articles=5, paragraphs=3)
    write_archive(tmp_path / "b", articles=5, paragraphs=3)
    first = sorted((p.name, p.read_text()) for p in (tmp_path / "a").iterdir())
    second = sorted((p.name, p.read_text()) for p in (tmp_path / "b").iterdir())
    assert first == second and len(first) == 5
    assert make_questions(tmp_path / "a", 6) == make_questions(tmp_path / "b", 6)


def test_engines_rank_the_same_tokens_alike_and_report_figures(tmp_path) -> None:
    corpus, cache, tokens = tmp_path / "corpus", tmp_path / "cache", tmp_path / "tokens.json"
    write_archive(corpus, articles=12, paragraphs=3)
    questions = make_questions(corpus, 8)
    cold = build_cold(str(corpus), str(cache))
    assert cold["articles"] == 12 and cold["passages"] == 12 * 4
    assert cold["peak_all_processes_mb"] >= cold["peak_rss_mb"] > 0 and cold["cpu_s"] > 0
    assert write_reference_tokens(corpus, tokens, 10**6) == 12 * 4
    queries = [analyze(q).all() for q in questions]
    ours = measure_ours(str(corpus), str(cache), questions)
    naive = measure_naive(str(tokens), queries)
    fast = measure_bm25s(str(tokens), queries, questions)
    for mine, reference in zip(ours.pop("rankings"), naive.pop("rankings"), strict=True):
        np.testing.assert_allclose(mine, reference, atol=1e-6)
    for figures in (ours, naive, fast):
        assert figures["retrieval_p50_ms"] > 0 and figures["peak_rss_mb"] > 0
    assert 0 < ours["add_one_article_s"] < 5 and ours["reload_peak_vs_steady"] > 0
    assert fast["with_pyvi_p50_ms"] > fast["retrieval_p50_ms"]
    assert not (corpus / "zz-new-article.txt").exists()
    one_line, lines = (
        measure_one_article(long_article(corpus, 0.005, breaks)) for breaks in (False, True)
    )
    assert one_line["build_s"] > 0 and lines["passages"] > 1 and one_line["passages"] > 1
    segmenters = measure_segmenters(archive_passages(corpus, 0.002))
    assert segmenters["identical"] and 0.002 <= segmenters["mb"] < 0.01
    assert segmenters["pyvi_mb_s"] > 0 and segmenters["segment_mb_s"] > 0
    table = render(
        {
            "corpus": cold,
            "questions": 8,
            "naive_questions": 8,
            "reference_passages": 48,
            "warm_start_s": 1.0,
            "ours": ours,
            "rank_bm25": naive,
            "bm25s": fast,
            "rankings_identical_to_rank_bm25": "8/8",
            "long_article": {"mb": 0.005, "one_line": one_line, "line_breaks": lines},
            "segmenters": segmenters,
            "ratios": {
                "retrieval_p50_speedup_vs_rank_bm25": 2.0,
                "retrieval_p50_vs_bm25s": 0.5,
                "peak_rss_vs_rank_bm25": 1.0,
                "one_line_build_vs_line_breaks": 1.0,
                "one_line_peak_rss_vs_line_breaks": 1.0,
                "segment_vs_pyvi": 10.0,
                "cold_build_vs_pyvi_one_core": 3.0,
                "answer_p50_vs_bm25s_with_pyvi": 4.0,
            },
        }
    )
    assert "| tin-bot |" in table and "| bm25s |" in table
    assert "one 0.005 MB article on one line" in table
    assert "segment " in table and "(10.0x), identical output" in table
    assert "3.0x pyvi's MB/s on one core" in table
    assert "4.0x bm25s's retrieve with pyvi on the question" in table


def test_bench_command_parses_its_options() -> None:
    args = build_parser().parse_args(["--articles", "50", "--json"])
    assert isinstance(args, argparse.Namespace) and args.articles == 50 and args.json


@pytest.mark.slow  # a process of its own
def test_the_bots_bench_command_runs_the_benchmarks_own() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: tin-bot bench") and "--naive-questions" in shown.stdout


def test_a_missing_reference_engine_stops_the_bench_before_anything_is_built(
    monkeypatch, capsys, tmp_path
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "bm25s" else real_find_spec(name)
    )
    workdir = tmp_path / "bench"
    code = main(["--articles", "5", "--workdir", str(workdir)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_USAGE and len(err) == 1 and "bm25s" in err[0] and "[bench]" in err[0]
    assert not workdir.exists()
