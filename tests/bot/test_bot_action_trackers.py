"""The fast layer of the action tests, as RasaHQ/financial-demo's tests/test_actions.py: custom actions run
in-process on whole conversations saved as Rasa sends them to the action server (tests/bot/data/*.json), with
no Rasa, no knowledge base and no accounts database."""

from __future__ import annotations

from bot.actions import texts
from bot.actions.conversation import ActionOutOfScope, ActionStopForm
from bot.actions.estimate import ActionEstimate, ValidateEstimateForm
from bot.actions.replies import main_menu
from tests.bot.helpers import answer_meta, answer_text, load_tracker, run_action

ESTIMATE_SLOTS = ("insurance_type", "visit_type", "total_cost", "hospital_level")


def slot_events(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_an_amount_typed_in_words_fills_the_estimate_and_the_estimate_is_computed() -> None:
    tracker = load_tracker("estimate_form_total_cost_typed")  # "大概两万块" at the total-cost prompt
    messages, events = run_action(ValidateEstimateForm(), tracker)
    assert messages == []  # nothing to re-ask
    assert slot_events(events) == {"total_cost": 20000.0}
    # Rasa sets the slot, the form is complete and the rule runs the estimate on the form's slots.
    tracker.slots["total_cost"] = 20000.0
    messages, events = run_action(ActionEstimate(), tracker)
    text, meta = answer_text(messages), answer_meta(messages)
    assert "职工" in text and "住院" in text and "20,000.00" in text
    assert meta["intent"] == "estimate_reimbursement" and meta["citations"] and not meta["fallback"]
    assert slot_events(events) == dict.fromkeys(ESTIMATE_SLOTS)  # the next estimate starts from scratch


def test_an_off_topic_question_mid_form_is_refused_and_the_form_goes_on() -> None:
    tracker = load_tracker("estimate_form_off_topic")  # "今天天气怎么样" at the visit-type prompt
    messages, events = run_action(ActionOutOfScope(), tracker)
    assert answer_text(messages) == texts.OUT_OF_SCOPE
    assert messages[0]["buttons"] == []  # no main menu: the form asks its question again next
    meta = answer_meta(messages)
    assert meta["refusal"] == "out_of_scope" and meta["fallback"] and not meta["citations"]
    assert events == []  # the insurance type already given is kept


def test_stopping_at_the_pin_prompt_forgets_the_card_number() -> None:
    tracker = load_tracker("balance_form_stopped_at_pin")  # "算了，不查了" after the card number
    assert tracker.active_loop == {}  # the rule ended the form first; the action finds it in the history
    messages, events = run_action(ActionStopForm(), tracker)
    assert answer_text(messages) == texts.FORM_STOPPED.format(what="余额查询")
    assert messages[0]["buttons"] == main_menu()
    assert slot_events(events) == {"card_number": None, "pin": None, "balance_verified": None}


def test_saying_goodbye_at_the_pin_prompt_ends_without_a_menu() -> None:
    tracker = load_tracker("balance_form_stopped_at_pin")
    tracker.latest_message["intent"] = {"name": "goodbye", "confidence": 0.97}
    tracker.latest_message["text"] = "不用了，再见"
    messages, events = run_action(ActionStopForm(), tracker)
    assert answer_text(messages) == texts.FORM_STOPPED_GOODBYE.format(what="余额查询")
    assert messages[0]["buttons"] == []
    assert slot_events(events)["card_number"] is None
