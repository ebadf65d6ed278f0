"""Issue 9, eighth round: a topic put first as a bare noun phrase is part of what is asked, and a slide heading
that ends in 审批 is set apart from its sentence. The questions are written for the tests from the documents'
rules (目录外的耗材应向患者明确告知; 城镇居民医疗保险覆盖…儿童、学生、老人), none taken from tests/eval."""

from __future__ import annotations

from knowledge.answer import _fronted_topic, display, find_answer, focus_of
from knowledge.retrieve import KnowledgeBase


def test_a_clause_of_nouns_alone_is_a_fronted_topic():
    assert _fronted_topic("目录外的耗材，")
    assert _fronted_topic("职工医保和居民医保，")
    # a story tells what happened, with a verb; an unknown run (dialect, typos) is no known noun phrase
    assert not _fronted_topic("我妈住院了，")
    assert not _fronted_topic("我家孩子还在上小学，")
    assert not _fronted_topic("前年，")
    assert not _fronted_topic("目录外的耗材。")  # a sentence of its own, not a topic leading into a question


def test_the_fronted_topic_is_asked_about(kb: KnowledgeBase):
    text = "目录外的耗材，医院用之前要不要先跟病人讲清楚？"
    assert focus_of(text) == text
    assert focus_of("我妈住院了，医院用之前要不要先跟病人讲清楚？") == "医院用之前要不要先跟病人讲清楚？"
    outcome = find_answer(kb, text)
    assert outcome.refusal is None and "明确告知" in outcome.findings[0].text


def test_a_heading_ending_in_approval_is_set_apart():
    shown = display("高值耗材使用审批高值耗材是医保重点监控的对象，医院应建立严格的使用审批制度。")
    assert shown.startswith("【高值耗材使用审批】高值耗材是")
    assert display("经审批同意后方可使用。") == "经审批同意后方可使用。"
