"""Issue 9, seventh round: the card as the means of paying, examples listed under a class the patient names,
and "这玩意儿" pointing back to the clause before. The questions are written for the tests from the documents'
rules (营养保健品不得刷卡购药; 现款与刷卡购药价格一致), in patients' words; none is taken from tests/eval."""

from __future__ import annotations

from knowledge.answer import examples_named, find_answer, focus_of, spoken_forms, understand
from knowledge.retrieve import KnowledgeBase


def test_paying_by_card_is_the_documents_swiping(kb: KnowledgeBase):
    assert "刷卡买" in spoken_forms("在药店能用医保卡买保健品吗")
    assert spoken_forms("这个能刷吗").endswith("刷卡吗")
    # someone else's card is a question of its own, left to OTHERS_CARD
    assert "用我妈的社保卡" in spoken_forms("用我妈的社保卡买药行吗")
    question = understand("药店里的营养保健品能用社保卡买吗", kb)
    assert "刷卡" in question.terms and "社保卡" not in question.terms
    outcome = find_answer(kb, "药店里的营养保健品能用社保卡买吗")
    assert outcome.refusal is None and "不得刷卡" in outcome.findings[0].text


def test_examples_listed_under_a_class_take_its_rule(kb: KnowledgeBase):
    terms = {"燕窝": 1.0, "人参": 1.0, "保健品": 1.0, "刷卡": 1.0}
    assert examples_named("买燕窝、人参这些保健品", terms) == [("燕窝", "保健品"), ("人参", "保健品")]
    assert examples_named("燕窝和人参能刷卡吗", terms) == []  # no class named: nothing to lean on
    outcome = find_answer(kb, "在药店拿医保卡买燕窝、人参这些保健品，行不行")
    assert outcome.refusal is None and "营养保健品" in outcome.findings[0].text


def test_this_thing_points_back_to_the_clause_before(kb: KnowledgeBase):
    text = "药店说刷卡比现金贵，这玩意儿不该一个价吗"
    assert focus_of(text) == text
    question = understand(text, kb)
    assert "玩意儿" not in question.terms and "刷卡" in question.terms
