"""Input cleaning and staff-console highlighting (pure functions, real jieba and OpenCC)."""

from __future__ import annotations

import pytest

from kiosk_api.highlight import highlight_spans, highlighted_html, query_terms
from kiosk_api.text_input import clean_text


@pytest.mark.parametrize("raw", ["", "   ", "\n\t ", "\x00\x01"])
def test_empty_or_blank_is_refused_with_a_chinese_message(raw: str) -> None:
    with pytest.raises(ValueError, match="请输入"):
        clean_text(raw, 500)


def test_too_long_is_refused_not_cut() -> None:
    with pytest.raises(ValueError, match="最多 500 个字"):
        clean_text("报" * 501, 500)
    assert clean_text("报" * 500, 500) == "报" * 500


def test_huge_input_is_refused_before_work() -> None:
    with pytest.raises(ValueError, match="太长"):
        clean_text("x" * 10_000, 500)


def test_binary_garbage_is_refused() -> None:
    with pytest.raises(ValueError, match="无法识别"):
        clean_text("\x00\x01\x02\x03abc\x04\x05\ufffd\ud800", 500)


def test_controls_and_lone_surrogates_are_stripped_emoji_and_html_kept() -> None:
    text = "异地\x07就医\ud83d备案 😀 <b>怎么办</b>\n\n  "
    assert clean_text(text, 500) == "异地就医备案 😀 <b>怎么办</b>"


def test_query_terms_are_simplified_and_skip_question_words() -> None:
    terms = query_terms("外配處方保存多久")
    assert "保存" in terms
    assert any("处方" in t for t in terms)
    assert "多久" not in terms
    assert terms == sorted(terms, key=lambda t: (-len(t), t))


def test_spans_merge_overlaps_and_cover_every_occurrence() -> None:
    text = "外配处方保存2年；处方外配"
    spans = highlight_spans(text, ["外配处方", "处方", "保存"])
    assert spans == [(0, 6), (9, 11)]
    assert [text[a:b] for a, b in spans] == ["外配处方保存", "处方"]


def test_highlighted_html_escapes_everything_but_the_marks() -> None:
    text = "<script>alert('处方')</script> 处方"
    html = highlighted_html(text, highlight_spans(text, ["处方"]))
    assert "<script>" not in html
    assert html.count("<mark>处方</mark>") == 2
    assert html.startswith("&lt;script&gt;")
