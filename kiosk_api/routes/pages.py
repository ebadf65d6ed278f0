"""The three front ends, served as static files by this same app (no build step, no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/kiosk")


@router.get("/kiosk")
async def kiosk() -> FileResponse:
    return _page("kiosk.html")


@router.get("/widget")
async def widget() -> FileResponse:
    return _page("widget.html")


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    """Embeddable: ``<script src="https://HOST/widget.js" async></script>`` adds a chat button and panel."""
    return FileResponse(STATIC_DIR / "js" / "embed.js", media_type="text/javascript; charset=utf-8")


@router.get("/staff")
async def staff() -> FileResponse:
    return _page("staff.html")


@router.get("/staff/login")
async def staff_login() -> FileResponse:
    return _page("staff_login.html")


@router.get("/staff/queue")
async def staff_queue() -> FileResponse:
    """未答问题与标准答案 (the page asks /api/staff/me and sends to the sign-in page when needed)."""
    return _page("staff_queue.html")


@router.get("/staff/documents")
async def staff_documents() -> FileResponse:
    return _page("staff_documents.html")


@router.get("/staff/dashboard")
async def staff_dashboard() -> FileResponse:
    return _page("staff_dashboard.html")


@router.get("/staff/section/{section_id}")
async def staff_section(section_id: str) -> FileResponse:
    return _page("section.html")  # the page reads the id from its own address
