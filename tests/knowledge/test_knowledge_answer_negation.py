"""Issue 9, eighth round: a place pronoun points back, a negation of a qualified or compound term, and "能报吗"
as an asked type. Questions written for the tests from the documents' rule on 非定点零售药店 and the 报销 rules,
in patients' words; none is taken from tests/eval."""

from __future__ import annotations

from knowledge.answer import _negated_in, carries, focus_of, understand
from knowledge.retrieve import KnowledgeBase


def test_a_place_pronoun_points_back_to_the_clause_that_names_the_place():
    text = "那家药店不是定点的，在那儿买药能报吗"
    assert focus_of(text) == text
    assert focus_of("我妈在外地住了三年，那里看病要先备案吗").startswith("我妈在外地住了三年")


def test_a_negation_reaches_a_qualified_term_and_its_compounds(kb: KnowledgeBase):
    assert _negated_in("定点", "楼下药店不是医保定点的")
    question = understand("楼下那药店不是定点的，在那儿买药能用医保吗", kb)
    assert "定点" in question.negated
    # the pharmacy the patient means is a 非定点零售药店: a rule said of it answers them
    assert {t for t in question.terms if "定点" in t} <= question.negated


def test_can_it_be_reimbursed_is_asked_of_a_sentence_that_says_who_pays(kb: KnowledgeBase):
    question = understand("住院的费用能报销吗", kb)
    assert "whether_paid" in question.kinds and "报销" not in question.terms
    assert not carries(question, "住院费用设有年度封顶线。")
    assert carries(question, "住院费用设有年度封顶线，超过部分可使用大病保险报销。")
    assert carries(question, "在非定点零售药店发生的药品费用，医疗保障基金不予支付。")


def test_a_bare_plea_after_the_question_is_not_a_question_of_steps(kb: KnowledgeBase):
    question = understand("药店不是定点的，买药能走医保不？咋整啊？", kb)
    assert "steps" not in question.kinds and "whether_paid" in question.kinds
    assert "steps" in understand("异地就医备案怎么办理", kb).kinds


def test_an_either_or_question_negates_nothing():
    # 有没有, 是不是, 要不要 ask either way; 还没有, 不是 (alone) do negate
    assert not _negated_in("封顶线", "住院费用有没有封顶线")
    assert not _negated_in("定点", "这家是不是定点医院")
    assert not _negated_in("备案", "去外地看病要不要备案")
    assert _negated_in("备案", "我还没有备案就住院了")
    assert _negated_in("定点", "不是定点的药店能买吗")
