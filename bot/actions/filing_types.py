"""The remote-filing guide's filing types: colloquial words → the canonical type the guide looks up.

Insurance and visit types and amounts belong to the policy table (knowledge.policy_table); what a patient types
at the card, PIN and ID prompts is checked with yibao.inputs."""

from __future__ import annotations

# First matching keyword wins; order matters.
_FILING_TYPES = [
    (("转院", "转诊"), "转院"),
    (("长期", "常住", "居住", "安置", "常驻", "定居", "随子女", "养老"), "长期异地居住"),
    (("临时", "外出", "出差", "旅游", "探亲", "短期"), "临时外出"),
]
FILING_TYPE_CHOICES = ["长期异地居住", "临时外出", "转院"]


def filing_type(text: str) -> str | None:
    return next((value for keywords, value in _FILING_TYPES if any(k in text for k in keywords)), None)
