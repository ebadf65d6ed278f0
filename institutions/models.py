"""Tables of the institution directory. They live in the project's database (DATABASE_URL) beside the accounts,
share its declarative base (one Alembic history: ``accounts/migrations``) and hold only public data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import Base, UtcDateTime

# Flag columns, in the order of the import file, with the names patients and staff see.
FLAGS: dict[str, str] = {
    "cross_province": "跨省异地就医直接结算",
    "e_voucher": "医保电子凭证",
    "chronic_disease": "门诊慢特病定点",
    "external_prescription": "外配处方",
    "open_24h": "24小时",
}


class Institution(Base):
    """One designated institution, with the fields of the national platform's designated-institution query."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    aliases: Mapped[str] = mapped_column(String(200), default="")  # "|"-separated short names (市一医院)
    type: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[str] = mapped_column(String(8))
    nature: Mapped[str] = mapped_column(String(8))
    district: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(100), default="")
    cross_province: Mapped[bool] = mapped_column(Boolean, default=False)
    e_voucher: Mapped[bool] = mapped_column(Boolean, default=False)
    chronic_disease: Mapped[bool] = mapped_column(Boolean, default=False)
    external_prescription: Mapped[bool] = mapped_column(Boolean, default=False)
    open_24h: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InstitutionImport(Base):
    """One import that changed the directory (an unchanged re-import adds nothing). The newest row's label is
    shown with every answer: the sample says it is fictional, a hospital's file names itself."""

    __tablename__ = "institution_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    row_count: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
