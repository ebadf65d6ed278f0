"""``YIBAO_ENV=production``: refuse to start with anything that is only fit for a demo.

    problems = production_problems()      # [] when not in production, or when all is well
    enforce_production("kiosk_api")       # raises ProductionRefused listing every problem

Checked in production: no demo accounts in the accounts database; one-time codes go to the SMS gateway
(``YIBAO_OTP_SENDER=webhook`` with a URL), not to the file outbox; the Rasa token and the data key are given
(environment or an existing file) - never generated on the spot, which would make a restored database
unreadable; the research-only embedding model only with ``YIBAO_ACCEPT_RESEARCH_MODEL=yes``.
"""

from __future__ import annotations

from collections.abc import Callable

from yibao.settings import _default_embedding_model, get_settings

RESEARCH_MODEL_ACK = "YIBAO_ACCEPT_RESEARCH_MODEL"


class ProductionRefused(SystemExit):
    """Raised at start-up; its message lists what to fix."""


def _demo_accounts() -> int:
    from sqlalchemy import func, select

    from accounts.models import InsuredPerson
    from accounts.service import get_account_service

    with get_account_service().transaction() as session:
        return int(session.scalar(select(func.count()).where(InsuredPerson.is_demo.is_(True))) or 0)


def production_problems(check_accounts: bool = True) -> list[str]:
    settings = get_settings()
    if not settings.production:
        return []
    problems = []
    if settings.otp_sender.strip().lower() != "webhook" or not settings.sms_webhook_url:
        problems.append("one-time codes would go to the demo file outbox: set YIBAO_OTP_SENDER=webhook and "
                        "YIBAO_SMS_WEBHOOK_URL (and YIBAO_SMS_WEBHOOK_TOKEN) for the hospital's SMS gateway")
    if not settings.has_secret("rasa_token_override", "rasa_token"):
        problems.append("no Rasa token: set YIBAO_RASA_TOKEN (or create <data dir>/secrets/rasa_token, mode 0600)")
    if not settings.has_secret("action_token_override", "action_token"):
        problems.append("no action token: set YIBAO_ACTION_TOKEN (or create <data dir>/secrets/action_token, "
                        "mode 0600, e.g. with `yibao secrets`)")
    if not settings.has_secret("tracker_key", "tracker.key"):
        problems.append("no data key: set YIBAO_TRACKER_KEY or restore <data dir>/secrets/tracker.key from the "
                        "backup (a new key cannot read stored card numbers); `yibao secrets init` makes a first one")
    if settings.embedding_model == _default_embedding_model() and settings.accept_research_model != "yes":
        problems.append("the embedding model m3e-small is licensed for research only: set YIBAO_EMBEDDING_MODEL "
                        f"to a model the hospital may use, or {RESEARCH_MODEL_ACK}=yes to accept its licence")
    if check_accounts:
        try:
            demo = _demo_accounts()
        except Exception as exc:  # a database that cannot be opened is a problem of its own
            problems.append(f"the accounts database cannot be checked: {exc}")
        else:
            if demo:
                problems.append(f"{demo} demo accounts are in the accounts database: "
                                "remove them with `yibao accounts remove-demo`")
    return problems


def enforce_production(service: str, check: Callable[[], list[str]] = production_problems) -> None:
    problems = check()
    if problems:
        raise ProductionRefused(f"{service}: YIBAO_ENV=production refuses to start:\n  - " + "\n  - ".join(problems))
