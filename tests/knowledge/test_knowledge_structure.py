"""Sections, passages, duplicates and topics on the real documents."""

from __future__ import annotations

import re

import pytest

from knowledge.ingest import deduplicate, document_passages, ingest, read_document
from knowledge.structure import MAX_PASSAGE
from knowledge.text import compact, repair_mojibake, strip_pinyin_annotations, to_simplified


@pytest.fixture(scope="module")
def ingested(corpus_dir):
    return ingest(corpus_dir)


def _doc(ingested, prefix):
    return next(d for d in ingested[0] if d.doc_id.startswith(prefix))


def test_sub_articles_of_the_collection_are_sections(ingested):
    paths = [s.path for s in _doc(ingested, "000").sections]
    numbered = {int(m.group(1)) for p in paths if (m := re.search(r"管理制度(\d+)(?: >|$)", p))}
    assert numbered == set(range(1, 17))


def test_articles_and_chapters_are_sections(ingested):
    paths = [to_simplified(s.path) for s in _doc(ingested, "004").sections]
    articles = [p for p in paths if re.search(r"> 第[一二三四五六七八九十]+条$", p)]
    assert len(articles) == 50
    assert any("第二章定点零售药店的确定 > 第五条" in p for p in paths)


def test_run_together_courseware_parts_are_found(ingested):
    parts = [s.path.split(" > ")[-1] for s in _doc(ingested, "001").sections if "部分" in s.path]
    assert [p[:4] for p in parts] == [f"第{n}部分" for n in "一二三四五六七八九"]
    assert parts[3] == "第四部分：醫保結算管理"  # the title is cut from the slide text that runs on after it


def test_passages_are_readable_and_stay_in_their_section(ingested, corpus_dir):
    docs, passages = ingested
    assert all(len(p.text) <= MAX_PASSAGE + 40 for p in passages)
    raw = {d.doc_id: (corpus_dir / f"{d.doc_id}.txt").read_text(encoding="utf-8") for d in docs}
    for p in passages:
        for s in p.sources:
            # The recorded offsets point at the passage's own text in the raw file.
            first = compact(repair_mojibake(strip_pinyin_annotations(raw[s.doc_id][s.start : s.end])))
            assert first.startswith(compact(s.original)[:6]), s
    assert len({p.passage_id for p in passages}) == len(passages)


def test_passage_ids_are_stable(corpus_dir):
    path = sorted(corpus_dir.glob("004_*.txt"))[0]
    doc = read_document(path)
    raw = path.read_text(encoding="utf-8")
    first = [p.passage_id for p in document_passages(doc, raw)]
    again = [p.passage_id for p in document_passages(read_document(path), raw)]
    assert first == again


def test_pharmacy_regulation_is_merged_across_scripts(ingested):
    _, passages = ingested
    article = [p for p in passages if "自2021年2月1日起施行" in p.text]
    assert len(article) == 1
    assert {s.doc_id[:3] for s in article[0].sources} == {"000", "004"}
    assert any(s.original.startswith("本辦法") for s in article[0].sources)  # the traditional original is kept


def test_repeated_clauses_inside_a_document_are_merged(ingested):
    _, passages = ingested
    cosmetics = [p for p in passages if "化妆品" in p.text and "一经发现上述违规行为" in p.text]
    assert len(cosmetics) == 1 and len(cosmetics[0].sources) >= 2


def test_deduplicate_keeps_first_and_all_sources(corpus_dir):
    path = sorted(corpus_dir.glob("004_*.txt"))[0]
    doc = read_document(path)
    once = document_passages(doc, "")
    merged = deduplicate(once + document_passages(doc, ""))
    assert len(merged) == len(deduplicate(list(once)))
    assert all(len(p.sources) >= 2 for p in merged)


def test_topics_are_tagged(ingested):
    _, passages = ingested
    by_text = {p.text: p.topics for p in passages}
    filing = next(t for text, t in by_text.items() if "长期异地居住需提供居住证明" in text)
    assert "remote_filing" in filing
    catalog = next(t for text, t in by_text.items() if "甲类药品" in text and "乙类药品" in text)
    assert "catalog" in catalog
    assert all(p.topics for p in passages)


def test_a_sentence_the_scrape_wrapped_over_two_lines_is_one_again():
    from knowledge.structure import sections
    from knowledge.text import Tracked

    raw = [
        "一、药店管理",
        "①参保人员在定点药店购药时应当出示本人医保凭证，药师应当核对身份，单次",
        "购买金额一般不超过规定标准；",
        "②参保人员选购药品时，药师应当提供用药指导。",
    ]
    lines, at = [], 0
    for text in raw:
        lines.append(Tracked.of(text, at))
        at += len(text) + 1
    body = [line.text for s in sections("doc", "示例", lines) for line in s.body]
    assert any("单次购买金额一般不超过规定标准；" in text for text in body)
    assert any(text.startswith("②参保人员选购药品时") for text in body)  # a numbered item starts afresh
    joined = next(line for s in sections("doc", "示例", lines) for line in s.body if "单次购买" in line.text)
    assert joined.offsets[joined.text.index("购买")] == len(raw[0]) + 1 + len(raw[1]) + 1  # offsets kept
