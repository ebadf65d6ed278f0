"""Fixtures for the drug catalog and the reimbursement policy table: a real SQLite catalog in a temp dir, the
shipped policy table, a hospital-style local table, and the cleaned text of the corpus documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml

from knowledge.catalog import SAMPLE_CSV, Catalog, DrugRecord, read_catalog_csv
from knowledge.ingest import read_document
from knowledge.policy_table import PolicyTable
from knowledge.text import Tracked, clean_line, content_lines, to_simplified
from yibao.settings import PROJECT_ROOT, get_settings

DOC = "测试市医保待遇通知"
SHIPPED_TABLE = PROJECT_ROOT / "knowledge" / "data" / "policy_table.yml"

# A local table as a hospital would write it: exact figures, one of them only for 三级 hospitals.
LOCAL_TABLE = {
    "name": "测试市本地政策",
    "insurance_types": {"职工医保": ["职工"], "居民医保": ["居民"]},
    "visit_types": {"住院": [], "普通门诊": ["门诊"]},
    "hospital_levels": {"一级": ["社区"], "三级": ["三甲"]},
    "rules": [
        {
            "insurance_type": "职工医保", "visit_type": "住院",
            "deductible": {"amount": 1000, "source": {"doc": DOC, "quote": "住院起付线为1000元。"}},
            "ratio": {"percent": 90, "source": {"doc": DOC, "quote": "住院报销比例为90%。"}},
            "cap": {"amount": 50000, "source": {"doc": DOC, "quote": "年度最高支付限额为50000元。"}},
        },
        {
            "insurance_type": "职工医保", "visit_type": "住院", "hospital_level": "三级",
            "deductible": {"amount": 1500, "source": {"doc": DOC, "quote": "三级医院起付线为1500元。"}},
            "ratio": {"percent": 85, "source": {"doc": DOC, "quote": "三级医院报销比例为85%。"}},
            "cap": {"amount": 50000, "source": {"doc": DOC, "quote": "年度最高支付限额为50000元。"}},
        },
        {
            "insurance_type": "居民医保", "visit_type": "住院",
            "deductible": {"amount": 0, "source": {"doc": DOC, "quote": "居民住院起付线为0元。"}},
            "ratio": {"percent": [60, 70], "source": {"doc": DOC, "quote": "居民报销比例60%至70%。"}},
            "cap": {"amount": None, "note": "通知未规定。"},
        },
    ],
}


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """A real SQLite catalog file of its own, empty (so lookups use the shipped sample)."""
    return Catalog(f"sqlite:///{tmp_path / 'drug_catalog.db'}")


@pytest.fixture(scope="session")
def sample_records() -> dict[str, DrugRecord]:
    return {r.name: r for r in read_catalog_csv(SAMPLE_CSV)}


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def shipped_table() -> PolicyTable:
    return PolicyTable.from_file(SHIPPED_TABLE)


@pytest.fixture(scope="session")
def shipped_yaml() -> dict:
    return yaml.safe_load(SHIPPED_TABLE.read_text(encoding="utf-8"))


@pytest.fixture
def local_table_file(tmp_path: Path) -> Path:
    path = tmp_path / "local_policy.yml"
    path.write_text(yaml.safe_dump(LOCAL_TABLE, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data dir through the real environment variable, for the CLI and get_catalog()."""
    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@cache
def _cleaned(doc: str) -> str:
    raw = (get_settings().corpus_dir / doc).read_text(encoding="utf-8")
    return "\n".join(to_simplified(clean_line(Tracked.of(line)).text) for _, line in content_lines(raw))


@pytest.fixture(scope="session")
def cleaned_document() -> Callable[[str], str]:
    """The simplified text of a corpus document after the knowledge base's own cleaning steps."""
    return _cleaned


@cache
def _title(doc: str) -> str:
    return to_simplified(read_document(get_settings().corpus_dir / doc).title)


@pytest.fixture(scope="session")
def document_title() -> Callable[[str], str]:
    """A corpus document's title as the knowledge base shows it in citations."""
    return _title
