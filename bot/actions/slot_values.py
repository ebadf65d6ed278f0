"""Colloquial words → the canonical slot values the forms and backends use, and amounts written the Chinese way."""

from __future__ import annotations

import re

# First matching keyword wins; order matters (e.g. 城镇职工 before 城镇居民).
_INSURANCE_TYPES = [
    (("职工", "在职", "退休", "单位"), "职工"),
    (("新农合", "农合", "合作医疗"), "新农合"),
    (("居民", "城乡", "学生", "儿童", "灵活"), "居民"),
]
_VISIT_TYPES = [
    (("住院", "入院", "出院"), "住院"),
    (("慢特病", "特殊病", "特定病", "慢性病", "门特", "门慢"), "门诊慢特病"),
    (("门诊", "急诊", "看病", "拿药"), "门诊"),
]
_FILING_TYPES = [
    (("转院", "转诊"), "转院"),
    (("长期", "常住", "居住", "安置", "常驻", "定居", "随子女", "养老"), "长期异地居住"),
    (("临时", "外出", "出差", "旅游", "探亲", "短期"), "临时外出"),
]
FILING_TYPE_CHOICES = ["长期异地居住", "临时外出", "转院"]
INSURANCE_TYPE_CHOICES = [("职工医保", "职工"), ("城乡居民医保", "居民"), ("新农合", "新农合")]
VISIT_TYPE_CHOICES = ["门诊", "住院", "门诊慢特病"]


def _first_match(text: str, table: list[tuple[tuple[str, ...], str]]) -> str | None:
    for keywords, value in table:
        if any(k in text for k in keywords):
            return value
    return None


def insurance_type(text: str) -> str | None:
    """职工 | 居民 | 新农合 (新农合 is kept so the answer can explain the merger)."""
    return _first_match(text, _INSURANCE_TYPES)


def visit_type(text: str) -> str | None:
    return _first_match(text, _VISIT_TYPES)


def filing_type(text: str) -> str | None:
    return _first_match(text, _FILING_TYPES)


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ARABIC_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|w|W|千|k|K)?")
_CHINESE_AMOUNT = re.compile(r"[零〇一二两三四五六七八九十百千万]+")


def _chinese_number(text: str) -> float | None:
    """一万二 → 12000, 三千五 → 3500, 两万 → 20000, 十五万 → 150000 (colloquial trailing digit = next unit)."""
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "万":
            section = (section + (digit or 0)) * 10000
            total, section, digit, last_unit = total + section, 0, None, 10000
        else:
            unit = _UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:
        # "一万二": a bare trailing digit counts in the unit below the last one said.
        section += digit * (last_unit // 10 if last_unit >= 10 else 1)
    value = total + section
    return float(value) if value > 0 else None


def parse_amount(text: str) -> float | None:
    """The first amount of money in text, in yuan: 2万, 15000元, 3.5万, 1.2w, 12,000, 五千, 一万二."""
    text = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    arabic = _ARABIC_AMOUNT.search(text)
    if arabic:
        value = float(arabic.group(1))
        unit = (arabic.group(2) or "").lower()
        return value * {"万": 10000, "w": 10000, "千": 1000, "k": 1000}.get(unit, 1)
    chinese = _CHINESE_AMOUNT.search(text)
    return _chinese_number(chinese.group(0)) if chinese else None
