"""``yibao catalog estimate``: the policy table's step-by-step reimbursement estimate on the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from knowledge.policy_table import estimate_answer


def estimate_command(
    insurance_type: Annotated[str, typer.Argument(help="参保类型，如 职工医保 / 居民医保")],
    visit_type: Annotated[str, typer.Argument(help="就诊类型，如 住院 / 门诊慢特病 / 普通门诊")],
    total_cost: Annotated[str, typer.Argument(help="总费用（元），如 30000 或 3万")],
    hospital_level: Annotated[str | None, typer.Option(help="医院等级，如 三级")] = None,
) -> None:
    """按政策表（YIBAO_POLICY_TABLE）逐步估算报销金额。"""
    typer.echo(estimate_answer(insurance_type, visit_type, total_cost, hospital_level))
