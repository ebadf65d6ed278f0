"""Importing a catalog CSV into SQLite: replaces atomically, refuses bad files without losing the old catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.catalog import SAMPLE_CSV, SAMPLE_LABEL, Catalog, CatalogImportError, get_catalog
from knowledge.catalog.cli import catalog_app

HOSPITAL_A = """# 本院目录 A
name,category,dosage_form,restriction,note,aliases
测试药甲,甲类,口服常释剂型,,,别名甲
测试药乙,乙,注射剂,限住院患者,,
"""
HOSPITAL_B = """通用名,类别,剂型,限定支付范围
另一种药,乙类,颗粒剂,限儿童
"""


def test_import_replaces_the_previous_catalog(catalog: Catalog, write_csv: Callable[[str, str], Path]) -> None:
    assert catalog.import_csv(write_csv("a.csv", HOSPITAL_A)) == 2
    first = catalog.lookup("别名甲")
    assert [(m.name, m.category) for m in first] == [("测试药甲", "甲类")]
    assert "a.csv" in first[0].source and "以国家医保药品目录为准" in first[0].source
    assert catalog.lookup("测试药乙")[0].restriction == "限住院患者"

    assert catalog.import_csv(write_csv("b.csv", HOSPITAL_B)) == 1  # Chinese headers
    assert catalog.lookup("测试药甲") == []
    assert catalog.lookup("阿莫西林") == []  # the sample is no longer used either
    match = catalog.lookup("另一种药")[0]
    assert (match.category, match.dosage_form, match.restriction) == ("乙类", "颗粒剂", "限儿童")
    assert "b.csv" in match.source


def test_sample_is_used_until_something_is_imported(catalog: Catalog) -> None:
    assert catalog.source == SAMPLE_LABEL
    assert catalog.lookup("阿莫西林")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "空"),
        ("# only a comment\n", "空"),
        ("drug,kind\n阿莫西林,甲类\n", "表头"),
        ("name,category\n", "没有药品行"),
        ("name,category\n阿莫西林,丙丁类\n", "第 2 行"),
        ("name,category\n,甲类\n", "缺少药品名称"),
        ("name,category\n阿莫西林,甲类\n阿莫西林,乙类\n", "重复"),
        ("name,category\n<script>x</script>,甲类\n", "< >"),
        ("name,category,note\n阿莫西林,甲类," + "长" * 500 + "\n", "超过"),
    ],
)
def test_bad_csv_is_refused_and_the_old_catalog_kept(
    catalog: Catalog, write_csv: Callable[[str, str], Path], text: str, message: str
) -> None:
    catalog.import_csv(write_csv("good.csv", HOSPITAL_A))
    with pytest.raises(CatalogImportError) as error:
        catalog.import_csv(write_csv("bad.csv", text))
    assert message in str(error.value)
    assert catalog.lookup("测试药甲")[0].name == "测试药甲"
    assert "good.csv" in catalog.source


def test_non_utf8_and_missing_files_are_refused(catalog: Catalog, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("name,category\n阿莫西林,甲类\n".encode("gbk"))
    with pytest.raises(CatalogImportError, match="UTF-8"):
        catalog.import_csv(gbk)
    with pytest.raises(CatalogImportError, match="读不到"):
        catalog.import_csv(tmp_path / "missing.csv")
    assert catalog.source == SAMPLE_LABEL


def test_another_process_import_is_seen_without_restart(tmp_path: Path, write_csv: Callable[[str, str], Path]) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    reader, writer = Catalog(url), Catalog(url)
    assert reader.lookup("阿莫西林")  # sample, and cached
    writer.import_csv(write_csv("a.csv", HOSPITAL_A))
    assert reader.lookup("阿莫西林") == []
    assert reader.lookup("测试药甲")


def test_shipped_sample_imports_cleanly(catalog: Catalog) -> None:
    count = catalog.import_csv(SAMPLE_CSV)
    assert 30 <= count <= 60
    match = catalog.lookup("布洛芬")[0]
    assert match.name == "布洛芬"
    assert match.source == SAMPLE_LABEL  # still labelled as sample data after an import


def test_cli_import_and_lookup(isolated_settings: Path, write_csv: Callable[[str, str], Path]) -> None:
    runner = CliRunner()
    result = runner.invoke(catalog_app, ["import", str(write_csv("a.csv", HOSPITAL_A))])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    assert (isolated_settings / "drug_catalog.db").exists()
    result = runner.invoke(catalog_app, ["lookup", "ceshiyaojia"])
    assert result.exit_code == 0 and "测试药甲" in result.output and "甲类" in result.output

    bad = runner.invoke(catalog_app, ["import", str(write_csv("bad.csv", "name,category\n阿莫西林,X\n"))])
    assert bad.exit_code == 1
    assert "原目录保持不变" in bad.output
    assert get_catalog().lookup("测试药甲")


def test_cli_lookup_json(isolated_settings: Path) -> None:
    result = CliRunner().invoke(catalog_app, ["lookup", "amoxilin", "--json"])
    data = json.loads(result.output)
    assert data["problem"] is None
    assert data["matches"][0]["name"] == "阿莫西林"
    assert data["matches"][0]["source"] == SAMPLE_LABEL
