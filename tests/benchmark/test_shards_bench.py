"""The shard benchmark's memory figures: what a process holds, split into its own memory and
the pages of files it maps."""

import mmap

from benchmark.shards import rss_mb


def test_pages_read_through_a_mapping_count_as_mapped_files_not_as_the_process_own(
    tmp_path,
) -> None:
    path = tmp_path / "cache.index"
    path.write_bytes(b"x" * (32 << 20))
    before = rss_mb()
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        touched = sum(mapped[at] for at in range(0, len(mapped), mmap.PAGESIZE))
        during = rss_mb()
    assert touched == ord("x") * (32 << 20) // mmap.PAGESIZE
    assert during["mapped_files_rss_mb"] - before["mapped_files_rss_mb"] > 24
    assert during["anonymous_rss_mb"] - before["anonymous_rss_mb"] < 8
    assert during["rss_mb"] <= during["peak_rss_mb"]
