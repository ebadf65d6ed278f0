"""Policy documents in their own formats, through the real command line: `yibao kb add` of a PDF printed by
chromium, a DOCX, an HTML page with boilerplate and an XLSX table, each then found by `yibao search`; a scanned
PDF refused; `kb versions`, `kb remove` and `kb rollback` on a private data directory."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.document_fixtures import Fixture, make_docx, make_html, make_pdf, make_scanned_pdf, make_xlsx
from yibao.settings import PROJECT_ROOT, get_settings


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb-documents")
    shipped = get_settings().index_dir
    if (shipped / "passages.sqlite").exists():  # the embedding cache: only the new documents are embedded
        shutil.copytree(shipped, path / "index")
    return path


def yibao(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "YIBAO_DATA_DIR": str(data_dir),
           "DATABASE_URL": f"sqlite:///{data_dir / 'yibao.db'}", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "yibao.cli", *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, timeout=600)


def passages_of(data_dir: Path, doc_id: str) -> list[str]:
    db = sqlite3.connect(data_dir / "index" / "passages.sqlite")
    try:
        return [t for (t,) in db.execute("SELECT text FROM passages WHERE doc_id = ?", (doc_id,))]
    finally:
        db.close()


def versions(data_dir: Path) -> list[dict]:
    done = yibao(data_dir, "kb", "versions", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def added(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fixture]:
    folder = tmp_path_factory.mktemp("documents")
    fixtures = {
        "住院押金减免办法": make_pdf(folder / "住院押金减免办法.pdf"),
        "异地就医备案补充说明": make_docx(folder / "异地就医备案补充说明.docx"),
        "琉璃河镇通知": make_html(folder / "琉璃河镇通知.html"),
        "药店补贴标准": make_xlsx(folder / "药店补贴标准.xlsx"),
    }
    for doc_id, fixture in fixtures.items():
        done = yibao(data_dir, "kb", "add", str(fixture.path), "--by", "test")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "已加入" in done.stdout and doc_id in done.stdout
    return fixtures


def test_every_format_is_ingested_and_its_own_sentence_found_by_yibao_search(
    data_dir: Path, added: dict[str, Fixture]
) -> None:
    for doc_id, fixture in added.items():
        done = yibao(data_dir, "search", fixture.question, "--json", "-k", "3")
        assert done.returncode == 0, done.stderr
        hits = json.loads(done.stdout)
        assert hits and hits[0]["doc_id"] == doc_id, (fixture.question, [h["doc_id"] for h in hits])
        assert fixture.fact in hits[0]["text"]


def test_table_rows_keep_their_caption_and_header(data_dir: Path, added: dict[str, Fixture]) -> None:
    xlsx = "\n".join(passages_of(data_dir, "药店补贴标准"))
    assert "定点药店慢病配药补贴标准（药店：翠屏山大药房；补贴标准：每人每月三十元；备注：限门诊慢特病患者）" in xlsx
    assert "定点药店慢病配药补贴标准（药店：金沙湾药房；补贴标准：每人每月二十五元）" in xlsx
    docx = "\n".join(passages_of(data_dir, "异地就医备案补充说明"))
    assert "表1备案有效期（备案类型：临时外出就医；有效期：六个月）" in docx  # cleaning drops the space
    pdf = "\n".join(passages_of(data_dir, "住院押金减免办法"))
    assert "押金减免标准（参保类型：居民医保；减免比例：减免一半）" in pdf
    assert "押⾦" not in pdf and "押金" in pdf  # the PDF font's radical look-alikes are mapped back


def test_html_navigation_and_footer_are_not_indexed(data_dir: Path, added: dict[str, Fixture]) -> None:
    text = "\n".join(passages_of(data_dir, "琉璃河镇通知"))
    assert "镇卫生院一楼" in text  # inline markup inside a sentence does not break it
    for chrome in added["琉璃河镇通知"].boilerplate:
        assert chrome not in text, chrome


def test_a_scanned_pdf_is_refused_and_changes_nothing(data_dir: Path, added: dict[str, Fixture],
                                                       tmp_path: Path) -> None:
    before = versions(data_dir)
    done = yibao(data_dir, "kb", "add", str(make_scanned_pdf(tmp_path / "扫描件.pdf")))
    assert done.returncode == 1
    assert "扫描件" in done.stdout and "OCR" in done.stdout
    assert versions(data_dir) == before


@pytest.mark.parametrize(("name", "content"), [("policy.exe", b"MZ\x90\x00"), ("empty.pdf", b""),
                                               ("broken.docx", b"not a zip file"), ("broken.pdf", b"%PDF-1.4 garbage"),
                                               ("blank.html", b"<html><body><nav>menu</nav></body></html>")])
def test_unusable_files_get_a_clear_reason(data_dir: Path, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = yibao(data_dir, "kb", "add", str(path))
    assert done.returncode == 1, done.stdout
    assert "没有加入" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_versions_remove_and_rollback(data_dir: Path, added: dict[str, Fixture]) -> None:
    history = versions(data_dir)
    current = history[-1]
    assert current["current"] and current["changes"]["added"] == ["药店补贴标准"]
    assert current["documents"]["药店补贴标准"]["passages"] >= 1
    assert all(not v["current"] for v in history[:-1])

    done = yibao(data_dir, "kb", "remove", "琉璃河镇通知", "--by", "test")
    assert done.returncode == 0, done.stdout + done.stderr
    after = versions(data_dir)[-1]
    assert after["changes"]["removed"] == ["琉璃河镇通知"] and "琉璃河镇通知" not in after["documents"]
    assert after["actor"] == "test"
    question = added["琉璃河镇通知"].question
    hits = json.loads(yibao(data_dir, "search", question, "--json", "-k", "5").stdout)
    assert all(h["doc_id"] != "琉璃河镇通知" for h in hits)

    assert yibao(data_dir, "kb", "remove", "没有这份文档").returncode == 1
    done = yibao(data_dir, "kb", "rollback", str(current["number"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert versions(data_dir)[-2]["current"]  # the version before the removal is live again
    hits = json.loads(yibao(data_dir, "search", question, "--json", "-k", "3").stdout)
    assert hits[0]["doc_id"] == "琉璃河镇通知"
