"""Issue 9, ninth round. An adverb or set phrase (直接, 一般来说) says how, not what, so it weighs no more than an
ordinary word; a rate the policy sets per person or visit (每人每年200元) is no report's statistic; "哪几天" asks which
days, not how many; a count asked after a verb (交多少次) is a count, not an amount. The sentences are written for the
tests, none taken from tests/eval."""

from __future__ import annotations

from knowledge.answer import KINDS, UNKNOWN_OTHER_WEIGHT, carries, reports, understand, weigh
from knowledge.retrieve import KnowledgeBase


def test_an_adverb_or_set_phrase_weighs_as_an_ordinary_word(kb: KnowledgeBase):
    for word, flag in (("一般来说", "l"), ("直接", "ad"), ("就是", "d")):
        assert weigh(word, flag, kb) <= UNKNOWN_OTHER_WEIGHT, word
    # a noun keeps its specificity in the documents
    assert weigh("现金", "n", kb) > UNKNOWN_OTHER_WEIGHT


def test_a_rate_per_person_or_visit_is_no_report():
    assert not reports("根据我市财政状况，经过测算，筹资标准确定为每人每年200元。")
    assert not reports("透析费用按每人次470元计收。")
    # a report's totals stay a report, in 人次 or for the whole city
    assert reports("全市共完成异地住院结算1009人次。")
    assert reports("我市今年基金支付978万元。")


def test_a_rate_in_a_sentence_on_the_city_answers_how_much(kb: KnowledgeBase):
    question = understand("城镇居民医保每个人一年筹资多少钱？", kb)
    assert "how_much" in question.kinds
    assert carries(question, "根据我市财政状况，城镇居民医疗保险的筹资标准确定为每人每年200元。")
    assert not carries(question, "我市今年城镇居民医疗保险筹资共计1.2亿元。")


def test_which_days_is_not_how_many_days():
    assert not KINDS["how_long"][0].search("窗口每周哪几天上班？")
    assert not KINDS["how_many"][0].search("特殊病有哪几种？")
    assert KINDS["how_long"][0].search("备案要等几天？")


def test_a_count_asked_after_a_verb_is_a_count():
    asks_amount = KINDS["how_much"][0]
    assert not asks_amount.search("门诊透析一个月能报多少次？")
    assert not asks_amount.search("职工医保要交多少年？")
    assert asks_amount.search("住院能报多少？")
    assert asks_amount.search("一年要交多少钱？")
    assert KINDS["how_many"][0].search("门诊透析一个月能报多少次？")
