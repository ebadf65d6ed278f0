"""``GET /api/topics``: the topic tree the kiosk's touch navigation is built from (yibao/data/topic_tree.yml)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from yibao.topic_tree import get_topic_tree

router = APIRouter(prefix="/api", tags=["chat"])


@router.get("/topics", summary="话题 → 子话题 → 常见问题（自助机点选导航）")
async def topics(response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return get_topic_tree().as_dict()
