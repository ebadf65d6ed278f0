"""Masking of personal numbers in free text (both venvs use this module) and in our structured logs."""

from __future__ import annotations

import json
import logging

import pytest

from yibao.logging import RedactingFilter, redact_event
from yibao.redaction import SECRET_PLACEHOLDER, mask_card, mask_name, redact, redact_value

SENSITIVE = [
    ("身份证 110105199001011234 的报销", "110105199001011234"),
    ("身份证号11010519900101123X", "11010519900101123X"),
    ("身份证号11010519900101123x", "11010519900101123x"),
    ("老身份证110105900101123", "110105900101123"),
    ("电话13812345678联系我", "13812345678"),
    ("手机 +86 138-1234-5678", "1381234"),
    ("手机１３８１２３４５６７８", "１３８１２３４５６７８"),
    ("座机 010-87654321", "87654321"),
    ("医保卡号 9900000000000001", "9900000000000001"),
    ("卡号 9900 0000 0000 0001", "9900 0000 0000 0001"),
    ("社保卡A12345678", "A12345678"),
    ("我的密码是123456", "123456"),
    ("验证码：654321", "654321"),
    ("PIN 8642", "8642"),
]


@pytest.mark.parametrize(("text", "secret"), SENSITIVE)
def test_sensitive_numbers_are_masked(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert "*" in masked
    assert redact(masked) == masked  # idempotent: redacting twice changes nothing more


@pytest.mark.parametrize(
    "text",
    ["职工医保住院报销比例是多少", "起付线800元，封顶线40万", "请拨打12393", "2024年1月1日起执行", "花了5000元能报多少",
     "", "😀<script>alert(1)</script>"],
)
def test_ordinary_questions_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_phone_keeps_the_usual_chinese_mask_and_cards_keep_last_four() -> None:
    assert redact("13812345678") == "138****5678"
    assert redact("9900000000000001") == "************0001"
    assert mask_card("9900000000000001") == "************0001"


def test_secret_mode_hides_everything() -> None:
    assert redact("246810", secret=True) == SECRET_PLACEHOLDER


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张*丰"), ("李四", "李*"), ("欧阳娜娜", "欧**娜"), ("王", "*")]
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_redact_value_walks_nested_structures() -> None:
    value = {"a": ["卡号9900000000000001", {"b": "13812345678"}], "n": 5, "none": None}
    flat = json.dumps(redact_value(value), ensure_ascii=False)
    assert "9900000000000001" not in flat and "13812345678" not in flat and '"n": 5' in flat


def test_structlog_processor_masks_every_field_and_hides_secret_keys() -> None:
    event = redact_event(
        None, "info", {"event": "chat 13812345678", "text": "身份证110105199001011234", "pin": "246810"}
    )
    flat = json.dumps(event, ensure_ascii=False)
    assert "13812345678" not in flat and "110105199001011234" not in flat and "246810" not in flat


def test_standard_logging_records_are_redacted() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, "GET /api/x?card=%s", ("9900000000000001",), None
    )
    assert RedactingFilter().filter(record)
    assert "9900000000000001" not in record.getMessage()


def test_redacted_records_keep_their_argument_shape_for_positional_formatters() -> None:
    # uvicorn's access formatter unpacks record.args into five names; a None or joined args would crash it.
    args = ("127.0.0.1:5000", "GET", "/api/x?card=9900000000000001", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    assert RedactingFilter().filter(record)
    client, method, path, version, status = record.args
    assert (client, method, version, status) == ("127.0.0.1:5000", "GET", "1.1", 200)
    assert "9900000000000001" not in path
