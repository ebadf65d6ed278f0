"""The catalog in its SQLite file: replaced as a whole by an import, looked up through an index rebuilt only
after another import (possibly by another process)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session

from knowledge.catalog.answers import CatalogAnswer, catalog_answer
from knowledge.catalog.csv_import import SAMPLE_CSV, SAMPLE_LABEL, is_sample, read_catalog_csv
from knowledge.catalog.matching import Index
from knowledge.catalog.queries import check_query, clean_query
from knowledge.catalog.records import DrugMatch, DrugRecord
from knowledge.catalog.tables import Base, CatalogImport, DrugRow
from yibao.settings import get_settings


class Catalog:
    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        Base.metadata.create_all(self.engine)
        self._cached: tuple[int | None, Index] | None = None

    def import_csv(self, path: Path) -> int:
        """Replace the catalog with the CSV in one transaction; returns the number of drugs imported."""
        records = read_catalog_csv(path)  # everything is checked before the database is touched
        now = datetime.now(UTC).replace(tzinfo=None)
        label = (SAMPLE_LABEL if is_sample(Path(path))
                 else f"本院导入的目录（{Path(path).name}，{now:%Y-%m-%d} 导入）；以国家医保药品目录为准")
        with Session(self.engine) as session, session.begin():
            session.execute(delete(DrugRow))
            session.add_all(DrugRow(name=r.name, category=r.category, dosage_form=r.dosage_form,
                                    restriction=r.restriction, note=r.note, aliases="|".join(r.aliases))
                            for r in records)
            session.add(CatalogImport(source_name=Path(path).name, label=label, row_count=len(records),
                                      imported_at=now))
        return len(records)

    def _index(self) -> Index:
        """The current index, rebuilt only when another import happened (possibly in another process)."""
        with Session(self.engine) as session:
            latest = session.scalar(select(func.max(CatalogImport.id)))
            if self._cached and self._cached[0] == latest:
                return self._cached[1]
            if latest is None:
                index = Index(read_catalog_csv(SAMPLE_CSV), SAMPLE_LABEL)
            else:
                info = session.get(CatalogImport, latest)
                rows = session.scalars(select(DrugRow).order_by(DrugRow.id)).all()
                records = [DrugRecord(r.name, r.category, r.dosage_form, r.restriction, r.note,
                                      tuple(a for a in r.aliases.split("|") if a)) for r in rows]
                index = Index(records, info.label if info else SAMPLE_LABEL)
        self._cached = (latest, index)
        return index

    @property
    def source(self) -> str:
        return self._index().source

    def lookup(self, query: str | None, limit: int = 5) -> list[DrugMatch]:
        """Best matches first (at most ``limit``); empty for not found and for unusable input (see check_query)."""
        if check_query(query) is not None:
            return []
        return self._index().search(clean_query(query), max(1, min(limit, 20)))

    def answer(self, query: str | None, limit: int = 3) -> CatalogAnswer:
        """The catalog's answer (knowledge.catalog.answers): matches, recognised, confidence, text, citations."""
        return catalog_answer(query, check_query(query), self.lookup(query, limit))


@lru_cache(maxsize=4)
def _catalog_for(database_url: str) -> Catalog:
    return Catalog(database_url)


def get_catalog() -> Catalog:
    """The catalog in ``<data dir>/drug_catalog.db`` (its own file: the accounts database may be PostgreSQL)."""
    data_dir = get_settings().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    return _catalog_for(f"sqlite:///{data_dir / 'drug_catalog.db'}")


def answer(query: str | None, limit: int = 3) -> CatalogAnswer:
    """The configured catalog's answer to ``query``: the one answer the chat bot, staff page and CLI give."""
    return get_catalog().answer(query, limit)
