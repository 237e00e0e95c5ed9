"""Walking paged DingTalk APIs to the end: offset/size, cursor, and has_more styles.

Each ``iter_...`` method of a mixin is a generator built on one of these; the original SDK's
``get_all_...`` names return ``list(iter_...())``. Every walker stops on an empty page, and
on a cursor or offset that does not move, so a server quirk cannot loop forever.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, List, Optional, Tuple, TypeVar

T = TypeVar("T")


def iter_offset(fetch: Callable[[int, int], Tuple[List[T], Optional[bool]]], size: int,
                offset: int = 0) -> Iterator[T]:
    """Pages from ``fetch(offset, size) -> (items, has_more)``.

    ``has_more=None`` means the API does not say: a page shorter than ``size`` is the last.
    """
    while True:
        items, more = fetch(offset, size)
        yield from items
        if not items:
            return
        if more is False or (more is None and len(items) < size):
            return
        offset += len(items)


def iter_cursor(fetch: Callable[[Any], Tuple[List[T], Any]], cursor: Any = 0) -> Iterator[T]:
    """Pages from ``fetch(cursor) -> (items, next_cursor)``; a next cursor of None/0/"" ends it."""
    seen = {cursor}
    while True:
        items, next_cursor = fetch(cursor)
        yield from items
        if next_cursor in (None, 0, "", "0") or next_cursor in seen:
            return
        seen.add(next_cursor)
        cursor = next_cursor
