import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_BELOW_TARGET, EXIT_OK, EXIT_USAGE, main
from bot.texts import CONSOLE_NOTICE
from retrieval.ranking.confidence import WEIGHTS
from tests.conftest import PROJECT_DIR, SEEDS_DIR

SECRET = "123456:SECRET-token-value"


def run(
    args: list[str], capsys, stdin: str | None = None, monkeypatch=None
) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_prints_the_public_contract(capsys) -> None:
    code, out, _ = run(["ask", "--json", "Trưởng Ban Nội chính Thành ủy là ai?"], capsys)
    row = json.loads(out)
    assert code == EXIT_OK and row["answered"] is True and row["tier"] == "answer"
    assert set(row) == {"question", "understood", "tier", "answered", "reply", "hits"}
    assert row["hits"][0]["source"] == "003_dc0f3aaaadfe3394.txt"
    assert "Lê Thanh Liêm" in row["hits"][0]["excerpt"]


def test_ask_dash_reads_one_question_per_line(capsys, monkeypatch) -> None:
    questions = "tu soi tu sua\nTỷ giá đô la Mỹ hôm nay\n\n"
    code, out, _ = run(["ask", "--json", "--top", "2", "-"], capsys, questions, monkeypatch)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == EXIT_OK and [r["answered"] for r in rows] == [True, False, False]
    assert [r["tier"] for r in rows] == ["answer", "none", "none"]
    assert len(rows[0]["hits"]) == 2


def test_an_unquoted_question_is_one_question(capsys) -> None:
    quoted = run(["ask", "--json", "bi thu thanh uy tphcm la ai"], capsys)[1]
    words = ["bi", "thu", "thanh", "uy", "tphcm", "la", "ai"]
    code, unquoted, _ = run(["ask", "--json", *words], capsys)
    assert code == EXIT_OK and unquoted == quoted


def test_plain_ask_prints_the_reply_with_sources(capsys) -> None:
    code, out, _ = run(["ask", "bi thu thanh uy tphcm la ai"], capsys)
    assert code == EXIT_OK and "Bạn hỏi: bí thư thành ủy tphcm là ai" in out
    assert "Nguồn: 000_00398351a5c5dbd5.txt" in out


@pytest.mark.parametrize("command", ["ask", "console", "eval", "index"])
def test_missing_corpus_exits_2_naming_the_path(capsys, tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-folder"
    extra = {"ask": ["x"], "eval": [str(tmp_path / "e.jsonl")]}.get(command, [])
    code, _, err = run([command, *extra, "--corpus", str(missing)], capsys)
    assert code == EXIT_USAGE and str(missing) in err and "Traceback" not in err


def test_empty_corpus_exits_2(capsys, make_corpus) -> None:
    empty = make_corpus({"blank.txt": "\n\n"})
    code, _, err = run(["ask", "x", "--corpus", str(empty)], capsys)
    assert code == EXIT_USAGE and str(empty) in err


def test_bad_setting_stops_with_one_line_naming_it_and_no_secret(capsys, monkeypatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", SECRET)
    monkeypatch.setenv("BOT_TOP_K", "many")
    code, out, err = run(["ask", "x"], capsys)
    assert code == EXIT_USAGE and "BOT_TOP_K" in err and len(err.strip().splitlines()) == 1
    assert SECRET not in out + err


def test_no_token_runs_the_console_with_a_notice(capsys, monkeypatch) -> None:
    code, out, err = run([], capsys, "tự soi tự sửa\n/sources\n", monkeypatch)
    assert code == EXIT_OK and CONSOLE_NOTICE in err
    assert "004_ad9aaa6e7a83250b.txt" in out  # cited in the answer and listed by /sources
    assert out.count(".txt") >= 6


def write_cases(folder: Path, rows: list[dict]) -> Path:
    path = folder / "cases.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


CASES = [
    {
        "id": "a",
        "kind": "exact",
        "question": "Trưởng Ban Nội chính Thành ủy là ai?",
        "sources": ["003_dc0f3aaaadfe3394.txt"],
        "gold": "Lê Thanh Liêm",
    },
    {"id": "b", "kind": "no_answer", "question": "Giá vàng hôm nay", "sources": [], "gold": None},
    {
        "id": "c",
        "kind": "exact",
        "question": "Trưởng Ban Nội chính Thành ủy là ai?",
        "sources": ["000_00398351a5c5dbd5.txt"],
        "gold": "không có ở đây",
    },
]


def figure_row(out: str, name: str) -> list[str]:
    return next(line.split()[1:] for line in out.splitlines() if line.startswith(name + " "))


def test_eval_reports_every_figure_beside_plain_bm25(capsys, tmp_path: Path) -> None:
    path = write_cases(tmp_path, CASES)
    code, out, _ = run(["eval", str(path), "--baseline", "--failures"], capsys)
    assert code == EXIT_OK
    assert figure_row(out, "figure") == ["bot", "bot:bare", "bm25", "bm25:bare"]
    hit1 = figure_row(out, "hit@1")
    assert hit1[:2] == ["1/2", "1/2"] and hit1[3] == "0/2"  # plain BM25 needs the marks
    assert figure_row(out, "abstained[no_answer]")[:2] == ["1/1", "1/1"]
    restored = figure_row(out, "restored")
    assert restored[0] == restored[2] == restored[3] == "-" and 0.8 < float(restored[1]) <= 1
    assert figure_row(out, "excerpt-has-gold")[:2] == ["1/1", "1/1"]
    assert figure_row(out, "answer-line-shown")[:2] == ["2/2", "2/2"]  # "Trả lời:" Lê Thanh Liêm
    assert figure_row(out, "tier-answer")[:2] == ["2/2", "2/2"]
    for name in ("hit@3", "hit@10", "mrr@10", "tier-related", "tier-none", "not-mentioned"):
        assert len(figure_row(out, name)) == 4
    assert "FAIL c" in out and "FAIL a" not in out
    assert re.search(r"no_answer +1/1 +\(answer 0 · related \d · none \d\)", out)


def test_eval_requirements_exit_1_when_missed(capsys, tmp_path: Path) -> None:
    path = write_cases(tmp_path, CASES)
    met = ["--require", "hit@1>=1", "--require", "abstained<=1", "--require", "hit@1:bare>=hit@1"]
    code, out, _ = run(["eval", str(path), *met], capsys)
    assert code == EXIT_OK and "BELOW TARGET" not in out
    code, out, _ = run(["eval", str(path), "--require", "hit@1>=2"], capsys)
    assert code == EXIT_BELOW_TARGET and "BELOW TARGET: hit@1>=2 (hit@1 is 1, bound 2)" in out
    code, out, _ = run(["eval", str(path), "--require", "hit@1%>=50"], capsys)
    assert code == EXIT_OK
    code, out, _ = run(["eval", str(path), "--require", "hit@1%>=51"], capsys)
    assert code == EXIT_BELOW_TARGET and "(hit@1% is 50, bound 51)" in out
    code, _, err = run(["eval", str(path), "--require", "hits>=2"], capsys)
    assert code == EXIT_USAGE and "unknown figure 'hits'" in err
    with pytest.raises(SystemExit):
        run(["eval", str(path), "--require", "hit@1 > 2"], capsys)


def test_eval_accepts_several_files(capsys, tmp_path: Path) -> None:
    first = write_cases(tmp_path, CASES[:1])
    second = tmp_path / "more.jsonl"
    second.write_text(json.dumps(CASES[1]), encoding="utf-8")
    code, out, _ = run(["eval", str(first), str(second)], capsys)
    assert code == EXIT_OK and figure_row(out, "hit@1") == ["1/1", "1/1"]
    assert figure_row(out, "abstained") == ["1/1", "1/1"]


def test_eval_asks_each_question_on_the_day_its_file_states(capsys, tmp_path, make_corpus) -> None:
    folder = make_corpus(
        {
            "tang.txt": "Published: 2025-08-13\nGiá xăng tăng\n\nGiá xăng RON 95 tăng 200 đồng.\n",
            "giam.txt": "Published: 2025-08-14\nGiá xăng giảm\n\nGiá xăng RON 95 giảm 410 đồng.\n",
        }
    )
    question = "Giá xăng RON 95 hôm qua thế nào?"
    cases = [
        {"id": day, "kind": "hôm qua", "question": question, "sources": [name], "today": day}
        for day, name in (("2025-08-14", "tang.txt"), ("2025-08-15", "giam.txt"))
    ]
    path = write_cases(tmp_path, cases)
    code, out, _ = run(["eval", str(path), "--corpus", str(folder), "--failures"], capsys)
    assert code == EXIT_OK and "FAIL" not in out
    assert figure_row(out, "article@1") == ["2/2", "2/2"]


def test_index_command_reports_the_corpus(capsys) -> None:
    code, out, _ = run(["index", "--corpus", str(SEEDS_DIR)], capsys)
    assert code == EXIT_OK and "5 articles" in out


@pytest.mark.slow  # a process of its own
def test_ask_json_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Set iteration order changes with the hash seed; excerpts and scores must not."""
    questions = (
        "hoat dong cua chung ta deu nam trong anh mat cua nguoi dan\n"
        "Ai tặng quà lưu niệm cho Bộ Tư lệnh TP?\n"
    )  # excerpts whose information tied, in some order of summing

    def ask(hash_seed: str) -> str:
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
        environment["BOT_INDEX_DIR"] = str(tmp_path / "cache")
        command = [sys.executable, "-m", "bot", "ask", "--json", "--top", "5", "-"]
        done = subprocess.run(
            command, input=questions, capture_output=True, text=True, env=environment,
            cwd=PROJECT_DIR, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout

    first = ask("1")
    assert first.count('"answered": true') == 2 and ask("2") == first == ask("3")


def test_calibrate_prints_the_constants_of_the_confidence_model(capsys, tmp_path: Path) -> None:
    near = {"id": "n", "kind": "no_answer", "question": "Chủ tịch nước là ai?", "sources": []}
    path = write_cases(tmp_path, [*CASES, near])
    code, out, _ = run(["calibrate", str(path)], capsys)
    lines = out.strip().splitlines()
    assert code == EXIT_OK and [line.split(" = ")[0] for line in lines] == [
        "WEIGHTS",
        "BIAS",
        "THRESHOLD",
    ]
    assert len(lines[0].split(",")) == len(WEIGHTS)
    assert 0 < float(lines[2].split(" = ")[1]) < 1
    assert "# without" not in out  # one shape: nothing to leave out
    only_answerable = write_cases(tmp_path, CASES[:1])
    code, _, err = run(["calibrate", str(only_answerable)], capsys)
    assert code == EXIT_USAGE and "needs answerable and no-answer questions" in err


def test_calibrate_fits_shapes_and_judges_each_left_out(capsys, tmp_path: Path) -> None:
    shape = tmp_path / "made_up"
    (shape / "corpus").mkdir(parents=True)
    (shape / "corpus" / "cau.txt").write_text(
        "Cầu mới\n\nCầu Rạch Miễu hai được khánh thành vào tháng tám năm 2025.\n", "utf-8"
    )
    made_up = [
        {"id": "m", "kind": "k", "question": "Cầu Rạch Miễu hai khánh thành khi nào?",
         "sources": ["cau.txt"], "gold": "tháng tám"},
        {"id": "n", "kind": "no_answer", "question": "cầu dài bao nhiêu mét", "sources": []},
    ]  # fmt: skip
    write_cases(shape, made_up)
    near = {"id": "n", "kind": "no_answer", "question": "Chủ tịch nước là ai?", "sources": []}
    seeds = write_cases(tmp_path, [*CASES, near])
    code, out, _ = run(["calibrate", str(shape), str(seeds), "--corpus", str(SEEDS_DIR)], capsys)
    left_out = [line for line in out.splitlines() if line.startswith("# without")]
    assert code == EXIT_OK and len(left_out) == 2
    assert left_out[0].startswith("# without made_up, judged on it: answer ")
    assert "/2 answerable, " in left_out[0] and "/2 no-answer" in left_out[0]  # typed and bare
    assert left_out[1].startswith(f"# without {SEEDS_DIR.name}, judged on it:")
    assert "the other shapes lack" in left_out[1]  # made_up alone has no no-answer row


def test_a_missing_or_wrong_corpus_is_named_in_one_line(capsys, tmp_path: Path) -> None:
    code, _, err = run(["ask", "--corpus", str(tmp_path / "none"), "hỏi"], capsys)
    assert code == EXIT_USAGE and err.count("\n") == 1
    assert str(tmp_path / "none") in err and "BOT_CORPUS_DIR" in err
    article = tmp_path / "a.txt"
    article.write_text("Tiêu đề\n\nNội dung.", encoding="utf-8")
    code, _, err = run(["ask", "--corpus", str(article), "hỏi"], capsys)
    assert code == EXIT_USAGE and "is a file, not a folder" in err


def test_version_names_the_installed_release(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    out = capsys.readouterr().out
    from importlib import metadata

    assert stopped.value.code == 0 and out.strip() == f"tin-bot {metadata.version('tin-bot')}"


def test_an_unexpected_failure_is_one_line_without_a_traceback(capsys, monkeypatch) -> None:
    import bot.cli as cli

    def failing(args, settings):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"secret {settings.token}")

    monkeypatch.setitem(cli.COMMANDS, "index", failing)
    monkeypatch.setenv("BOT_TOKEN", "555:do-not-print")
    code, out, err = run(["index"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("tin-bot: stopped by an unexpected RuntimeError")
    assert "do-not-print" not in err + out and "Traceback" not in err
