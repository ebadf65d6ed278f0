"""Reading a directory file (CSV or XLSX) and applying it to the database: every row checked first, then one
transaction; an unchanged file changes nothing.

Column layout (English or Chinese headers, any order; ``aliases`` optional, flags 是/否):

    code 机构编码 | name 机构名称 | aliases 简称 | type 机构类型 | level 机构等级 | nature 经营性质 |
    district 所属区县 | address 地址 | phone 联系电话 | latitude 纬度 | longitude 经度 | opening_hours 营业时间 |
    cross_province 跨省异地就医直接结算 | e_voucher 医保电子凭证 | chronic_disease 门诊慢特病定点 |
    external_prescription 外配处方 | open_24h 24小时

A CSV must be UTF-8 (Excel: "CSV UTF-8"); lines starting with ``#`` are comments, and a comment containing
``示例数据`` marks the file as sample data, which every answer then says.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from institutions.models import FLAGS, Institution, InstitutionImport

DATA_DIR = Path(__file__).resolve().parent / "data"
SAMPLE_FILE = DATA_DIR / "sample_institutions.csv"
SAMPLE_MARK = "示例数据"
SAMPLE_LABEL = "示例数据：虚构的机构，仅供试用，不是本地定点医药机构名录"
MAX_FILE_BYTES = 20_000_000
MAX_ROWS = 200_000
MAX_ERRORS_SHOWN = 20

HEADERS: dict[str, str] = {  # accepted header -> field
    "code": "code", "机构编码": "code", "机构代码": "code", "定点机构编码": "code",
    "name": "name", "机构名称": "name", "定点机构名称": "name", "名称": "name",
    "aliases": "aliases", "简称": "aliases", "别名": "aliases",
    "type": "type", "机构类型": "type", "类型": "type",
    "level": "level", "机构等级": "level", "医院等级": "level", "等级": "level",
    "nature": "nature", "经营性质": "nature", "性质": "nature",
    "district": "district", "所属区县": "district", "区县": "district", "行政区划": "district",
    "address": "address", "地址": "address", "机构地址": "address",
    "phone": "phone", "联系电话": "phone", "电话": "phone",
    "latitude": "latitude", "纬度": "latitude",
    "longitude": "longitude", "经度": "longitude",
    "opening_hours": "opening_hours", "营业时间": "opening_hours", "服务时间": "opening_hours",
    **{flag: flag for flag in FLAGS}, **{label: flag for flag, label in FLAGS.items()},
    "跨省直接结算": "cross_province", "异地直接结算": "cross_province", "电子凭证": "e_voucher",
    "慢特病定点": "chronic_disease", "外配处方药店": "external_prescription", "24小时营业": "open_24h",
}
REQUIRED = ("code", "name", "type", "level", "nature", "district", "address", *FLAGS)

# Canonical values and the spellings accepted for them.
TYPES: dict[str, tuple[str, ...]] = {
    "医院": ("医院", "综合医院", "专科医院", "中医医院"),
    "社区卫生服务中心": ("社区卫生服务中心", "社区卫生服务站", "社区医院"),
    "卫生院": ("卫生院", "乡镇卫生院", "村卫生室"),
    "门诊部": ("门诊部",),
    "诊所": ("诊所", "医务室"),
    "零售药店": ("零售药店", "药店", "药房", "定点药店", "连锁药店"),
}
LEVELS: dict[str, tuple[str, ...]] = {
    "三级": ("三级", "三级甲等", "三级乙等", "三甲", "三乙", "3级"),
    "二级": ("二级", "二级甲等", "二级乙等", "二甲", "二乙", "2级"),
    "一级": ("一级", "一级甲等", "一甲", "1级"),
    "未定级": ("未定级", "无", "未评级", "不适用", ""),
}
NATURES: dict[str, tuple[str, ...]] = {
    "公立": ("公立", "公办", "政府办", "非营利性", "公立医疗机构"),
    "民营": ("民营", "私立", "民办", "营利性", "社会办", "个体"),
}
YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "n", "no", "false", "0", ""}
# A rough box around China: catches latitude and longitude written the wrong way round.
LAT_RANGE, LON_RANGE = (3.0, 54.0), (73.0, 136.0)
FIELD_LIMITS = {"code": 32, "name": 100, "aliases": 200, "district": 32, "address": 200, "phone": 40,
                "opening_hours": 100}
MUST_FILL = {"code": "机构编码", "name": "机构名称", "type": "机构类型", "district": "所属区县", "address": "地址"}
_CODE = re.compile(r"^[0-9A-Za-z_\-]{4,32}$")


class ImportRefused(ValueError):
    """The file was not imported (the directory is unchanged); ``problems`` name the lines."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message if not problems else message + "\n" + "\n".join(problems[:MAX_ERRORS_SHOWN])
                         + (f"\n……另有 {len(problems) - MAX_ERRORS_SHOWN} 处" if len(problems) > MAX_ERRORS_SHOWN
                            else ""))
        self.problems = problems or []


@dataclass(frozen=True)
class InstitutionRecord:
    code: str
    name: str
    aliases: str
    type: str
    level: str
    nature: str
    district: str
    address: str
    phone: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    cross_province: bool
    e_voucher: bool
    chronic_disease: bool
    external_prescription: bool
    open_24h: bool

    @classmethod
    def of(cls, row: Institution) -> InstitutionRecord:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    @property
    def flags(self) -> list[str]:
        return [flag for flag in FLAGS if getattr(self, flag)]


@dataclass(frozen=True)
class ImportReport:
    rows: int
    added: int
    updated: int
    removed: int
    label: str

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        if not self.changed:
            return f"名录没有变化（{self.rows} 家机构，与数据库中一致）。"
        return f"已导入 {self.rows} 家机构：新增 {self.added}，更新 {self.updated}，删除 {self.removed}。"


# --- reading -------------------------------------------------------------------------------------------------


def clean(value: Any) -> str:
    """A cell as text: half-width, single spaces; whole numbers from Excel without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def _canonical(value: str, table: dict[str, tuple[str, ...]], what: str) -> str:
    for canonical, spellings in table.items():
        if value in spellings or value == canonical:
            return canonical
    raise ValueError(f"{what}“{value}”无法识别（应为 {' / '.join(table)}）")


def _flag(value: str, what: str) -> bool:
    text = value.lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"“{what}”应填 是 或 否，不是“{value}”")


def _coordinate(value: str, bounds: tuple[float, float], what: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise ValueError(f"{what}“{value}”不是数字") from exc
    if not bounds[0] <= number <= bounds[1]:
        raise ValueError(f"{what} {value} 不在 {bounds[0]:g}～{bounds[1]:g} 之间（经度和纬度是否写反了？）")
    return round(number, 6)


def parse_row(cells: dict[str, str]) -> InstitutionRecord:
    """One row of text cells (by field name) as a record; ValueError (Chinese) for the first problem found."""
    for key, what in MUST_FILL.items():
        if not cells.get(key):
            raise ValueError(f"缺少{what}")
    for key, limit in FIELD_LIMITS.items():
        if len(cells.get(key, "")) > limit:
            raise ValueError(f"{key} 超过 {limit} 个字")
    if not _CODE.fullmatch(cells["code"]):
        raise ValueError(f"机构编码“{cells['code'][:32]}”只能是 4 到 32 位字母、数字、- 或 _")
    if any(c in cells.get(key, "") for key in ("name", "aliases", "address") for c in "<>"):
        raise ValueError("名称、简称和地址里不能有 < >")
    latitude = _coordinate(cells.get("latitude", ""), LAT_RANGE, "纬度")
    longitude = _coordinate(cells.get("longitude", ""), LON_RANGE, "经度")
    if (latitude is None) != (longitude is None):
        raise ValueError("经度和纬度要么都填，要么都不填")
    aliases = "|".join(a for a in (s.strip() for s in re.split(r"[|｜、;；]", cells.get("aliases", ""))) if a)
    return InstitutionRecord(
        code=cells["code"], name=cells["name"], aliases=aliases,
        type=_canonical(cells["type"], TYPES, "机构类型"),
        level=_canonical(cells.get("level", ""), LEVELS, "机构等级"),
        nature=_canonical(cells.get("nature", ""), NATURES, "经营性质"),
        district=cells["district"], address=cells["address"], phone=cells.get("phone", ""),
        latitude=latitude, longitude=longitude, opening_hours=cells.get("opening_hours", ""),
        **{flag: _flag(cells.get(flag, ""), label) for flag, label in FLAGS.items()},
    )


def _csv_rows(path: Path, raw: bytes) -> tuple[list[tuple[int, list[str]]], bool]:
    """(line number, cells) of every non-comment line, and whether a comment marks the file as sample data."""
    bad_lines = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.append(number)
    if bad_lines:
        shown = "、".join(map(str, bad_lines[:10])) + ("……" if len(bad_lines) > 10 else "")
        raise ImportRefused(
            f"{path.name} 不是 UTF-8 编码（可能是 GBK/GB2312），第 {shown} 行无法读取。"
            "请在 Excel 里“另存为 → CSV UTF-8（逗号分隔）”后再导入，或直接导入 .xlsx 文件。"
        )
    text = raw.decode("utf-8-sig")
    sample = False
    numbered: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            sample = sample or SAMPLE_MARK in line
        elif line.strip():
            numbered.append((number, line))
    rows = csv.reader(io.StringIO("\n".join(line for _, line in numbered)))
    return [(numbered[i][0], cells) for i, cells in enumerate(rows)], sample


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, list[str]]], bool]:
    from openpyxl import load_workbook  # only needed for spreadsheets

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or fake .xlsx
        raise ImportRefused(f"{path.name} 不是可以读取的 Excel（.xlsx）文件：{type(exc).__name__}") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [clean(v) for v in values]
            if any(cells):
                rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:
                break
        sample = SAMPLE_MARK in (sheet.title or "")
        if rows and rows[0][1] and rows[0][1][0].startswith("#"):  # a comment row above the header
            sample = sample or any(SAMPLE_MARK in c for c in rows[0][1])
            rows = rows[1:]
    finally:
        book.close()
    return rows, sample


def read_file(path: Path) -> tuple[list[InstitutionRecord], bool]:
    """All records of a CSV or XLSX file, checked, and whether it is sample data; ImportRefused otherwise."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"读不到文件 {path}：{exc.strerror or exc}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRefused(f"{path.name} 太大（超过 {MAX_FILE_BYTES // 1_000_000} MB），请确认是机构名录文件。")
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows, sample = _xlsx_rows(path)
    elif path.suffix.lower() == ".xls":
        raise ImportRefused("不支持旧版 .xls 文件：请在 Excel 里另存为 .xlsx 或 CSV UTF-8 后再导入。")
    else:
        rows, sample = _csv_rows(path, raw)
    if not rows:
        raise ImportRefused(f"{path.name} 是空的：需要一行表头（{','.join(REQUIRED)}）和机构行。")
    if len(rows) > MAX_ROWS + 1:
        raise ImportRefused(f"{path.name} 超过 {MAX_ROWS} 行，请分批或确认文件内容。")
    header_line, header_cells = rows[0]
    header = [HEADERS.get(clean(h).lower(), HEADERS.get(clean(h))) for h in header_cells]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRefused(f"第 {header_line} 行（表头）缺少列：{', '.join(missing)}。"
                            "列的写法见 README“定点医药机构名录”。")
    records: list[InstitutionRecord] = []
    problems: list[str] = []
    first_line_of: dict[str, int] = {}
    for line, cells in rows[1:]:
        by_field = {key: clean(cell) for key, cell in zip(header, cells, strict=False) if key}
        if len(cells) > len(header) and any(clean(c) for c in cells[len(header):]):
            problems.append(f"第 {line} 行：比表头多出 {len(cells) - len(header)} 列（地址里的逗号要加引号）")
            continue
        try:
            record = parse_row(by_field)
        except ValueError as exc:
            problems.append(f"第 {line} 行：{exc}")
            continue
        if record.code in first_line_of:
            problems.append(f"第 {line} 行：机构编码 {record.code} 与第 {first_line_of[record.code]} 行重复")
            continue
        first_line_of[record.code] = line
        records.append(record)
    if problems:
        raise ImportRefused(f"{path.name} 有 {len(problems)} 行不正确，没有导入任何机构，原名录保持不变：", problems)
    if not records:
        raise ImportRefused(f"{path.name} 只有表头，没有机构行。")
    return records, sample


# --- applying ------------------------------------------------------------------------------------------------


def apply(session: Session, records: list[InstitutionRecord], *, source_name: str, sample: bool) -> ImportReport:
    """Make the directory exactly ``records`` (by code: add, update, remove) inside the caller's transaction."""
    label = SAMPLE_LABEL if sample else f"本院导入的定点医药机构名录（{source_name}）"
    existing = {row.code: row for row in session.scalars(select(Institution))}
    wanted = {r.code: r for r in records}
    now = datetime.now(UTC)
    added = updated = 0
    for code, record in wanted.items():
        row = existing.get(code)
        if row is not None and astuple(InstitutionRecord.of(row)) == astuple(record):
            continue
        if row is None:
            row = Institution(code=code)
            session.add(row)
            added += 1
        else:
            updated += 1
        for f in fields(InstitutionRecord):
            setattr(row, f.name, getattr(record, f.name))
        row.updated_at = now
    gone = [code for code in existing if code not in wanted]
    if gone:
        session.execute(delete(Institution).where(Institution.code.in_(gone)))
    latest = session.scalar(select(InstitutionImport).order_by(InstitutionImport.id.desc()).limit(1))
    report = ImportReport(len(records), added, updated, len(gone), label)
    if report.changed or latest is None or latest.label != label:
        session.add(InstitutionImport(
            source_name=source_name[:255], label=label, is_sample=sample, row_count=len(records), added=added,
            updated=updated, removed=len(gone), imported_at=now,
        ))
    return report
