"""The eval's figures of one answer: whether the gold is read first ("gold in lead")."""

from retrieval.evaluation.scoring import LEAD_CHARS, Case, Outcome
from retrieval.language.text import comparable
from retrieval.reply.answer import answer


def test_the_gold_is_in_the_lead_only_where_the_reply_opens_with_it(seed_index) -> None:
    question = "Bí thư Thành ủy TPHCM là ai?"
    result = answer(question, seed_index)
    first, last = result.hits[0].excerpt.text, result.hits[-1].excerpt.text
    assert comparable(result.reply).find(comparable(last[-40:])) >= LEAD_CHARS
    for gold, in_lead in ((first[:40], True), (last[-40:], False)):
        case = Case("1", "who", question, (result.hits[0].source,), gold)
        assert Outcome(case, question, result).gold_in_lead is in_lead
