"""`yibao institutions import`: CSV and XLSX, every kind of bad file refused with its line numbers, nothing
half-imported, and a second import of the same file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from institutions.importer import SAMPLE_FILE, SAMPLE_LABEL, ImportRefused, apply, read_file
from institutions.models import Institution, InstitutionImport
from institutions.search import Directory, InstitutionQuery

HEADER = ("code,name,aliases,type,level,nature,district,address,phone,latitude,longitude,opening_hours,"
          "cross_province,e_voucher,chronic_disease,external_prescription,open_24h")
GOOD = [
    "X0001,测试第一医院,一院,医院,三级甲等,公立,甲区,甲区一路1号,0100-1234567,30.1,114.1,8:00-17:00,是,是,是,否,是",
    "X0002,测试大药房,,药店,,民营,乙区,乙区二路2号,,30.2,114.2,24小时,否,是,否,是,是",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def load(directory: Directory, path: Path) -> str:
    records, sample = read_file(path)
    with directory.transaction() as session:
        return apply(session, records, source_name=path.name, sample=sample).summary()


def count(directory: Directory, model: type) -> int:
    with directory.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def snapshot(directory: Directory) -> list[tuple]:
    with directory.transaction() as session:
        return [(r.code, r.name, r.type, r.level, r.updated_at) for r in
                session.scalars(select(Institution).order_by(Institution.code))]


def test_csv_import_normalises_values_and_is_searchable(directory: Directory, write_file: Callable[..., Path]) -> None:
    assert "新增 2" in load(directory, write_file("list.csv", csv_text(*GOOD)))
    result = directory.search(InstitutionQuery(name="测试第一医院"))
    record = result.matches[0].record
    assert (record.type, record.level, record.nature, record.open_24h) == ("医院", "三级", "公立", True)
    assert "list.csv" in result.label and not result.is_sample
    pharmacy = directory.search(InstitutionQuery(types=("零售药店",))).matches[0].record
    assert (pharmacy.name, pharmacy.level, pharmacy.external_prescription) == ("测试大药房", "未定级", True)


def test_reimporting_the_same_file_changes_nothing(directory: Directory, write_file: Callable[..., Path]) -> None:
    path = write_file("list.csv", csv_text(*GOOD))
    load(directory, path)
    before, imports = snapshot(directory), count(directory, InstitutionImport)
    assert "没有变化" in load(directory, path)
    assert snapshot(directory) == before and count(directory, InstitutionImport) == imports


def test_a_new_list_adds_updates_and_removes_by_code(directory: Directory, write_file: Callable[..., Path]) -> None:
    load(directory, write_file("v1.csv", csv_text(*GOOD)))
    changed = GOOD[0].replace("0100-1234567", "0100-7654321")
    new = "X0003,测试社区中心,,社区卫生服务中心,一级,公立,甲区,甲区三路3号,,,,8:00-17:00,否,是,是,否,否"
    summary = load(directory, write_file("v2.csv", csv_text(changed, new)))
    assert "新增 1" in summary and "更新 1" in summary and "删除 1" in summary
    assert [r.code for r in (m.record for m in directory.search(InstitutionQuery(limit=50)).matches)] == [
        "X0001", "X0003"] or {m.record.code for m in directory.search(InstitutionQuery(limit=50)).matches} == {
        "X0001", "X0003"}
    assert directory.search(InstitutionQuery(name="测试第一医院")).matches[0].record.phone == "0100-7654321"


def test_xlsx_import_reads_numbers_and_booleans(directory: Directory, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["机构编码", "机构名称", "机构类型", "机构等级", "经营性质", "所属区县", "地址", "联系电话", "纬度",
                  "经度", "跨省异地就医直接结算", "医保电子凭证", "门诊慢特病定点", "外配处方", "24小时"])
    sheet.append([10001, "表格医院", "医院", "二级", "公立", "丙区", "丙区四路4号", 12345678, 30.3, 114.3,
                  True, "是", "否", False, "否"])
    path = tmp_path / "名录.xlsx"
    book.save(path)
    assert "新增 1" in load(directory, path)
    record = directory.search(InstitutionQuery(name="表格医院")).matches[0].record
    assert (record.code, record.phone, record.cross_province, record.chronic_disease) == ("10001", "12345678",
                                                                                         True, False)


def test_xlsx_with_a_bad_row_names_its_spreadsheet_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD[0].split(","))
    sheet.append([*GOOD[1].split(",")[:-1], "也许"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused, match="第 3 行"):
        read_file(path)


@pytest.mark.parametrize(
    ("text", "lines", "words"),
    [
        (csv_text(*GOOD, header=HEADER.replace(",district", "")), ["第 1 行"], "district"),  # missing column
        (csv_text(GOOD[0], GOOD[1].replace(",否,是,否,是,是", ",否,是,否,可能,是")), ["第 3 行"], "是 或 否"),
        (csv_text(GOOD[0], GOOD[1].replace("X0002", "X0001")), ["第 3 行"], "与第 2 行重复"),
        (csv_text(GOOD[0].replace("医院,三级甲等", "养老院,三级甲等")), ["第 2 行"], "机构类型"),
        (csv_text(GOOD[0].replace("30.1,114.1", "114.1,30.1")), ["第 2 行"], "写反"),
        (csv_text(GOOD[0].replace("30.1,114.1", "30.1,")), ["第 2 行"], "都填"),
        (csv_text(GOOD[0].replace("测试第一医院", "<script>x</script>")), ["第 2 行"], "< >"),
        (csv_text(GOOD[0].replace("X0001", ""), GOOD[1]), ["第 2 行"], "缺少机构编码"),
        (csv_text(GOOD[0], GOOD[1] + ",多余"), ["第 3 行"], "多出"),
        ("", [], "空"),
        (HEADER + "\n", [], "只有表头"),
    ],
)
def test_bad_files_are_refused_with_line_numbers_and_nothing_changes(
    directory: Directory, write_file: Callable[..., Path], text: str, lines: list[str], words: str
) -> None:
    load(directory, write_file("good.csv", csv_text(*GOOD)))
    before = snapshot(directory)
    with pytest.raises(ImportRefused) as refused:
        load(directory, write_file("bad.csv", text))
    message = str(refused.value)
    assert words in message and all(line in message for line in lines), message
    assert snapshot(directory) == before


def test_every_bad_row_is_listed_not_just_the_first(write_file: Callable[..., Path]) -> None:
    rows = [GOOD[0], GOOD[1].replace("药店", "宠物店"), GOOD[1].replace("X0002", "X0009").replace(",是,是", ",是,X")]
    with pytest.raises(ImportRefused) as refused:
        read_file(write_file("two_bad.csv", csv_text(*rows)))
    assert "第 3 行" in str(refused.value) and "第 4 行" in str(refused.value)
    assert len(refused.value.problems) == 2


def test_gbk_file_is_refused_with_the_lines_it_cannot_read(write_file: Callable[..., Path]) -> None:
    path = write_file("gbk.csv", csv_text(*GOOD), encoding="gbk")
    with pytest.raises(ImportRefused) as refused:
        read_file(path)
    message = str(refused.value)
    assert "UTF-8" in message and "GBK" in message and "第 2、3 行" in message


def test_a_fake_xlsx_is_refused_politely(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportRefused, match="Excel"):
        read_file(path)


def test_sample_is_labelled_and_used_until_an_import(directory: Directory, write_file: Callable[..., Path]) -> None:
    result = directory.search(InstitutionQuery(name="市一医院"))
    assert result.is_sample and result.label == SAMPLE_LABEL and "虚构" in result.label
    records, sample = read_file(SAMPLE_FILE)
    assert sample and 25 <= len(records) <= 40
    load(directory, write_file("real.csv", csv_text(*GOOD)))
    assert directory.search(InstitutionQuery(name="市一医院")).matches == []


def test_cli_import_refuses_and_accepts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        write_file: Callable[..., Path]) -> None:
    from institutions import search
    from institutions.cli import institutions_app
    from yibao.settings import get_settings

    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    search._directory_for.cache_clear()
    runner = CliRunner()
    bad = runner.invoke(institutions_app, ["import", str(write_file("bad.csv", csv_text(GOOD[0], GOOD[0])))])
    assert bad.exit_code == 1 and "第 3 行" in bad.output
    good = runner.invoke(institutions_app, ["import", str(write_file("ok.csv", csv_text(*GOOD)))])
    assert good.exit_code == 0 and "新增 2" in good.output
    again = runner.invoke(institutions_app, ["import", str(tmp_path / "ok.csv")])
    assert again.exit_code == 0 and "没有变化" in again.output
    get_settings.cache_clear()
    search._directory_for.cache_clear()
