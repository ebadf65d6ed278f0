"""`yibao accounts migrate|import|demo` and `yibao audit`.

There is deliberately no command that shows a balance: only a patient's own verification opens it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accounts import audit as audit_log
from accounts.db import database_url, make_engine, upgrade
from accounts.importer import DEMO_CSV, ImportProblem, read_csv, store
from accounts.service import get_account_service
from yibao.settings import get_settings

accounts_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()


def _safe_url() -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", database_url())


@accounts_app.command("migrate", help="创建或升级账户数据库（Alembic；可重复执行）")
def migrate() -> None:
    upgrade(make_engine())
    typer.echo(f"accounts database up to date: {_safe_url()}")


def _load(path: Path, demo: bool) -> int:
    try:
        rows = read_csv(path)
    except ImportProblem as exc:
        typer.echo(f"未导入任何账户，请修正以下问题后重试：\n{exc}", err=True)
        raise typer.Exit(1) from exc
    svc = get_account_service()
    with svc.transaction() as session:
        return store(session, rows, demo=demo)


@accounts_app.command("import", help="从 CSV 导入参保人账户（全部成功或全部不导入）")
def import_accounts(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV 文件")],
) -> None:
    count = _load(file, demo=False)
    typer.echo(f"imported {count} accounts into {_safe_url()}")


@accounts_app.command("demo", help="创建演示账户（可重复执行），并打印卡号和密码供试用")
def demo() -> None:
    if get_settings().production:
        typer.echo("YIBAO_ENV=production: demo accounts are not created in production", err=True)
        raise typer.Exit(1)
    count = _load(DEMO_CSV, demo=True)
    rows = read_csv(DEMO_CSV)
    table = Table(title=f"演示账户 DEMO ACCOUNTS ({count}) — 虚构数据，仅供试用")
    for column in ("卡号 card", "密码 PIN", "身份证后六位", "险种"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.card_number, row.pin, row.id_number[-6:], row.insurance_type)
    console.print(table)
    console.print("一次性验证码（演示）写在数据目录的 otp_outbox.jsonl 中，生产环境请接入医院短信网关。")


@accounts_app.command("remove-demo", help="删除所有演示账户（生产环境上线前执行）")
def remove_demo() -> None:
    from sqlalchemy import delete

    from accounts.models import InsuredPerson

    with get_account_service().transaction() as session:
        removed = session.execute(delete(InsuredPerson).where(InsuredPerson.is_demo.is_(True))).rowcount
    typer.echo(f"removed {removed or 0} demo accounts from {_safe_url()}")


def _since(value: str | None) -> datetime | None:
    """'30m', '2h', '7d' or an ISO date/time."""
    if not value:
        return None
    match = re.fullmatch(r"(\d+)([mhd])", value.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("请用 30m / 2h / 7d 或 2025-05-01T08:00 这样的格式") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def audit(
    since: Annotated[str | None, typer.Option(help="只看这之后的：30m、2h、7d 或 ISO 时间")] = None,
    event: Annotated[str | None, typer.Option(help=f"事件：{', '.join(audit_log.EVENTS)}")] = None,
    outcome: Annotated[str | None, typer.Option(help="结果，如 ok、failed、locked、disclosed、denied")] = None,
    conversation: Annotated[str | None, typer.Option(help="会话 ID")] = None,
    card: Annotated[str | None, typer.Option(help="卡号或其后四位")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="每行一条 JSON")] = False,
) -> None:
    """Verification and balance-disclosure audit log, newest first."""
    svc = get_account_service()
    with svc.transaction() as session:
        entries = audit_log.query(
            session, since=_since(since), event=event, outcome=outcome, conversation_id=conversation,
            card_last4=card, limit=limit,
        )
    fields = ("occurred_at", "event", "outcome", "actor", "channel", "conversation_id", "card_hint", "detail")
    if as_json:
        for entry in entries:
            record = {f: getattr(entry, f) for f in fields}
            typer.echo(json.dumps({**record, "occurred_at": entry.occurred_at.isoformat()}, ensure_ascii=False))
        return
    table = Table(title=f"审计日志 audit log ({len(entries)})")
    for f in fields:
        table.add_column(f)
    for entry in entries:
        table.add_row(*(str(getattr(entry, f)) for f in fields))
    console.print(table)


__all__ = ["accounts_app", "audit"]
