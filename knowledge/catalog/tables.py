"""The catalog's two SQLite tables: the drugs of the current import, and one row per import (its data label)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAX_FIELD_CHARS = 200


class Base(DeclarativeBase):
    pass


class DrugRow(Base):
    __tablename__ = "drug_catalog"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_FIELD_CHARS), index=True)
    category: Mapped[str] = mapped_column(String(8))
    dosage_form: Mapped[str] = mapped_column(String(MAX_FIELD_CHARS), default="")
    restriction: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")  # "|"-separated


class CatalogImport(Base):
    __tablename__ = "drug_catalog_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(Text)  # shown with every answer
    row_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
