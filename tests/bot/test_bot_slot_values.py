"""Colloquial values → the slot values the estimate and guide forms keep, and amounts written the Chinese way.
Insurance and visit types and amounts are read by the policy table (knowledge.policy_table), filing types by
bot/actions/filing_types.py."""

from __future__ import annotations

import pytest

from bot.actions.filing_types import filing_type
from knowledge.policy_table import amount_in, get_policy_table
from yibao.inputs import strip_separators


@pytest.mark.parametrize(
    ("text", "amount"),
    [("2万", 20000), ("两万", 20000), ("一万二", 12000), ("15000元", 15000), ("3.5万", 35000), ("1.2w", 12000),
     ("12,000", 12000), ("五千", 5000), ("三千五", 3500), ("花了8000多", 8000), ("十五万", 150000), ("300", 300),
     ("住院花了2万能报多少", 20000)],
)
def test_amounts_in_patient_phrasing(text: str, amount: float) -> None:
    assert amount_in(text) == amount


@pytest.mark.parametrize("text", ["", "不知道", "很多钱", "😀"])
def test_no_amount_is_none(text: str) -> None:
    assert amount_in(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("城镇职工医保", "职工医保"), ("我退休了", "职工医保"), ("城乡居民", "居民医保"), ("新农合", "新农合"),
     ("合作医疗", "新农合"), ("不知道", None)],
)
def test_insurance_types(text: str, expected: str | None) -> None:
    assert get_policy_table().named_insurance_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("住院", "住院"), ("出院结算", "住院"), ("看门诊", "普通门诊"), ("慢特病门诊", "门诊慢特病"), ("随便", None)],
)
def test_visit_types(text: str, expected: str | None) -> None:
    assert get_policy_table().visit_type_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("长期异地居住", "长期异地居住"), ("异地安置", "长期异地居住"), ("去外地出差", "临时外出"),
     ("转诊过去", "转院"), ("不清楚", None)],
)
def test_filing_types(text: str, expected: str | None) -> None:
    assert filing_type(text) == expected


def test_keypad_separators_are_stripped() -> None:
    assert strip_separators("6217 0012-3456") == "621700123456"
