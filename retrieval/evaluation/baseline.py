"""Plain pyvi + rank-bm25 over the very passages the bot ranks: the yardstick `eval` reports
beside the bot's own figures. No folding, no stopwords, no re-ranking, never abstains."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.index.search_index import SearchIndex
from retrieval.language.tokens import segment
from retrieval.reply.answer import Answer, Hit, Tier
from retrieval.reply.excerpt import Excerpt


class PlainBm25:
    def __init__(self, index: SearchIndex) -> None:
        self._passages = index.passages
        self._model = BM25Okapi([segment(passage.text) or [""] for passage in index.passages])

    def answer(self, question: str, top_k: int) -> Answer:
        """The `top_k` passages rank-bm25 scores highest; an answer when any score is above 0."""
        scores = self._model.get_scores(segment(question))
        best = [int(i) for i in np.argsort(-scores, kind="stable")[:top_k] if scores[i] > 0]
        hits = tuple(self._hit(position, float(scores[position])) for position in best)
        return Answer(question, question, False, Tier.ANSWER if hits else Tier.NONE, hits, "")

    def _hit(self, position: int, score: float) -> Hit:
        passage = self._passages[position]
        excerpt = Excerpt(passage.text, ())
        return Hit(passage.source, passage.paragraph, passage.title, score, passage.text, excerpt)
