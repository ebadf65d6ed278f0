"""Reading and checking a catalog CSV (``yibao catalog import FILE.csv``): every row is checked before the
database is touched, and the errors name their line numbers in Chinese."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from knowledge.catalog.records import DrugRecord
from knowledge.catalog.tables import MAX_FIELD_CHARS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_CSV = DATA_DIR / "drug_catalog_sample.csv"
SAMPLE_MARK = "示例数据"
SAMPLE_LABEL = f"{SAMPLE_MARK}，非官方目录；以国家医保药品目录为准"
MAX_CSV_BYTES = 20_000_000
CSV_COLUMNS = {  # accepted header -> field; Chinese headers for catalogs exported from hospital systems
    "name": "name", "通用名": "name", "药品名称": "name", "药品通用名": "name",
    "category": "category", "类别": "category", "甲乙类": "category", "医保类别": "category",
    "dosage_form": "dosage_form", "剂型": "dosage_form",
    "restriction": "restriction", "限定支付范围": "restriction", "备注限制": "restriction",
    "note": "note", "备注": "note",
    "aliases": "aliases", "别名": "aliases",
}
CATEGORY_WORDS = {"甲类": "甲类", "甲": "甲类", "a": "甲类", "乙类": "乙类", "乙": "乙类", "b": "乙类",
                  "目录外": "目录外", "自费": "目录外", "丙类": "目录外"}


class CatalogImportError(ValueError):
    """The CSV was not imported (the previous catalog is unchanged); the message says which lines are wrong."""


def _clean_field(value: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()


def read_catalog_csv(path: Path) -> list[DrugRecord]:
    """Every row of a catalog CSV, checked; CatalogImportError (in Chinese, with line numbers) if anything is wrong."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogImportError(f"读不到文件 {path}：{exc.strerror or exc}") from exc
    if len(raw) > MAX_CSV_BYTES:
        raise CatalogImportError(f"文件过大（超过 {MAX_CSV_BYTES // 1_000_000} MB），请确认是药品目录 CSV。")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogImportError("文件不是 UTF-8 编码：请在表格软件里另存为“CSV UTF-8”后再导入。") from exc
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise CatalogImportError("文件是空的：需要表头（name,category,…）和药品行。")
    rows = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    header = [CSV_COLUMNS.get(_clean_field(h).lower()) for h in next(rows)]
    if "name" not in header or "category" not in header:
        raise CatalogImportError("表头需要包含 name（通用名）和 category（类别：甲类/乙类）两列。")
    records, errors, seen = [], [], set()
    for (line_no, _), cells in zip(lines[1:], rows, strict=False):
        fields = {key: _clean_field(cell) for key, cell in zip(header, cells, strict=False) if key}
        problem = _row_problem(fields)
        key = (fields.get("name"), fields.get("dosage_form", ""))
        if problem is None and key in seen:
            problem = f"{key[0]}（{key[1] or '未写剂型'}）重复"
        if problem:
            errors.append(f"第 {line_no} 行：{problem}")
            continue
        seen.add(key)
        aliases = tuple(a for a in (s.strip() for s in fields.get("aliases", "").split("|")) if a)
        records.append(DrugRecord(
            name=fields["name"], category=CATEGORY_WORDS[fields["category"].lower()],
            dosage_form=fields.get("dosage_form", ""), restriction=fields.get("restriction", ""),
            note=fields.get("note", ""), aliases=aliases,
        ))
    if errors:
        more = f"（另有 {len(errors) - 5} 处）" if len(errors) > 5 else ""
        raise CatalogImportError("没有导入，原目录保持不变。请改正：" + "；".join(errors[:5]) + more)
    if not records:
        raise CatalogImportError("文件里没有药品行。")
    return records


def is_sample(path: Path) -> bool:
    """A file whose header comment says it is sample data keeps that label after import."""
    with path.open(encoding="utf-8-sig") as f:
        return any(SAMPLE_MARK in line for line in f if line.startswith("#"))


def _row_problem(fields: dict[str, str]) -> str | None:
    name, category = fields.get("name", ""), fields.get("category", "")
    if not name:
        return "缺少药品名称"
    if any(len(v) > MAX_FIELD_CHARS for v in fields.values()):
        return f"某一列超过 {MAX_FIELD_CHARS} 个字"
    if "<" in name or ">" in name:
        return "药品名称里不能有 < >"
    if category.lower() not in CATEGORY_WORDS:
        return f"类别“{category}”无法识别（应为 甲类 / 乙类 / 目录外）"
    return None
