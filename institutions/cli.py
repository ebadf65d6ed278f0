"""`yibao institutions import|search|ask`: load the directory (CSV or XLSX, all rows or none) and try searches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from institutions.answers import answer_question, card
from institutions.importer import ImportRefused, apply, read_file
from institutions.models import FLAGS
from institutions.search import InstitutionQuery, QueryProblem, get_directory

institutions_app = typer.Typer(no_args_is_help=True, add_completion=False)


def import_file(path: Path) -> str:
    """Import ``path`` into the project's database; the report's summary (ImportRefused if the file is bad)."""
    records, sample = read_file(path)  # every row checked before the database is touched
    directory = get_directory()
    with directory.transaction() as session:
        report = apply(session, records, source_name=Path(path).name, sample=sample)
    return report.summary()


@institutions_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="定点医药机构名录：CSV（UTF-8）或 XLSX，列见 README")],
) -> None:
    """导入定点医药机构名录（整体替换；文件有错时什么都不导入，原名录不变；重复导入同一文件不改变任何内容）。"""
    try:
        typer.echo(import_file(file))
    except ImportRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@institutions_app.command("search")
def search_command(
    name: Annotated[str, typer.Argument(help="名称、简称、拼音或首字母；可留空只按条件筛选")] = "",
    type_: Annotated[list[str] | None, typer.Option("--type", help="机构类型，如 零售药店")] = None,
    district: Annotated[list[str] | None, typer.Option(help="区县")] = None,
    level: Annotated[list[str] | None, typer.Option(help="等级：三级/二级/一级/未定级")] = None,
    flag: Annotated[list[str] | None, typer.Option(help=f"条件：{', '.join(FLAGS)}")] = None,
    near: Annotated[bool, typer.Option(help="离自助机最近的在前")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """按名称和条件查询，JSON 输出。"""
    unknown = [f for f in flag or [] if f not in FLAGS]
    if unknown:
        raise typer.BadParameter(f"未知条件 {unknown}；可用：{', '.join(FLAGS)}")
    query = InstitutionQuery(name=name, types=tuple(type_ or ()), districts=tuple(district or ()),
                             levels=tuple(level or ()), flags=tuple(flag or ()), near=near, limit=limit)
    try:
        result = get_directory().search(query)
    except QueryProblem as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(json.dumps({"total": result.total, "source": result.label, "origin": result.origin,
                           "institutions": [card(m) for m in result.matches]}, ensure_ascii=False, indent=1))


@institutions_app.command("ask")
def ask_command(question: Annotated[str, typer.Argument(help="患者的问题，如：附近哪家药店能刷医保")]) -> None:
    """用助手的方式回答一个关于定点机构的问题（不经过 Rasa）。"""
    answer = answer_question(question)
    typer.echo(answer.text or "这个问题里没有可以在名录中查找的内容（机构名称、类型、区县或条件）。")
