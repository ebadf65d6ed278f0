"""Drug catalog lookup (甲类 / 乙类 / 目录外) with exact, normalised, fuzzy (rapidfuzz) and pinyin (pypinyin) matching.

The catalog is a SQLite table in the data dir, filled by ``yibao catalog import FILE.csv`` (one transaction: the
previous import stays until the new file has been read and checked completely). Until a hospital imports its real
catalog, lookups use the small shipped sample ``knowledge/data/drug_catalog_sample.csv`` — and every answer says so.

    from knowledge.catalog import get_catalog, category_explanation
    get_catalog().lookup("amoxilin")        # [DrugMatch(name="阿莫西林", category="甲类", score=95.0, ...)]
    get_catalog().answer("阿莫西休胶囊")      # the whole patient reply, including not-found and bad input
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sqlalchemy import DateTime, Integer, String, Text, create_engine, delete, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from knowledge.policy_table import Citation, estimate_answer
from knowledge.text import to_simplified
from yibao.settings import get_settings

DATA_DIR = Path(__file__).resolve().parent / "data"
SAMPLE_CSV = DATA_DIR / "drug_catalog_sample.csv"
CATEGORIES_FILE = DATA_DIR / "catalog_categories.yml"
SAMPLE_MARK = "示例数据"
SAMPLE_LABEL = f"{SAMPLE_MARK}，非官方目录；以国家医保药品目录为准"
# Match scores (0..100): >= 90 the drug itself (name, alias, other salt or form, homophone); TYPO_SCORE one wrong
# character; MIN_SCORE..80 a weak suggestion (part of a name, distant typo). Below MIN_SCORE nothing is shown.
MIN_SCORE = 70.0
TYPO_SCORE = 85.0
MAX_CSV_BYTES = 20_000_000
MAX_FIELD_CHARS = 200

# Salt prefixes and dosage-form suffixes are stripped before comparing ("盐酸二甲双胍缓释片" -> "二甲双胍").
SALT_PREFIXES = ("注射用", "盐酸", "硫酸氢", "硫酸", "酒石酸", "琥珀酸", "苯磺酸", "马来酸", "枸橼酸", "甲磺酸",
                 "磷酸", "醋酸")
# suffix -> the dosage forms it belongs to (to warn when the catalog row is another form).
FORM_SUFFIXES: dict[str, tuple[str, ...]] = {
    "片": ("口服常释剂型", "片剂", "舌下片"), "肠溶片": ("口服常释剂型",), "分散片": ("口服常释剂型",),
    "咀嚼片": ("口服常释剂型",), "舌下片": ("舌下片", "口服常释剂型"), "缓释片": ("缓释控释剂型",),
    "控释片": ("缓释控释剂型",), "胶囊": ("口服常释剂型",), "肠溶胶囊": ("口服常释剂型",),
    "缓释胶囊": ("缓释控释剂型",), "注射液": ("注射剂",), "注射剂": ("注射剂",), "粉针剂": ("注射剂",),
    "针剂": ("注射剂",), "针": ("注射剂",), "口服液": ("口服液体剂", "合剂"), "混悬液": ("口服液体剂",),
    "糖浆": ("口服液体剂",), "气雾剂": ("吸入剂", "气雾剂"), "颗粒": ("颗粒剂",), "滴丸": ("丸剂",),
    "丸": ("丸剂",), "散": ("散剂",),
}
_SUFFIXES_LONGEST_FIRST = sorted(FORM_SUFFIXES, key=len, reverse=True)
PINYIN_SUFFIXES = ("changrongjiaonang", "huanshijiaonang", "changrongpian", "huanshipian", "kongshipian", "zhusheye",
                   "zhusheji", "koufuye", "jiaonang", "keli", "pian", "zhen", "wan")
# Words around a drug name in a question, removed before deciding whether the rest is more of a drug name.
QUESTION_WORDS = re.compile(
    r"请问|我想问|医保|目录|能不能|可不可以|可以|能|报销|报不报|给报|报|吗|呢|吧|啊|的|是不是|是|属于|哪一类|哪类|什么|"
    r"甲类还是乙类|甲类|乙类|还是|里面|里|在不在|在|药品|药|这个|这种|吃|用|买|开|多少|比例|自费|有没有|有"
)
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


# --- data -----------------------------------------------------------------------------------------------------


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
    score: float  # 0..100: 100 exact name or alias, >= 90 the drug itself, 85 one typo, 70..80 a weak suggestion
    source: str  # where the row comes from, always ending with "以国家医保药品目录为准"
    form_warning: str = ""  # set when the question named another dosage form than this row's

    @property
    def citation(self) -> Citation | None:
        return category_citation(self.category)

    def to_chinese(self) -> str:
        """One patient-friendly line: category explained, restriction, dosage-form caution, data source."""
        form = f"（{self.dosage_form}）" if self.dosage_form else ""
        parts = [f"{self.name}{form}：医保{self.category}药品。{_category_text(self.category)}"]
        if self.restriction:
            parts.append(f"限定支付范围：{self.restriction}。")
        if self.note:
            parts.append(f"备注：{self.note}。")
        if self.form_warning:
            parts.append(self.form_warning)
        parts.append(f"（数据：{self.source}）")
        return "".join(parts)


class _Base(DeclarativeBase):
    pass


class DrugRow(_Base):
    __tablename__ = "drug_catalog"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_FIELD_CHARS), index=True)
    category: Mapped[str] = mapped_column(String(8))
    dosage_form: Mapped[str] = mapped_column(String(MAX_FIELD_CHARS), default="")
    restriction: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")  # "|"-separated


class CatalogImport(_Base):
    __tablename__ = "drug_catalog_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(Text)  # shown with every answer
    row_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


# --- reading and checking a catalog CSV -------------------------------------------------------------------------


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


def _is_sample(path: Path) -> bool:
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


# --- matching -----------------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Simplified, half-width, lower case, letters/digits/CJK only."""
    text = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", "", text)


def _core(text: str) -> tuple[str, str]:
    """(drug name without salt prefix / dosage suffix, the dosage suffix found)."""
    core, suffix = _plain(text), ""
    for prefix in SALT_PREFIXES:
        if core.startswith(prefix) and len(core) - len(prefix) >= 2:
            core = core[len(prefix):]
    for candidate in _SUFFIXES_LONGEST_FIRST:
        if core.endswith(candidate) and len(core) - len(candidate) >= 2:
            core, suffix = core[: -len(candidate)], candidate
            break
    return core, suffix


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower().replace("ü", "u").replace("v", "u")


def _pinyin_core(text: str) -> str:
    core = re.sub(r"[^a-z]", "", text.lower()).replace("v", "u")
    for suffix in PINYIN_SUFFIXES:
        if core.endswith(suffix) and len(core) - len(suffix) >= 4:
            return core[: -len(suffix)]
    return core


@dataclass(frozen=True)
class _Key:
    record: int  # index into the records
    plain: str  # the full name or alias, normalised
    core: str
    pinyin: str


class _Index:
    """Lookup keys for each record: name and aliases, their cores and pinyin."""

    def __init__(self, records: list[DrugRecord], source: str) -> None:
        self.records = records
        self.source = source
        self.keys = [
            _Key(i, _plain(text), core, _pinyin(core))
            for i, record in enumerate(records)
            for text in (record.name, *record.aliases)
            for core in [_core(text)[0]]
            if core
        ]

    def search(self, query: str, limit: int) -> list[DrugMatch]:
        plain = _plain(query)
        core, suffix = _core(query)
        # A form named inside a question ("二甲双胍缓释片能报吗"); single characters (片, 针) only as a suffix.
        suffix = suffix or next((f for f in _SUFFIXES_LONGEST_FIRST if len(f) >= 2 and f in plain), "")
        latin = not re.search(r"[\u3400-\u9fff]", plain)
        pinyin_query = _pinyin_core(plain) if latin else _pinyin(core)
        best: dict[int, float] = {}
        for key in self.keys:
            score = self._score(key, plain, core, pinyin_query, latin)
            if score > best.get(key.record, 0):
                best[key.record] = score
        ranked = sorted(((s, i) for i, s in best.items() if s >= MIN_SCORE), key=lambda p: (-p[0], p[1]))
        if ranked and ranked[0][0] >= 95:  # a sure hit: drop the look-alikes
            ranked = [(s, i) for s, i in ranked if s >= 90]
        return [self._match(i, s, suffix) for s, i in ranked[:limit]]

    @staticmethod
    def _score(key: _Key, plain: str, core: str, pinyin_query: str, latin: bool) -> float:
        """0..100: exact name or alias, same drug in another salt/form, typo (characters or sound), part of a name."""
        if latin:
            if len(pinyin_query) < 3:
                return 0.0
            return 0.95 * fuzz.ratio(pinyin_query, key.pinyin)
        if plain == key.plain:
            return 100.0
        if core == key.core:
            return 98.0
        scores = [fuzz.ratio(core, key.core)]
        sound = fuzz.ratio(pinyin_query, key.pinyin)
        if sound >= 85:  # same or nearly the same sound: "阿斯匹林", "二甲双瓜"
            scores.append(0.95 * sound)
        if len(key.core) >= 3 and Levenshtein.distance(core, key.core) == 1:  # one wrong character: "阿莫西休"
            scores.append(TYPO_SCORE)
        if len(key.core) >= 2 and key.core in plain:
            # The name inside a question ("阿莫西林能报销吗") is the drug; inside a longer name
            # ("阿莫西林克拉维酸钾") it is another drug, so only a suggestion.
            rest = QUESTION_WORDS.sub("", plain.replace(key.core, "", 1))
            scores.append(90.0 if rest in ("", *FORM_SUFFIXES) else MIN_SCORE + 5)
        if len(core) >= 2 and core in key.core:  # part of a name ("头孢"): a suggestion, never a sure hit
            scores.append(MIN_SCORE + 15.0 * len(core) / len(key.core))
        return max(scores)

    def _match(self, index: int, score: float, query_suffix: str) -> DrugMatch:
        r = self.records[index]
        warning = ""
        forms = FORM_SUFFIXES.get(query_suffix, ())
        if forms and r.dosage_form and r.dosage_form not in forms:
            warning = (f"注意：这里收录的是{r.dosage_form}，您问的“{query_suffix}”剂型分类可能不同，"
                       "请以国家医保药品目录为准或到窗口确认。")
        return DrugMatch(r.name, r.category, r.dosage_form, r.restriction, r.note, round(score, 1), self.source,
                         warning)


def clean_query(query: str | None) -> str:
    """The query without HTML tags, control characters, emoji and symbols; simplified and half-width."""
    text = re.sub(r"<[^>]*>", " ", (query or "")[:1000])
    text = "".join(c for c in text if unicodedata.category(c)[0] not in "CS")
    return re.sub(r"\s+", " ", to_simplified(unicodedata.normalize("NFKC", text))).strip()


def check_query(query: str | None) -> str | None:
    """None when ``query`` can be looked up, else a polite Chinese reason (empty, too long, no drug-name letters)."""
    plain = _plain(clean_query(query))
    if not plain:
        return "请输入要查询的药品名称（中文通用名或拼音），例如：阿莫西林。"
    if len(plain) > (limit := get_settings().max_name_chars):
        return f"药品名称太长了，请只输入药品通用名（{limit} 个字以内），例如：二甲双胍。"
    if not re.search(r"[a-z\u3400-\u9fff]", plain):
        return "没看懂这个药名，请输入药品的中文通用名或拼音，例如：布洛芬 或 buluofen。"
    return None


# --- the catalog ----------------------------------------------------------------------------------------------


class Catalog:
    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        _Base.metadata.create_all(self.engine)
        self._cached: tuple[int | None, _Index] | None = None

    def import_csv(self, path: Path) -> int:
        """Replace the catalog with the CSV in one transaction; returns the number of drugs imported."""
        records = read_catalog_csv(path)  # everything is checked before the database is touched
        now = datetime.now(UTC).replace(tzinfo=None)
        label = (SAMPLE_LABEL if _is_sample(Path(path))
                 else f"本院导入的目录（{Path(path).name}，{now:%Y-%m-%d} 导入）；以国家医保药品目录为准")
        with Session(self.engine) as session, session.begin():
            session.execute(delete(DrugRow))
            session.add_all(DrugRow(name=r.name, category=r.category, dosage_form=r.dosage_form,
                                    restriction=r.restriction, note=r.note, aliases="|".join(r.aliases))
                            for r in records)
            session.add(CatalogImport(source_name=Path(path).name, label=label, row_count=len(records),
                                      imported_at=now))
        return len(records)

    def _index(self) -> _Index:
        """The current index, rebuilt only when another import happened (possibly in another process)."""
        with Session(self.engine) as session:
            latest = session.scalar(select(func.max(CatalogImport.id)))
            if self._cached and self._cached[0] == latest:
                return self._cached[1]
            if latest is None:
                index = _Index(read_catalog_csv(SAMPLE_CSV), SAMPLE_LABEL)
            else:
                info = session.get(CatalogImport, latest)
                rows = session.scalars(select(DrugRow).order_by(DrugRow.id)).all()
                records = [DrugRecord(r.name, r.category, r.dosage_form, r.restriction, r.note,
                                      tuple(a for a in r.aliases.split("|") if a)) for r in rows]
                index = _Index(records, info.label if info else SAMPLE_LABEL)
        self._cached = (latest, index)
        return index

    @property
    def source(self) -> str:
        return self._index().source

    def lookup(self, query: str, limit: int = 5) -> list[DrugMatch]:
        """Best matches first (at most ``limit``); empty for not found and for unusable input (see check_query)."""
        if check_query(query) is not None:
            return []
        return self._index().search(clean_query(query), max(1, min(limit, 20)))

    def answer(self, query: str, limit: int = 3) -> str:
        """The whole reply for the patient: matches explained, suggestions, not-found, or why the input is unusable."""
        problem = check_query(query)
        if problem:
            return problem
        if _category(clean_query(query)) is not None:  # "乙类" itself, not a drug: explain the category
            return category_explanation(query)
        matches = self.lookup(query, limit)
        if not matches:
            return not_found_text(query)
        sure = [m for m in matches if m.score >= 90]
        if sure:
            return "\n".join(m.to_chinese() for m in sure)
        options = "、".join(f"{m.name}（{m.category}）" for m in matches)
        return (f"没有找到完全一致的药名，您是不是要找：{options}？\n{matches[0].to_chinese()}\n"
                f"如果都不是：{not_found_text(query)}")


def not_found_text(query: str) -> str:
    shown = clean_query(query)
    # Echo only what looks like a drug name: never repeat a sentence (or an injected instruction) back.
    what = f"“{shown}”" if len(shown) <= 12 and re.fullmatch(r"[\w ]+", shown) else "这个药品"
    return (f"没有在目录中找到{what}：可能是目录外或未收录的药品，请以国家医保药品目录为准。"
            f"{get_settings().human_help}。")


@lru_cache(maxsize=4)
def _catalog_for(database_url: str) -> Catalog:
    return Catalog(database_url)


def get_catalog() -> Catalog:
    """The catalog in ``<data dir>/drug_catalog.db`` (its own file: the accounts database may be PostgreSQL)."""
    data_dir = get_settings().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    return _catalog_for(f"sqlite:///{data_dir / 'drug_catalog.db'}")


# --- 甲类 / 乙类 / 目录外 explained ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Category:
    name: str
    aliases: frozenset[str]
    text: str
    citation: Citation


@lru_cache(maxsize=1)
def _categories() -> dict[str, _Category]:
    data = yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return {
        name: _Category(
            name=name,
            aliases=frozenset(_plain(a) for a in (name, *entry.get("aliases", []))),
            text=entry["text"],
            citation=Citation.from_yaml(entry["source"]),
        )
        for name, entry in data.items()
    }


def _category(category: str | None) -> _Category | None:
    plain = _plain(category or "")
    return next((c for c in _categories().values() if plain in c.aliases), None)


def _category_text(category: str) -> str:
    found = _category(category)
    return found.text if found else ""


def category_citation(category: str | None) -> Citation | None:
    found = _category(category)
    return found.citation if found else None


def category_explanation(category: str | None) -> str:
    """What 甲类 / 乙类 / 目录外 / 诊疗项目 mean for the patient, with the source passage quoted."""
    found = _category(category)
    if found is None:
        return f"可以解释的类别有：{'、'.join(_categories())}。其他问题{get_settings().human_help}。"
    return f"{found.name}：{found.text}（{found.citation.cite()}）"


# --- command line -------------------------------------------------------------------------------------------------

catalog_app = typer.Typer(no_args_is_help=True, add_completion=False)


@catalog_app.command("import")
def import_command(
    csv_file: Annotated[Path, typer.Argument(help="药品目录 CSV（UTF-8；列：name,category,dosage_form,…）")],
) -> None:
    """用 CSV 替换药品目录（整体替换；文件有错时原目录保持不变）。"""
    try:
        count = get_catalog().import_csv(csv_file)
    except CatalogImportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"已导入 {count} 种药品（{csv_file.name}）。")


@catalog_app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="药品名称：中文、拼音或带错字都可以")],
    limit: Annotated[int, typer.Option(help="最多显示几条")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """查询药品的医保类别（甲类/乙类/目录外）。"""
    catalog = get_catalog()
    if as_json:
        matches = [asdict(m) for m in catalog.lookup(name, limit)]
        typer.echo(json.dumps({"query": name, "problem": check_query(name), "matches": matches}, ensure_ascii=False))
    else:
        typer.echo(catalog.answer(name, limit))


@catalog_app.command("estimate")
def estimate_command(
    insurance_type: Annotated[str, typer.Argument(help="参保类型，如 职工医保 / 居民医保")],
    visit_type: Annotated[str, typer.Argument(help="就诊类型，如 住院 / 门诊慢特病 / 普通门诊")],
    total_cost: Annotated[str, typer.Argument(help="总费用（元），如 30000 或 3万")],
    hospital_level: Annotated[str | None, typer.Option(help="医院等级，如 三级")] = None,
) -> None:
    """按政策表（YIBAO_POLICY_TABLE）逐步估算报销金额。"""
    typer.echo(estimate_answer(insurance_type, visit_type, total_cost, hospital_level))
