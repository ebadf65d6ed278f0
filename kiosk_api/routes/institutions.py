"""定点医药机构名录 for the kiosk tile, the widget and the staff directory tab: ``GET /api/institutions``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from kiosk_api.errors import ApiError, service_unavailable
from kiosk_api.models import (
    ErrorResponse,
    GeoPoint,
    InstitutionCard,
    InstitutionFacets,
    InstitutionFlag,
    InstitutionLevel,
    InstitutionNature,
    InstitutionResults,
    InstitutionType,
)
from kiosk_api.text_input import clean_text
from yibao.logging import get_logger

router = APIRouter(prefix="/api", tags=["institutions"])
log = get_logger("kiosk_api.institutions")
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "参数不正确（未知的类型、条件，经纬度只给了一个或超出范围……）"},
    503: {"model": ErrorResponse, "description": "名录暂时不可用"},
}


def _directory() -> Any:
    try:
        from institutions.search import get_directory

        return get_directory()
    except Exception as exc:  # database unreachable: a clear message, not a stack trace
        log.warning("directory_unavailable", error=str(exc)[:300])
        raise service_unavailable("定点医药机构名录") from exc


def _search(query: Any) -> InstitutionResults:
    from institutions.answers import card
    from institutions.search import QueryProblem

    try:
        result = _directory().search(query)
    except QueryProblem as exc:
        raise ApiError(422, "invalid_input", str(exc)) from exc
    origin = GeoPoint(latitude=result.origin[0], longitude=result.origin[1]) if result.origin else None
    return InstitutionResults(
        total=result.total, source=result.label, is_sample=result.is_sample, origin=origin,
        institutions=[InstitutionCard(**card(m)) for m in result.matches],
        suggestions=[m.record.name for m in result.suggestions],
    )


@router.get("/institutions", response_model=InstitutionResults, responses=ERRORS,
            summary="定点医药机构查询（名称模糊/拼音/首字母，按条件筛选，离自助机最近的在前）")
async def institutions(
    q: Annotated[str | None, Query(description="名称、简称、拼音或拼音首字母，可带错字", examples=["市一医院"])] = None,
    type: Annotated[list[InstitutionType] | None, Query(description="机构类型，可多选")] = None,
    district: Annotated[list[str] | None, Query(description="区县，可多选")] = None,
    level: Annotated[list[InstitutionLevel] | None, Query(description="等级，可多选")] = None,
    nature: Annotated[list[InstitutionNature] | None, Query(description="经营性质")] = None,
    flag: Annotated[list[InstitutionFlag] | None, Query(description="必须具备的条件，可多选（都要满足）")] = None,
    near: Annotated[bool, Query(description="离自助机（或 lat/lon）最近的在前")] = False,
    lat: Annotated[float | None, Query(ge=3, le=54, description="纬度（不填用自助机的位置）")] = None,
    lon: Annotated[float | None, Query(ge=73, le=136, description="经度，与 lat 一起给")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> InstitutionResults:
    from institutions.search import InstitutionQuery

    if (lat is None) != (lon is None):
        raise ApiError(422, "invalid_input", "经度和纬度要一起给（lat 和 lon），或者都不给。")
    name = ""
    if q is not None and q.strip():
        try:
            name = clean_text(q, 40, what="机构名称")
        except ValueError as exc:
            raise ApiError(422, "invalid_input", str(exc)) from exc
    districts = []
    for d in district or []:
        try:
            districts.append(clean_text(d, 32, what="区县"))
        except ValueError as exc:
            raise ApiError(422, "invalid_input", str(exc)) from exc
    query = InstitutionQuery(
        name=name, types=tuple(type or ()), districts=tuple(districts), levels=tuple(level or ()),
        natures=tuple(nature or ()), flags=tuple(flag or ()), near=near,
        origin=(lat, lon) if lat is not None and lon is not None else None, limit=limit, offset=offset,
    )
    return await run_in_threadpool(_search, query)


def _facets() -> InstitutionFacets:
    from institutions.models import FLAGS
    from institutions.search import ALL_LEVELS, ALL_NATURES, ALL_TYPES

    index = _directory().index()
    return InstitutionFacets(
        types=[t for t in ALL_TYPES if t in index.codes["type"]], districts=sorted(index.codes["district"]),
        levels=list(ALL_LEVELS), natures=list(ALL_NATURES), flags=dict(FLAGS), source=index.label,
        is_sample=index.is_sample, total=len(index.records),
    )


@router.get("/institutions/facets", response_model=InstitutionFacets, responses=ERRORS,
            summary="名录里有哪些类型、区县和条件（自助机按钮、工作台筛选用）")
async def facets() -> InstitutionFacets:
    return await run_in_threadpool(_facets)
