"""Each cleaning step on real fragments of the scraped documents."""

from __future__ import annotations

from knowledge.text import (
    Tracked,
    clean_line,
    content_lines,
    is_boilerplate_line,
    is_spam_line,
    normalize_punctuation,
    normalize_query,
    repair_mojibake,
    strip_pinyin_annotations,
    to_simplified,
)


def test_seo_spam_first_lines_are_spam(raw_docs):
    assert is_spam_line(raw_docs["000"].splitlines()[0])
    assert is_spam_line(raw_docs["002"].splitlines()[0])
    assert is_spam_line("主站蜘蛛池模板: 准格尔旗| 云浮市| 那坡县")


def test_policy_lines_are_not_spam_or_boilerplate(raw_docs):
    article = next(line for line in raw_docs["004"].splitlines() if line.startswith("第五条"))
    assert not is_spam_line(article)
    assert not is_boilerplate_line(article)
    assert not is_spam_line("1、定点药房不得对参保人员直接或变相销售食品、生活用品、化妆品等。")


def test_site_boilerplate_is_dropped(raw_docs):
    kept = "\n".join(line for _, line in content_lines(raw_docs["000"]))
    for chrome in ("我要投稿", "相關推薦", "相關文章", "蜘蛛池", "醫保定點藥店管理制度09-14", "小編收集整理"):
        assert chrome not in kept
    assert "第五十條本辦法由國務院醫療保障行政部門負責解釋" in kept
    courseware = "\n".join(line for _, line in content_lines(raw_docs["001"]))
    assert "版權說明" not in courseware and "人人文庫網" not in courseware and "最新文檔" not in courseware


def test_pinyin_annotations_are_stripped():
    fragment = "醫(yī)院醫(yī)保協(xié)議培訓課件"
    assert strip_pinyin_annotations(fragment) == "醫院醫保協議培訓課件"
    # Brackets that are not pinyin stay.
    assert strip_pinyin_annotations("根據疾病診斷相關分組(DRGs)確定") == "根據疾病診斷相關分組(DRGs)確定"
    assert strip_pinyin_annotations("（一）在注册地址正式经营至少3个月") == "（一）在注册地址正式经营至少3个月"


def test_unrecoverable_mojibake_is_dropped_and_text_around_it_kept():
    # 001: "醫保患者服務與管理" whose GBK bytes were damaged.
    assert repair_mojibake("障再次發生醫?;颊叻张c管理就醫流程") == "障再次發生醫管理就醫流程"
    assert repair_mojibake("醫保相關法律法規醫?;鸸芾淼群诵膬热?,是醫保工作") == "醫保相關法律法規醫,是醫保工作"
    # A real question mark survives.
    assert repair_mojibake("更安心?醫療保險走進了我們的生活") == "更安心?醫療保險走進了我們的生活"


def test_utf8_read_as_gbk_is_repaired():
    garbled = "医疗保险".encode().decode("gbk")  # 鍖荤枟淇濋櫓
    assert garbled != "医疗保险"
    assert repair_mojibake(f"基本{garbled}制度") == "基本医疗保险制度"


def test_anti_scraping_noise_is_removed():
    assert repair_mojibake("勞動保障部門頒布的.城鎮職工") == "勞動保障部門頒布的城鎮職工"
    assert repair_mojibake("對顧客提出的問題耐心解a答") == "對顧客提出的問題耐心解答"


def test_traditional_to_simplified():
    assert to_simplified("中醫診所醫保定點的管理制度") == "中医诊所医保定点的管理制度"
    assert to_simplified("長期異地居住備案要什麼材料") == "长期异地居住备案要什么材料"
    assert to_simplified("异地就医备案") == "异地就医备案"


def test_punctuation_and_whitespace_are_normalised():
    fragment = "住院報銷比例約為70%-90%,門診設有統籌基金"
    assert normalize_punctuation(fragment) == "住院報銷比例約為70%-90%，門診設有統籌基金"
    assert normalize_punctuation("医保政 策宣传单 ２０ 份") == "医保政策宣传单20份"
    assert normalize_punctuation("  第一章 总 则  ") == "第一章总则"


def test_clean_line_keeps_offsets_into_the_raw_file(raw_docs):
    raw = raw_docs["001"]
    longest = max(raw.splitlines(keepends=True), key=len)
    line_start = raw.index(longest)
    cleaned = clean_line(Tracked.of(longest.rstrip("\n"), line_start))
    at = cleaned.text.index("異地就醫備案要求")
    a, b = cleaned.span(at, at + len("異地就醫備案要求"))
    assert strip_pinyin_annotations(raw[a:b]) == "異地就醫備案要求"
    assert "(" in raw[a:b]  # the raw span still has its pinyin annotations: offsets are raw-file offsets


def test_normalize_query_handles_hostile_input():
    assert normalize_query("") == ""
    assert normalize_query("   ") == ""
    assert len(normalize_query("报销" * 10_000)) <= 300
    assert normalize_query("職工醫保\x00住院") == "职工医保住院"
    assert "<script>" in normalize_query("<script>alert(1)</script>")  # kept as text, never executed here
