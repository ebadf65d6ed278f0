"""The catalog's answer to a query, computed once for every caller (chat bot, staff page, command line): the
matches, whether the drug's name is recognised, the confidence, the reply text and its citations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.catalog.categories import category_explanation, category_named, category_text
from knowledge.catalog.matching import RECOGNISED_SCORE, SURE_SCORE, confidence
from knowledge.catalog.queries import clean_query
from knowledge.catalog.records import DrugMatch
from knowledge.policy_table import Citation
from yibao.settings import get_settings

OTHER_MATCHES = "您是不是还想查：{names}"


@dataclass(frozen=True)
class CatalogAnswer:
    query: str
    problem: str | None  # why the query cannot be looked up (empty, too long, no drug-name letters), else None
    matches: list[DrugMatch]  # best first
    recognised: bool  # the best match is the drug asked about (score >= RECOGNISED_SCORE): state it as the answer
    confidence: float  # 0..1: how sure the best match is the drug asked about; 0 without a match
    text: str  # the whole reply: matches explained, suggestions, not found, a category explained, or the problem
    # When recognised: the drug stated as the answer (its row explained, its category's source, other recognised
    # names) and what that statement cites; "" and [] otherwise (the chat bot then asks the documents instead).
    recognised_text: str = ""
    citations: list[Citation] = field(default_factory=list)


def catalog_answer(query: str | None, problem: str | None, matches: list[DrugMatch]) -> CatalogAnswer:
    """The answer to ``query`` from its lookup: ``problem`` (``check_query``) or the ``matches``, best first."""
    shown = str(query or "")
    best = matches[0] if matches else None
    recognised = best is not None and best.score >= RECOGNISED_SCORE
    stated, citations = _stated(matches) if recognised else ("", [])
    return CatalogAnswer(
        query=shown, problem=problem, matches=matches, recognised=recognised,
        confidence=confidence(best.score) if best else 0.0, text=problem or _reply(shown, matches),
        recognised_text=stated, citations=citations,
    )


def drug_text(match: DrugMatch) -> str:
    """One patient-friendly line: category explained, restriction, dosage-form caution, data source."""
    form = f"（{match.dosage_form}）" if match.dosage_form else ""
    parts = [f"{match.name}{form}：医保{match.category}药品。{category_text(match.category)}"]
    if match.restriction:
        parts.append(f"限定支付范围：{match.restriction}。")
    if match.note:
        parts.append(f"备注：{match.note}。")
    if match.form_warning:
        parts.append(match.form_warning)
    parts.append(f"（数据：{match.source}）")
    return "".join(parts)


def not_found_text(query: str) -> str:
    shown = clean_query(query)
    # Echo only what looks like a drug name: never repeat a sentence (or an injected instruction) back.
    what = f"“{shown}”" if len(shown) <= 12 and re.fullmatch(r"[\w ]+", shown) else "这个药品"
    return (f"没有在目录中找到{what}：可能是目录外或未收录的药品，请以国家医保药品目录为准。"
            f"{get_settings().human_help}。")


def _reply(query: str, matches: list[DrugMatch]) -> str:
    if category_named(clean_query(query)) is not None:  # "乙类" itself, not a drug: explain the category
        return category_explanation(query)
    if not matches:
        return not_found_text(query)
    sure = [m for m in matches if m.score >= SURE_SCORE]
    if sure:
        return "\n".join(drug_text(m) for m in sure)
    options = "、".join(f"{m.name}（{m.category}）" for m in matches)
    return (f"没有找到完全一致的药名，您是不是要找：{options}？\n{drug_text(matches[0])}\n"
            f"如果都不是：{not_found_text(query)}")


def _stated(matches: list[DrugMatch]) -> tuple[str, list[Citation]]:
    """The best match stated as the answer, with the source of its category and the other recognised names."""
    best = matches[0]
    lines = [drug_text(best)]
    citations = [Citation(doc=str(best.source), quote=lines[0], section=str(best.category),
                          passage_id=f"catalog:{best.name}")]
    if best.citation is not None:
        lines.append(best.citation.cite())
        citations.append(best.citation)
    others = [m.name for m in matches[1:4] if m.score >= RECOGNISED_SCORE and m.name != best.name]
    if others:
        lines.append(OTHER_MATCHES.format(names="、".join(others)))
    return "\n".join(lines), citations
