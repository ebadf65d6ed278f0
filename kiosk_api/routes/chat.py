"""Conversation endpoints used by the kiosk and the widget: sessions, chat turns and satisfaction feedback."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from kiosk_api.deps import limit_chat, limit_sessions
from kiosk_api.errors import ApiError, service_unavailable, session_not_found
from kiosk_api.models import (
    BotMessage,
    ChatReply,
    ChatRequest,
    ErrorResponse,
    FeedbackAck,
    FeedbackRequest,
    PublicConfig,
    SessionInfo,
    SessionRequest,
)
from kiosk_api.privacy import storable_question
from kiosk_api.rasa_client import RasaClient, RasaUnavailable
from kiosk_api.store import SessionRow, TurnRecord, get_store
from yibao.logging import get_logger
from yibao.settings import get_settings

router = APIRouter(prefix="/api", tags=["chat"])
log = get_logger("kiosk_api.chat")

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse, "description": "会话不存在、已结束或已过期"},
    422: {"model": ErrorResponse, "description": "输入为空、过长或无法识别"},
    429: {"model": ErrorResponse, "description": "操作太频繁，请按 Retry-After 等待后再试"},
    503: {"model": ErrorResponse, "description": "问答服务暂时不可用"},
}


def _rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


async def _active_session(session_id: str) -> SessionRow:
    ttl = timedelta(seconds=get_settings().session_clocks.api_session)
    session = await run_in_threadpool(get_store().active_session, session_id, ttl)
    if session is None:
        raise session_not_found()
    return session


@router.get("/config", response_model=PublicConfig, summary="页面需要的设置（人工服务、倒计时）")
async def public_config() -> PublicConfig:
    cfg = get_settings()
    return PublicConfig(
        human_help=cfg.human_help, idle_seconds=cfg.session_clocks.kiosk_idle,
        countdown_seconds=cfg.session_clocks.kiosk_countdown, max_message_chars=cfg.max_message_chars,
    )


@router.post("/session", response_model=SessionInfo, status_code=201, responses=ERRORS, summary="开始一次对话",
             dependencies=[Depends(limit_sessions)])
async def start_session(body: SessionRequest | None = None) -> SessionInfo:
    channel = body.channel if body else "api"
    row = await run_in_threadpool(get_store().start_session, channel)
    cfg = get_settings()
    log.info("session_started", channel=channel, session=row.id[:6])
    return SessionInfo(
        session_id=row.id, channel=row.channel, created_at=row.created_at, idle_seconds=cfg.session_clocks.kiosk_idle,
        countdown_seconds=cfg.session_clocks.kiosk_countdown, human_help=cfg.human_help,
    )


@router.delete("/session/{session_id}", status_code=204, responses=ERRORS, summary="结束对话（返回首页、超时清屏）")
async def end_session(session_id: str, request: Request) -> Response:
    if not await run_in_threadpool(get_store().end_session, session_id):
        raise session_not_found()
    await run_in_threadpool(_revoke_verification, session_id)
    try:
        await _rasa(request).restart(session_id)
    except RasaUnavailable as exc:  # the session is over on our side either way; Rasa forgets it on restart
        log.warning("rasa_restart_failed", session=session_id[:6], error=str(exc))
    log.info("session_ended", session=session_id[:6])
    return Response(status_code=204)


def _revoke_verification(session_id: str) -> None:
    """A card + PIN verification must never outlive the screen it was made on."""
    try:
        from accounts.service import get_account_service
    except ImportError:  # accounts part not installed: nothing can have been verified
        return
    get_account_service().end_conversation(session_id)


@router.post("/chat", response_model=ChatReply, responses=ERRORS, summary="发一句话，得到助手的回答")
async def chat(body: ChatRequest, request: Request) -> ChatReply:
    session = await _active_session(body.session_id)
    limit_chat(request, session.id, session.expect_input)
    channel = body.channel or session.channel
    try:
        turn = await _rasa(request).send(session.id, body.message, channel)
    except RasaUnavailable as exc:
        log.error("rasa_unavailable", session=session.id[:6], error=str(exc))
        raise service_unavailable("智能问答服务") from exc
    human_help = get_settings().human_help
    meta = turn.meta
    if not turn.messages:  # Rasa had nothing to say: never leave a patient with an empty screen
        turn.messages = [BotMessage(text=f"抱歉，这个问题我暂时答不上来。{human_help}")]
        meta = replace(meta, fallback=True)
    record = TurnRecord(
        question=storable_question(body.message, session.expect_input), intent=meta.intent,
        confidence=meta.confidence, fallback=meta.fallback, handoff=meta.handoff, expect_input=meta.expect_input,
    )
    reply_id = await run_in_threadpool(get_store().record_turn, session.id, channel, record)
    log.info("chat_turn", session=session.id[:6], channel=channel, intent=meta.intent,
             confidence=meta.confidence, fallback=meta.fallback, handoff=meta.handoff)
    return ChatReply(
        session_id=session.id, reply_id=reply_id, messages=turn.messages, citations=list(meta.citations),
        intent=meta.intent, confidence=meta.confidence, fallback=meta.fallback, handoff=meta.handoff,
        refusal=meta.refusal, expect_input=meta.expect_input,
        human_help=human_help if (meta.fallback or meta.handoff) else None,
        topic=meta.topic, subtopic=meta.subtopic,
        institutions=turn.institutions, show_statement=meta.shows_statement,
    )


@router.post("/feedback", response_model=FeedbackAck, responses=ERRORS, summary="满意度：👍 / 👎 / 没解决")
async def give_feedback(body: FeedbackRequest) -> FeedbackAck:
    session = await _active_session(body.session_id)
    comment = storable_question(body.comment, None) if body.comment else None
    if not await run_in_threadpool(get_store().add_feedback, session.id, body.reply_id, body.rating, comment):
        raise ApiError(404, "reply_not_found", "没有找到这条回答，请重新提问。")
    unhappy = body.rating != "up"
    return FeedbackAck(stored=True, offer_handoff=unhappy, human_help=get_settings().human_help if unhappy else None)
