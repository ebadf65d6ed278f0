"""Answers quote the passage itself (never paraphrased) trimmed around the question, with the citation."""

from __future__ import annotations

from bot.actions import passages
from knowledge.retrieve import Hit

LONG = (
    "备案类型包括长期异地居住、临时外出就医和转院就医三种情况。"
    "长期异地居住需提供居住证明，有效期一般为1-2年；临时外出就医需提供外出证明，有效期3-6个月。"
    + "医院应加强内部管理，定期开展培训，提高服务质量。" * 8
    + "转院就医需提供转诊证明，有效期根据病情确定。"
)


def hit(text: str, confidence: float, section_id: str = "s1", passage_id: str = "p1") -> Hit:
    return Hit(passage_id=passage_id, text=text, original=text, doc_id="d1", doc_title="医院医保协议培训课件",
               section="第四部分：医保结算管理", section_id=section_id, topics=["remote_filing"], score=1.0,
               confidence=confidence, sources=[])


def test_excerpt_keeps_the_matching_sentence_and_its_figures() -> None:
    text = passages.excerpt(LONG, "临时外出就医备案有效期多久")
    assert "3-6个月" in text
    assert len(text) <= passages.MAX_EXCERPT + 4  # plus the ellipses marking gaps
    assert "提高服务质量" not in text  # the unrelated middle is left out


def test_excerpt_finds_a_late_sentence() -> None:
    assert "转诊证明" in passages.excerpt(LONG, "转院就医备案需要什么证明")


def test_short_passage_is_shown_whole() -> None:
    short = "甲类药品由医保基金全额支付。"
    assert passages.excerpt(short, "甲类") == short


def test_below_threshold_selects_nothing() -> None:
    assert passages.select([hit(LONG, 0.2)], threshold=0.35) == []


def test_close_runners_up_are_added_in_rank_order() -> None:
    hits = [hit(LONG, 0.9), hit("远", 0.5, "s3", "p4"), hit("别的", 0.85, "s2", "p2"), hit("同节", 0.88, "s1", "p3"),
            hit("第四", 0.89, "s5", "p5")]
    assert [h.passage_id for h in passages.select(hits, threshold=0.35)] == ["p1", "p2", "p3"]


def test_best_hit_need_not_be_ranked_first() -> None:
    hits = [hit("低", 0.3, "s1", "p1"), hit("高", 0.43, "s2", "p2")]
    assert [h.passage_id for h in passages.select(hits, threshold=0.35)] == ["p2"]


def test_compose_cites_document_section_and_confidence() -> None:
    text, citations = passages.compose([hit(LONG, 0.91)], "临时外出备案有效期")
    assert "3-6个月" in text
    assert "来源：《医院医保协议培训课件》 第四部分：医保结算管理（匹配度 91%）" in text
    assert citations[0].passage_id == "p1" and "3-6个月" in citations[0].quote


def test_a_lone_matching_clause_comes_with_the_clauses_of_its_sentence() -> None:
    listing = ("(4）外配处方一般不能超过7日用量，急诊处方一般不超过3日用量；患有恶性肿瘤；系统性红斑狼疮；血友病；"
               "慢性肾功能衰竭的透析治疗；器官移植后的抗排异治疗者，处方量可延长至一个月。"
               + "其他门诊管理要求另行规定。" * 12)
    text = passages.excerpt(listing, "血液透析的费用医保怎么结算")
    assert "慢性肾功能衰竭的透析治疗" in text
    assert "血友病" in text and "器官移植" in text  # its siblings in the same sentence
    assert "另行规定" not in text  # but not the unrelated sentences after it


def test_a_short_passage_drops_an_unrelated_leading_sentence_but_keeps_its_facts() -> None:
    passage = ("针对审核不通过的费用，应建立问题反馈和整改机制，形成闭环管理。"
               "异地就医备案要求参保人员需在参保地医保经办机构办理异地就医备案手续，填写《异地就医备案表》。")
    text = passages.excerpt(passage, "异地就医备案在哪里办")
    assert text.startswith("…") and "闭环管理" not in text
    assert "参保地医保经办机构" in text and "《异地就医备案表》" in text
