"""Rasa's custom actions, served by kiosk_api: the ``action_endpoint`` of endpoints.yml posts here.

The contract Rasa sees is rasa-sdk's own webhook (``python -m rasa_sdk``): the same request body, the same
``{"events", "responses"}`` answer, 400 when an action rejects its call, 404 for an unknown action. What
differs is who may call it: kiosk_api listens on the network, and a forged call with a verified
conversation's id could run ``action_show_balance``, so every call must carry the shared action token
(``Authorization: Bearer <token>``, sent by Rasa as configured in endpoints.yml).

Serving the actions here means one process holds the knowledge base and the embedding model, staff search and
bot answers share ``get_knowledge_base()``, and there is no separate action server to run.

Actions do blocking work (embedding a query, SQL), so they run on one thread of their own with its own event
loop, one at a time as rasa-sdk's server runs them: kiosk_api's event loop keeps serving pages meanwhile, and
two embeddings never compete for the same two cores.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import zlib
from concurrent.futures import Future
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from kiosk_api.errors import ApiError
from yibao.logging import get_logger
from yibao.settings import get_settings
from yibao.stack import ACTION_WEBHOOK_PATH as WEBHOOK_PATH

ACTIONS_PACKAGE = "bot.actions"
# Rasa sends the conversation's events (and the domain) with every call: far more than a chat message.
MAX_CALL_BYTES = 4 * 1024 * 1024

router = APIRouter(include_in_schema=False)  # internal: for Rasa, not for the pages
log = get_logger("kiosk_api.actions")


class ActionRunner:
    """rasa-sdk's ActionExecutor on a thread and event loop of its own."""

    def __init__(self, package: str = ACTIONS_PACKAGE) -> None:
        self.executor = ActionExecutor()
        self.executor.register_package(package)
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="custom-actions", daemon=True).start()

    def submit(self, call: Any) -> Future[Any]:
        """Run ``call()`` (a coroutine function or a plain function) on the action thread."""

        async def run() -> Any:
            result = call()
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self._loop)

    async def run(self, action_call: dict[str, Any]) -> Any:
        return await asyncio.wrap_future(self.submit(lambda: self.executor.run(action_call)))

    def action_names(self) -> list[str]:
        return sorted(self.executor.actions)


@lru_cache(maxsize=1)
def get_action_runner() -> ActionRunner:
    return ActionRunner()


def require_action_token(authorization: Annotated[str | None, Header(include_in_schema=False)] = None) -> None:
    """Only Rasa, which holds the shared token, may run an action (constant-time comparison)."""
    expected = f"Bearer {get_settings().action_token}".encode()
    if not secrets.compare_digest((authorization or "").encode(), expected):
        log.warning("action_call_refused", reason="missing" if not authorization else "wrong token")
        raise ApiError(401, "unauthorized", "没有权限。")


@router.post(WEBHOOK_PATH, dependencies=[Depends(require_action_token)])
async def webhook(request: Request) -> JSONResponse:
    body = await request.body()
    try:
        if request.headers.get("content-encoding") == "deflate":  # Rasa's COMPRESS_ACTION_SERVER_REQUEST
            body = zlib.decompress(body)
        action_call = json.loads(body)
    except (zlib.error, ValueError):
        action_call = None
    if not isinstance(action_call, dict) or not isinstance(action_call.get("tracker"), dict):
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    try:
        result = await get_action_runner().run(action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        log.error("action_not_found", action=exc.action_name)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    return JSONResponse(result.model_dump() if result else None)
