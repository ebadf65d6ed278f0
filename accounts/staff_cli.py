"""`yibao staff add|list|passwd|disable|enable`: staff accounts of the staff console (no default password exists)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accounts.staff import StaffError, get_staff_service

staff_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()
StdinOption = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（脚本用）")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")


def _run(action: Callable[..., object], *args: object) -> None:
    try:
        action(*args)
    except StaffError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@staff_app.command("add", help="新建工作人员账号：yibao staff add wang --role kb_admin（会提示输入密码）")
def add(
    username: Annotated[str, typer.Argument(help="用户名（小写字母、数字、. _ -）")],
    role: Annotated[str, typer.Option("--role", help="staff（检索、看报表）或 kb_admin（还维护答案和文档）")] = "staff",
    password_stdin: StdinOption = False,
) -> None:
    _run(get_staff_service().add_user, username, _password(password_stdin), role)
    console.print(f"已创建 {username.strip().lower()}（{role}）")


@staff_app.command("passwd", help="重设密码（该用户已登录的页面全部退出）")
def passwd(username: Annotated[str, typer.Argument()], password_stdin: StdinOption = False) -> None:
    _run(get_staff_service().set_password, username, _password(password_stdin))
    console.print("密码已更新")


@staff_app.command("disable", help="停用账号（立即失去所有权限）")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    _run(get_staff_service().set_disabled, username, True)
    console.print(f"{username} 已停用")


@staff_app.command("enable", help="重新启用账号")
def enable(username: Annotated[str, typer.Argument()]) -> None:
    _run(get_staff_service().set_disabled, username, False)
    console.print(f"{username} 已启用")


@staff_app.command("list", help="列出工作人员账号")
def list_users() -> None:
    table = Table(title="工作人员账号")
    for col in ("用户名", "角色", "状态", "创建时间 (UTC)"):
        table.add_column(col)
    for name, role, disabled, created in get_staff_service().users():
        table.add_row(name, role, "停用" if disabled else "正常", f"{created:%Y-%m-%d %H:%M}")
    Console(markup=False).print(table)
