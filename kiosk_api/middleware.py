"""ASGI middleware: refuse oversized bodies early, safe headers with every page, and an access log
that never writes a session id (it is the key to a verified balance) in full."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk_api.errors import error_body
from yibao.logging import get_logger

# Pages load only their own scripts and styles; the widget may be framed by the hospital's own site.
_CSP = "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'none'"
_PAGE_HEADERS = {
    "/kiosk": _CSP + "; frame-ancestors 'self'",
    "/staff": _CSP + "; frame-ancestors 'self'",
    "/widget": _CSP + "; frame-ancestors *",
}


_SESSION_IN_PATH = re.compile(r"(/api/session/[A-Za-z0-9_-]{6})[A-Za-z0-9_-]*")
_access_log = get_logger("kiosk_api.access")


class AccessLog:
    """Replaces uvicorn's access log (disabled in the app's lifespan)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            _access_log.info("http", method=scope["method"], path=_SESSION_IN_PATH.sub(r"\1…", scope["path"]),
                             status=status, ms=round((time.perf_counter() - start) * 1000, 1))


class BodyLimit:
    """Refuses request headers above ``max_header_bytes`` (431) and bodies above ``max_bytes`` (413);
    ``larger``: path -> body limit for the few routes that take files (the staff console's document upload).

    uvicorn's h11 parser already drops a header block much larger than its buffer (yibao/stack.py); this
    makes the limit exact and the answer polite.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int = 16384,
                 larger: dict[str, int] | None = None) -> None:
        self.app, self.max_bytes, self.max_header_bytes = app, max_bytes, max_header_bytes
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if sum(len(k) + len(v) + 4 for k, v in scope.get("headers", [])) > self.max_header_bytes:
            await _refuse(send, 431, "headers_too_large", "请求头太大了，请清除浏览器缓存后再试。")
            return
        max_bytes = self.larger.get(scope["path"], self.max_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await _too_large(send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:  # chunked upload without a length: stop reading
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    await _refuse(send, 413, "too_large", "提交的内容太大了，请精简后再试。")


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        csp = next((v for prefix, v in _PAGE_HEADERS.items() if path.startswith(prefix)), None)
        if path.startswith("/static/") or path.startswith("/api/"):
            csp = _CSP + "; frame-ancestors 'self'"

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
                if csp and not any(k.lower() == b"content-security-policy" for k, _ in headers):  # route's own
                    headers.append((b"content-security-policy", csp.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
