"""The form base class on fixture trackers (as RasaHQ/financial-demo tests its actions): a service's button at a
form's prompt ends the form, forgets its slots and starts that service; an answer never does."""

from __future__ import annotations

import pytest

from bot.actions.balance import ValidateBalanceForm, ValidateBalanceOtpForm
from bot.actions.estimate import ValidateEstimateForm
from bot.actions.forms import FORMS, LEAVING_INTENTS, SERVICE_STARTS
from bot.actions.guides import ValidateRemoteFilingForm, ValidateSpecialDiseaseForm
from tests.bot.helpers import make_tracker, run_action

VALIDATORS = [ValidateRemoteFilingForm, ValidateSpecialDiseaseForm, ValidateEstimateForm, ValidateBalanceForm,
              ValidateBalanceOtpForm]


def at_prompt(form: str, slot: str, text: str, intent: str, **slots: object) -> object:
    tracker = make_tracker(text, intent, slots={"requested_slot": slot, **slots}, active_loop=form)
    tracker.events.append({"event": "action", "name": form})  # Rasa logs the form before validating...
    tracker.events += [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]  # ...then the candidates
    return tracker


@pytest.mark.parametrize("intent", sorted(SERVICE_STARTS))
@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v().form_name())
def test_a_service_button_leaves_the_form_for_that_service(
    validator: type, intent: str, private_backends: object
) -> None:
    action = validator()
    form = action.form_name()
    messages, events = run_action(action, at_prompt(form, "card_number", f"/{intent}", intent, card_number="9"))
    service = SERVICE_STARTS[intent]
    if service in FORMS:  # a form: Rasa starts it next, and it asks its first question
        assert messages == []
        assert {"event": "followup", "timestamp": None, "name": service} in events
    else:  # an answer: given now, and the turn ends with it
        assert messages and {"event": "followup", "timestamp": None, "name": "action_listen"} in events
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert cleared >= {"requested_slot", *FORMS[form][1]}


def test_resets_from_leaving_are_not_validated_when_the_same_form_starts_again() -> None:
    tracker = make_tracker("/estimate_reimbursement", "estimate_reimbursement", active_loop=None)
    tracker.events += [{"event": "slot", "name": s, "value": None} for s in ("insurance_type", "visit_type")]
    messages, _ = run_action(ValidateEstimateForm(), tracker)
    assert messages == []  # no "请选择职工医保…" before the form has asked anything


def test_typed_words_that_answer_the_prompt_stay_in_the_form() -> None:
    tracker = at_prompt("special_disease_form", "disease", "糖尿病", "guide_special_disease", disease="糖尿病")
    _, events = run_action(ValidateSpecialDiseaseForm(), tracker)
    assert not any(e["event"] == "followup" for e in events)
    assert {"event": "slot", "timestamp": None, "name": "disease", "value": "糖尿病"} in events


def test_after_a_side_answer_the_form_resumes_instead_of_leaving() -> None:
    tracker = at_prompt("estimate_form", "total_cost", "/ask_catalog", "ask_catalog")
    tracker.events.insert(1, {"event": "action", "name": "action_catalog_lookup"})
    _, events = run_action(ValidateEstimateForm(), tracker)
    assert not any(e["event"] == "followup" for e in events)


def _domain_not_intents() -> dict[str, list[set[str]]]:
    """Each form's ``not_intent`` lists in domain.yml (a from_text mapping conditioned on that form)."""
    import yaml

    from yibao.settings import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    found: dict[str, list[set[str]]] = {}
    for slot in domain["slots"].values():
        for mapping in slot.get("mappings", []):
            for condition in mapping.get("conditions", []):
                if "not_intent" in mapping:
                    found.setdefault(condition["active_loop"], []).append(set(mapping["not_intent"]))
    return found


def test_domain_not_intent_lists_are_the_forms_leaving_intents() -> None:
    """domain.yml cannot import Python: its lists must be LEAVING_INTENTS, form by form."""
    found = _domain_not_intents()
    assert set(found) == set(LEAVING_INTENTS)  # every form with a typed answer, and no other
    for form, lists in found.items():
        assert all(listed == LEAVING_INTENTS[form] for listed in lists), (form, lists)


# The slots whose typed answer the form's own code reads (the others are mapped by domain.yml, checked above).
CUSTOM_EXTRACTIONS = {"estimate_form": "total_cost", "balance_form": "pin", "balance_otp_form": "id_last6"}


@pytest.mark.parametrize("form", sorted(CUSTOM_EXTRACTIONS))
def test_a_leaving_intent_is_never_an_answer(form: str) -> None:
    """At the prompt, "123456" is the answer, unless its intent is one of the form's leaving intents."""
    from rasa_sdk.executor import CollectingDispatcher

    slot = CUSTOM_EXTRACTIONS[form]
    validator = next(v for v in VALIDATORS if v().form_name() == form)()
    extract = getattr(validator, f"extract_{slot}")

    def extracted(intent: str) -> dict:
        return extract(CollectingDispatcher(), at_prompt(form, slot, "123456", intent), {})

    assert extracted("inform"), "the control: an answer is read"
    for intent in sorted(LEAVING_INTENTS[form]):
        assert extracted(intent) == {}, intent
