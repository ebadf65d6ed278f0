"""Issue 9, follow-ups: an elliptical question is read against the previous one (bot/actions/followup.py), and
the answer action does so through the conversation's ``topic_question`` slot."""

from __future__ import annotations

import pytest

from bot.actions.followup import resolve
from bot.actions.qa import ActionAnswerQuestion
from tests.bot.helpers import answer_meta, answer_text, make_tracker, run_action

pytestmark = pytest.mark.usefixtures("private_backends")


@pytest.mark.parametrize(
    ("previous", "followup", "meant"),
    [
        ("城镇职工医保住院报销比例是多少", "那城乡居民医保呢？", "城乡居民医保住院报销比例是多少"),
        ("职工医保住院报销比例是多少", "门诊呢", "职工医保门诊报销比例是多少"),
        ("临时外出就医要不要备案", "转院的呢", "转院就医要不要备案"),
    ],
)
def test_a_followup_naming_another_value_swaps_it(previous: str, followup: str, meant: str):
    assert resolve(followup, previous, has_own_topic=False).replace("就医", "") == meant.replace("就医", "")


def test_a_followup_without_a_topic_continues_the_previous_one():
    meant = resolve("在哪办？", "长期异地居住备案怎么办理", has_own_topic=False)
    assert "长期异地居住备案" in meant and "在哪办" in meant


def test_a_full_question_stands_on_its_own():
    question = "定点零售药店申请医保定点需要具备哪些条件"
    assert resolve(question, "职工医保住院报销比例是多少", has_own_topic=True) == question


def test_the_answer_action_reads_a_followup_against_the_last_question():
    _, events = run_action(ActionAnswerQuestion(), make_tracker("职工医保住院报销比例是多少", "ask_reimbursement"))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("topic_question")
    messages, _ = run_action(ActionAnswerQuestion(), make_tracker("那居民医保呢？", "inform", slots=slots))
    text, meta = answer_text(messages), answer_meta(messages)
    assert meta["refusal"] is None and "居民" in text and "%" in text


def test_inform_without_a_previous_question_asks_what_to_look_up():
    messages, _ = run_action(ActionAnswerQuestion(), make_tracker("职工", "inform"))
    assert "请告诉我您想了解什么" in answer_text(messages)


def test_the_followup_slot_keeps_the_clause_a_question_leans_on():
    """"这钱还能报不" names nothing: the slot keeps what it leans on, so "多久能报下来" knows what is meant."""
    first = make_tracker("我在外地没备案就住了院，这钱回来还能报不", "ask_policy")
    _, events = run_action(ActionAnswerQuestion(), first)
    kept = next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == "topic_question")
    assert "备案" in kept and "住" in kept
    meant = resolve("那大概多久能报下来？", kept, has_own_topic=False)
    assert "备案" in meant and "多久" in meant


def test_a_question_that_holds_a_number_is_a_question_not_a_bare_value():
    from bot.actions import texts

    bare, _ = run_action(ActionAnswerQuestion(), make_tracker("5000", "inform"))
    assert texts.INFORM_WITHOUT_CONTEXT in answer_text(bare)  # nothing to continue: ask what is meant
    asked, _ = run_action(ActionAnswerQuestion(), make_tracker("叫120救护车的钱医保能报吗", "inform"))
    assert texts.INFORM_WITHOUT_CONTEXT not in answer_text(asked)  # read against the documents instead


def test_a_question_with_words_of_its_own_gets_the_previous_one_as_its_context():
    from bot.actions.qa import understood_question

    tracker = make_tracker("材料交齐了以后多久能批下来", "ask_policy", slots={"topic_question": "药店想申请医保定点"})
    question, is_followup, context = understood_question(tracker, "材料交齐了以后多久能批下来")
    assert (question, is_followup, context) == ("材料交齐了以后多久能批下来", False, "药店想申请医保定点")
    # an elliptical one is joined to it instead, and needs no context beside
    tracker = make_tracker("在哪办？", "ask_policy", slots={"topic_question": "长期异地居住备案怎么办理"})
    _, is_followup, context = understood_question(tracker, "在哪办？")
    assert is_followup and context is None


def test_a_followup_keeps_the_act_the_previous_question_asked_of():
    # "能报吗" asks whether it is paid; the act (报) is still what "多久能到账" is about
    meant = resolve("那要多久才能到账？", "住院费在外地先垫付了，回来能报吗", has_own_topic=False)
    assert "能报" in meant and meant.endswith("要多久才能到账")
    meant = resolve("那一年交多少钱？", "我没有工作，能参加什么医保", has_own_topic=False)
    assert "医保" in meant
