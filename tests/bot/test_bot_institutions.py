"""The directory action on real rasa-sdk trackers: answers and cards from the list, never an invented institution,
policy questions about designated institutions answered from the documents; the balance offers the statement."""

from __future__ import annotations

import pytest

from bot.actions.balance import ActionShowBalance, ValidateBalanceForm
from bot.actions.institutions import ActionInstitutionLookup
from institutions.importer import SAMPLE_FILE, read_file
from tests.bot.helpers import DEMO_CARD, DEMO_PIN, answer_meta, answer_text, make_tracker, run_action

pytestmark = pytest.mark.usefixtures("private_backends")
LISTED = {r.name for r in read_file(SAMPLE_FILE)[0]}


@pytest.fixture(autouse=True)
def _fresh_directory() -> None:
    from institutions import search

    search._directory_for.cache_clear()


def ask(question: str) -> tuple[str, dict]:
    messages, _ = run_action(ActionInstitutionLookup(), make_tracker(question, "ask_institution"))
    return answer_text(messages), answer_meta(messages)


def test_nearest_pharmacy_comes_with_cards_and_distances() -> None:
    text, meta = ask("附近哪家药店能刷医保")
    cards = meta["institutions"]
    assert cards and all(c["type"] == "零售药店" for c in cards) and cards[0]["name"] in text
    assert [c["distance_m"] for c in cards] == sorted(c["distance_m"] for c in cards) and "米" in text
    assert meta["intent"] == "ask_institution" and not meta["fallback"] and meta["citations"]
    assert "示例" in text  # the sample says it is a sample


def test_remote_settlement_hospitals_and_a_phone_number() -> None:
    text, meta = ask("哪些医院能异地直接结算")
    assert meta["institutions"] and all("cross_province" in c["flags"] for c in meta["institutions"])
    text, meta = ask("市一医院电话多少")
    assert meta["institutions"][0]["name"] == "安澜市第一人民医院" and meta["institutions"][0]["phone"] in text
    assert {c["name"] for c in meta["institutions"]} <= LISTED


def test_not_in_the_list_is_said_and_handed_over() -> None:
    text, meta = ask("仁爱国际医院的电话是多少")
    assert "没有找到" in text and meta["institutions"] == [] and meta["handoff"]
    assert not any(name in text for name in LISTED)


def test_a_question_with_nothing_to_search_goes_to_the_documents() -> None:
    _, meta = ask("定点医疗机构是什么意思")
    assert "institutions" not in meta or not meta["institutions"]
    assert meta["citations"] or meta["fallback"]


def test_the_tile_button_offers_questions() -> None:
    messages, _ = run_action(ActionInstitutionLookup(), make_tracker("/ask_institution", "ask_institution"))
    assert any(m.get("buttons") for m in messages) and "附近" in answer_text(messages)


def test_verified_balance_tells_the_page_to_fetch_the_statement() -> None:
    slots = {"card_number": DEMO_CARD, "requested_slot": "pin"}
    tracker = make_tracker(DEMO_PIN, "inform", slots=slots, active_loop="balance_form")
    _, events = run_action(ValidateBalanceForm(), tracker)
    assert {"event": "slot", "name": "balance_verified", "value": True}.items() <= next(
        e for e in events if e.get("name") == "balance_verified").items()
    messages, _ = run_action(ActionShowBalance(), make_tracker("ok", "inform", slots={"balance_verified": True}))
    meta = answer_meta(messages)
    assert meta["show"] == "account_statement"
    assert "年末结余" not in answer_text(messages)  # the yearly table goes to the page, not into the tracker
