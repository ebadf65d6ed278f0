"""What each intent means to the actions: the knowledge-base topics it searches, and what a bare button asks.

Filing types are in filing_types.py; insurance and visit types and amounts in knowledge.policy_table."""

from __future__ import annotations

# Knowledge-base topics (docs/CONTRACTS.md) searched for each intent; None searches every topic.
INTENT_TOPICS: dict[str, list[str] | None] = {
    "ask_reimbursement": ["reimbursement"],
    "estimate_reimbursement": ["reimbursement"],
    "ask_special_disease": ["special_disease"],
    "guide_special_disease": ["special_disease"],
    "ask_remote_filing": ["remote_filing"],
    "guide_remote_filing": ["remote_filing"],
    "ask_catalog": ["catalog"],
    "ask_institution": ["institution"],
    "check_balance": ["account"],
    "ask_policy": None,
}

# What a quick-reply button without text (payload "/ask_catalog") asks about.
DEFAULT_QUESTIONS: dict[str, str] = {
    "ask_reimbursement": "医保报销比例 起付线 封顶线",
    "ask_special_disease": "门诊特殊病种 慢性病 申请",
    "ask_remote_filing": "异地就医备案 直接结算",
    "ask_catalog": "甲类 乙类 药品 报销 自付",
    "ask_institution": "定点医药机构",
    "ask_policy": "医保政策",
}
