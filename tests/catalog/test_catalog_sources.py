"""Grounding: every figure of the shipped policy table and every category explanation is quoted verbatim from a
corpus document (after the knowledge base's cleaning), and the figure is in its quote."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from knowledge.catalog import CATEGORIES_FILE, SAMPLE_CSV, SAMPLE_LABEL
from knowledge.text import to_simplified

SHIPPED_TABLE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "policy_table.yml"


def _same_text(text: str) -> str:
    """Compare ignoring width (，vs ,) and whitespace only: the quote must otherwise be verbatim."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _figures() -> Iterator[tuple[str, str, dict]]:
    data = yaml.safe_load(SHIPPED_TABLE.read_text(encoding="utf-8"))
    for i, rule in enumerate(data["rules"], 1):
        for name in ("deductible", "ratio", "cap"):
            yield f"rule {i} {name}", name, rule.get(name) or {}


def _sources() -> Iterator[tuple[str, dict]]:
    for where, _, figure in _figures():
        if figure.get("source"):
            yield where, figure["source"]
    for category, entry in yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8")).items():
        yield category, entry["source"]


@pytest.mark.parametrize(("where", "source"), list(_sources()), ids=[w for w, _ in _sources()])
def test_quote_is_in_the_cleaned_document(
    where: str, source: dict, cleaned_document: Callable[[str], str], document_title: Callable[[str], str]
) -> None:
    text = cleaned_document(source["doc"])
    assert _same_text(source["quote"]) in _same_text(text), where
    assert to_simplified(source["quote"]) == source["quote"], f"{where}: quote must be simplified"
    assert source["title"] == document_title(source["doc"]), f"{where}: title must match the knowledge base's"


@pytest.mark.parametrize(("where", "kind", "figure"), list(_figures()), ids=[w for w, _, _ in _figures()])
def test_every_figure_is_in_its_quote_or_explicitly_missing(where: str, kind: str, figure: dict) -> None:
    key = "percent" if kind == "ratio" else "amount"
    value = figure.get(key)
    if value is None:
        assert figure.get("note"), f"{where}: a missing figure must say why (note)"
        return
    quote = _same_text(figure["source"]["quote"])
    for number in value if isinstance(value, list) else [value]:
        shown = f"{number}%" if kind == "ratio" else str(number)
        assert shown in quote, f"{where}: {shown} not in its quote"


def test_every_shipped_rule_has_a_cited_ratio_or_none() -> None:
    ratios = [f for _, kind, f in _figures() if kind == "ratio"]
    assert ratios and all(f.get("source") for f in ratios if f.get("percent") is not None)


def test_sample_catalog_is_labelled_as_sample() -> None:
    header = SAMPLE_CSV.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#") and SAMPLE_LABEL in header
