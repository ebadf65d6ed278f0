"""Issue 9, eighth round. A topic put first as a bare noun phrase is part of what is asked; a slide heading that
ends in 审批 is set apart from its sentence; softened verbs (看看), adverb-modal pairs (才能), a count asked by its
noun (人数) and "怎么结法" are read as patients mean them; a score (60分) answers how much. The questions are written
for the tests from the documents' rules (目录外的耗材应向患者明确告知; 60分为合格线), none taken from tests/eval."""

from __future__ import annotations

from knowledge.answer import (
    MIN_COVERAGE,
    _fronted_topic,
    best_sentences,
    carries,
    display,
    find_answer,
    focus_of,
    spoken_forms,
    understand,
    weigh,
)
from knowledge.retrieve import KnowledgeBase
from tests.knowledge.helpers import hit


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


def test_a_fronted_topic_may_point_with_a_demonstrative():
    assert _fronted_topic("那些定点药店，")
    assert _fronted_topic("药店里的那个药师，")


def test_a_verb_said_twice_is_no_topic(kb: KnowledgeBase):
    assert weigh("查查", "v", kb) == 0.0 and weigh("看看", "v", kb) == 0.0
    assert "看看" not in understand("我想看看定点药店的药师要有什么资格证书", kb).terms


def test_an_adverb_glued_to_a_modal_is_the_modal(kb: KnowledgeBase):
    # jieba's 才能 is "talent"; "多久才能再申请" says "only then can"
    question = understand("药店被解除协议以后，要过多久才能再申请定点？", kb)
    assert "才能" not in question.terms and "how_long" in question.kinds


def test_a_count_asked_by_its_noun(kb: KnowledgeBase):
    question = understand("定点药店的执业药师，对人数有什么规定？", kb)
    assert "how_many" in question.kinds and "人数" not in question.terms
    outcome = find_answer(kb, "定点药店的执业药师，对人数有什么规定？")
    assert outcome.refusal is None and any("1名" in f.text for f in outcome.findings)


def test_card_against_cash_is_paying_by_card():
    assert spoken_forms("用医保卡和用现金买药一个价吗").startswith("刷卡和")
    assert spoken_forms("刷社保卡跟付现金有区别吗").startswith("刷卡跟")


def test_how_a_verb_is_done_said_with_fa():
    assert spoken_forms("出院的时候怎么结法") == "出院的时候怎么结"
    assert spoken_forms("这种药咋个报法") == "这种药咋个报"
    assert spoken_forms("这样做怎么违法了") == "这样做怎么违法了"  # a word of its own stays


def test_a_score_answers_how_much(kb: KnowledgeBase):
    question = understand("定点医疗机构评估，考到多少分才算过关？", kb)
    assert carries(question, "采用百分制评分方式，60分为合格线。")
    assert not carries(question, "平均等待时间不超过15分钟。")


def test_the_text_shown_must_say_some_of_it_itself(kb: KnowledgeBase):
    question = understand("门诊慢特病在哪里认定？", kb)
    # the heading names every term, the sentence under it none of them
    heading_only = hit("本制度自发布之日起施行，由医保办负责解释。", "门诊慢特病认定")
    assert best_sentences(question, heading_only, kb.char_counts).coverage < MIN_COVERAGE
    said = hit("门诊慢特病到医保服务窗口认定。", "门诊慢特病认定")
    assert best_sentences(question, said, kb.char_counts).coverage >= MIN_COVERAGE


def test_what_one_may_turn_to_answers_what_to_do(kb: KnowledgeBase):
    question = understand("医保卡丢了怎么办？", kb)
    assert "steps" in question.kinds
    assert carries(question, "医保卡丢失后，可使用电子医保码就医。")
    assert not carries(question, "医保卡丢失后不要着急。")


def test_the_outcome_a_wait_ends_in_is_no_topic(kb: KnowledgeBase):
    question = understand("申请门诊慢特病以后，一般多久才能出结果？", kb)
    assert "how_long" in question.kinds and "结果" not in question.terms
    assert "结果" in understand("门诊慢特病的认定结果在哪里查？", kb).terms  # asked where, the outcome is the topic
