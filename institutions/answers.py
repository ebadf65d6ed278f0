"""What patients read about institutions: one card per match (kiosk, widget, API) and the reply to a question.

Everything shown comes from the directory's records; an institution that is not in the list is said to be not
in the list, never described.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from institutions.models import FLAGS
from institutions.search import InstitutionMatch, SearchResult, get_directory, parse_question
from knowledge.words import pos_tokenizer
from yibao.settings import get_settings

FIELD_WORDS = {"phone": "电话", "address": "地址", "opening_hours": "营业时间"}


def card(match: InstitutionMatch) -> dict[str, Any]:
    """The record as the pages show it (also the API's and answer_meta's institution shape)."""
    r = match.record
    return {
        "code": r.code, "name": r.name, "type": r.type, "level": r.level, "nature": r.nature,
        "district": r.district, "address": r.address, "phone": r.phone, "opening_hours": r.opening_hours,
        "latitude": r.latitude, "longitude": r.longitude,
        "flags": r.flags, "flag_names": [FLAGS[f] for f in r.flags],
        "distance_m": None if match.distance_m is None else round(match.distance_m),
        "distance_text": match.distance_text(), "score": match.score,
    }


def line(match: InstitutionMatch, asked: tuple[str, ...] = ()) -> str:
    """One institution in a sentence, leading with what was asked (电话 / 地址 / 营业时间)."""
    r = match.record
    kind = r.type if r.level == "未定级" else f"{r.level}{r.type}"
    missing = "名录中未登记"
    values = {"phone": r.phone or missing, "address": r.address, "opening_hours": r.opening_hours or missing}
    order = [*asked, *(f for f in ("address", "phone", "opening_hours") if f not in asked)]
    details = "；".join(f"{FIELD_WORDS[f]} {values[f]}" for f in order)
    where = f"（{match.distance_text()}）" if match.distance_m is not None else ""
    flags = f"；可办：{'、'.join(FLAGS[f] for f in r.flags)}" if r.flags else ""
    return f"{r.name}{where}：{kind}，{r.district}；{details}{flags}。"


@dataclass(frozen=True)
class DirectoryAnswer:
    text: str
    cards: list[dict[str, Any]]
    found: bool
    label: str
    understood: bool  # the question named something the directory can search by


def describe(result: SearchResult, parsed_flags: tuple[str, ...], types: tuple[str, ...]) -> str:
    what = "、".join([*(FLAGS[f] for f in parsed_flags)]) or ""
    kind = "/".join(types) or "机构"
    return f"能办{what}的{kind}" if what else kind


_QUESTION_WORDS = re.compile(r"几|多少|多久|什么|啥|哪|怎么|咋|吗|呢|之内|以内")


def _names_a_thing(words: str) -> bool:
    """Whether the words left over are one common noun of the language (食堂, 停车场, 厕所): jieba tags it ``n``;
    a proper name (nr/ns/nt/nz) or residue (大, 靠谱) may still be part of an institution's name or a wish."""
    tagged = list(pos_tokenizer().cut(words))
    return len(tagged) == 1 and tagged[0].flag == "n" and len(words) >= 2


def answer_question(question: str, limit: int = 3) -> DirectoryAnswer:
    """The whole reply to a patient's question about designated institutions."""
    directory = get_directory()
    index = directory.index()
    parsed = parse_question(question, index.districts, limit=limit)
    query = parsed.query
    help_text = get_settings().human_help
    if not query.has_criteria:
        return DirectoryAnswer("", [], False, index.label, False)
    result = directory.search(query)
    # "你好", "附近哪有饭店": a word that names no institution and no kind of one - nothing to look up.
    only_a_word = query.name and not parsed.explicit_name and not parsed.asked and query == type(query)(
        name=query.name, near=query.near, limit=query.limit)
    if only_a_word and not result.matches:  # "你好": nothing to look up, not an unknown institution
        return DirectoryAnswer("", [], False, index.label, False)
    if not result.matches and query.name and _QUESTION_WORDS.search(query.name):
        # "…要几耐之内补返身份证明俾医院": words guessed as a name that still ask are the question, not a name
        return DirectoryAnswer("", [], False, index.label, False)
    if not result.matches and query.name and not parsed.explicit_name and _names_a_thing(query.name):
        # "医院食堂几点开饭", "药店停车场在哪": a thing in or at an institution, not one to look up in the list
        return DirectoryAnswer("", [], False, index.label, False)
    if not result.matches and query.name and not parsed.explicit_name and (query.types or query.flags):
        # Left-over words that were not really a name ("门口"): search by what the question did say.
        query = type(query)(**{**query.__dict__, "name": ""})
        result = directory.search(query)
    source = f"（数据：{result.label}）"
    if not result.matches:
        if query.name:
            shown = query.name if len(query.name) <= 20 else "这家机构"
            names = "、".join(m.record.name for m in result.suggestions)
            maybe = f"，您是不是要找：{names}" if names else ""
            text = (f"定点医药机构名录里没有找到“{shown}”{maybe}。名录里没有的机构我不能提供信息，"
                    f"请核对名称，或{help_text}。{source}")
        else:
            text = f"名录里没有符合条件的{describe(result, query.flags, query.types)}。{help_text}。{source}"
        return DirectoryAnswer(text, [], False, result.label, True)
    if query.name:
        head = "为您找到："
    else:
        nearest = "，由近到远" if result.origin else ""
        shown = len(result.matches)
        head = (f"名录里有{result.total}家{describe(result, query.flags, query.types)}"
                + (f"，离这里最近的{shown}家：" if result.origin else f"，前{shown}家：") if result.total > shown
                else f"名录里有{result.total}家{describe(result, query.flags, query.types)}{nearest}：")
    if result.is_sample:  # in the first line: the pages fold long answers, and this must never be folded away
        head = f"（示例名录，机构是虚构的）{head}"
    lines = [head, *(f"{i}. {line(m, parsed.asked)}" for i, m in enumerate(result.matches, 1)), source]
    if result.is_sample:
        lines.append("提示：当前是示例名录（虚构机构），请以医保部门公布的定点医药机构名单为准。")
    return DirectoryAnswer("\n".join(lines), [card(m) for m in result.matches], True, result.label, True)
