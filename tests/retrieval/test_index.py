import logging
from pathlib import Path

import pytest

import retrieval.index as index_module
from retrieval.index import SearchIndex

ARTICLE = "Hội nghị sơ kết\n\nNgày 4-3, Thành ủy tổ chức hội nghị sơ kết Thông tri 18.\n"
OTHER = "Lễ ký kết quy chế\n\nBộ Tư lệnh ký kết quy chế phối hợp với Ban Tuyên giáo.\n"


@pytest.fixture
def count_tokenising(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the source of every article that gets tokenised."""
    calls: list[str] = []
    original = index_module.article_terms

    def counting(article):  # type: ignore[no-untyped-def]
        calls.append(article.source)
        return original(article)

    monkeypatch.setattr(index_module, "article_terms", counting)
    return calls


def test_warm_start_tokenises_nothing(make_corpus, tmp_path: Path, count_tokenising) -> None:
    folder, cache = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER}), tmp_path / "cache"
    cold = SearchIndex.load(folder, cache)
    assert sorted(count_tokenising) == ["a.txt", "b.txt"]
    count_tokenising.clear()
    warm = SearchIndex.load(folder, cache)
    assert count_tokenising == []
    assert warm.passages == cold.passages
    assert (warm.bm25.weights != cold.bm25.weights).nnz == 0


def test_a_changed_article_is_the_only_one_retokenised(
    make_corpus, tmp_path: Path, count_tokenising
) -> None:
    folder, cache = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER}), tmp_path / "cache"
    SearchIndex.load(folder, cache)
    count_tokenising.clear()
    (folder / "b.txt").write_text(OTHER + "Thêm một đoạn mới.\n", encoding="utf-8")
    SearchIndex.load(folder, cache)
    assert count_tokenising == ["b.txt"]


def test_corrupt_cache_is_rebuilt_not_trusted(
    make_corpus, tmp_path: Path, caplog, count_tokenising
) -> None:
    folder, cache = make_corpus({"a.txt": ARTICLE}), tmp_path / "cache"
    SearchIndex.load(folder, cache)
    cache_file = cache / "terms.pickle"
    cache_file.write_bytes(cache_file.read_bytes()[:20])
    count_tokenising.clear()
    with caplog.at_level(logging.WARNING):
        index = SearchIndex.load(folder, cache)
    assert count_tokenising == ["a.txt"] and "unreadable" in caplog.text
    assert len(index.passages) == 2


def test_cache_path_that_is_a_file_still_serves(make_corpus, tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        index = SearchIndex.load(make_corpus({"a.txt": ARTICLE}), blocker / "cache")
    assert len(index.passages) == 2 and "not written" in caplog.text
