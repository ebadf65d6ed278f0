"""``POST /api/tts``: an answer read aloud by the server's speech engine (the kiosk's browser has no voice)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from kiosk_api.deps import limit_tts
from kiosk_api.errors import ApiError, service_unavailable
from kiosk_api.models import ErrorResponse, TtsRequest
from kiosk_api.speech import SpeechUnavailable, get_speech_service, speakable
from yibao.logging import get_logger

router = APIRouter(prefix="/api", tags=["speech"])
log = get_logger("kiosk_api.speech")

ERRORS: dict[int | str, dict[str, object]] = {
    422: {"model": ErrorResponse, "description": "没有可朗读的文字，或文字太长"},
    429: {"model": ErrorResponse, "description": "朗读请求太频繁"},
    503: {"model": ErrorResponse, "description": "朗读引擎不可用"},
}


@router.post(
    "/tts", responses={200: {"content": {"audio/wav": {}, "audio/ogg": {}}, "description": "朗读的音频"}, **ERRORS},
    response_class=Response, summary="把回答读出来（服务器语音合成，按文字缓存）", dependencies=[Depends(limit_tts)],
)
async def text_to_speech(body: TtsRequest) -> Response:
    text = speakable(body.text)
    if not text:
        raise ApiError(422, "nothing_to_read", "没有可以朗读的文字。")
    service = get_speech_service()
    try:
        audio, cached = await run_in_threadpool(service.audio, text)
    except SpeechUnavailable as exc:
        log.error("tts_failed", engine=service.engine.name, error=str(exc)[:200])
        raise service_unavailable("朗读功能") from exc
    log.info("tts", engine=service.engine.name, chars=len(text), bytes=len(audio), cached=cached)  # never the text
    return Response(audio, media_type=service.engine.media_type,
                    headers={"Cache-Control": "private, max-age=3600", "X-TTS-Cache": "hit" if cached else "miss"})
