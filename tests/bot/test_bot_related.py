"""Related questions after every answer (bot/actions/related.py) and the topic tree they come from."""

from __future__ import annotations

import pytest

from bot.actions.guides import ActionRemoteFilingGuide
from bot.actions.qa import ActionAnswerQuestion, ActionCatalogLookup, ActionFallback
from bot.actions.related import MAX_RELATED, MIN_RELATED, related_questions
from tests.bot.helpers import answer_meta, make_tracker, run_action
from yibao.topic_tree import get_topic_tree, parse_tree


def _buttons(messages: list[dict]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons") or []]


def test_every_tree_question_has_two_to_four_related_questions_not_itself() -> None:
    tree = get_topic_tree()
    for q in tree.questions.values():
        related = related_questions(q.payload, "")
        assert MIN_RELATED <= len(related.questions) <= MAX_RELATED, q.id
        assert q.id not in {r.id for r in related.questions}, q.id
        assert (related.topic, related.subtopic) == (q.topic, q.subtopic)
        # The questions the tree names as the next step come first.
        assert [r.id for r in related.questions[: len(q.next)]] == list(q.next)[:MAX_RELATED], q.id


def test_the_other_insurance_type_follows_an_insurance_specific_question() -> None:
    titles = [b.text for b in related_questions("职工医保住院报销比例是多少", "ask_reimbursement").questions]
    assert titles[0] == "居民医保住院报销比例是多少"


def test_a_typed_question_gets_questions_of_its_topic() -> None:
    related = related_questions("我妈在外地住院了，医保怎么报", "ask_remote_filing")
    assert related.topic == "remote_filing"
    assert MIN_RELATED <= len(related.questions) <= MAX_RELATED
    assert all(q.topic == "remote_filing" for q in related.questions)


def test_a_topic_outside_the_tree_gets_no_unrelated_questions() -> None:
    assert related_questions("附近有哪些定点药店", "ask_institution").questions == []


@pytest.mark.usefixtures("private_backends")
def test_answers_carry_related_buttons_and_their_place_in_the_tree() -> None:
    messages, _ = run_action(ActionAnswerQuestion(), make_tracker("住院报销比例是多少", "ask_reimbursement"))
    meta = answer_meta(messages)
    assert meta["citations"] and (meta["topic"], meta["subtopic"]) == ("reimbursement", "inpatient")
    titles = [b["title"] for b in _buttons(messages)]
    related = [t for t in titles if get_topic_tree().find(t)]
    assert len(related) >= MIN_RELATED and len(titles) <= MAX_RELATED and "住院报销比例是多少" not in titles

    messages, _ = run_action(ActionCatalogLookup(), make_tracker("阿莫西林能报销吗", "ask_catalog"))
    assert answer_meta(messages)["topic"] == "catalog" and len(_buttons(messages)) >= MIN_RELATED


@pytest.mark.usefixtures("private_backends")
def test_a_guide_offers_next_steps_instead_of_the_generic_menu() -> None:
    payload = '/guide_remote_filing{"filing_type":"临时外出"}'
    tracker = make_tracker(payload, "guide_remote_filing", slots={"filing_type": "临时外出"})
    messages, _ = run_action(ActionRemoteFilingGuide(), tracker)
    titles = [b["title"] for b in _buttons(messages)]
    assert titles[:2] == ["临时外出就医备案的有效期是多久", "异地就医直接结算怎么办理"]
    assert "查个人账户余额" not in titles


@pytest.mark.usefixtures("private_backends")
def test_a_refusal_keeps_the_menu_and_gets_no_related_questions() -> None:
    messages, _ = run_action(ActionFallback(), make_tracker("asdf qwer", "nlu_fallback", confidence=0.1))
    meta = answer_meta(messages)
    assert meta["fallback"] and "topic" not in meta
    assert "转人工" in [b["title"] for b in _buttons(messages)]


def test_a_broken_tree_fails_at_load_time() -> None:
    with pytest.raises(ValueError, match="unknown next"):
        parse_tree({"topics": [{"id": "t", "label": "T", "subtopics": [
            {"id": "s", "label": "S", "questions": [{"id": "a", "text": "问题", "next": ["nope"]}]}]}]})
    with pytest.raises(ValueError, match="no questions"):
        parse_tree({"topics": [{"id": "t", "label": "T", "subtopics": [{"id": "s", "label": "S"}]}]})
