"""``YIBAO_ENV=production``: refuse to start with anything that is only fit for a demo.

    problems = production_problems()      # [] when not in production, or when all is well
    enforce_production("kiosk_api")       # raises ProductionRefused listing every problem

What the settings' own values show is refused when the settings load (``yibao.settings.demo_only_settings``:
the OTP file outbox, a missing Rasa token, action token or data key, the research-only model without
``YIBAO_ACCEPT_RESEARCH_MODEL=yes``); a demo is warned about them instead. What needs the database is checked
here, before a service starts: no demo accounts in the accounts database.
"""

from __future__ import annotations

from collections.abc import Callable

from yibao.settings import ProductionRefused, get_settings

__all__ = ["ProductionRefused", "enforce_production", "production_problems"]


def _demo_accounts() -> int:
    from sqlalchemy import func, select

    from accounts.models import InsuredPerson
    from accounts.service import get_account_service

    with get_account_service().transaction() as session:
        return int(session.scalar(select(func.count()).where(InsuredPerson.is_demo.is_(True))) or 0)


def production_problems(check_accounts: bool = True) -> list[str]:
    """Every problem production refuses: the settings' (as loading them refused), else the database's."""
    try:
        settings = get_settings()
    except ProductionRefused as refused:
        return refused.problems  # the database is checked once the settings pass
    if not settings.production or not check_accounts:
        return []
    try:
        demo = _demo_accounts()
    except Exception as exc:  # a database that cannot be opened is a problem of its own
        return [f"the accounts database cannot be checked: {exc}"]
    return [f"{demo} demo accounts are in the accounts database: remove them with `yibao accounts remove-demo`"
            ] if demo else []


def enforce_production(service: str, check: Callable[[], list[str]] = production_problems) -> None:
    problems = check()
    if problems:
        raise ProductionRefused(service, problems)
