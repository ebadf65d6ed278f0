"""The year-by-year account statement, straight from accounts to the page of the conversation that verified.

It never passes through Rasa, so neither the tracker store nor the logs nor the unanswered-questions report
see it; accounts checks the verification and audits every disclosure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from kiosk_api.errors import ApiError, service_unavailable, session_not_found
from kiosk_api.models import AccountStatement, ErrorResponse, StatementRequest
from kiosk_api.store import get_store
from yibao.logging import get_logger
from yibao.settings import get_settings

router = APIRouter(prefix="/api/account", tags=["account"])
log = get_logger("kiosk_api.account")
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorResponse, "description": "这个会话没有核验身份，或核验已过期"},
    404: {"model": ErrorResponse, "description": "会话不存在或已结束"},
    503: {"model": ErrorResponse, "description": "账户服务暂时不可用"},
}
NOT_VERIFIED = "请先核验身份（医保卡号和密码）再查看账户明细；核验几分钟后会自动失效，需要时请重新核验。"
ARREARS_ADVICE = "您有欠费。政策文件中没有写明补缴的办法和期限，请带上医保卡和身份证，{help}。"


def _statement(session_id: str, channel: str) -> AccountStatement | None:
    try:
        from accounts.service import get_account_service

        view = get_account_service().disclose_statement(session_id, channel=channel)
    except Exception as exc:  # database down: a polite 503, the statement stays closed
        log.warning("accounts_unavailable", error=type(exc).__name__)
        raise service_unavailable("账户服务") from exc
    if view is None:
        return None
    advice = ARREARS_ADVICE.format(help=get_settings().human_help) if view.arrears > 0 else ""
    return AccountStatement(
        masked_name=view.masked_name, masked_card=view.masked_card, insurance_type=view.insurance_type,
        balance=view.balance, arrears=view.arrears, years=[y._asdict() for y in view.years],
        contributions=[c._asdict() for c in view.contributions],
        arrears_periods=[a._asdict() for a in view.arrears_periods], arrears_advice=advice,
        generated_at=view.generated_at, verified_until=view.verified_until,
    )


@router.post("/statement", response_model=AccountStatement, responses=ERRORS,
             summary="各年度个人账户、缴费与欠费（仅限刚在本会话核验过身份）")
async def statement(body: StatementRequest, response: Response) -> AccountStatement:
    ttl = timedelta(seconds=get_settings().session_clocks.api_session)
    session = await run_in_threadpool(get_store().active_session, body.session_id, ttl)
    if session is None:
        raise session_not_found()
    view = await run_in_threadpool(_statement, session.id, session.channel)
    if view is None:
        raise ApiError(403, "not_verified", NOT_VERIFIED)
    response.headers["Cache-Control"] = "no-store"
    return view
