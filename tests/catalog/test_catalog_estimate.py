"""Reimbursement estimate arithmetic, computed by hand here from the figures in the YAML files themselves."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from knowledge.policy_table import (
    AmountRange,
    PolicyTable,
    PolicyTableError,
    check_estimate_inputs,
    estimate,
    get_policy_table,
)
from yibao.settings import get_settings

CENT = Decimal("0.01")


def _rule(data: dict, insurance_type: str | None, visit_type: str, level: str | None = None) -> dict:
    return next(r for r in data["rules"] if r.get("insurance_type") == insurance_type
                and r.get("visit_type") == visit_type and r.get("hospital_level") == level)


def _percent_range(rule: dict) -> tuple[Decimal, Decimal]:
    value = rule["ratio"]["percent"]
    low, high = value if isinstance(value, list) else (value, value)
    return Decimal(str(low)), Decimal(str(high))


def _hand(total: Decimal, deductible: Decimal, percent: Decimal, cap: Decimal | None) -> Decimal:
    paid = (max(total - deductible, Decimal(0)) * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(paid, cap) if cap is not None else paid


@pytest.mark.parametrize(
    ("insurance_type", "visit_type", "yaml_insurance", "yaml_visit", "total"),
    [
        ("职工医保", "住院", "职工医保", "住院", "30000"),
        ("城乡居民", "住院治疗", "居民医保", "住院", "12345.67"),
        ("城镇职工", "门诊特殊病", None, "门诊慢特病", "800"),
    ],
)
def test_shipped_table_arithmetic(
    shipped_table: PolicyTable, shipped_yaml: dict, insurance_type: str, visit_type: str,
    yaml_insurance: str | None, yaml_visit: str, total: str,
) -> None:
    rule = _rule(shipped_yaml, yaml_insurance, yaml_visit)
    low, high = _percent_range(rule)
    assert rule["deductible"]["amount"] is None  # the documents give no 起付线: computed as 0 and said so
    est = estimate(insurance_type, visit_type, total, table=shipped_table)
    assert est is not None
    expected = AmountRange(_hand(Decimal(total), Decimal(0), low, None), _hand(Decimal(total), Decimal(0), high, None))
    assert est.reimbursed == expected
    assert est.self_pay == AmountRange(Decimal(total) - expected.high, Decimal(total) - expected.low)
    assert isinstance(est.reimbursed.low, Decimal)
    assert not est.complete
    text = est.explain()
    assert str(expected) in text and "最多约" in text
    assert "起付线" in est.steps[0] and "无法计算" in est.steps[0]
    assert rule["ratio"]["source"]["quote"] in text
    assert "目录" in text and get_settings().human_help in text
    assert est.sources[0].quote == rule["ratio"]["source"]["quote"]


def test_unknown_ratio_refers_to_the_window(shipped_table: PolicyTable, shipped_yaml: dict) -> None:
    rule = _rule(shipped_yaml, None, "普通门诊")
    assert rule["ratio"]["percent"] is None
    est = estimate("居民医保", "门诊", "500", table=shipped_table)
    assert est is not None and est.reimbursed is None and est.self_pay is None
    text = est.explain()
    assert "无法估算" in text and get_settings().human_help in text
    assert "%" not in text.replace(rule["ratio"]["source"]["quote"], "")


def test_hospital_level_not_in_table_is_said(shipped_table: PolicyTable) -> None:
    est = estimate("职工医保", "住院", "10000", hospital_level="三甲", table=shipped_table)
    plain = estimate("职工医保", "住院", "10000", table=shipped_table)
    assert est is not None and plain is not None and est.hospital_level == "三级"
    assert "没有按医院等级" in est.notes[0] and est.notes[0] in est.explain()
    assert est.reimbursed == plain.reimbursed


def test_unrecognised_hospital_level_falls_back_to_the_general_rule(shipped_table: PolicyTable) -> None:
    est = estimate("职工医保", "住院", "10000", hospital_level="不清楚", table=shipped_table)
    assert est is not None and est.hospital_level is None and est.reimbursed is not None
    assert "没有识别出医院等级" in est.explain()


def test_local_table_full_arithmetic(local_table_file: Path) -> None:
    table = PolicyTable.from_file(local_table_file)
    data = yaml.safe_load(local_table_file.read_text(encoding="utf-8"))
    rule = _rule(data, "职工医保", "住院")
    deductible, cap = Decimal(rule["deductible"]["amount"]), Decimal(rule["cap"]["amount"])
    percent = _percent_range(rule)[0]
    for total in (Decimal("500"), Decimal("20000"), Decimal("200000")):  # below 起付线, normal, above 封顶线
        est = estimate("职工", "住院", str(total), table=table)
        assert est is not None and est.complete
        expected = _hand(total, deductible, percent, cap)
        assert est.reimbursed == AmountRange(expected, expected)
        assert est.self_pay == AmountRange(total - expected, total - expected)
        assert "最多约" not in est.explain()
    above = estimate("职工", "住院", "200000", table=table)
    assert above is not None and "超过封顶线" in above.steps[2]


def test_most_specific_rule_wins(local_table_file: Path) -> None:
    table = PolicyTable.from_file(local_table_file)
    data = yaml.safe_load(local_table_file.read_text(encoding="utf-8"))
    level_rule = _rule(data, "职工医保", "住院", "三级")
    est = estimate("职工医保", "住院", "20000", hospital_level="三甲医院", table=table)
    assert est is not None
    expected = _hand(Decimal(20000), Decimal(level_rule["deductible"]["amount"]), _percent_range(level_rule)[0],
                     Decimal(level_rule["cap"]["amount"]))
    assert est.reimbursed == AmountRange(expected, expected)
    assert level_rule["ratio"]["source"]["quote"] in est.explain()


def test_unknown_cap_makes_an_upper_bound(local_table_file: Path) -> None:
    est = estimate("居民", "住院", "10000", table=PolicyTable.from_file(local_table_file))
    assert est is not None and not est.complete
    assert "最多约" in est.explain() and "通知未规定" in est.steps[2]


@pytest.mark.parametrize(
    ("insurance_type", "visit_type", "total", "reason"),
    [
        ("职工医保", "住院", "-100", "大于 0"),
        ("职工医保", "住院", "0", "大于 0"),
        ("职工医保", "住院", "999999999", "过大"),
        ("职工医保", "住院", "一些钱<script>", "没看懂"),
        ("职工医保", "住院", float("nan"), "没看懂"),
        ("商业保险", "住院", "1000", "参保类型"),
        ("职工医保", "体检", "1000", "就诊类型"),
        ("", "", "", "参保类型"),
    ],
)
def test_invalid_input_gives_none_and_a_reason(
    shipped_table: PolicyTable, insurance_type: str, visit_type: str, total: object, reason: str
) -> None:
    assert estimate(insurance_type, visit_type, total, table=shipped_table) is None
    message = check_estimate_inputs(insurance_type, visit_type, total, table=shipped_table)
    assert message is not None and reason in message


@pytest.mark.parametrize("total", ["3万", "30,000元", "３００００", 30000, Decimal("30000.00"), "约30000块"])
def test_amount_forms_patients_type(shipped_table: PolicyTable, total: object) -> None:
    est = estimate("职工医保", "住院", total, table=shipped_table)
    assert est is not None and est.total_cost == Decimal(30000)


def test_figure_without_source_is_refused(tmp_path: Path, local_table_file: Path) -> None:
    data = yaml.safe_load(local_table_file.read_text(encoding="utf-8"))
    del data["rules"][0]["ratio"]["source"]
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyTableError, match="来源"):
        PolicyTable.from_file(bad)


def test_a_merged_scheme_is_named_and_must_merge_into_a_known_type(tmp_path: Path, local_table_file: Path) -> None:
    data = yaml.safe_load(local_table_file.read_text(encoding="utf-8"))
    merged = {"into": "居民医保", "aliases": ["合作医疗"], "note": "按居民医保计算。"}
    data["merged_insurance_types"] = {"新农合": merged}
    table_file = tmp_path / "merged.yml"
    table_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    table = PolicyTable.from_file(table_file)
    assert table.named_insurance_type("农村合作医疗") == "新农合" and table.insurance_type_of("合作医疗") is None
    assert table.merged_insurance_types["新农合"].into == "居民医保"
    data["merged_insurance_types"]["新农合"]["into"] = "农民医保"
    table_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyTableError, match="农民医保"):
        PolicyTable.from_file(table_file)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [(("ratio", "percent"), 150, "超出范围"), (("ratio", "percent"), "九成", "不是数字"),
     (("cap", "amount"), -1, "超出范围")],
)
def test_malformed_figures_are_refused(
    tmp_path: Path, local_table_file: Path, path: tuple[str, str], value: object, message: str
) -> None:
    data = yaml.safe_load(local_table_file.read_text(encoding="utf-8"))
    data["rules"][0][path[0]][path[1]] = value
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyTableError, match=message):
        PolicyTable.from_file(bad)


def test_policy_table_setting_points_at_the_hospital_file(
    local_table_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YIBAO_POLICY_TABLE", str(local_table_file))
    get_settings.cache_clear()
    try:
        table = get_policy_table()
        assert table.name == yaml.safe_load(local_table_file.read_text(encoding="utf-8"))["name"]
        est = estimate("职工医保", "住院", "20000")
        assert est is not None and est.complete
    finally:
        get_settings.cache_clear()


def test_missing_policy_table_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyTableError, match="YIBAO_POLICY_TABLE"):
        get_policy_table(tmp_path / "nope.yml")


def test_sources_have_the_answer_meta_citation_shape(shipped_table: PolicyTable, shipped_yaml: dict) -> None:
    est = estimate("职工医保", "住院", "1000", table=shipped_table)
    assert est is not None
    source = _rule(shipped_yaml, "职工医保", "住院")["ratio"]["source"]
    meta = est.sources[0].as_meta()
    assert set(meta) == {"doc", "section", "passage_id", "quote"}
    assert (meta["doc"], meta["quote"], est.sources[0].file) == (source["title"], source["quote"], source["doc"])
