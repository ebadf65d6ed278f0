"""A drug as the catalog holds it (DrugRecord) and as a lookup finds it (DrugMatch)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.catalog.categories import category_citation
from knowledge.policy_table import Citation


@dataclass(frozen=True)
class DrugRecord:
    name: str
    category: str
    dosage_form: str = ""
    restriction: str = ""
    note: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DrugMatch:
    name: str
    category: str  # "甲类" | "乙类" | "目录外"
    dosage_form: str
    restriction: str
    note: str
    score: float  # 0..100, the scale of knowledge.catalog.matching (MIN_SCORE, TYPO_SCORE, SURE_SCORE)
    source: str  # where the row comes from, always ending with "以国家医保药品目录为准"
    form_warning: str = ""  # set when the question named another dosage form than this row's

    @property
    def citation(self) -> Citation | None:
        """The source passage that says what this drug's category means."""
        return category_citation(self.category)
