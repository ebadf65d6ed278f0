"""Reimbursement estimate (起付线 → 报销比例 → 封顶线) from a configurable policy table.

The table (``knowledge/data/policy_table.yml``, or the hospital's own file named by ``YIBAO_POLICY_TABLE``) holds
every figure together with the source sentence that states it. Figures the sources do not give are ``null``: the
estimate then says which part it cannot compute and refers the patient to the window, instead of guessing.

    from knowledge.policy_table import estimate
    est = estimate("职工医保", "住院", "30000")       # None for invalid input; check_estimate_inputs() says why
    est.explain()                                     # plain-language Chinese, step by step, with sources

The table also owns what patients' words mean for the estimate: the insurance, visit and hospital-level names
(``insurance_type_of`` / ``named_insurance_type``, ``visit_type_of``, ``hospital_level_of``) and amounts of money
(``parse_amount`` for a typed total, ``amount_in`` for the first amount inside a sentence).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import to_simplified
from yibao import answer_meta
from yibao.settings import get_settings

CENT = Decimal("0.01")
# Larger bills exist, but a kiosk estimate above this is almost surely a typing error (an extra zero or two).
MAX_TOTAL_COST = Decimal("10000000")
STEP_MARKS = "①②③④⑤⑥"


class PolicyTableError(ValueError):
    """The policy table file is missing or malformed (message says where)."""


class EstimateInputError(ValueError):
    """Invalid estimate input; ``str(error)`` is a polite Chinese message for the patient."""


@dataclass(frozen=True)
class Citation(answer_meta.Citation):
    """Where a figure or explanation comes from: an ``answer_meta`` citation (``as_meta()``) that also names
    the source file (``knowledge/corpus/raw/``, or the hospital's own document)."""

    file: str = ""

    @classmethod
    def from_yaml(cls, source: dict[str, Any]) -> Citation:
        return cls(doc=str(source.get("title") or source["doc"]), quote=str(source["quote"]), file=str(source["doc"]))

    def cite(self) -> str:
        return f"来源：《{self.doc}》“{self.quote}”"


@dataclass(frozen=True)
class Figure:
    """One figure of the table: an amount in 元, or a percent range (low == high for a single rate)."""

    low: Decimal | None
    high: Decimal | None
    note: str = ""
    source: Citation | None = None

    @property
    def known(self) -> bool:
        return self.low is not None

    def percent_text(self) -> str:
        return f"{_num(self.low)}%" if self.low == self.high else f"{_num(self.low)}%～{_num(self.high)}%"

    def cited(self) -> str:
        return f"（{self.source.cite()}）" if self.source else ""


@dataclass(frozen=True)
class Rule:
    insurance_type: str | None  # None = any
    visit_type: str | None
    hospital_level: str | None
    deductible: Figure
    ratio: Figure
    cap: Figure

    def matches(self, insurance_type: str, visit_type: str, hospital_level: str | None) -> bool:
        wanted = ((self.insurance_type, insurance_type), (self.visit_type, visit_type),
                  (self.hospital_level, hospital_level))
        return all(rule_value in (None, value) for rule_value, value in wanted)

    @property
    def specificity(self) -> int:
        return sum(v is not None for v in (self.insurance_type, self.visit_type, self.hospital_level))

    def figures(self) -> dict[str, Figure]:
        return {"起付线": self.deductible, "报销比例": self.ratio, "封顶线": self.cap}


@dataclass(frozen=True)
class AmountRange:
    """Money in 元; a range when the source gives a ratio range (e.g. 80%～95%)."""

    low: Decimal
    high: Decimal

    def __str__(self) -> str:
        return f"{self.low:,.2f} 元" if self.low == self.high else f"{self.low:,.2f}～{self.high:,.2f} 元"


@dataclass
class Estimate:
    insurance_type: str
    visit_type: str
    hospital_level: str | None
    total_cost: Decimal
    steps: list[str]
    reimbursed: AmountRange | None  # None when the table has no ratio for this case
    self_pay: AmountRange | None
    sources: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said before the steps (e.g. hospital level not distinguished)
    complete: bool = False  # every figure (起付线, 比例, 封顶线) was known: the arithmetic is not an upper bound
    table_name: str = ""

    @property
    def disclaimer(self) -> str:
        return ("以上为估算：实际金额还取决于费用中目录内、目录外项目（甲类、乙类先自付部分、目录外自费）"
                f"和本年度已报销的金额等，以医保窗口结算为准。{get_settings().human_help}。")

    def explain(self) -> str:
        head = (f"按{self.insurance_type}、{self.visit_type}、总费用 {self.total_cost:,.2f} 元估算"
                f"（政策表：{self.table_name}）：")
        if self.reimbursed is None or self.self_pay is None:
            tail = f"抱歉，资料里没有这种情况的报销比例，无法估算。{get_settings().human_help}。"
            return "\n".join([head, *self.notes, *self.steps, tail])
        return "\n".join([head, *self.notes, *self.steps, self.disclaimer])


@dataclass(frozen=True)
class MergedInsuranceType:
    """A scheme patients still name that was merged into one of the insurance types (新农合 -> 居民医保)."""

    into: str
    aliases: tuple[str, ...]
    note: str  # said before the estimate: which type it is computed as, and why


@dataclass(frozen=True)
class PolicyTable:
    name: str
    insurance_types: dict[str, tuple[str, ...]]  # canonical name -> aliases
    visit_types: dict[str, tuple[str, ...]]
    hospital_levels: dict[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    merged_insurance_types: dict[str, MergedInsuranceType] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> PolicyTable:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise PolicyTableError(f"无法读取政策表 {path}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise PolicyTableError(f"政策表 {path} 缺少 rules 列表")
        table = cls(
            name=str(data.get("name") or Path(path).name),
            insurance_types=_names(data, "insurance_types", path),
            visit_types=_names(data, "visit_types", path),
            hospital_levels=_names(data, "hospital_levels", path, required=False),
            rules=tuple(_rule(r, i, path) for i, r in enumerate(data["rules"], 1)),
            merged_insurance_types=_merged(data, path),
        )
        table._check_rule_names(path)
        return table

    def _check_rule_names(self, path: Path) -> None:
        for i, rule in enumerate(self.rules, 1):
            for value, names in ((rule.insurance_type, self.insurance_types), (rule.visit_type, self.visit_types),
                                 (rule.hospital_level, self.hospital_levels)):
                if value is not None and value not in names:
                    raise PolicyTableError(f"政策表 {path} 第 {i} 条规则：未定义的类型 {value!r}")
        for name, merged in self.merged_insurance_types.items():
            if merged.into not in self.insurance_types:
                raise PolicyTableError(f"政策表 {path} merged_insurance_types {name}：未定义的类型 {merged.into!r}")

    def insurance_type_of(self, text: str | None) -> str | None:
        """Canonical insurance type named in ``text`` ("城镇职工" -> "职工医保"), or None."""
        return _resolve(text, self.insurance_types)

    def named_insurance_type(self, text: str | None) -> str | None:
        """What a patient's words name: a canonical insurance type, or a merged scheme by its own name ("合作医疗"
        -> "新农合", so that the estimate can say what it became); None when they name neither, or both."""
        merged = {name: m.aliases for name, m in self.merged_insurance_types.items()}
        return _resolve(text, {**self.insurance_types, **merged})

    def visit_type_of(self, text: str | None) -> str | None:
        return _resolve(text, self.visit_types)

    def hospital_level_of(self, text: str | None) -> str | None:
        return _resolve(text, self.hospital_levels)

    def rule_for(self, insurance_type: str, visit_type: str, hospital_level: str | None = None) -> Rule | None:
        candidates = [r for r in self.rules if r.matches(insurance_type, visit_type, hospital_level)]
        return max(candidates, key=lambda r: r.specificity, default=None)


def _names(data: dict[str, Any], key: str, path: Path, required: bool = True) -> dict[str, tuple[str, ...]]:
    raw = data.get(key) or {}
    if not isinstance(raw, dict) or (required and not raw):
        raise PolicyTableError(f"政策表 {path} 缺少 {key}（名称: [别名, …]）")
    return {str(name): tuple(str(a) for a in (aliases or ())) for name, aliases in raw.items()}


def _merged(data: dict[str, Any], path: Path) -> dict[str, MergedInsuranceType]:
    raw = data.get("merged_insurance_types") or {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) and v.get("into") for v in raw.values()):
        raise PolicyTableError(f"政策表 {path} merged_insurance_types 格式不对（名称: {{into, aliases, note}}）")
    return {str(name): MergedInsuranceType(into=str(entry["into"]),
                                           aliases=tuple(str(a) for a in (entry.get("aliases") or ())),
                                           note=str(entry.get("note") or ""))
            for name, entry in raw.items()}


def _rule(raw: Any, index: int, path: Path) -> Rule:
    if not isinstance(raw, dict):
        raise PolicyTableError(f"政策表 {path} 第 {index} 条规则格式不对")
    where = f"政策表 {path} 第 {index} 条规则"
    return Rule(
        insurance_type=raw.get("insurance_type"),
        visit_type=raw.get("visit_type"),
        hospital_level=raw.get("hospital_level"),
        deductible=_figure(raw.get("deductible"), "amount", f"{where} 起付线"),
        ratio=_figure(raw.get("ratio"), "percent", f"{where} 报销比例"),
        cap=_figure(raw.get("cap"), "amount", f"{where} 封顶线"),
    )


def _figure(raw: Any, key: str, where: str) -> Figure:
    """Parse one figure; a number without a source is refused: every figure the assistant says must be cited."""
    raw = raw or {}
    value = raw.get(key)
    source = raw.get("source")
    citation = None
    if source is not None:
        if not all(isinstance(source.get(k), str) and source[k].strip() for k in ("doc", "quote")):
            raise PolicyTableError(f"{where}：source 需要 doc 和 quote")
        citation = Citation.from_yaml(source)
    if value is None:
        return Figure(None, None, note=str(raw.get("note") or ""), source=citation)
    if citation is None:
        raise PolicyTableError(f"{where}：数字 {value} 没有注明来源（source: doc, quote）")
    low, high = (value if isinstance(value, list) and len(value) == 2 else (value, value))
    try:
        low, high = Decimal(str(low)), Decimal(str(high))
    except InvalidOperation as exc:
        raise PolicyTableError(f"{where}：{value!r} 不是数字") from exc
    upper = Decimal(100) if key == "percent" else Decimal("1e12")
    if not (0 <= low <= high <= upper):
        raise PolicyTableError(f"{where}：{value!r} 超出范围")
    return Figure(low, high, note=str(raw.get("note") or ""), source=citation)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(unicodedata.normalize("NFKC", text))).lower()


def _resolve(text: str | None, names: dict[str, tuple[str, ...]]) -> str | None:
    """Exact name or alias first; else the longest name/alias inside the text, if it points to one canonical name."""
    if not text or len(text) > 200:
        return None
    plain = _plain(text)
    by_alias = {_plain(alias): name for name, aliases in names.items() for alias in (name, *aliases)}
    if plain in by_alias:
        return by_alias[plain]
    found = [(len(alias), name) for alias, name in by_alias.items() if alias and alias in plain]
    if not found:
        return None
    longest = max(length for length, _ in found)
    winners = {name for length, name in found if length == longest}
    return winners.pop() if len(winners) == 1 else None


_AMOUNT = re.compile(r"^(?:约|大概|大约|共|总共|一共)?(-?[0-9][0-9,]*(?:\.[0-9]+)?)(万|千|w|k)?(?:元|块钱|块|rmb)?$")
_UNIT = {"万": 10000, "w": 10000, "千": 1000, "k": 1000}
_AMOUNT_IN_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|w|W|千|k|K)?")
_CHINESE_AMOUNT = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                   "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def amount_in(text: str) -> Decimal | None:
    """The first amount of money in a patient's sentence, in 元: 2万, 15000元, 3.5万, 1.2w, 12,000, 五千, 一万二,
    "住院花了2万能报多少"; None when it has none. (A typed total is checked with ``parse_amount``.)"""
    text = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    arabic = _AMOUNT_IN_TEXT.search(text)
    if arabic:
        return Decimal(arabic.group(1)) * _UNIT.get((arabic.group(2) or "").lower(), 1)
    chinese = _CHINESE_AMOUNT.search(text)
    return _chinese_number(chinese.group(0)) if chinese else None


def _chinese_number(text: str) -> Decimal | None:
    """一万二 → 12000, 三千五 → 3500, 两万 → 20000, 十五万 → 150000 (colloquial trailing digit = next unit)."""
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in text:
        if ch in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[ch]
        elif ch == "万":
            section = (section + (digit or 0)) * 10000
            total, section, digit, last_unit = total + section, 0, None, 10000
        else:
            unit = _CHINESE_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:
        # "一万二": a bare trailing digit counts in the unit below the last one said.
        section += digit * (last_unit // 10 if last_unit >= 10 else 1)
    value = total + section
    return Decimal(value) if value > 0 else None


def parse_amount(value: str | int | float | Decimal) -> Decimal:
    """A total cost as typed by a patient ("3万", "30,000元", "１２００") in 元; EstimateInputError if unusable."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"[\s¥￥]", "", unicodedata.normalize("NFKC", str(value or ""))).lower()[:40]
        match = _AMOUNT.match(text)
        if not match or isinstance(value, bool):
            raise EstimateInputError("没看懂这个金额，请只输入总费用的数字（元），例如 12000 或 1.2万。")
        amount = Decimal(match.group(1).replace(",", "")) * _UNIT.get(match.group(2) or "", 1)
    if not amount.is_finite():
        raise EstimateInputError("没看懂这个金额，请只输入总费用的数字（元），例如 12000 或 1.2万。")
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise EstimateInputError("总费用需要大于 0 元，请重新输入。")
    if amount > MAX_TOTAL_COST:
        raise EstimateInputError(
            f"金额 {amount:,.0f} 元过大，请核对后重新输入（估算支持 {MAX_TOTAL_COST:,.0f} 元以内）。"
        )
    return amount


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> PolicyTable:
    return PolicyTable.from_file(Path(path))


def get_policy_table(path: Path | None = None) -> PolicyTable:
    """The configured table (``YIBAO_POLICY_TABLE``); reloaded when the file changes, so edits apply without restart."""
    path = Path(path or get_settings().policy_table)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise PolicyTableError(f"找不到政策表 {path}（设置 YIBAO_POLICY_TABLE）") from exc
    return _load(str(path), mtime)


def check_estimate_inputs(
    insurance_type: str | None, visit_type: str | None, total_cost: Any, hospital_level: str | None = None,
    table: PolicyTable | None = None,
) -> str | None:
    """None when ``estimate`` can run, else the polite Chinese reason (for the bot's form validation).

    An unrecognised hospital level is not an error: the estimate then uses the general rule and says so.
    """
    table = table or get_policy_table()
    if table.insurance_type_of(insurance_type) is None:
        return f"请告诉我您的参保类型：{'、'.join(table.insurance_types)}。"
    if table.visit_type_of(visit_type) is None:
        return f"请告诉我就诊类型：{'、'.join(table.visit_types)}。"
    try:
        parse_amount(total_cost)
    except EstimateInputError as exc:
        return str(exc)
    return None


def estimate(
    insurance_type: str, visit_type: str, total_cost: Any, hospital_level: str | None = None,
    table: PolicyTable | None = None,
) -> Estimate | None:
    """Step-by-step estimate, or None when the inputs are invalid (``check_estimate_inputs`` gives the reason)."""
    table = table or get_policy_table()
    if check_estimate_inputs(insurance_type, visit_type, total_cost, hospital_level, table) is not None:
        return None
    ins = table.insurance_type_of(insurance_type)
    visit = table.visit_type_of(visit_type)
    level = table.hospital_level_of(hospital_level) if hospital_level else None
    assert ins is not None and visit is not None  # checked above
    total = parse_amount(total_cost)
    rule = table.rule_for(ins, visit, level)
    est = Estimate(ins, visit, level, total, steps=[], reimbursed=None, self_pay=None, table_name=table.name)
    if hospital_level and level is None:
        est.notes.append(f"没有识别出医院等级（可以说：{'、'.join(table.hospital_levels)}），以下按一般比例估算。")
    elif level and rule is not None and rule.hospital_level is None:
        est.notes.append(f"资料没有按医院等级（{level}）区分报销比例，以下按一般比例估算。")
    if rule is None or not rule.ratio.known:
        est.steps = _unknown_ratio_steps(rule)
        est.sources = _sources(rule)
        return est
    est.steps, est.reimbursed, est.self_pay = _arithmetic(rule, total)
    est.sources = _sources(rule)
    est.complete = rule.deductible.known and rule.cap.known
    return est


def estimate_answer(
    insurance_type: str, visit_type: str, total_cost: Any, hospital_level: str | None = None
) -> str:
    """The whole reply for the patient: the explained estimate, or why it cannot be made."""
    result = estimate(insurance_type, visit_type, total_cost, hospital_level)
    if result is None:
        return check_estimate_inputs(insurance_type, visit_type, total_cost, hospital_level) or ""
    return result.explain()


def _arithmetic(rule: Rule, total: Decimal) -> tuple[list[str], AmountRange, AmountRange]:
    """The numbered steps (each figure with its source), the reimbursed and the self-paid amount."""
    steps: list[str] = []
    d = rule.deductible
    deductible = d.low if d.low is not None else Decimal(0)
    if d.known:
        steps.append(f"起付线 {deductible:,.2f} 元{d.cited()}。")
    else:
        steps.append(f"起付线：资料没有给出具体金额{_note(d)}，这一步无法计算，下面先按 0 元算，实际报销会比结果少"
                     f"{d.cited()}。")
    r = rule.ratio
    assert r.low is not None and r.high is not None
    base = max(total - deductible, Decimal(0))
    low, high = _money(base * r.low / 100), _money(base * r.high / 100)
    steps.append(f"（总费用 {total:,.2f} 元 − 起付线 {deductible:,.2f} 元）× 报销比例 {r.percent_text()} = "
                 f"{AmountRange(low, high)}{r.cited()}。")
    c = rule.cap
    if c.known and c.low is not None:
        verdict = f"超过封顶线，按封顶线 {c.low:,.2f} 元计" if high > c.low else "未超过封顶线"
        low, high = min(low, c.low), min(high, c.low)
        steps.append(f"封顶线 {c.low:,.2f} 元：{verdict}{c.cited()}。")
    else:
        steps.append(f"封顶线：资料没有给出具体金额{_note(c)}，无法核对是否超过封顶线{c.cited()}。")
    reimbursed = AmountRange(low, high)
    self_pay = AmountRange(total - high, total - low)
    about = "约" if d.known and c.known else "最多约"
    steps.append(f"预计医保报销{about} {reimbursed}；个人自付 = 总费用 − 报销 = 约 {self_pay}。")
    return [f"{STEP_MARKS[i]} {step}" for i, step in enumerate(steps)], reimbursed, self_pay


def _unknown_ratio_steps(rule: Rule | None) -> list[str]:
    if rule is None:
        return ["① 报销比例：政策表里没有这种参保类型和就诊类型的规定。"]
    return [f"① 报销比例：资料没有给出具体比例{_note(rule.ratio)}{rule.ratio.cited()}。"]


def _note(figure: Figure) -> str:
    return f"（{figure.note.rstrip('。')}）" if figure.note else ""


def _sources(rule: Rule | None) -> list[Citation]:
    if rule is None:
        return []
    seen: dict[Citation, None] = {}
    for figure in rule.figures().values():
        if figure.source:
            seen.setdefault(figure.source)
    return list(seen)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"
