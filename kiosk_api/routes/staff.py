"""Staff look-ups: policy passages with highlighted matches, full section text, drug catalog."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from kiosk_api.errors import ApiError, service_unavailable
from kiosk_api.highlight import highlight_spans, highlighted_html, query_terms
from kiosk_api.models import CatalogResults, DrugHit, ErrorResponse, SearchHit, SearchResults, SectionText
from kiosk_api.text_input import clean_text
from yibao.logging import get_logger
from yibao.settings import get_settings

router = APIRouter(prefix="/api", tags=["staff"])
log = get_logger("kiosk_api.staff")

Topic = Literal["reimbursement", "special_disease", "remote_filing", "catalog", "account", "institution", "policy"]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "没有这一节"},
    422: {"model": ErrorResponse, "description": "查询为空、过长或无法识别"},
    503: {"model": ErrorResponse, "description": "知识库暂时不可用"},
}


def _query(q: str) -> str:
    try:
        return clean_text(q, get_settings().kiosk_max_query_chars, what="查询内容")
    except ValueError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from exc


def _knowledge_base() -> Any:
    try:
        from knowledge.retrieve import get_knowledge_base

        return get_knowledge_base()
    except Exception as exc:  # missing index or model: staff get a clear message, not a stack trace
        log.warning("knowledge_base_unavailable", error=str(exc)[:300])
        raise service_unavailable("政策知识库") from exc


def _search(query: str, topic: str | None, k: int) -> SearchResults:
    kb = _knowledge_base()
    terms = query_terms(query)
    hits = []
    for hit in kb.search(query, k=k, topics=[topic] if topic else None):
        spans = highlight_spans(hit.text, terms)
        section_ref = quote(hit.section_id, safe="")
        hits.append(SearchHit(
            passage_id=hit.passage_id, text=hit.text, highlights=spans,
            highlighted_html=highlighted_html(hit.text, spans),
            doc=hit.doc_title, doc_id=hit.doc_id, section=hit.section, section_id=hit.section_id,
            section_url=f"/api/section/{section_ref}", section_page=f"/staff/section/{section_ref}",
            topics=list(hit.topics), score=float(hit.score), confidence=float(hit.confidence),
        ))
    return SearchResults(query=query, terms=terms, hits=hits)


@router.get("/search", response_model=SearchResults, responses=ERRORS, summary="检索政策原文（工作人员）")
async def search(
    q: Annotated[str, Query(description="要查的问题或关键词", examples=["外配处方保存多久"])],
    topic: Annotated[Topic | None, Query(description="只看某一类")] = None,
    k: Annotated[int, Query(ge=1, le=20, description="最多几条")] = 5,
) -> SearchResults:
    return await run_in_threadpool(_search, _query(q), topic, k)


def _section(section_id: str) -> SectionText:
    text = None
    with contextlib.suppress(KeyError, IndexError, ValueError):  # unknown id: however the index says so
        text = _knowledge_base().section_text(section_id)
    if not text:
        raise ApiError(404, "section_not_found", "没有找到这一节原文。")
    return SectionText(section_id=section_id, text=text)


@router.get("/section/{section_id}", response_model=SectionText, responses=ERRORS, summary="整节原文")
async def section(section_id: str) -> SectionText:
    if len(section_id) > 200:
        raise ApiError(404, "section_not_found", "没有找到这一节原文。")
    return await run_in_threadpool(_section, section_id)


def _catalog(query: str, limit: int) -> CatalogResults:
    try:
        from knowledge.catalog import get_catalog

        catalog = get_catalog()
    except Exception as exc:
        log.warning("catalog_unavailable", error=str(exc)[:300])
        raise service_unavailable("药品目录") from exc
    found = catalog.answer(query, limit=limit)
    hits = [
        DrugHit(name=m.name, category=m.category, dosage_form=m.dosage_form or "", restriction=m.restriction or "",
                note=m.note or "", score=float(m.score), source=m.source)
        for m in found.matches
    ]
    return CatalogResults(query=query, hits=hits, recognised=found.recognised, confidence=found.confidence)


@router.get("/catalog", response_model=CatalogResults, responses=ERRORS, summary="药品目录查询（甲类/乙类/目录外）")
async def catalog(
    q: Annotated[str, Query(description="药品名、拼音或拼音首字母", examples=["阿莫西林"])],
    k: Annotated[int, Query(ge=1, le=20, description="最多几条")] = 5,
) -> CatalogResults:
    return await run_in_threadpool(_catalog, _query(q), k)
