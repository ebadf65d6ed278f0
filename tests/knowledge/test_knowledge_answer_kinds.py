"""Issue 9, ninth round: what a question asks, and which sentences give it.

- An adverb or set phrase (直接, 一般来说) says how, not what: it weighs no more than an ordinary word.
- A rate per person or visit (每人每年200元) and an accumulated balance in a rule (累计结余) are no report's statistics.
- "哪几天" asks which days, "我们几个" is the few of us, and a count asked after a verb (报多少次) is a count.
- Materials named as the topic of another ask (材料不全多久告知) are not asked for.
- Another city's example (例如南京市…) gives no figure to a question that does not name it; a section that names its
  city throughout (a city's speech) gives that city's figures.
- A negated modal (不用, 不需要) is grammar and negates what follows (不用处方 asks of 非处方药).
- A bound in the patient's words (起码, the thesaurus's 至少) is part of what is asked.
- A question word with 都/也 after it (什么都白搭) says "whatever" and asks nothing.
- "One of them" (其中一家, 任一家) is no count.
- "参加哪种医保" asks which scheme: a sentence naming one answers it.

The sentences are written for the tests, none taken from tests/eval."""

from __future__ import annotations

from collections import Counter

import pytest

from knowledge.answer import KINDS, UNKNOWN_OTHER_WEIGHT, carries, coverage, decide, reports, understand, weigh
from knowledge.retrieve import KnowledgeBase
from tests.knowledge.helpers import hit


def test_an_adverb_or_set_phrase_weighs_as_an_ordinary_word(kb: KnowledgeBase):
    for word, flag in (("一般来说", "l"), ("直接", "ad"), ("就是", "d")):
        assert weigh(word, flag, kb) <= UNKNOWN_OTHER_WEIGHT, word
    # a noun keeps its specificity in the documents
    assert weigh("现金", "n", kb) > UNKNOWN_OTHER_WEIGHT


@pytest.mark.parametrize(
    ("text", "is_report"),
    [
        # a rate per person or visit, even in a sentence on 我市
        ("根据我市财政状况，经过测算，筹资标准确定为每人每年200元。", False),
        ("透析费用按每人次470元计收。", False),
        # an accumulated balance or count the rule speaks of
        ("个人账户累计结余金额超过3000元的部分，可用于支付本人健身费用。", False),
        ("一年内累计2次被约谈的，解除协议。", False),
        # a report's totals stay a report: in 人次, for the whole city, accumulated
        ("全市共完成异地住院结算1009人次。", True),
        ("我市今年基金支付978万元。", True),
        ("今年累计支付医药费700万元。", True),
        ("基金累计结余2135万元。", True),
    ],
)
def test_rates_and_a_rules_accumulated_amounts_are_no_report(text: str, is_report: bool):
    assert reports(text) == is_report


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


def test_the_few_of_us_asks_nothing():
    assert not KINDS["how_many"][0].search("我们几个老同事一起去的医院，")
    assert KINDS["how_many"][0].search("一年能去几次？")


def test_another_citys_example_does_not_give_the_figure(kb: KnowledgeBase):
    example = "例如南京市参保人员个人账户每月划入100元。"
    assert not carries(understand("个人账户每月划入多少钱？", kb), example)
    assert carries(understand("南京的个人账户每月划入多少钱？", kb), example)
    assert carries(understand("个人账户每月划入多少钱？", kb), "参保人员个人账户每月划入100元。")


def test_a_section_speaks_of_the_city_it_names_again_and_again(kb: KnowledgeBase):
    spoken_of = {kb.section_place(section_id) for section_id in kb._sections}
    assert any(place and "徐州" in place for place in spoken_of)
    # a section naming 南京市 once, as an example, speaks of no city; nor does a slide naming 北京市 in one paragraph
    for city in ("南京", "北京"):
        named = [sid for sid, text in kb._sections.items() if city in text]
        assert named and all(kb.section_place(sid) is None for sid in named)


def test_a_figure_of_a_section_on_the_named_city_is_that_citys(kb: KnowledgeBase):
    question = understand("我们是徐州的，没有单位。门诊统筹一年最多报多少钱？", kb)
    assert question.named_places == ("徐州",)
    passage = hit("门诊统筹年度最高支付限额为每人每年600元。", "市长讲话", doc_id="speech",
                  doc_title="在全市医保工作会议上的讲话", section_id="speech:s1", confidence=0.8)
    assert decide(question, [passage], Counter(), {"speech:s1": "徐州"}).findings
    assert decide(question, [passage], Counter(), {}).refusal == "unknown_place"
    assert decide(question, [passage], Counter(), {"speech:s1": "南京"}).refusal == "unknown_place"


def test_a_section_naming_two_cities_as_often_speaks_of_neither():
    class Passages:  # the field of a KnowledgeBase that section_place reads: (id, text, ..., section_id at 6)
        def __init__(self) -> None:
            nanjing, suzhou = ("p", "南京市规定如下。"), ("q", "苏州市另有规定。")
            self._rows = [(*nanjing, "", "", "", "", "one")] * 3 + [(*city, "", "", "", "", "two") for city in
                                                                   (nanjing, suzhou) for _ in range(3)]

    assert KnowledgeBase.section_place.__wrapped__(Passages(), "one") == "南京"
    assert KnowledgeBase.section_place.__wrapped__(Passages(), "two") is None


def test_materials_named_as_the_topic_of_another_ask_are_not_asked_for(kb: KnowledgeBase):
    # asking how long, the materials are what the wait is about
    assert understand("备案材料交上去以后多久能批下来", kb).kinds == ("how_long",)
    # with a question word on them they are asked for, beside the other ask
    assert set(understand("备案要带哪些材料，多久能批下来", kb).kinds) == {"how_long", "materials"}
    assert understand("备案要带什么材料", kb).kinds == ("materials",)


def test_a_negated_modal_is_grammar_and_negates_what_follows(kb: KnowledgeBase):
    assert weigh("不用", "v", kb) == 0.0 and weigh("不需要", "v", kb) == 0.0
    question = understand("不用处方的感冒药，一次能买多少钱？", kb)
    assert "处方" in question.negated
    _, missing = coverage(question, "非处方药单次购买金额一般不超过60元。")
    assert "处方" not in missing
    # a question that does not negate it is not answered by the rule on 非处方药
    rule = "非处方药单次购买金额一般不超过60元。"
    _, missing = coverage(understand("医生开了处方的感冒药，一次能买多少钱？", kb), rule)
    assert "处方" in missing


def test_a_bound_in_the_patients_words_is_part_of_what_is_asked(kb: KnowledgeBase):
    # 起码 is 至少 (the thesaurus): the bound of the amount asked, not a topic the answer must repeat
    question = understand("异地备案起码要提前几天办？", kb)
    assert "how_long" in question.kinds and "起码" not in question.terms
    assert "备案" in question.terms


def test_a_question_word_saying_whatever_asks_nothing():
    from knowledge.answer import clause_asks, focus_of

    assert not clause_asks("去晚了什么都白搭。") and not clause_asks("谁也说不清楚。")
    assert clause_asks("什么都能报吗？") and clause_asks("要带什么？")
    text = "备案要提前多久办？去晚了什么都白搭。"
    assert focus_of(text) == "备案要提前多久办？"


def test_one_of_them_is_no_count():
    gives_count = KINDS["how_many"][1]
    assert not gives_count.search("连锁企业其中一家分店被解除协议的，其他分店一并解除。")
    assert not gives_count.search("任一家分店违规的，")
    assert gives_count.search("每次只能开一张处方。") and gives_count.search("每年一次。")
    assert gives_count.search("全市共有定点药店12家。") and gives_count.search("十一家")


def test_which_scheme_is_answered_by_a_sentence_naming_one(kb: KnowledgeBase):
    question = understand("我刚从外地搬来，没有工作，能参加哪种医保？", kb)
    assert "scheme" in question.kinds
    assert carries(question, "城镇居民医疗保险覆盖未参加职工医保的城镇非从业居民。")
    assert not carries(question, "全县养老保险参保单位305家。")
