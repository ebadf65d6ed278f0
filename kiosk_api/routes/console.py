"""The staff console behind sign-in: the unanswered queue, curated answers, policy documents and versions,
and the dashboard. Reading needs a signed-in ``staff`` or ``kb_admin``; every change needs ``kb_admin`` and
the CSRF header (``kiosk_api.auth``)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kiosk_api.auth import KbAdmin, SignedIn
from kiosk_api.errors import ApiError, service_unavailable
from kiosk_api.models import ErrorResponse
from yibao.logging import get_logger
from yibao.settings import get_settings

router = APIRouter(prefix="/api/staff", tags=["staff console"])
log = get_logger("kiosk_api.console")
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "未登录"},
    403: {"model": ErrorResponse, "description": "权限不足，或缺少 CSRF 令牌"},
    422: {"model": ErrorResponse, "description": "内容不正确（例如标准答案没有来源、文件无法识别）"},
}
Days = Annotated[int, Query(ge=1, le=365, description="最近几天")]


# --- models ----------------------------------------------------------------------------------------------------


class QueueGroupOut(BaseModel):
    question: str
    count: int
    reasons: dict[str, int] = Field(description="没把握 / 转人工 / 置信度低 / 👎 / 没解决 各几次")
    examples: list[str]
    last_at: datetime
    curated_id: int | None = Field(None, description="已有标准答案覆盖这个问题时，它的编号")


class CuratedIn(BaseModel):
    question: str = Field(max_length=200)
    answer: str = Field(max_length=1000)
    source_id: str = Field(max_length=64, description="段落编号（检索结果的 passage_id）或政策表行 policy:N:ratio")
    variants: list[str] = Field(default_factory=list, max_length=20)


class CuratedPatch(BaseModel):
    question: str | None = Field(None, max_length=200)
    answer: str | None = Field(None, max_length=1000)
    source_id: str | None = Field(None, max_length=64)
    variants: list[str] | None = Field(None, max_length=20)


class CuratedOut(BaseModel):
    id: int
    question: str
    variants: list[str]
    answer: str
    source_kind: str
    source_id: str
    citation: dict[str, str]
    status: str
    version: int
    updated_by: str
    updated_at: str


class ImportResult(BaseModel):
    created: int
    updated: int


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    passages: int
    format: str = "txt"
    added_by: str = ""
    added_at: str = ""


class VersionOut(BaseModel):
    number: int
    current: bool
    created_at: str
    actor: str
    action: str
    documents: int
    passages: int
    changes: dict[str, list[str]]


# --- queue -----------------------------------------------------------------------------------------------------


@router.get("/queue", response_model=list[QueueGroupOut], responses=ERRORS, summary="未答好的问题（按相似问题归组）")
async def queue(user: SignedIn, days: Days = 30) -> list[QueueGroupOut]:
    from kiosk_api.reports import queue as build_queue

    groups = await run_in_threadpool(build_queue, days)
    return [QueueGroupOut(question=g.question, count=g.count, reasons=g.reasons, examples=g.examples,
                          last_at=g.last_at, curated_id=g.curated_id) for g in groups]


# --- curated answers -------------------------------------------------------------------------------------------


def _curated() -> Any:
    from knowledge.faq import get_curated_answers

    return get_curated_answers()


def _curated_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from knowledge.faq import CuratedError
    from knowledge.retrieve import IndexMissing

    try:
        return fn(*args, **kwargs)
    except CuratedError as exc:
        raise ApiError(422, "invalid_curated_answer", str(exc)) from exc
    except IndexMissing as exc:
        raise service_unavailable("政策知识库") from exc


def _out(answer: Any) -> CuratedOut:
    return CuratedOut(**answer.as_dict())


def _actor(user: Any) -> str:
    return f"staff:{user.username}"


@router.get("/curated", response_model=list[CuratedOut], responses=ERRORS, summary="标准答案列表")
async def list_curated(user: SignedIn, retired: bool = False) -> list[CuratedOut]:
    return [_out(a) for a in await run_in_threadpool(lambda: _curated().all(include_retired=retired))]


@router.post("/curated", response_model=CuratedOut, status_code=201, responses=ERRORS, summary="新建标准答案")
async def create_curated(body: CuratedIn, user: KbAdmin) -> CuratedOut:
    created = await run_in_threadpool(_curated_call, lambda: _curated().create(
        body.question, body.answer, body.source_id, _actor(user), variants=body.variants))
    log.info("curated_answer_created", id=created.id, user=user.username)
    return _out(created)


@router.put("/curated/{answer_id}", response_model=CuratedOut, responses=ERRORS, summary="修改标准答案")
async def update_curated(answer_id: int, body: CuratedPatch, user: KbAdmin) -> CuratedOut:
    updated = await run_in_threadpool(_curated_call, lambda: _curated().update(
        answer_id, _actor(user), question=body.question, answer=body.answer, source_id=body.source_id,
        variants=body.variants))
    return _out(updated)


@router.delete("/curated/{answer_id}", response_model=CuratedOut, responses=ERRORS, summary="停用标准答案")
async def retire_curated(answer_id: int, user: KbAdmin) -> CuratedOut:
    return _out(await run_in_threadpool(_curated_call, lambda: _curated().retire(answer_id, _actor(user))))


@router.get("/curated/{answer_id}/history", responses=ERRORS, summary="标准答案的全部版本")
async def curated_history(answer_id: int, user: SignedIn) -> list[dict[str, Any]]:
    return await run_in_threadpool(lambda: _curated().history(answer_id))


@router.get("/curated.yaml", response_class=PlainTextResponse, responses=ERRORS, summary="导出标准答案（YAML）")
async def export_curated(user: SignedIn) -> PlainTextResponse:
    text = await run_in_threadpool(lambda: _curated().export_yaml())
    return PlainTextResponse(text, media_type="application/yaml; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="curated_answers.yaml"'})


@router.post("/curated.yaml", response_model=ImportResult, responses=ERRORS, summary="导入标准答案（YAML 正文）")
async def import_curated(request: Request, user: KbAdmin) -> ImportResult:
    text = (await request.body()).decode("utf-8", errors="replace")
    counts = await run_in_threadpool(_curated_call, lambda: _curated().import_yaml(text, _actor(user)))
    return ImportResult(**counts)


@router.get("/policy-rows", responses=ERRORS, summary="可引用的政策表行")
async def policy_rows(user: SignedIn) -> list[dict[str, Any]]:
    from knowledge.faq import policy_rows as rows

    return await run_in_threadpool(rows)


# --- documents and versions ------------------------------------------------------------------------------------


def _documents() -> list[DocumentOut]:
    from knowledge.documents import active_documents, read_registry

    registry = read_registry(get_settings())
    return [DocumentOut(doc_id=doc_id, title=d["title"], passages=d["passages"],
                        format=registry.get(doc_id, {}).get("format", "txt"),
                        added_by=registry.get(doc_id, {}).get("added_by", ""),
                        added_at=registry.get(doc_id, {}).get("added_at", ""))
            for doc_id, d in active_documents().items()]


def _version_out(v: Any) -> VersionOut:
    return VersionOut(number=v.number, current=v.current, created_at=v.info["created_at"], actor=v.info["actor"],
                      action=v.info["action"], documents=len(v.info["documents"]), passages=v.info["passages"],
                      changes=v.info["changes"])


@router.get("/documents", response_model=list[DocumentOut], responses=ERRORS, summary="知识库里的政策文档")
async def documents(user: SignedIn) -> list[DocumentOut]:
    return await run_in_threadpool(_documents)


def _kb_change(fn: Any, *args: Any) -> VersionOut:
    from knowledge.formats import DocumentRefused

    try:
        return _version_out(fn(*args))
    except DocumentRefused as exc:
        raise ApiError(422, "document_refused", str(exc)) from exc


@router.post("/documents", response_model=VersionOut, status_code=201, responses=ERRORS,
             summary="上传政策文档（PDF/DOCX/HTML/XLSX/CSV/TXT，请求正文即文件）")
async def upload_document(
    request: Request, user: KbAdmin,
    filename: Annotated[str, Query(min_length=1, max_length=120, description="原文件名，决定格式和文档编号")],
) -> VersionOut:
    from knowledge.documents import add_document

    data = await request.body()
    if not data:
        raise ApiError(422, "document_refused", "没有收到文件内容。")
    suffix = Path(filename).suffix.lower()[:8]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        version = await run_in_threadpool(_kb_change, add_document, path, _actor(user), None, Path(filename).name)
    log.info("document_added", user=user.username, version=version.number)
    return version


@router.delete("/documents/{doc_id}", response_model=VersionOut, responses=ERRORS, summary="停用一份文档")
async def remove_document(doc_id: str, user: KbAdmin) -> VersionOut:
    from knowledge.documents import remove_document as remove

    return await run_in_threadpool(_kb_change, remove, doc_id, _actor(user))


@router.get("/kb/versions", response_model=list[VersionOut], responses=ERRORS, summary="知识库版本")
async def versions(user: SignedIn) -> list[VersionOut]:
    from knowledge.documents import list_versions

    return [_version_out(v) for v in await run_in_threadpool(list_versions)]


@router.post("/kb/rollback/{number}", response_model=VersionOut, responses=ERRORS, summary="切回以前的版本")
async def rollback(number: int, user: KbAdmin) -> VersionOut:
    from knowledge.documents import rollback as do_rollback

    return await run_in_threadpool(_kb_change, do_rollback, number, _actor(user))


# --- dashboard -------------------------------------------------------------------------------------------------


@router.get("/dashboard", responses=ERRORS, summary="统计：每日提问、解决率、转人工率、满意度、未答问题、标准答案使用")
async def dashboard(user: SignedIn, days: Days = 14) -> dict[str, Any]:
    from kiosk_api.reports import dashboard as build

    return (await run_in_threadpool(build, days)).as_dict()


@router.get("/dashboard.csv", response_class=PlainTextResponse, responses=ERRORS, summary="统计导出为 CSV")
async def dashboard_csv(user: SignedIn, days: Days = 14) -> PlainTextResponse:
    from kiosk_api.reports import dashboard as build

    board = await run_in_threadpool(build, days)
    return PlainTextResponse("\ufeff" + board.csv(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="yibao_dashboard_{days}d.csv"'})


# SVG rendered here, shown with <img>: no script runs in an image; its own styles are inline.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.get("/charts/{name}.svg", responses=ERRORS, summary="统计图（服务器端生成的 SVG）")
async def chart(name: str, user: SignedIn, days: Days = 14) -> Response:
    from kiosk_api.reports import CHARTS, chart_svg
    from kiosk_api.reports import dashboard as build

    if name not in CHARTS:
        raise ApiError(404, "not_found", "没有这张图。")
    board = await run_in_threadpool(build, days)
    svg = await run_in_threadpool(chart_svg, board, name)
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": SVG_CSP, "Cache-Control": "no-store"})
