"""The year-by-year statement (各年度个人账户、缴费与欠费): only to the conversation that verified, audited,
imported with the accounts (all rows or none)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from accounts.importer import COLUMNS, AccountRow, ImportProblem, read_csv, store
from accounts.models import AuditEntry
from accounts.service import AccountService
from yibao.redaction import mask_card


def test_statement_only_after_verification_and_only_there(service: AccountService,
                                                          demo_rows: list[AccountRow]) -> None:
    row = demo_rows[0]
    assert service.disclose_statement("conv-s") is None
    assert service.verify_pin(row.card_number, row.pin, conversation_id="conv-s").ok
    assert service.disclose_statement("another-conversation") is None
    view = service.disclose_statement("conv-s", channel="kiosk")
    assert view is not None and view.masked_card == mask_card(row.card_number) and view.balance == row.balance
    assert [y.year for y in view.years] == sorted((y[0] for y in row.years), reverse=True) and len(view.years) >= 3
    newest = view.years[0]
    assert (newest.credited, newest.spent, newest.closing_balance) == tuple(
        max(row.years)[1:])
    assert [c.year for c in view.contributions] == sorted((c[0] for c in row.contributions), reverse=True)
    service.end_conversation("conv-s")
    assert service.disclose_statement("conv-s") is None


def test_arrears_by_period(service: AccountService, demo_rows: list[AccountRow]) -> None:
    owing = next(r for r in demo_rows if r.arrears_periods)
    assert service.verify_pin(owing.card_number, owing.pin, conversation_id="conv-owe").ok
    view = service.disclose_statement("conv-owe")
    assert view is not None and view.arrears == owing.arrears > 0
    period = view.arrears_periods[0]
    start, end, _, amount = owing.arrears_periods[0]
    assert (period.period_start, period.period_end, period.amount) == (start, end, amount)
    assert any(c.status == "未缴" for c in view.contributions)


def test_every_statement_disclosure_and_refusal_is_audited(service: AccountService,
                                                           demo_rows: list[AccountRow]) -> None:
    row = demo_rows[1]
    service.disclose_statement("conv-audit")
    service.verify_pin(row.card_number, row.pin, conversation_id="conv-audit")
    service.disclose_statement("conv-audit", channel="kiosk")
    with service.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.event == "disclose_statement")
                                  .order_by(AuditEntry.id)).all()
    assert [e.outcome for e in entries] == ["denied", "disclosed"]
    assert entries[1].card_hint == mask_card(row.card_number) and row.card_number not in entries[1].card_hint


def test_reimporting_accounts_with_years_replaces_them(service: AccountService,
                                                       demo_rows: list[AccountRow]) -> None:
    with service.transaction() as session:
        store(session, demo_rows[:1])
    with service.transaction() as session:  # the same years again must not collide in the unique index
        store(session, demo_rows[:1])
    row = demo_rows[0]
    service.verify_pin(row.card_number, row.pin, conversation_id="conv-again")
    view = service.disclose_statement("conv-again")
    assert view is not None and len(view.years) == len(row.years)


@pytest.fixture
def accounts_csv(tmp_path: Path) -> Callable[[str, str, str], Path]:
    def write(years: str, contributions: str = "", arrears: str = "") -> Path:
        header = ",".join([*COLUMNS, "years", "contributions", "arrears_periods"])
        line = f"9900000000000009,测试户,000000199001019999,123456,,职工,1.00,0,,{years},{contributions},{arrears}"
        path = tmp_path / "accounts.csv"
        path.write_text(f"{header}\n{line}\n", encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize(
    ("years", "contributions", "arrears", "problem"),
    [
        ("2024|1|2", "", "", "年度|划入|支出|年末结余"),
        ("1890|1|1|1", "", "", "年度不正确"),
        ("2024|1|1|1;2024|2|2|2", "", "", "两次"),
        ("", "2024|13|1|已缴", "", "0 到 12"),
        ("", "", "2025-13~2025-12|x|1", "2025-01~2025-12"),
        ("", "", "2025-06~2025-01|x|1", "2025-01~2025-12"),
        ("2024|一千|1|1", "", "", "不是金额"),
    ],
)
def test_bad_yearly_columns_are_refused_with_the_line(accounts_csv: Callable[..., Path], years: str,
                                                       contributions: str, arrears: str, problem: str) -> None:
    with pytest.raises(ImportProblem) as refused:
        read_csv(accounts_csv(years, contributions, arrears))
    assert "第 2 行" in str(refused.value) and problem in str(refused.value)


def test_yearly_columns_are_optional(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(",".join(COLUMNS) + "\n9900000000000008,旧格式,000000199001018888,123456,,职工,1,0,\n",
                    encoding="utf-8")
    row = read_csv(path)[0]
    assert row.years == [] and row.contributions == [] and row.arrears_periods == []


def test_one_verification_shows_the_balance_once_then_the_statement_once(
        service: AccountService, demo_rows: list[AccountRow]) -> None:
    row = demo_rows[0]
    assert service.verify_pin(row.card_number, row.pin, conversation_id="conv-once").ok
    assert service.disclose_balance("conv-once") is not None
    assert not service.is_verified("conv-once")  # a second balance needs a new verification
    assert service.disclose_balance("conv-once") is None
    assert service.disclose_statement("conv-once") is not None  # the page's statement after the balance
    assert service.disclose_statement("conv-once") is None  # a replayed request gets nothing
