"""`yibao faq add|list|retire|history|export|import`: curated answers from the command line."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

faq_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()
ByOption = Annotated[str | None, typer.Option("--by", help="记录在版本里的操作人（默认：cli:系统用户名）")]


def _actor(by: str | None) -> str:
    return by or f"cli:{getpass.getuser()}"


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[red]{exc}[/red]", markup=True, highlight=False)
    return typer.Exit(1)


@faq_app.command("add", help="新建标准答案：必须用 --source 注明段落编号（yibao search --json 可查）或政策表行")
def add(
    question: Annotated[str, typer.Option("--question", help="患者的问题")],
    answer: Annotated[str, typer.Option("--answer", help="给患者看的简短答案")],
    source: Annotated[str, typer.Option("--source", help="段落编号，如 003-1a2b3c4d5e；或政策表行 policy:1:ratio")],
    variant: Annotated[list[str] | None, typer.Option("--variant", help="同一个问题的其他问法（可多次）")] = None,
    by: ByOption = None,
) -> None:
    from knowledge.faq import CuratedError, get_curated_answers

    try:
        created = get_curated_answers().create(question, answer, source, _actor(by), variants=variant or [])
    except CuratedError as exc:
        raise _fail(exc) from exc
    console.print(f"已新建标准答案 #{created.id}（来源：《{created.citation['doc']}》{created.citation['section']}）",
                  markup=False)


@faq_app.command("list", help="列出标准答案")
def list_answers(
    all_: Annotated[bool, typer.Option("--all", help="包括已停用的")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    from knowledge.faq import get_curated_answers

    answers = get_curated_answers().all(include_retired=all_)
    if as_json:
        typer.echo(json.dumps([a.as_dict() for a in answers], ensure_ascii=False, indent=2))
        return
    table = Table(title="标准答案")
    for col in ("#", "问题", "答案", "来源", "状态", "版本", "修改人"):
        table.add_column(col, overflow="fold")
    for a in answers:
        table.add_row(str(a.id), a.question, a.answer[:60], a.source_id, a.status, str(a.version), a.updated_by)
    Console(markup=False).print(table)


@faq_app.command("retire", help="停用一条标准答案")
def retire(answer_id: Annotated[int, typer.Argument()], by: ByOption = None) -> None:
    from knowledge.faq import CuratedError, get_curated_answers

    try:
        get_curated_answers().retire(answer_id, _actor(by))
    except CuratedError as exc:
        raise _fail(exc) from exc
    console.print(f"#{answer_id} 已停用")


@faq_app.command("history", help="一条标准答案的全部版本（谁、何时、改了什么）")
def history(answer_id: Annotated[int, typer.Argument()]) -> None:
    from knowledge.faq import get_curated_answers

    typer.echo(json.dumps(get_curated_answers().history(answer_id), ensure_ascii=False, indent=2))


@faq_app.command("export", help="导出为 YAML（在测试环境和正式环境之间迁移）")
def export(file: Annotated[Path, typer.Argument(dir_okay=False, help="输出文件")]) -> None:
    from knowledge.faq import get_curated_answers

    file.write_text(get_curated_answers().export_yaml(), encoding="utf-8")
    console.print(f"已导出到 {file}")


@faq_app.command("import", help="从 YAML 导入（同一问题更新，其余新建；来源逐条核对）")
def import_(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], by: ByOption = None) -> None:
    from knowledge.faq import CuratedError, get_curated_answers

    try:
        counts = get_curated_answers().import_yaml(file.read_text(encoding="utf-8"), _actor(by))
    except CuratedError as exc:
        raise _fail(exc) from exc
    console.print(f"导入完成：新建 {counts['created']} 条，更新 {counts['updated']} 条")
