"""`yibao`: one command line for the whole assistant. Each part owns its own sub-commands."""

from __future__ import annotations

import os
import signal
import time

import typer

from accounts.cli import accounts_app, audit
from accounts.staff_cli import staff_app
from bot.client import ask
from institutions.cli import institutions_app
from kiosk_api.cli import report_app
from knowledge.catalog.cli import catalog_app
from knowledge.cli import kb_app, search
from knowledge.faq_cli import faq_app
from yibao.settings import PROJECT_ROOT
from yibao.stack import Stack

app = typer.Typer(help="医保通 — 医保政策问答助手", no_args_is_help=True, add_completion=False)
app.add_typer(kb_app, name="kb", help="政策知识库：构建、添加/移除文档、版本与回滚")
app.command("search", help="在政策知识库里检索")(search)
app.add_typer(catalog_app, name="catalog", help="医保药品目录：导入与查询")
app.command("ask", help="经完整对话链路（Rasa + 动作服务）提问")(ask)
app.add_typer(institutions_app, name="institutions", help="定点医药机构名录：导入与查询")
app.add_typer(accounts_app, name="accounts", help="参保人账户：导入、演示数据")
app.command("audit", help="查看核验与余额披露审计日志")(audit)
app.add_typer(report_app, name="report", help="运维报表：未答问题、满意度")
app.add_typer(staff_app, name="staff", help="工作人员账号：新建、改密码、停用")
app.add_typer(faq_app, name="faq", help="标准答案：新建、停用、历史、YAML 导入导出")


@app.command("service", help="运行一个服务（systemd 单元用）：rasa 或 api（api 也运行自定义动作）")
def service(name: str = typer.Argument(..., help="rasa | api")) -> None:
    """Replace this process by one service, started exactly as `yibao serve` starts it (systemd supervises it)."""
    stack = Stack()
    if name not in {"rasa", "api"}:
        raise typer.BadParameter("one of rasa, api (the custom actions run inside api)")
    stack.prepare()  # first: in production nothing (not even a key) is created before the checks passed
    commands, env = stack.commands(), stack.env()
    os.chdir(PROJECT_ROOT)
    os.execve(commands[name][0], commands[name], env)


@app.command("secrets", help="生成 Rasa 令牌、动作令牌和数据密钥（已存在则不变），生产环境首次部署时执行一次")
def secrets_init() -> None:
    from accounts.crypto import key_file, key_text
    from yibao.settings import creating_secrets, get_settings, make_data_dir_private

    creating_secrets()  # production refuses settings without these secrets: this is where they are made
    make_data_dir_private()
    get_settings().rasa_token  # noqa: B018 - creates the token file if it is missing
    get_settings().action_token  # noqa: B018 - the same for the custom actions' token
    key_text()
    typer.echo(f"secrets in {key_file().parent} (back them up with the data directory; see README)")


@app.command("serve", help="启动 Rasa 和 kiosk API（含自定义动作），Ctrl-C 全部停止")
def serve() -> None:
    stack = Stack()
    # SIGTERM behaves like Ctrl-C from the first moment, so a stop during start-up still stops the services.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start()
        typer.echo(f"医保通 running: kiosk {stack.api_url}/kiosk  widget {stack.api_url}/widget  "
                   f"staff {stack.api_url}/staff  API docs {stack.api_url}/docs  (Ctrl-C to stop)")
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        typer.echo("a service exited; stopping the others (see var/logs/)", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C or SIGTERM (e.g. from `timeout` and the shell both) must not cut the shutdown short
        # and leave Rasa or the API running without their parent.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()


if __name__ == "__main__":
    app()
