"""甲类 / 乙类 / 目录外 / 诊疗项目 explained for the patient, each with its source passage
(``knowledge/data/catalog_categories.yml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.catalog.queries import plain
from knowledge.policy_table import Citation
from yibao.settings import get_settings

CATEGORIES_FILE = Path(__file__).resolve().parent.parent / "data" / "catalog_categories.yml"


@dataclass(frozen=True)
class Category:
    name: str
    aliases: frozenset[str]
    text: str
    citation: Citation


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    data = yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return {
        name: Category(
            name=name,
            aliases=frozenset(plain(a) for a in (name, *entry.get("aliases", []))),
            text=entry["text"],
            citation=Citation.from_yaml(entry["source"]),
        )
        for name, entry in data.items()
    }


def category_named(text: str | None) -> Category | None:
    """The category ``text`` is the name (or an alias) of, or None."""
    wanted = plain(text or "")
    return next((c for c in categories().values() if wanted in c.aliases), None)


def category_text(category: str) -> str:
    found = category_named(category)
    return found.text if found else ""


def category_citation(category: str | None) -> Citation | None:
    found = category_named(category)
    return found.citation if found else None


def category_explanation(category: str | None) -> str:
    """What 甲类 / 乙类 / 目录外 / 诊疗项目 mean for the patient, with the source passage quoted."""
    found = category_named(category)
    if found is None:
        return f"可以解释的类别有：{'、'.join(categories())}。其他问题{get_settings().human_help}。"
    return f"{found.name}：{found.text}（{found.citation.cite()}）"
