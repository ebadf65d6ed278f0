"""Issue 9, sixth round: spans in any neighbouring unit, spans told in a story, lists whose closing sentence
gives every item its rule, treatment questions, and things named under the documents' categories. The
questions are written for the tests from the documents, in patients' words; none is taken from tests/eval."""

from __future__ import annotations

import yaml

from knowledge.answer import carries, find_answer, named_members, spoken_forms, understand
from knowledge.retrieve import KnowledgeBase
from knowledge.words import CATEGORIES, categories_of


def test_a_span_asked_in_days_is_answered_in_months(kb: KnowledgeBase):
    question = understand("慢性病一次能开多少天的药", kb)
    assert carries(question, "慢性病、老年病，处方量可放宽至一个月。")
    # a count keeps its own unit: 几名 is never answered by a span
    assert not carries(understand("定点药店要有几名药师", kb), "在注册地址正式经营至少3个月。")
    # and a span asked in years is not answered in days
    assert not carries(understand("病历要保存几年", kb), "借阅最长时限不超过5天。")


def test_a_span_the_patient_tells_is_no_topic(kb: KnowledgeBase):
    question = understand("每回去开药只给开一个礼拜的，能不能一次多开点", kb)
    assert "礼拜" not in question.terms and "礼拜" not in question.strict


def test_an_item_of_a_list_gets_the_rule_its_closing_sentence_gives(kb: KnowledgeBase):
    outcome = find_answer(kb, "冠心病的药一次能开多久")
    assert outcome.refusal is None
    text = outcome.findings[0].text
    assert "冠心病" in text and "一个月" in text
    # a sentence that is a rule of its own keeps its own figure, not the list's
    rule = find_answer(kb, "外配处方最多能拿几天的药").findings[0].text
    assert "7日" in rule and "一个月" not in rule


def test_how_to_treat_is_the_doctors(kb: KnowledgeBase):
    assert find_answer(kb, "血压老是一百六，吃点什么药能降下来").refusal == "out_of_scope"
    # a story of a treatment that did not help is no question of how to treat
    assert find_answer(kb, "在县医院没治好，转院去市里住院要办什么手续").refusal != "out_of_scope"


def test_a_thing_named_is_covered_by_the_rule_on_its_category(kb: KnowledgeBase):
    outcome = find_answer(kb, "定点药店可以卖口红吗")
    assert outcome.refusal is None
    assert "化妆品" in outcome.findings[0].text
    # jieba splits many members; the member is the term, not its pieces
    assert "洗衣液" in understand("药店能刷卡买洗衣液吗", kb).terms
    assert named_members("买点洗衣液和牙膏") == ["洗衣液", "牙膏"]


def test_a_member_alone_does_not_take_any_rule_on_its_category(kb: KnowledgeBase):
    # 新生儿 is a 未成年人, but a rule on how minors see a doctor says nothing of how a newborn is insured
    outcome = find_answer(kb, "新生儿医保咋个办")
    assert not any("未成年人" in f.text for f in outcome.findings)


def test_the_categories_are_the_documents_own_and_their_members_are_not(kb: KnowledgeBase):
    data = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))
    assert all(kb.mentions(category) for category in data), "a category the documents never use covers nothing"
    assert not set(data) & set(categories_of()), "a member that is a category itself would chain categories"
    # a word the documents use as a word of their own is covered where they say it, never by its category
    understood = understand("医保卡丢了要注意什么", kb)  # (用医保卡买 is 刷卡: the means)
    assert "医保卡" in understood.terms and "医保卡" not in understood.categories


def test_spoken_money_is_the_documents_yuan(kb: KnowledgeBase):
    assert spoken_forms("交了140块钱以后") == "交了140元以后"
    assert spoken_forms("两块钱一盒") == "两元一盒"
    assert spoken_forms("一块去医院") == "一块去医院"  # "together", no money
    outcome = find_answer(kb, "是不是交了140块钱就啥病都能报了")
    assert outcome.refusal is None and "140元" in outcome.findings[0].text
    # a figure the documents never state names nothing of theirs
    assert find_answer(kb, "交了150块钱啥病都能报吗").refusal == "not_in_documents"


def test_buying_for_someone_is_the_lexicons_someone(kb: KnowledgeBase):
    assert spoken_forms("我去药店帮我爸买药") == "我去药店帮人买药"
    outcome = find_answer(kb, "我去药店帮我爸买药要带点啥")
    assert outcome.refusal is None
    assert any("代购" in f.text and "身份证" in f.text for f in outcome.findings)


def test_a_measure_word_between_the_verb_and_what_it_asks(kb: KnowledgeBase):
    assert "materials" in understand("去药店要带些啥", kb).kinds
    assert "materials" in understand("办备案得准备点什么", kb).kinds
