"""Drug catalog lookup (甲类 / 乙类 / 目录外) with exact, normalised, fuzzy (rapidfuzz) and pinyin (pypinyin) matching.

The catalog is a SQLite table in the data dir, filled by ``yibao catalog import FILE.csv`` (one transaction: the
previous import stays until the new file has been read and checked completely). Until a hospital imports its real
catalog, lookups use the small shipped sample ``knowledge/data/drug_catalog_sample.csv`` — and every answer says so.

    from knowledge.catalog import answer, get_catalog
    get_catalog().lookup("amoxilin")   # [DrugMatch(name="阿莫西林", category="甲类", score=95.0, ...)]
    answer("阿莫西休胶囊")               # CatalogAnswer: matches, recognised, confidence, text, citations

One concern a module: ``tables`` (SQLite), ``csv_import``, ``queries`` (cleaning and checking a query),
``matching`` (the index, the score scale, recognised and confidence), ``categories`` (甲类/乙类 explained),
``answers`` (the one answer every caller gives), ``store`` (the catalog), ``cli`` (``yibao catalog``).
"""

from knowledge.catalog.answers import CatalogAnswer, drug_text, not_found_text
from knowledge.catalog.categories import CATEGORIES_FILE, category_citation, category_explanation
from knowledge.catalog.csv_import import SAMPLE_CSV, SAMPLE_LABEL, CatalogImportError, read_catalog_csv
from knowledge.catalog.matching import MIN_SCORE, RECOGNISED_SCORE, SURE_SCORE, TYPO_SCORE, confidence
from knowledge.catalog.queries import check_query, clean_query
from knowledge.catalog.records import DrugMatch, DrugRecord
from knowledge.catalog.store import Catalog, answer, get_catalog

__all__ = [
    "CATEGORIES_FILE", "MIN_SCORE", "RECOGNISED_SCORE", "SAMPLE_CSV", "SAMPLE_LABEL", "SURE_SCORE", "TYPO_SCORE",
    "Catalog", "CatalogAnswer", "CatalogImportError", "DrugMatch", "DrugRecord", "answer", "category_citation",
    "category_explanation", "check_query", "clean_query", "confidence", "drug_text", "get_catalog",
    "not_found_text", "read_catalog_csv",
]
