"""Loading insured persons from CSV (``yibao accounts import``), all rows or none.

Columns: card_number, name, id_number, pin, phone, insurance_type, balance, arrears, transactions
``transactions`` is ``YYYY-MM-DD|description|amount`` items separated by ``;``. Names are stored masked and
PINs / ID numbers only as argon2 hashes; a row for an existing card number replaces that account.

Optional year-by-year columns (items separated by ``;``):
    years           年度|划入|支出|年末结余            2024|2583.60|1210.40|3268.45
    contributions   缴费年度|月数|金额|状态             2024|12|380.00|已缴
    arrears_periods 起始年月~截止年月|说明|金额          2025-01~2025-12|城乡居民医保个人缴费|380.00
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.hashing import hash_secret
from accounts.models import AccountYear, ArrearsPeriod, Contribution, InsuredPerson, Transaction
from yibao.inputs import ID_LAST6_PATTERN, PIN_PATTERN, normalize, valid_card
from yibao.redaction import mask_name

COLUMNS = ("card_number", "name", "id_number", "pin", "phone", "insurance_type", "balance", "arrears", "transactions")
OPTIONAL_COLUMNS = ("years", "contributions", "arrears_periods")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEMO_CSV = Path(__file__).resolve().parent / "data" / "demo_accounts.csv"


class ImportProblem(ValueError):
    """Rows that cannot be imported, each with its line number (nothing is imported then)."""


@dataclass(frozen=True)
class AccountRow:
    card_number: str
    name: str
    id_number: str
    pin: str
    phone: str
    insurance_type: str
    balance: Decimal
    arrears: Decimal
    transactions: list[tuple[date, str, Decimal]]
    years: list[tuple[int, Decimal, Decimal, Decimal]] = field(default_factory=list)
    contributions: list[tuple[int, int, Decimal, str]] = field(default_factory=list)
    arrears_periods: list[tuple[str, str, str, Decimal]] = field(default_factory=list)


def _money(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation as exc:
        raise ValueError(f"{what}不是金额：{text!r}") from exc
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ValueError(f"{what}超出范围：{text!r}")
    return value.quantize(Decimal("0.01"))


def _transactions(text: str) -> list[tuple[date, str, Decimal]]:
    items = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        fields = item.split("|")
        if len(fields) != 3:
            raise ValueError(f"交易记录应为 日期|说明|金额：{item!r}")
        try:
            day = date.fromisoformat(fields[0].strip())
        except ValueError as exc:
            raise ValueError(f"交易日期不正确：{fields[0]!r}") from exc
        items.append((day, fields[1].strip()[:100], _money(fields[2], "交易金额")))
    return items


def _items(text: str, width: int, layout: str) -> list[list[str]]:
    items = []
    for item in filter(None, (part.strip() for part in (text or "").split(";"))):
        fields_ = [f.strip() for f in item.split("|")]
        if len(fields_) != width:
            raise ValueError(f"应为 {layout}：{item!r}")
        items.append(fields_)
    return items


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text) or not 1990 <= int(text) <= 2100:
        raise ValueError(f"年度不正确：{text!r}")
    return int(text)


def _years(text: str) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    rows = [(_year(y), _money(c, "划入"), _money(s, "支出"), _money(b, "年末结余"))
            for y, c, s, b in _items(text, 4, "年度|划入|支出|年末结余")]
    years = [r[0] for r in rows]
    if len(set(years)) != len(years):
        raise ValueError("同一年度写了两次")
    return rows


def _contributions(text: str) -> list[tuple[int, int, Decimal, str]]:
    rows = []
    for year, months, amount, status in _items(text, 4, "缴费年度|月数|金额|状态"):
        if not months.isdigit() or not 0 <= int(months) <= 12:
            raise ValueError(f"缴费月数应为 0 到 12：{months!r}")
        if not status or len(status) > 16:
            raise ValueError(f"缴费状态不正确：{status!r}")
        rows.append((_year(year), int(months), _money(amount, "缴费金额"), status))
    return rows


def _arrears_periods(text: str) -> list[tuple[str, str, str, Decimal]]:
    rows = []
    for period, description, amount in _items(text, 3, "起始年月~截止年月|说明|金额"):
        start, _, end = period.partition("~")
        start, end = start.strip(), (end.strip() or start.strip())
        if not (_PERIOD.fullmatch(start) and _PERIOD.fullmatch(end)) or end < start:
            raise ValueError(f"欠费期间应为 2025-01~2025-12：{period!r}")
        rows.append((start, end, description[:100] or "欠费", _money(amount, "欠费金额")))
    return rows


def parse_row(raw: dict[str, str]) -> AccountRow:
    card, id_number, pin = normalize(raw["card_number"]), normalize(raw["id_number"]), normalize(raw["pin"])
    if not valid_card(card):
        raise ValueError("卡号应为 6 到 20 位数字或字母")
    if len(id_number) not in (15, 18) or not ID_LAST6_PATTERN.fullmatch(id_number[-6:]):
        raise ValueError("身份证号应为 15 或 18 位")
    if not PIN_PATTERN.fullmatch(pin):
        raise ValueError("密码应为 6 位数字")
    name = raw["name"].strip()
    if not name:
        raise ValueError("姓名为空")
    return AccountRow(
        card_number=card,
        name=name,
        id_number=id_number,
        pin=pin,
        phone=normalize(raw.get("phone") or ""),
        insurance_type=(raw.get("insurance_type") or "").strip()[:32] or "未注明",
        balance=_money(raw.get("balance") or "0", "余额"),
        arrears=_money(raw.get("arrears") or "0", "欠费"),
        transactions=_transactions(raw.get("transactions") or ""),
        years=_years(raw.get("years") or ""),
        contributions=_contributions(raw.get("contributions") or ""),
        arrears_periods=_arrears_periods(raw.get("arrears_periods") or ""),
    )


def read_csv(path: Path) -> list[AccountRow]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportProblem(f"{path.name}: 缺少列 {', '.join(missing)}")
        rows, problems = [], []
        for line_no, raw in enumerate(reader, start=2):
            try:
                rows.append(parse_row(raw))
            except (ValueError, AttributeError) as exc:  # AttributeError: a short row has None fields
                problems.append(f"第 {line_no} 行：{exc}")
    if problems:
        raise ImportProblem("\n".join(problems))
    return rows


def store(session: Session, rows: list[AccountRow], *, demo: bool = False) -> int:
    """Insert or replace the accounts in ``rows``; returns how many were written."""
    now = datetime.now(UTC)
    for row in rows:
        person = session.scalar(select(InsuredPerson).where(InsuredPerson.card_number == row.card_number))
        if person is None:
            person = InsuredPerson(card_number=row.card_number)
            session.add(person)
        person.masked_name = mask_name(row.name)
        person.id_number_hash = hash_secret(row.id_number)
        person.id_last6_hash = hash_secret(row.id_number[-6:])
        person.pin_hash = hash_secret(row.pin)
        person.phone = row.phone or None
        person.insurance_type = row.insurance_type
        person.balance = row.balance
        person.arrears = row.arrears
        person.is_demo = demo
        person.updated_at = now
        if person.id is not None:
            # Old yearly rows go first: a year imported again must not meet itself in the unique index.
            person.years, person.contributions, person.arrears_periods = [], [], []
            session.flush()
        person.transactions = [Transaction(occurred_on=d, description=t, amount=a) for d, t, a in row.transactions]
        person.years = [AccountYear(year=y, credited=c, spent=s, closing_balance=b) for y, c, s, b in row.years]
        person.contributions = [Contribution(year=y, months=m, amount=a, status=st)
                                for y, m, a, st in row.contributions]
        person.arrears_periods = [ArrearsPeriod(period_start=s, period_end=e, description=d, amount=a)
                                  for s, e, d, a in row.arrears_periods]
    return len(rows)
