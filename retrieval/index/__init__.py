"""Layer 2, index: article files -> passages -> BM25, as one immutable snapshot, kept on disk
and swapped when the corpus folder changes. Uses only `language`."""
