"""An in-process cache: the default when ``DingTalkApp(cache=None)``.

It is shared by the threads of one process only. Several worker processes (gunicorn,
uwsgi, Celery) each keep their own tokens with it; use
:class:`~dingtalk.cache.SQLiteCache` (one host) or Redis/Memcached (many hosts) to share.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Dict, Optional, Tuple

from .base import Cache, Value, check_key, check_ttl, to_text

__all__ = ["MemoryCache"]


class MemoryCache(Cache):
    """A thread-safe dict with expiry.

    Expired entries behave as absent and are purged lazily (on access, and by a sweep every
    ``sweep_every`` writes). At most ``max_entries`` keys are kept: when full, expired keys
    are swept and then the oldest-written keys are dropped.

    ``clock`` returns seconds as a float (default :func:`time.monotonic`); tests may pass a
    fake one.

    >>> now = [0.0]
    >>> cache = MemoryCache(clock=lambda: now[0])
    >>> cache.set("token", "abc", 10)
    >>> cache.get("token")
    'abc'
    >>> now[0] = 10.0
    >>> cache.get("token") is None
    True
    >>> cache.add("token", "def", 10)
    True
    """

    def __init__(self, clock: Optional[Callable[[], float]] = None, *,
                 max_entries: Optional[int] = 10000, sweep_every: int = 1000) -> None:
        if max_entries is not None and max_entries < 1:
            raise ValueError("max_entries must be at least 1 (or None for no bound)")
        self._clock: Callable[[], float] = clock or time.monotonic
        self._max_entries = max_entries
        self._sweep_every = max(1, int(sweep_every))
        self._writes = 0
        self._data: Dict[str, Tuple[str, float]] = {}
        self._lock = threading.Lock()

    # -- internals (call with the lock held) ---------------------------------------------
    def _live(self, key: str, now: float) -> Optional[str]:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._data[key]
            return None
        return entry[0]

    def _store(self, key: str, value: str, ttl: int, now: float) -> None:
        self._data.pop(key, None)                 # re-insert: dict order = write order
        self._data[key] = (value, now + ttl)
        self._writes += 1
        if self._writes % self._sweep_every == 0:
            self._sweep(now)
        if self._max_entries is not None and len(self._data) > self._max_entries:
            self._sweep(now)
            excess = len(self._data) - self._max_entries
            if excess > 0:
                for old in list(self._data)[:excess]:
                    del self._data[old]

    def _sweep(self, now: float) -> None:
        for k in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[k]

    # -- Cache -----------------------------------------------------------------------------
    def get(self, key: str) -> Optional[str]:
        check_key(key)
        with self._lock:
            return self._live(key, self._clock())

    def set(self, key: str, value: Value, ttl: int) -> None:
        check_key(key)
        value, ttl = to_text(value), check_ttl(ttl)
        with self._lock:
            self._store(key, value, ttl, self._clock())

    def delete(self, key: str) -> None:
        check_key(key)
        with self._lock:
            self._data.pop(key, None)

    def add(self, key: str, value: Value, ttl: int) -> bool:
        check_key(key)
        value, ttl = to_text(value), check_ttl(ttl)
        with self._lock:
            now = self._clock()
            if self._live(key, now) is not None:
                return False
            self._store(key, value, ttl, now)
            return True

    def __len__(self) -> int:
        """Number of live (unexpired) entries."""
        with self._lock:
            self._sweep(self._clock())
            return len(self._data)

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._data.clear()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(entries={len(self._data)}, max_entries={self._max_entries})"
