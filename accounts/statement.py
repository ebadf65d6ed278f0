"""The year-by-year account statement (各年度个人账户、缴费与欠费), for a verified conversation only.

    view = get_account_service().disclose_statement(session_id, channel="kiosk")   # StatementView | None

Like the balance it is disclosed once, only to the conversation that verified, within the verification window, and
every disclosure (or refusal) is written to the audit log in the same transaction. It is meant to go straight
from kiosk_api to the page (``POST /api/account/statement``): never through Rasa, so the tracker store, the logs
and the unanswered-questions report never see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from accounts import audit
from accounts.models import InsuredPerson
from yibao.inputs import valid_conversation_id
from yibao.redaction import mask_card

if TYPE_CHECKING:
    from accounts.service import AccountService

EVENT = "disclose_statement"


class YearLine(NamedTuple):
    year: int
    credited: Decimal  # 划入
    spent: Decimal  # 支出
    closing_balance: Decimal  # 年末结余


class ContributionLine(NamedTuple):
    year: int
    months: int
    amount: Decimal
    status: str


class ArrearsLine(NamedTuple):
    period_start: str  # YYYY-MM
    period_end: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class StatementView:
    masked_name: str
    masked_card: str
    insurance_type: str
    balance: Decimal  # this year's (current) balance
    arrears: Decimal  # total owed
    years: list[YearLine]  # newest first
    contributions: list[ContributionLine]  # newest first
    arrears_periods: list[ArrearsLine]  # newest first
    generated_at: datetime
    verified_until: datetime


def disclose_statement(service: AccountService, conversation_id: str, *, channel: str = "kiosk"
                       ) -> StatementView | None:
    now = service.clock()
    with service.transaction() as session:
        grant = service._active_verification(session, conversation_id, now)
        # Once per verification, like the balance (shown before it or not): a replay gets nothing.
        if grant is None or not service.claim(session, grant, now, "revoked_at"):
            conv = conversation_id if valid_conversation_id(conversation_id) else "?"
            audit.record(session, now, EVENT, "denied", channel, conv, "")
            return None
        person = session.get_one(InsuredPerson, grant.person_id)
        audit.record(session, now, EVENT, "disclosed", channel, conversation_id, person.card_number,
                     f"years={len(person.years)}")
        owed = sum((a.amount for a in person.arrears_periods), Decimal("0"))
        return StatementView(
            masked_name=person.masked_name,
            masked_card=mask_card(person.card_number),
            insurance_type=person.insurance_type,
            balance=person.balance,
            arrears=max(person.arrears, owed),
            years=[YearLine(y.year, y.credited, y.spent, y.closing_balance) for y in person.years],
            contributions=[ContributionLine(c.year, c.months, c.amount, c.status) for c in person.contributions],
            arrears_periods=[ArrearsLine(a.period_start, a.period_end, a.description, a.amount)
                             for a in person.arrears_periods],
            generated_at=now,
            verified_until=grant.expires_at,
        )
