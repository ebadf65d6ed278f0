"""Staff sign-in, sign-out and "who am I" (the pages ask it for the CSRF token)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accounts.staff import csrf_token, get_staff_service
from kiosk_api.auth import COOKIE, SignedIn, clear_session_cookie, set_session_cookie
from kiosk_api.errors import ApiError
from kiosk_api.models import ErrorResponse
from yibao.logging import get_logger

router = APIRouter(prefix="/api/staff", tags=["staff sign-in"])
log = get_logger("kiosk_api.staff_auth")
ERRORS: dict[int | str, dict[str, object]] = {401: {"model": ErrorResponse, "description": "未登录或用户名密码错误"},
                                              423: {"model": ErrorResponse, "description": "错误次数过多，暂停登录"}}


class SignInRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class StaffMe(BaseModel):
    username: str
    role: str = Field(description="staff | kb_admin")
    csrf_token: str = Field(description="每个修改请求都要在 X-CSRF-Token 头里带上")


@router.post("/login", response_model=StaffMe, responses=ERRORS, summary="工作人员登录")
async def login(body: SignInRequest, request: Request, response: Response) -> StaffMe:
    result = await run_in_threadpool(get_staff_service().sign_in, body.username, body.password)
    if not result.ok or result.user is None:
        log.warning("staff_sign_in_failed", locked=result.locked)
        raise ApiError(423 if result.locked else 401, "locked" if result.locked else "sign_in_failed", result.message)
    set_session_cookie(response, request, result.token)
    log.info("staff_signed_in", user=result.user.username, role=result.user.role)
    return StaffMe(username=result.user.username, role=result.user.role, csrf_token=csrf_token(result.token))


@router.post("/logout", status_code=204, responses=ERRORS, summary="退出登录")
async def logout(user: SignedIn, request: Request) -> Response:
    await run_in_threadpool(get_staff_service().sign_out, request.cookies.get(COOKIE, ""))
    response = Response(status_code=204)
    clear_session_cookie(response, request)
    log.info("staff_signed_out", user=user.username)
    return response


@router.get("/me", response_model=StaffMe, responses=ERRORS, summary="当前登录的工作人员")
async def me(user: SignedIn, request: Request) -> StaffMe:
    return StaffMe(username=user.username, role=user.role, csrf_token=csrf_token(request.state.staff_token))
