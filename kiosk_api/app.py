"""The kiosk API: ``uvicorn kiosk_api.app:app``. OpenAPI at ``/docs``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from kiosk_api.errors import install_error_handlers
from kiosk_api.middleware import AccessLog, BodyLimit, SecurityHeaders
from kiosk_api.rasa_client import RasaClient
from kiosk_api.routes import (
    account,
    actions,
    chat,
    console,
    health,
    institutions,
    pages,
    speech,
    staff,
    staff_auth,
    topics,
)
from kiosk_api.routes.pages import STATIC_DIR
from kiosk_api.store import get_store
from yibao.logging import configure_logging, get_logger
from yibao.settings import get_settings

log = get_logger("kiosk_api")


def _warm_up() -> None:
    """Load the knowledge base and catalog before the first question or staff search needs them."""
    try:
        from knowledge.catalog import get_catalog
        from knowledge.retrieve import get_knowledge_base

        get_knowledge_base()
        get_catalog()
        log.info("knowledge_base_loaded")
    except Exception as exc:  # reported by /api/health and by the search endpoints themselves
        log.warning("knowledge_base_unavailable", error=str(exc))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    configure_logging("kiosk_api")  # here, after uvicorn set up its own loggers, so they are redacted too
    # uvicorn's access log would write full session ids; AccessLog writes a shortened one instead.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cfg = get_settings()
    get_store()  # create tables before the first request
    app.state.rasa = RasaClient(cfg.rasa_url.rstrip("/"), cfg.kiosk_rasa_timeout_seconds, cfg.rasa_token)
    # On the action thread, in the background: the first bot answer waits for it instead of loading a second copy.
    actions.get_action_runner().submit(_warm_up)
    try:
        yield
    finally:
        await app.state.rasa.aclose()


def create_app() -> FastAPI:
    # FastAPIOffline serves Swagger UI and ReDoc from the installed package: /docs works without internet.
    app = FastAPIOffline(
        title="医保通 kiosk API",
        summary="医保政策问答：大厅自助机、微信式聊天窗口、工作人员检索台",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    routers = (chat.router, topics.router, speech.router, account.router, staff.router, institutions.router,
               staff_auth.router, console.router, health.router, pages.router, actions.router)
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    # Larger bodies only where they belong: the staff console's uploads, and Rasa's action calls (which carry the
    # conversation's events).
    larger = {"/api/staff/documents": get_settings().max_upload_bytes, "/api/staff/curated.yaml": 2 * 1024 * 1024,
              actions.WEBHOOK_PATH: actions.MAX_CALL_BYTES}
    app.add_middleware(BodyLimit, max_bytes=get_settings().kiosk_max_body_bytes, larger=larger)
    app.add_middleware(AccessLog)
    return app


app = create_app()
