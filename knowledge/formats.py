"""Policy documents in the formats they arrive in -> plain text lines for the usual cleaning and structure.

    extracted = extract(Path("通知.pdf"))     # Extracted(title, text, format); DocumentRefused with a reason
    PDF (pdfplumber: text outside tables, and the tables), DOCX (python-docx: paragraphs and tables in order),
    HTML (BeautifulSoup: navigation, header, footer, sidebars, scripts removed), XLSX (openpyxl), CSV, TXT.

A table becomes one line per row that repeats the table's caption and its header, so every row is a complete
statement on its own ("门诊慢特病待遇（病种：高血压；报销比例：70%）。") and a passage cut from it still says
which table and which column a figure belongs to. A PDF without a text layer (a scan) is refused, never
indexed empty.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FORMATS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".xlsx": "xlsx", ".csv": "csv",
           ".txt": "txt"}
# A text layer this thin per page is a scan (page numbers, a stamp), not a document.
MIN_CHARS_PER_PAGE = 20
CAPTION_MAX = 40
SENTENCE_END = ("。", "；", "！", "？", "：", ":", ";", "!", "?")
_BOILERPLATE_HINT = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|footer|foot|header|breadcrumbs?|crumb|sidebar|side|share|social|comments?|"
    r"related|copyright|banner|advert|ads?|toolbar|pagination|skip)([-_ ]|$)", re.I)
_BOILERPLATE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
                     "button", "template", "select")
_INLINE_TAGS = ("a", "span", "strong", "b", "em", "i", "u", "font", "sup", "sub", "small", "big", "mark", "abbr",
                "code", "label", "time")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[-_|｜—–]{1,2})\s*")


# PDF fonts often map ideographs to look-alike radicals: NFKC fixes the Kangxi block (⾦ -> 金); the CJK
# Radicals Supplement has no compatibility mapping, so its usual look-alikes are listed here.
_RADICALS = str.maketrans(
    "⺠⻓⻔⻅⻛⻜⻚⻢⻋⻄⻝⻆⺟⻮⻰⻳⻥⻨⻩⻙⻉⻊⻘⺁⺇⺌⻌⻍⻏⻬⻭⻯⻤⻦⻧⻪⻫⺩⺮⺶⺷⻁⻈⻒⻖⻗",
    "民长门见风飞页马车西食角母齿龙龟鱼麦黄韦贝足青厂几小辶辶阝齐齿龙鬼鸟卤黾齐王竹羊羊虎讠镸阝雨",
)


_KANGXI = re.compile("[\u2f00-\u2fdf]")


def fix_radicals(text: str) -> str:
    return _KANGXI.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text).translate(_RADICALS)


class DocumentRefused(ValueError):
    """The file cannot become a policy document; ``str()`` is a polite Chinese reason for the staff member."""


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str  # first line is the title; one paragraph or table row per line
    format: str


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def table_lines(caption: str, rows: Sequence[Sequence[object]]) -> list[str]:
    """One self-contained line per data row: caption, then "header：value" for every filled cell."""
    cleaned = [[_cell(c) for c in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return []
    header, body = cleaned[0], cleaned[1:]
    if not body:  # a one-row table: the row is the content
        return [f"{caption}（{'；'.join(c for c in header if c)}）。"] if caption else ["；".join(header) + "。"]
    width = max(len(r) for r in cleaned)
    header = [h or f"第{i + 1}列" for i, h in enumerate(header + [""] * (width - len(header)))]
    out = []
    for row in body:
        cells = [f"{h}：{v}" for h, v in zip(header, row, strict=False) if v]
        if cells:
            out.append(f"{caption}（{'；'.join(cells)}）。" if caption else "；".join(cells) + "。")
    return out


def _caption_from(lines: list[str], fallback: str) -> str:
    """The short line just before a table ("表1 …", a heading), else the fallback (sheet/document name)."""
    for line in reversed(lines[-2:]):
        text = line.strip().rstrip("：:")
        if text and len(text) <= CAPTION_MAX and not text.endswith(("。", "；")):
            return text
    return fallback


def _join_title(title: str, lines: Iterable[str]) -> str:
    body = [line for line in (raw.strip() for raw in lines) if line]
    if body and body[0] == title:
        body = body[1:]
    return "\n".join([title, *body]) + "\n"


# --- PDF ---------------------------------------------------------------------------------------------------


def _pdf_page_lines(page) -> list[tuple[float, str]]:  # type: ignore[no-untyped-def]
    """(top, text) of the page's paragraphs and table rows, in reading order; wrapped lines joined."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(lambda obj: obj.get("object_type") != "char" or outside(obj)) if boxes else page
    raw = [ln for ln in text_page.extract_text_lines(layout=False, strip=True) if ln["text"].strip()]
    right = max((ln["x1"] for ln in raw), default=0.0)
    paragraphs: list[tuple[float, str]] = []
    wraps = False  # the previous line ran to the right margin without ending a sentence: it continues
    for ln in raw:
        text = ln["text"].strip()
        if wraps and paragraphs:
            paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + text)
        else:
            paragraphs.append((ln["top"], text))
        wraps = ln["x1"] >= right - 24 and not text.endswith(SENTENCE_END)
    for table in tables:
        top = table.bbox[1]
        before = [t for y, t in paragraphs if y < top]
        rows = table.extract()
        paragraphs.extend((top + i * 0.001, line)
                          for i, line in enumerate(table_lines(_caption_from(before, ""), rows)))
    return sorted(paragraphs, key=lambda p: p[0])


def _pdf(path: Path) -> Extracted:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor chatter on every character
    try:
        with pdfplumber.open(path) as pdf:
            title = str((pdf.metadata or {}).get("Title") or "").strip()
            lines: list[str] = []
            for page in pdf.pages:
                lines.extend(fix_radicals(text) for _, text in _pdf_page_lines(page))
            pages = len(pdf.pages)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise DocumentRefused("这个 PDF 文件已损坏或无法打开，请重新导出后再试。") from exc
    chars = sum(len(re.sub(r"\s", "", line)) for line in lines)
    if pages == 0 or chars < MIN_CHARS_PER_PAGE * pages:
        raise DocumentRefused(
            "这个 PDF 没有可以提取的文字（可能是扫描件或图片）。请提供带文字的 PDF 或 Word 版本，"
            "或先做文字识别（OCR）后再上传。")
    title = _clean_title(title) or (lines[0] if lines and len(lines[0]) <= CAPTION_MAX else path.stem)
    return Extracted(title, _join_title(title, lines), "pdf")


# --- DOCX --------------------------------------------------------------------------------------------------


def _docx(path: Path) -> Extracted:
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentRefused("这个 Word 文件无法打开：请确认是 .docx 格式（旧的 .doc 请先另存为 .docx）。") from exc
    lines: list[str] = []
    heading = ""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            if text:
                lines.append(text)
                style = (paragraph.style.name or "") if paragraph.style is not None else ""
                if style.startswith(("Heading", "Title")) and not heading:
                    heading = text
        elif tag == "tbl":
            table = Table(child, document)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            lines.extend(table_lines(_caption_from(lines, heading or path.stem), _dedupe_merged(rows)))
    title = _clean_title(document.core_properties.title or "") or heading or (
        lines[0] if lines and len(lines[0]) <= CAPTION_MAX else path.stem)
    if not lines:
        raise DocumentRefused("这个 Word 文件里没有文字内容。")
    return Extracted(title, _join_title(title, lines), "docx")


def _dedupe_merged(rows: list[list[str]]) -> list[list[str]]:
    """python-docx repeats a horizontally merged cell's text in every grid column it spans."""
    out = []
    for row in rows:
        kept: list[str] = []
        for i, cell in enumerate(row):
            kept.append("" if i and cell == row[i - 1] else cell)
        out.append(kept)
    return out


# --- HTML --------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _clean_title(title: str) -> str:
    """Page titles carry the site name ("关于…的通知 - 某某市医疗保障局"): keep the longest part."""
    parts = [p for p in _TITLE_SEPARATORS.split(title.strip()) if p]
    return max(parts, key=len) if parts else ""


def _is_boilerplate(tag) -> bool:  # type: ignore[no-untyped-def]
    if tag.attrs is None:
        return False
    marks = " ".join([*tag.get("class", []), tag.get("id", "") or "", tag.get("role", "") or ""])
    return bool(marks.strip()) and bool(_BOILERPLATE_HINT.search(marks)) and tag.name not in ("main", "article",
                                                                                            "body", "html")


def html_text(markup: str, fallback_title: str) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    title = _clean_title(soup.title.get_text() if soup.title else "")
    for tag in soup.find_all(_BOILERPLATE_TAGS):
        tag.decompose()
    for tag in [t for t in soup.find_all(True) if _is_boilerplate(t)]:
        if not tag.decomposed:
            tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.find(attrs={"role": "main"}) or soup.body or soup
    for table in root.find_all("table"):
        caption_tag = table.find("caption")
        caption = caption_tag.get_text(" ", strip=True) if caption_tag else ""
        if not caption:
            previous = table.find_previous(["h1", "h2", "h3", "h4", "h5", "h6", "p"])
            caption = _caption_from([previous.get_text(" ", strip=True)] if previous else [], title or fallback_title)
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
        replacement = soup.new_tag("div")
        for line in table_lines(caption, rows):
            p = soup.new_tag("p")
            p.string = line
            replacement.append(p)
        table.replace_with(replacement)
    for tag in root.find_all(_INLINE_TAGS):
        tag.unwrap()
    root.smooth()
    for br in root.find_all("br"):
        br.replace_with("\n")
    lines = [re.sub(r"\s+", " ", line).strip() for line in root.get_text("\n").splitlines()]
    lines = [line for line in lines if line]
    heading = root.find(["h1", "h2"])
    title = title or (heading.get_text(" ", strip=True) if heading else "") or fallback_title
    if not lines:
        raise DocumentRefused("这个网页里没有找到正文内容。")
    return Extracted(title, _join_title(title, lines), "html")


# --- tables: XLSX / CSV ------------------------------------------------------------------------------------


def _sheet_table(name: str, rows: list[list[object]], fallback: str) -> list[str]:
    rows = [r for r in rows if any(_cell(c) for c in r)]
    caption = fallback if re.fullmatch(r"(Sheet|工作表)\s*\d*", name, re.I) else name
    if rows and sum(bool(_cell(c)) for c in rows[0]) == 1 and len(rows) > 2:  # a title row above the header
        caption = next(_cell(c) for c in rows[0] if _cell(c))
        rows = rows[1:]
    return [caption, *table_lines(caption, rows)] if rows else []


def _xlsx(path: Path) -> Extracted:
    import zipfile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentRefused("这个 Excel 文件无法打开：请确认是 .xlsx 格式。") from exc
    lines: list[str] = []
    for sheet in workbook.worksheets:
        lines.extend(_sheet_table(sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)], path.stem))
    title = _clean_title(workbook.properties.title or "") or (lines[0] if lines else path.stem)
    workbook.close()
    if not lines:
        raise DocumentRefused("这个 Excel 文件里没有数据。")
    return Extracted(title, _join_title(title, lines), "xlsx")


def _csv(path: Path) -> Extracted:
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    lines = _sheet_table(path.stem, rows, path.stem)  # type: ignore[arg-type]
    if not lines:
        raise DocumentRefused("这个 CSV 文件里没有数据。")
    return Extracted(path.stem, _join_title(lines[0], lines), "csv")


def _txt(path: Path) -> Extracted:
    text = _decode(path.read_bytes())
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        raise DocumentRefused("这个文本文件是空的。")
    return Extracted(first if len(first) <= CAPTION_MAX else path.stem, text, "txt")


def extract(path: Path) -> Extracted:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        allowed = "、".join(sorted({s.lstrip(".").upper() for s in FORMATS if s != ".htm"}))
        raise DocumentRefused(f"不支持 {path.suffix or '无扩展名'} 格式的文件。可以上传：{allowed}。")
    if not path.is_file() or path.stat().st_size == 0:
        raise DocumentRefused("文件是空的或不存在。")
    try:
        if kind == "html":
            return html_text(_decode(path.read_bytes()), path.stem)
        return {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "csv": _csv, "txt": _txt}[kind](path)
    except DocumentRefused:
        raise
    except Exception as exc:  # a damaged or disguised file: the parsers raise many kinds of errors
        logging.getLogger(__name__).warning("cannot read %s: %s", path.name, exc)
        raise DocumentRefused(f"无法读取这个 {kind.upper()} 文件：可能已损坏或格式不对，请重新导出后再试。") from exc
