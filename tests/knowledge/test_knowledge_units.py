"""Retrieval units, lead-in context, character bigrams, quantity tokens and the sparse BM25 matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from knowledge.bm25 import SparseBM25
from knowledge.units import section_sentences, section_units, split
from knowledge.words import bigrams, quantity_tokens, tokens

# Article 5 of the retail-pharmacy regulation as it is split into two passages (real text, shortened).
ARTICLE_PATH = "零售药店医疗保障定点管理暂行办法 > 第二章定点零售药店的确定 > 第五条"
ARTICLE = [
    (10, "取得药品经营许可证，并同时符合以下条件的零售药店均可申请医疗保障定点：\n"
         "（一）在注册地址正式经营至少3个月；\n（二）至少有1名取得执业药师资格证书的药师；"),
    (11, "（三）至少有2名熟悉医疗保障法律法规的专（兼）职医保管理人员负责管理医保费用；\n"
         "（四）按药品经营质量管理规范要求，开展药品分类分区管理。"),
]


def test_split_cuts_clauses_sentences_and_overlong_runs():
    text = ("外配处方一般不能超过7日用量，急诊处方一般不超过3日用量；患有恶性肿瘤；"
            "处方量可放宽至一个月。但医师必须注明理由。")
    assert split(text) == [
        "外配处方一般不能超过7日用量，急诊处方一般不超过3日用量；", "患有恶性肿瘤；", "处方量可放宽至一个月。",
        "但医师必须注明理由。",
    ]
    slide = "医保政策，" * 80  # run-together slides without a full stop
    pieces = split(slide)
    assert len(pieces) > 1 and all(len(p) <= 160 for p in pieces) and "".join(pieces) == slide.rstrip("，") + "，"


def test_list_items_carry_their_lead_in_across_passages():
    sentences = section_sentences(ARTICLE)
    item = next(s for s in sentences if "2名" in s.text)
    assert item.passage == 11
    assert item.lead == "取得药品经营许可证，并同时符合以下条件的零售药店均可申请医疗保障定点："
    assert next(s for s in sentences if s.text.startswith("取得")).lead == ""  # the lead-in has none itself


def test_a_plain_line_ends_the_list():
    sentences = section_sentences([(0, "申请需提供以下材料：\n（一）申请表；\n参保人员应当持本人医保卡就医。")])
    assert [s.lead for s in sentences] == ["", "申请需提供以下材料：", ""]


def test_units_are_indexed_with_headings_and_lead_in_but_show_their_own_text():
    units = section_units(ARTICLE_PATH, ARTICLE)
    item = next(u for u in units if u.text.startswith("（三）") and u.passages == (11,) and "（四）" not in u.text)
    assert "第二章定点零售药店的确定" in item.context and "符合以下条件的零售药店均可申请医疗保障定点" in item.context
    assert item.index_text.endswith(item.text) and "申请医疗保障定点" not in item.text
    # Whole passages are units too, and a sentence window crosses the passage boundary inside the section.
    assert {u.text for u in units} >= {text for _, text in ARTICLE}
    assert any(u.passages == (10, 11) for u in units)
    assert len({(u.passages, u.text) for u in units}) == len(units)


def test_bigrams_match_partial_word_overlaps():
    query, doc = set(bigrams("定点诊所")), set(bigrams("定点中医诊所"))
    assert {"定点", "诊所"} <= query & doc
    assert "点诊" not in doc
    assert {"零售", "售药"} <= set(bigrams("定点药店"))  # with the canonical term of the synonym map
    assert bigrams("2名") == ["2名", "#名"]  # a digit run is one character
    assert "，" not in "".join(bigrams("报销，比例"))  # never across punctuation
    assert "销比" not in bigrams("报销，比例")


def test_quantity_tokens_let_questions_meet_numbers():
    assert quantity_tokens("要几名医保管理人员") == ["#名"]
    assert quantity_tokens("至少有2名熟悉医保的人员") == ["#名"]
    assert quantity_tokens("急诊处方开几天") == quantity_tokens("不超过3日用量") == ["#日"]
    assert "#个月" in quantity_tokens("备案有效期多久") and "#个月" in quantity_tokens("有效期3-6个月")
    assert quantity_tokens("一人一卡，一次性告知") == []  # 一 is rarely a count
    assert "#名" in tokens("申请定点的药店要几名医保管理人员")


CORPUS = [
    "异地就医备案需要提供居住证明",
    "急诊处方一般不超过3日用量",
    "定点零售药店不得销售化妆品",
    "异地就医直接结算执行就医地目录",
    "备案 备案 备案 异地",
]


class LuceneIdfBM25(BM25Okapi):
    """rank_bm25's Okapi BM25 with Lucene's non-negative idf: the reference for the sparse matrix."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.idf = {w: math.log1p((self.corpus_size - f + 0.5) / (f + 0.5)) for w, f in nd.items()}


@pytest.mark.parametrize("tokenize", [tokens, bigrams])
def test_sparse_bm25_equals_the_reference(tokenize):
    docs = [tokenize(d) for d in CORPUS]
    ours, reference = SparseBM25(docs), LuceneIdfBM25(docs)
    for query in ["异地就医备案", "急诊处方几天", "药店卖化妆品", "备案 备案", "天气"]:
        q = tokenize(query)
        np.testing.assert_allclose(ours.scores(q), reference.get_scores(q), rtol=1e-5, atol=1e-6)
    assert not ours.scores(tokenize("天气预报")).any()
    assert ours.scores(tokenize("异地就医备案")).argmax() == 0
