"""Column helpers shared by the models."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.orm import mapped_column

from marketplace.timeutil import naive_utc


def created_at_column():
    return mapped_column(DateTime, default=naive_utc, nullable=False, index=True)


def money_column(**kwargs):
    """Integer rupiah (BIGINT: a city's yearly spending passes 2^31)."""
    kwargs.setdefault("nullable", False)
    return mapped_column(BigInteger, **kwargs)


def utcnow() -> datetime:
    return naive_utc()
