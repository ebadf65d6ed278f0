"""Issue 9: an answer answers what was asked, or says honestly that the documents do not — one test per class
of failure, on the real index. The questions here are written for the tests, in patients' words; they are not
taken from any evaluation file (tests/eval is never training data)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from knowledge.answer import (
    DAMAGE_MARK,
    UNKNOWN_OTHER_WEIGHT,
    Question,
    _guessed,
    _parts,
    carries,
    coverage,
    damaged,
    display,
    find_answer,
    mark_damage,
    understand,
    weigh,
)
from knowledge.retrieve import KnowledgeBase
from knowledge.spelling import respell, to_mandarin
from knowledge.thesaurus import synonyms


def _figures(text: str) -> list[str]:
    return re.findall(r"\d", text)


# --- answerability: refuse what the documents do not say, with no figure ----------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "家里的宠物狗看病能用医保报销吗",  # something the documents never speak of
        "医院食堂几点开门，早饭多少钱",  # outside 医保 altogether
        "医保卡丢了去哪补办，补一张要多少钱",  # a 医保 topic the documents never cover
    ],
)
def test_questions_the_documents_do_not_answer_are_refused_without_figures(kb: KnowledgeBase, question: str):
    outcome = find_answer(kb, question)
    assert outcome.refusal is not None and not outcome.findings
    assert outcome.nearest is None or not outcome.findings  # the nearest point is not passed off as the answer


def test_a_city_the_documents_do_not_name_gets_no_figure_of_elsewhere(kb: KnowledgeBase):
    outcome = find_answer(kb, "重庆的职工医保住院报销比例是多少")
    assert outcome.refusal == "unknown_place" and outcome.question.unknown_places == ("重庆",)


def test_a_destination_is_not_the_insured_place(kb: KnowledgeBase):
    question = understand("我要去重庆看病，异地就医备案在哪里办", kb)
    assert question.unknown_places == ()  # the rules of the insured place apply wherever one is treated


def test_a_documented_question_is_answered_with_the_sentence_that_carries_the_asked_type(kb: KnowledgeBase):
    outcome = find_answer(kb, "职工医保住院一般能报百分之多少")
    assert outcome.refusal is None
    assert any("%" in f.text and "职工" in f.text for f in outcome.findings)


def test_a_figure_must_be_about_what_the_question_names(kb: KnowledgeBase):
    q = understand("职工医保个人账户每年划进来多少钱", kb)
    # a ratio about 住院 in the same sentence does not say how much goes into the account
    assert not carries(q, "住院报销比例约为70%-90%，门诊设有统筹基金和个人账户。")


def test_statistics_of_a_work_report_never_answer_a_patients_how_much(kb: KnowledgeBase):
    q = understand("这个补助一个人能领多少钱", kb)
    assert not carries(q, "全县共发放补助资金5243万元，完成年初目标任务的238.32%。")


def test_the_asked_unit_must_be_given(kb: KnowledgeBase):
    q = understand("定点药店一共有几家", kb)
    assert not carries(q, "医保非处方药315种、489个剂型。")
    assert carries(q, "全市共有定点零售药店145家。")


# --- excerpts: whole sentences, headings set apart, residue of lost bytes marked --------------------------


def test_answers_are_whole_sentences_and_name_no_source_in_the_text(kb: KnowledgeBase):
    outcome = find_answer(kb, "异地就医直接结算时执行哪里的药品目录")
    assert outcome.findings
    for finding in outcome.findings:
        assert finding.text.endswith(("。", "；", "！", "？")) or finding.text in finding.hit.text
        assert "来源" not in finding.text


def test_a_slide_heading_run_into_its_sentence_is_set_apart():
    assert display("结算基本原则医保结算是医院与医保经办机构之间费用清算的重要环节。").startswith(
        "【结算基本原则】医保结算"
    )
    plain = "参保人员应当持本人医保卡就医。"
    assert display(plain) == plain


def test_residue_of_lost_bytes_is_marked_not_shown_as_text():
    doc_chars = Counter("参保人员办理备案手续" * 5)
    broken = "可享受直接结算服务剞理备案手续。"
    assert damaged(broken, doc_chars) and DAMAGE_MARK in mark_damage(broken, doc_chars)
    assert not damaged("参保人员办理备案手续。", doc_chars)


# --- patients' words: typos, whole pinyin, dialect, relatives ----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("异地就医被案要带什么", "备案"), ("住院费用怎么报消", "报销"), ("menzhen manxingbing", "门诊慢性病")],
)
def test_typos_and_whole_pinyin_become_the_documents_words(kb: KnowledgeBase, typed: str, meant: str):
    spelled = respell(typed, kb.vocabulary)
    assert meant in spelled.text and spelled.corrections


def test_real_words_are_never_corrected(kb: KnowledgeBase):
    for text in ("我要放弃治疗吗", "是在门诊还是住院", "北京职工医保", "目录里有多少种药", "一年能开几盒药"):
        assert respell(text, kb.vocabulary).text == text


def test_regional_function_words_become_mandarin():
    assert to_mandarin("点样报销") == "怎么样报销"
    assert to_mandarin("要咋整") == "要怎么办"
    assert to_mandarin("有冇备案") == "有没有备案"


def test_a_relative_using_ones_card_is_about_someone_elses_card(kb: KnowledgeBase):
    q: Question = understand("我闺女拿我的社保卡去药店买药行吗", kb)
    assert "他人" in q.terms
    assert "他人" not in understand("我闺女住院了能报多少", kb).terms  # a relative alone is just the patient
    # every kin word is the story, never the topic (哥 as much as 哥哥)
    lending = understand("能不能把我的医保卡借给我哥用", kb)
    assert "他人" in lending.terms and "哥" not in lending.terms
    # ...and a relative using a card, with no word that it is someone else's, uses their own
    assert "他人" not in understand("孩子他爸想在药店用医保卡买药，能刷吗", kb).terms


# --- patients' words for the documents' words (second round of issue 9) -----------------------------------


def test_an_everyday_synonym_counts_as_the_word_said_otherwise(kb: KnowledgeBase):
    assert "超过" in synonyms()["超出"]  # 同义词词林, an "=" group
    q = understand("费用超出了封顶线，剩下的部分怎么办", kb)
    with_synonym, missing = coverage(q, "住院费用设有年度封顶线，超过部分可使用大病保险报销。")
    without, _ = coverage(q, "住院费用设有年度封顶线，由统筹基金支付。")
    assert "超出" not in missing and with_synonym > without


def test_the_story_before_a_question_never_lowers_its_coverage(kb: KnowledgeBase):
    q = understand("我爸上个月摔了一跤住进了骨科，异地就医备案要带什么材料？", kb)
    assert q.story  # the story is read...
    text = "异地就医备案需提供参保人身份证、医保卡和备案表。"
    focus_only = Question(**{**q.__dict__, "story": {}})
    assert coverage(q, text)[0] >= coverage(focus_only, text)[0]  # ...but a passage need not retell it


def test_a_single_character_the_documents_use_in_their_words_is_an_ordinary_term(kb: KnowledgeBase):
    assert understand("备案要交什么", kb).terms.get("交", 0) <= UNKNOWN_OTHER_WEIGHT
    q = understand("医保卡能不能用来种牙", kb)
    assert "牙" in q.strict and find_answer(kb, "医保卡能不能用来种牙").refusal  # 牙: never in the documents


def test_a_run_jieba_made_up_is_read_by_its_characters():
    assert _guessed("病报") and _guessed("开耐")
    assert not _guessed("护工") and not _guessed("停车场")  # real words: a topic the documents may not cover


def test_the_bound_of_an_asked_quantity_is_not_its_topic(kb: KnowledgeBase):
    q = understand("一张外配处方最多能开几天的药量", kb)
    assert "最多" not in q.terms and "量" not in q.terms and "外配处方" in q.terms


def test_round_figures_give_a_count(kb: KnowledgeBase):
    q = understand("医保药品目录里总共收了几种", kb)
    assert carries(q, "基本医疗保险药品目录已达1300多个品种、剂型达1800多种。")


def test_a_figure_may_speak_of_its_sentences_subject(kb: KnowledgeBase):
    q = understand("康复治疗每年可以做几次", kb)
    assert carries(q, "康复医疗纳入医保支付范围，但设有项目限制和次数限制，一般为每年30-60次。")
    assert not carries(q, "康复医疗纳入医保支付范围。住院每年限报30次。")  # another sentence's subject


def test_a_named_place_gets_only_that_places_figures(kb: KnowledgeBase):
    outcome = find_answer(kb, "北京的职工医保住院报销比例是多少")
    assert "北京" in outcome.question.named_places
    assert outcome.refusal == "unknown_place" or all(
        "北京" in f.hit.text + f.hit.section + f.hit.doc_title for f in outcome.findings
    )


def test_a_question_naming_no_word_of_the_documents_is_refused(kb: KnowledgeBase):
    outcome = find_answer(kb, "周末带孙子去哪儿钓鱼好")
    assert not outcome.question.topical and outcome.refusal == "not_in_documents"
    # one that asks how to get well is the doctor's, said as such
    assert find_answer(kb, "喝点啥汤能好得快").refusal == "out_of_scope"


def test_a_compound_term_is_covered_by_its_words_apart(kb: KnowledgeBase):
    assert set(_parts("异地就医备案")) == {"异地", "就医", "备案"}
    q = understand("异地就医备案要多久能办好", kb)
    _, missing = coverage(q, "临时外出就医的，到异地前先到参保地经办机构备案。")
    assert "异地就医备案" not in missing
    _, missing = coverage(q, "临时外出就医的，先到参保地经办机构办理。")  # 备案 is not there
    assert "异地就医备案" in missing


def test_a_verb_found_only_inside_the_documents_words_is_an_ordinary_term(kb: KnowledgeBase):
    inside = "算管"  # in 结算管理, never a word of its own
    assert kb.knows(inside) and not kb.uses_as_word(inside)
    assert weigh(inside, "v", kb) == UNKNOWN_OTHER_WEIGHT < weigh(inside, "n", kb)


def test_the_verb_of_bringing_is_part_of_asking_for_materials(kb: KnowledgeBase):
    q = understand("看完病回去报销，得准备哪些材料", kb)
    assert "materials" in q.kinds and "准备" not in q.terms and "报销" in q.terms


def test_the_condition_a_question_is_asked_under_is_part_of_it(kb: KnowledgeBase):
    q = understand("孩子下个月开学。如果转院到外地治疗，备案要交什么材料？", kb)
    assert "转院" in q.terms and "交" not in q.terms  # the condition counts; 交 is asking for materials


def test_the_figure_near_the_most_of_the_question_is_preferred(kb: KnowledgeBase):
    from knowledge.answer import figure_aim

    q = understand("临时外出就医备案能管多长时间", kb)
    near = "临时外出就医需提供外出证明，有效期3-6个月。"
    other = "备案类型包括长期异地居住、临时外出就医两种。长期异地居住需提供居住证明，有效期一般为1-2年。"
    assert figure_aim(q, near) > figure_aim(q, other)


def test_a_target_the_policy_sets_for_a_year_is_no_report():
    from knowledge.answer import REPORT

    assert not REPORT.search("到20xx年，城镇居民医保财政补助达到120元/人/年")
    assert REPORT.search("20xx年成功实现住院费异地直接结算1009人次")


def test_abroad_is_refused_even_as_a_destination(kb: KnowledgeBase):
    outcome = find_answer(kb, "我要去日本看病，回来以后医保能报销吗")
    assert outcome.refusal == "unknown_place" and "日本" in outcome.question.unknown_places


def test_a_focus_picked_from_separate_clauses_does_not_grow(kb: KnowledgeBase):
    q = understand("这个咋办？我妈前天住院了，花了不少。那个呢？", kb)  # two asking clauses, apart, naming nothing
    assert q.focus and all(c in q.text for c in re.split(r"[，。？]", q.focus) if c)  # made of its own clauses


@pytest.mark.parametrize("story", ["一个月要跑好几次医院", "住了十几天院", "花了几十块钱"])
def test_an_indefinite_ji_in_a_story_does_not_ask(kb: KnowledgeBase, story: str):
    question = understand(f"我妈有慢性病，{story}，门诊慢特病在哪里办理？", kb)
    assert story not in question.focus and "how_many" not in question.kinds and "how_long" not in question.kinds


@pytest.mark.parametrize(
    ("asked", "kind", "not_given", "given"),
    [
        # how to apply: a sentence that says what to do, not one that says a benefit is strengthened
        ("门诊慢特病要怎么申请", "steps", "各地要加强门诊慢特病保障，逐步提高待遇水平。",
         "参保人员需持诊断证明到医保窗口提交申请。"),
        # documents to bring: named as something to provide, not merely listed
        ("复印住院病历要带什么证件", "materials", "可以为申请人复印的病历资料包括：入院记录、医嘱单、出院记录。",
         "申请人为病员本人的，应当提供其有效身份证明。"),
        # how much: a rate given by reference to another is a rate
        ("恶性肿瘤在门诊治疗能报多少", "how_much", "恶性肿瘤门诊治疗费用纳入特殊病种管理。",
         "恶性肿瘤门诊治疗费用可以按照住院比例报销。"),
    ],
)
def test_an_asked_type_is_carried_only_by_a_sentence_that_gives_it(
    kb: KnowledgeBase, asked: str, kind: str, not_given: str, given: str
):
    question = understand(asked, kb)
    assert kind in question.kinds
    assert not carries(question, not_given)
    assert carries(question, given)


def test_how_long_said_as_duochang_asks(kb: KnowledgeBase):
    question = understand("我上个月住了院，报销要等多长时间", kb)
    assert "how_long" in question.kinds and "住了院" not in question.focus


def test_the_items_of_a_list_speak_of_what_its_lead_names(kb: KnowledgeBase):
    question = understand("门诊慢特病认定的有效期多久", kb)
    listed = "门诊慢特病认定分为以下两种情况。首次办理的，有效期2年；再次办理的，有效期3年。"
    item = "首次办理的，有效期2年；"
    assert not carries(question, item) and carries(question, listed)


def test_the_bare_word_for_materials_names_no_document(kb: KnowledgeBase):
    question = understand("办门诊慢特病要带什么材料", kb)
    assert not carries(question, "不同病种的认定材料要求不同。")
    assert not carries(question, "申请时应提供相关证明材料。")
    assert carries(question, "申请时应提供二级以上医院出具的诊断证明。")


def test_a_list_item_is_read_with_its_lead_and_the_item_the_question_names_wins(kb: KnowledgeBase):
    from knowledge.answer import best_sentences

    class Passage:  # the shape of a retrieval hit that best_sentences reads
        section = "参保登记"
        text = ("参保登记分为以下三种情况，不同情况所需材料不同。在职人员需提供劳动合同复印件；"
                "退休人员需提供退休证明；灵活就业人员需提供身份证复印件。")

    question = understand("灵活就业人员参保登记要带什么证件", kb)
    found = best_sentences(question, Passage(), Counter())
    assert found.text.startswith("灵活就业人员需提供身份证复印件") and found.coverage >= 0.62


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("医保局", "设专人负责计算机医保局域网的管理", False),  # 医保|局域网: another word runs on
        ("医保局", "可到区医保局窗口办理", True),
        ("住院", "住院费用按比例报销", True),  # the head of a longer word is the word
        ("特殊病", "门诊特殊病种的认定", True),
    ],
)
def test_a_term_is_found_as_words_not_across_them(term: str, text: str, found: bool):
    from knowledge.answer import _present

    assert _present(term, text) is found


def test_an_everyday_word_with_a_light_character_is_a_term(kb: KnowledgeBase):
    from knowledge.answer import _wrapper

    assert not _wrapper("上班") and not _wrapper("出门")  # 上/出 + a noun: words of their own
    assert _wrapper("卡里") and _wrapper("买点") and _wrapper("转过")  # shells around one meaningful character
    assert weigh("上班", "v", kb) > 0


def test_among_passages_that_answer_the_one_that_itself_says_it_wins(kb: KnowledgeBase):
    from knowledge.answer import decide
    from tests.knowledge.helpers import hit

    # the first covers every term only with its heading, which is never shown; the second all but one itself
    told_by_its_heading = hit("居民医保最高支付限额提高到6倍左右。", "政府补助政策", doc_id="a", doc_title="示例",
                              confidence=0.8)
    told_by_itself = hit("居民医保财政补助标准提高到每人每年120元。", "门诊统筹", doc_id="b", doc_title="示例",
                         confidence=0.8)
    question = understand("居民医保政府每年补助多少钱", kb)
    outcome = decide(question, [told_by_its_heading, told_by_itself], Counter())
    assert outcome.findings and "120元" in outcome.findings[0].text


def test_a_bare_pronoun_asks_about_the_clause_before_it(kb: KnowledgeBase):
    question = understand("我妈腿脚不好，平时要请护工照顾，这个能按门诊慢特病报销吗", kb)
    assert "护工" in question.focus and "护工" in question.terms
    named = understand("我妈腿脚不好，这种外配处方能在药店买药吗", kb)
    assert "腿脚" not in named.focus  # "这种外配处方" names what it asks about


# --- round 4: procedures under an unnamed place, documents to bring, rates by reference, the previous turn -----


def test_what_to_bring_under_a_place_the_documents_do_not_name_is_the_general_rule_said_as_such(kb: KnowledgeBase):
    outcome = find_answer(kb, "我们是甘肃参保的，现在长期在外地住，办长期异地居住备案需要提供什么证明？")
    assert "甘肃" in outcome.question.unknown_places
    assert outcome.refusal is None and any("证明" in f.text for f in outcome.findings)
    # ...while a figure of that place is still never given
    assert find_answer(kb, "甘肃的职工医保住院报销比例是多少").refusal == "unknown_place"


def test_records_the_question_does_something_with_are_not_documents_to_bring(kb: KnowledgeBase):
    assert "materials" not in understand("住院的病历能复印哪些资料", kb).kinds
    assert "materials" in understand("复印病历要准备哪些资料", kb).kinds


def test_the_previous_turn_is_story_for_a_question_with_words_of_its_own(kb: KnowledgeBase):
    alone = understand("材料交齐了以后多久能批下来", kb)
    after = understand("材料交齐了以后多久能批下来", kb, context="药店想申请医保定点")
    assert after.terms == alone.terms  # what is asked is still the question's own
    assert set(after.story) - set(alone.story) >= {"定点"}
    # the previous turn never makes a question about something else answerable
    assert find_answer(kb, "能用微信扫码付款吗", context="异地就医备案要准备什么材料").refusal == "not_in_documents"


# --- round 5: an act not done, forms named by title, patients' everyday words --------------------------------


def test_a_sentence_about_an_act_not_done_does_not_cover_doing_it(kb: KnowledgeBase):
    filing = understand("异地就医备案要带什么材料", kb)
    not_filed = "对于未开通直接结算或未事先备案的异地就医，患者需先全额支付医疗费用，回参保地办理手工报销。"
    filed = "参保人员需在参保地医保经办机构办理异地就医备案手续。"
    assert coverage(filing, filed)[0] > coverage(filing, not_filed)[0]
    assert not any("未事先备案" in f.text for f in find_answer(kb, "异地就医备案要带什么材料").findings)
    # ...but it is what a question about not having filed asks
    unfiled = understand("没备案在外地看病能报销吗", kb)
    assert "备案" in unfiled.negated
    assert "备案" not in coverage(unfiled, not_filed)[1]


def test_a_form_named_by_its_title_is_a_document_to_bring(kb: KnowledgeBase):
    question = understand("异地就医备案要带什么材料", kb)
    assert carries(question, "办理异地就医备案手续，填写《异地就医备案表》，提供相关证明材料。")
    assert not carries(question, "办理异地就医备案手续，提供相关证明材料。")


def test_the_glossary_maps_patients_words_onto_words_the_documents_use(kb: KnowledgeBase):
    import yaml

    from knowledge.words import GLOSSARY

    glossary = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    assert all(kb.mentions(key) for key in glossary), "a key the documents never use maps nothing onto them"
    # a patient's word that is already a word of the documents would change what the documents say
    assert not [w for key, words in glossary.items() for w in words if kb.uses_as_word(w) and w not in key]
    assert "结算" in understand("出院的时候结账能直接刷卡吗", kb).terms


def test_a_lexicon_term_with_its_end_clipped_off_is_the_term(kb: KnowledgeBase):
    # 门诊特殊病 is used by the documents only inside 门诊特殊病种: it is that term, so its synonyms count
    assert "门诊特殊病种" in understand("门诊特殊病怎么申请", kb).terms
    # a word of the documents' own is never stretched into a longer one
    assert "报销" in understand("住院报销要带什么", kb).terms


def test_what_a_condition_names_is_not_asked_for(kb: KnowledgeBase):
    after_a_condition = understand("材料不全的话，多久会通知补？", kb)
    assert after_a_condition.kinds == ("how_long",)
    assert "材料" in after_a_condition.terms  # it is what the question is about instead
    assert "materials" in understand("转院去外地看病的话，备案要交什么材料", kb).kinds


def test_a_word_and_its_particle_are_no_typo(kb: KnowledgeBase):
    assert respell("那政府补的部分，市里和区里怎么分", kb.vocabulary).corrections == ()
    assert respell("异地就医被案要多久", kb.vocabulary).corrections == (("被案", "备案"),)


def test_a_noun_of_the_documents_own_gets_no_credit_for_its_characters(kb: KnowledgeBase):
    question = understand("医保卡密码忘了怎么办", kb)
    assert "医保卡" in question.strict  # a passage that meant 医保卡 would say it
    assert coverage(question, "授予相关人员的系统操作权限并设置密码，由医保部门审核。")[0] < 0.62
    assert find_answer(kb, "医保卡密码忘了怎么办").refusal == "not_in_documents"
