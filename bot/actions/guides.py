"""Step-by-step guidance forms: 异地就医备案 (by filing type) and 门诊慢特病 application (by disease).

The guidance is assembled from cited passages, one knowledge-base search per aspect, never from text
written here: when the documents say nothing about an aspect, the patient is told so and sent to a person.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, passages, texts
from bot.actions.filing_types import filing_type
from bot.actions.forms import FormWithExits
from bot.actions.replies import main_menu, not_sure, reply

_DISEASE_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·]{2,20}")
_DISEASE_FILLER = re.compile(
    r"(我要申请|我想申请|申请|我有|我得了|得了|是|的|门诊|慢特病|慢性病|特殊病种?|门特|病种|[，。,.！!？?\s])"
)


def filing_aspects(kind: str) -> list[tuple[str, str]]:
    """(label, the question a patient would ask about it): each is answered like any question, or said missing."""
    return [
        ("需要的材料", f"{kind}就医备案需要提供什么材料"),
        ("有效期", f"{kind}就医备案的有效期多久"),
        ("在哪里办", "异地就医备案到哪里办理"),
        ("没有备案会怎样", "异地就医没有备案的费用怎么报销"),
    ]


def disease_aspects(disease: str) -> list[tuple[str, str]]:
    return [
        ("能否申请", f"{disease}属于门诊特定病种吗"),
        ("需要的材料", "特殊疾病认定需要提供什么材料"),
        ("办理流程", "门诊特定病种认定手续怎么办理"),
        ("待遇", f"{disease}慢性病门诊报销比例是多少"),
    ]


def guide(
    dispatcher: CollectingDispatcher, tracker: Tracker, title: str, aspects: list[tuple[str, str]], topic: str,
    intent: str,
) -> None:
    """One answer per aspect, checked like any answer (knowledge.answer: key terms, asked type, place); an aspect
    the documents do not answer is named as such, never filled with a passage that is merely near."""
    lines, citations, seen, confidences = [title], [], set(), []
    try:
        for label, question in aspects:
            outcome = backends.find_answer(question, [topic])
            finding = next((f for f in outcome.findings if f.text not in seen), None)  # one passage, two aspects
            if outcome.refusal or finding is None:
                lines.append(f"· {label}：" + texts.GUIDE_NOTHING_FOUND.format(topic=label, help=""))
                continue
            seen.add(finding.text)
            lines.append(f"· {label}：{finding.text}")
            citations.append(passages.citation(finding.hit, finding.text))
            confidences.append(outcome.confidence)
    except backends.BackendUnavailable as exc:
        reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
              fallback=True, handoff=True, intent=intent)
        return
    if not citations:
        not_sure(dispatcher, tracker, intent=intent)
        return
    lines.append(texts.LOCAL_RULES_NOTE + texts.human_help())
    reply(dispatcher, tracker, "\n".join(lines), citations=citations, confidence=min(confidences),
          buttons=main_menu(), intent=intent)


class ValidateRemoteFilingForm(FormWithExits):
    def name(self) -> str:
        return "validate_remote_filing_form"

    def validate_filing_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = filing_type(str(value or ""))
        if kind is None:
            reply(dispatcher, tracker, texts.INVALID_FILING_TYPE, intent="guide_remote_filing")
        return {"filing_type": kind}


class ValidateSpecialDiseaseForm(FormWithExits):
    def name(self) -> str:
        return "validate_special_disease_form"

    def validate_disease(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = _DISEASE_FILLER.sub("", str(value or ""))
        if not _DISEASE_NAME.fullmatch(name):
            reply(dispatcher, tracker, texts.INVALID_DISEASE, intent="guide_special_disease")
            return {"disease": None}
        return {"disease": name}


class ActionRemoteFilingGuide(Action):
    def name(self) -> str:
        return "action_remote_filing_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        kind = tracker.get_slot("filing_type") or "异地就医"
        guide(dispatcher, tracker, texts.FILING_GUIDE_TITLE.format(filing_type=kind), filing_aspects(kind),
              "remote_filing", "guide_remote_filing")
        return [SlotSet("filing_type", None)]


class ActionSpecialDiseaseGuide(Action):
    def name(self) -> str:
        return "action_special_disease_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        disease = tracker.get_slot("disease") or "慢特病"
        guide(dispatcher, tracker, texts.DISEASE_GUIDE_TITLE.format(disease=disease), disease_aspects(disease),
              "special_disease", "guide_special_disease")
        return [SlotSet("disease", None)]

