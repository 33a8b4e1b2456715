"""Layer 1, language: Vietnamese text normalised, folded, split into sentences and terms, and
its diacritics restored. Knows nothing of articles, indexes or questions."""
