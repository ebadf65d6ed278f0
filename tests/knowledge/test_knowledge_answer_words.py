"""Issue 9, eighth round: a word the documents say only once is still theirs for spelling, and a light verb
glued to a word of theirs (做手术) asks about that word. The texts are made up for the tests or taken from the
documents' rules (高值耗材使用审批); none is taken from tests/eval."""

from __future__ import annotations

from knowledge.answer import KINDS, key_terms, understand
from knowledge.retrieve import KnowledgeBase
from knowledge.spelling import Vocabulary


def test_a_word_said_once_is_a_spelling_target_but_lost_bytes_are_not():
    vocab = Vocabulary.from_texts(["参保人员可以申请租用轮椅。", "服务剞理备案。"])
    assert "轮椅" in vocab.rare and "剞理" not in vocab.rare and "剞理" not in vocab.frequency
    assert vocab.correct_run("我想租个论椅") == ("我想租个轮椅", [("论椅", "轮椅")])


def test_a_light_verb_glued_to_a_document_word_asks_about_that_word():
    knows = {"手术", "审批", "药方"}.__contains__
    assert [w for w, _ in key_terms("做手术要不要审批", knows)] == ["手术", "审批"]
    assert [w for w, _ in key_terms("开药方要审批吗", knows)] == ["处方", "审批"]  # and the lexicon's 药方 -> 处方
    # without the documents' word after it, the word stays as said
    assert "做手术" in [w for w, _ in key_terms("做手术要不要审批", {"审批"}.__contains__)]


def test_a_light_verb_compound_no_longer_reads_as_an_unknown_topic(kb: KnowledgeBase):
    question = understand("做手术用的高值耗材要审批吗", kb)
    assert "手术" in question.terms and "做手术" not in question.terms and "做手术" not in question.strict


def test_being_charged_says_who_pays():
    """"能报销吗" is answered by a rule that the patient is charged (目录外的耗材…单独收费), not only by one on 支付."""
    asks, carried = KINDS["whether_paid"]
    assert asks.search("目录外的耗材医保能报销吗")
    assert carried.search("对于目录外的耗材，应向患者明确告知并单独收费。")
    assert not carried.search("对于目录外的耗材，应向患者明确告知。")
