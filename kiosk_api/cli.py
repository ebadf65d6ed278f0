"""`yibao report …`: what the knowledge-base maintainers and the service desk look at."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kiosk_api.store import get_store, utcnow
from yibao.settings import get_settings

report_app = typer.Typer(no_args_is_help=True, add_completion=False)
DaysOption = Annotated[int, typer.Option("--days", min=1, help="最近几天")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON 行，便于导出")]


@report_app.command("unanswered", help="没答上来、转人工或把握不大的问题（已脱敏），最新的在前")
def unanswered(
    days: DaysOption = 7,
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多几条")] = 100,
    as_json: JsonOption = False,
) -> None:
    rows = get_store().unanswered(utcnow() - timedelta(days=days), get_settings().answer_threshold, limit)
    if as_json:
        for row in rows:
            typer.echo(json.dumps({**row, "created_at": row["created_at"].isoformat()}, ensure_ascii=False))
        return
    # Questions are patients' words: rich must print them literally, never read "[...]" as markup.
    table = Table(title=f"最近 {days} 天未答好的问题：{len(rows)} 条", show_lines=False)
    for col in ("时间 (UTC)", "渠道", "问题", "意图", "置信度", "原因"):
        table.add_column(col, overflow="fold")
    for row in rows:
        reason = "转人工" if row["handoff"] else "没把握" if row["fallback"] else "置信度低"
        conf = "" if row["confidence"] is None else f"{row['confidence']:.2f}"
        table.add_row(f"{row['created_at']:%Y-%m-%d %H:%M}", row["channel"], row["question"],
                      row["intent"] or "", conf, reason)
    Console(markup=False).print(table)


@report_app.command("satisfaction", help="满意度：各渠道的提问数与 👍 / 👎 / 没解决")
def satisfaction(days: DaysOption = 30, as_json: JsonOption = False) -> None:
    counts = get_store().satisfaction(utcnow() - timedelta(days=days))
    if as_json:
        typer.echo(json.dumps(counts, ensure_ascii=False))
        return
    table = Table(title=f"最近 {days} 天满意度")
    for col in ("渠道", "提问", "👍", "👎", "没解决", "满意率"):
        table.add_column(col, justify="right")
    for channel, c in sorted(counts.items()):
        rated = c["up"] + c["down"] + c["unsolved"]
        share = f"{c['up'] / rated:.0%}" if rated else "—"
        table.add_row(channel, *(str(c[k]) for k in ("questions", "up", "down", "unsolved")), share)
    Console(markup=False).print(table)
