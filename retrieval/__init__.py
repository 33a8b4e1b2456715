"""Retrieval core: corpus, normalisation, tokens, BM25 index, search, excerpts, answers."""
