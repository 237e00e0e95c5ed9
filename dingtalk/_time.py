"""Time conversions. DingTalk lives in China time (UTC+8) whatever the host's zone.

A naive ``datetime`` is taken as China time, as DingTalk's own consoles show times; pass an
aware ``datetime`` to say otherwise.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Union

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

TimeLike = Union[datetime, date, int, float]


def to_china(value: Union[datetime, date]) -> datetime:
    """The datetime in UTC+8 (a naive one is taken as already being UTC+8)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value.replace(tzinfo=CHINA_TZ)
    return value.astimezone(CHINA_TZ)


def to_millis(value: TimeLike) -> int:
    """Epoch milliseconds; ints and floats pass through as milliseconds."""
    if isinstance(value, (datetime, date)):
        return int(to_china(value).timestamp() * 1000)
    return int(value)


def format_china(value: Union[datetime, date, float, int]) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in UTC+8; numbers are epoch seconds."""
    if isinstance(value, (datetime, date)):
        return to_china(value).strftime("%Y-%m-%d %H:%M:%S")
    return datetime.fromtimestamp(value, CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def now() -> float:
    return time.time()
