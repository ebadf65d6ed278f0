"""``yibao catalog import`` / ``lookup`` (and ``estimate``, which the policy table owns: knowledge.policy_table_cli)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from knowledge.catalog.csv_import import CatalogImportError
from knowledge.catalog.store import get_catalog
from knowledge.policy_table_cli import estimate_command

catalog_app = typer.Typer(no_args_is_help=True, add_completion=False)


@catalog_app.command("import")
def import_command(
    csv_file: Annotated[Path, typer.Argument(help="药品目录 CSV（UTF-8；列：name,category,dosage_form,…）")],
) -> None:
    """用 CSV 替换药品目录（整体替换；文件有错时原目录保持不变）。"""
    try:
        count = get_catalog().import_csv(csv_file)
    except CatalogImportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"已导入 {count} 种药品（{csv_file.name}）。")


@catalog_app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="药品名称：中文、拼音或带错字都可以")],
    limit: Annotated[int, typer.Option(help="最多显示几条")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """查询药品的医保类别（甲类/乙类/目录外）。"""
    found = get_catalog().answer(name, limit)
    if as_json:
        typer.echo(json.dumps({"query": name, "problem": found.problem, "recognised": found.recognised,
                               "confidence": found.confidence, "matches": [asdict(m) for m in found.matches]},
                              ensure_ascii=False))
    else:
        typer.echo(found.text)


catalog_app.command("estimate")(estimate_command)
