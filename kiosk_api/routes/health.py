"""``GET /api/health``: Rasa, the custom actions, knowledge index and database, checked concurrently and fast
(the stack's readiness probe gives the whole request one second)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kiosk_api.models import CheckResult, Health
from kiosk_api.routes.actions import get_action_runner
from kiosk_api.store import get_store
from yibao.settings import get_settings

router = APIRouter(prefix="/api", tags=["health"])
# Generous: a Rasa busy with a queue of questions is not a dead one, and a load balancer that pulls busy
# instances out of rotation turns a rush hour into an outage. A stopped service still fails at once.
CHECK_TIMEOUT = 3.0


async def _timed(check: Callable[[], Awaitable[str]]) -> CheckResult:
    start = time.perf_counter()
    try:
        detail, ok = await asyncio.wait_for(check(), CHECK_TIMEOUT), True
    except Exception as exc:  # any failure is a failed check, reported with its reason
        detail, ok = f"{type(exc).__name__}: {exc}"[:200], False
    return CheckResult(ok=ok, detail=detail, latency_ms=round((time.perf_counter() - start) * 1000, 1))


async def _database() -> str:
    await run_in_threadpool(get_store().ping)
    return "reachable"


async def _index() -> str:
    index_dir = get_settings().index_dir
    files = [p for p in index_dir.glob("*") if p.is_file()] if index_dir.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no index in {index_dir}; run `yibao kb build`")
    return f"{len(files)} files in {index_dir.name}/"


@router.get("/health", response_model=Health, responses={503: {"model": Health}}, summary="各部分是否正常")
async def health(request: Request) -> JSONResponse:
    async def rasa() -> str:
        return await request.app.state.rasa.status()

    async def actions() -> str:
        # Served by this process (kiosk_api.routes.actions): loaded means Rasa's calls can be answered.
        names = await run_in_threadpool(lambda: get_action_runner().action_names())
        return f"{len(names)} actions"

    names = ("rasa", "actions", "index", "database")
    results = await asyncio.gather(*(_timed(c) for c in (rasa, actions, _index, _database)))
    checks = dict(zip(names, results, strict=True))
    ok = all(c.ok for c in results)
    body = Health(status="ok" if ok else "degraded", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
