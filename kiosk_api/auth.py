"""Staff sign-in as FastAPI dependencies (the full-stack-fastapi-template's ``api/deps.py`` pattern).

    @router.get("/x")                       async def x(user: SignedIn): ...      # 401 without sign-in
    @router.post("/y")                      async def y(user: KbAdminChange): ... # 401 / 403 role / 403 CSRF

A change (POST/PUT/DELETE) also needs the ``X-CSRF-Token`` header the page got at sign-in; the session cookie
is HttpOnly and SameSite=Strict, and Secure whenever the request came over TLS.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from accounts.staff import StaffPrincipal, csrf_matches, get_staff_service
from kiosk_api.errors import ApiError
from yibao.settings import get_settings

COOKIE = "yibao_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def cookie_secure(request: Request) -> bool:
    setting = get_settings().staff_cookie_secure.lower()
    if setting in {"true", "1", "yes"}:
        return True
    if setting in {"false", "0", "no"}:
        return False
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE, token, max_age=int(get_settings().staff_session_hours * 3600), httponly=True, samesite="strict",
        secure=cookie_secure(request), path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=cookie_secure(request))


async def signed_in(request: Request) -> StaffPrincipal:
    token = request.cookies.get(COOKIE, "")
    user = await run_in_threadpool(get_staff_service().session_user, token) if token else None
    if user is None:
        raise ApiError(401, "not_signed_in", "请先登录工作人员账号。")
    if request.method not in SAFE_METHODS and not csrf_matches(token, request.headers.get(CSRF_HEADER, "")):
        raise ApiError(403, "csrf_failed", "页面已过期，请刷新页面后重试。")
    request.state.staff_token = token
    return user


async def kb_admin(user: Annotated[StaffPrincipal, Depends(signed_in)]) -> StaffPrincipal:
    if not user.can("kb_admin"):
        raise ApiError(403, "forbidden", "这个操作需要知识库管理员（kb_admin）权限。")
    return user


SignedIn = Annotated[StaffPrincipal, Depends(signed_in)]
KbAdmin = Annotated[StaffPrincipal, Depends(kb_admin)]
