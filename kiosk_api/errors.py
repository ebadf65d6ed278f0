"""One error shape for every failure: ``{"error": {"code": ..., "message": <polite Chinese>}}``.

The pages show ``message`` as-is, so every message is written for a patient, not a programmer.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from yibao.settings import get_settings


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def session_not_found() -> ApiError:
    return ApiError(404, "session_not_found", "会话不存在或已结束，请重新开始。")


def service_unavailable(what: str) -> ApiError:
    return ApiError(503, "service_unavailable", f"{what}暂时不可用，请稍后再试。{get_settings().human_help}")


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


_STATUS_MESSAGES = {
    400: ("invalid_input", "提交的内容无法识别，请重新输入。"),  # e.g. a body that is not text at all
    404: ("not_found", "没有找到这个地址。"),
    405: ("method_not_allowed", "不支持这种请求方式。"),
    413: ("too_large", "提交的内容太大了，请精简后再试。"),
}


def _validation_message(exc: RequestValidationError) -> str:
    """The first problem, in words a patient understands; our own validators already speak Chinese."""
    for err in exc.errors():
        msg = str(err.get("msg", ""))
        if err.get("type") == "value_error":
            return msg.removeprefix("Value error, ")
        # A list parameter's bad item is located by its index ("flag", 0): name the parameter.
        field = str(next((part for part in reversed(err.get("loc", [""])) if isinstance(part, str)), ""))
        if err.get("type") == "missing":
            return f"缺少必填内容：{field}。"
        if err.get("type") in {"json_invalid", "model_attributes_type", "dict_type"}:
            return "提交的内容无法识别，请重新输入。"
        if err.get("type") == "literal_error":
            return f"{field} 的取值不正确。"
        return f"{field} 的内容不正确，请检查后重试。"
    return "提交的内容不正确，请检查后重试。"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("invalid_input", _validation_message(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _STATUS_MESSAGES.get(exc.status_code, ("http_error", "请求没有成功，请稍后再试。"))
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)
