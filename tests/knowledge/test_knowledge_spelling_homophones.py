"""A real word an input method offered for the documents' homophone (北岸 for 备案) is read as the documents' word,
only where the documents write that word beside the same neighbour; everyday words patients mean stay as written."""

from __future__ import annotations

import pytest

from bot.actions import passages, texts
from knowledge.answer import find_answer
from knowledge.retrieve import KnowledgeBase
from knowledge.spelling import Vocabulary, respell, said_back

# Input-method slips between a common word and a 医保 term with the same toneless pinyin.
SLIPS = [
    ("异地就医北岸手续怎么办", "北岸", "备案", "备案手续"),
    ("北岸材料有哪些", "北岸", "备案", "备案材料"),
    ("住院的起伏线是多少", "起伏", "起付", "起付线是多少"),
    ("乙类药的自负比例是多少", "自负", "自付", "自付比例"),
    ("门诊费用可以现今支付吗", "现今", "现金", "现金支付"),
    ("住院报效比例是多少", "报效", "报销", "报销比例"),
    ("手续弃权才能办吗", "弃权", "齐全", "手续齐全"),
]


@pytest.mark.parametrize(("typed", "word", "meant", "phrase"), SLIPS)
def test_a_real_word_typed_for_the_documents_homophone_is_read_as_it(
    kb: KnowledgeBase, typed: str, word: str, meant: str, phrase: str
):
    spelled = respell(typed, kb.vocabulary)
    assert phrase in spelled.text
    assert (word, meant) in spelled.corrections


def test_the_homophone_needs_the_documents_phrase():
    docs = ["参保人员应当办理异地就医备案手续。", "备案手续办结后可直接结算。"]
    vocab = Vocabulary.from_texts(docs)
    assert respell("北岸手续怎么办", vocab).text == "备案手续怎么办"
    for text in ("北岸风景怎么样", "我家在北岸", "北岸"):  # the same word without the documents' neighbour
        assert respell(text, vocab).text == text


ORDINARY = [
    # everyday words beside a word the documents write next to their homophone (同时提供, 及时到账, 核实报销…)
    "我同事提供了材料",
    "何时报销",
    "何时能报销",
    "医保几时到账",
    "这个药适用医保吗",
    "病理检查能报销吗",
    "当时人昏迷没带医保卡怎么办",
    "意外伤害住院能报吗",
    "我在成都住院能报吗",
    "手机上怎么备案",
    "手机支付可以吗",
    "近年报销比例有变化吗",
    "一直没有报销怎么办",
    "试试在网上申请",
    # ordinary questions
    "我想知道现在异地就医要不要备案",
    "医生开的药能报吗",
    "现在什么时间可以办理",
    "孩子住院要带什么材料",
    "我爸在外地看病怎么报销",
    "我老伴住院了能报多少",
    "退休以后医保怎么交",
    "我的医保卡丢了怎么办",
    "去药店买药可以刷医保卡吗",
    "生孩子的费用能报吗",
    "发票丢了还能报销吗",
    "单位不给交医保怎么办",
    "病历复印需要什么",
    "出院日期怎么算",
    "医院等级不同报销比例一样吗",
    "个人账户剩余金额怎么查",
    "断保以后再交有等待期吗",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_words_patients_mean_are_left_alone(kb: KnowledgeBase, text: str):
    spelled = respell(text, kb.vocabulary)
    assert spelled.text == text and not spelled.corrections


def test_the_patient_is_told_how_a_real_word_was_read(kb: KnowledgeBase):
    assert said_back("北岸") and said_back("menzhen")
    assert not said_back("被案")  # a typo that is no word is corrected silently
    outcome = find_answer(kb, "异地就医北岸手续怎么办")
    text, _ = passages.compose_answer(outcome)
    assert text.startswith(texts.UNDERSTOOD_AS.format(question=outcome.question.text))
    assert "备案手续" in outcome.question.text
