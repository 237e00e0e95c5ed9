"""The cache contract shared by every backend, and adapters for foreign objects.

The SDK keeps ``access_token`` and ``jsapi_ticket`` values in a :class:`Cache` that many
processes (and, with Redis or Memcached, many hosts) share, and it uses :meth:`Cache.add`
as a cross-process lock so that only one of them refreshes a token at a time.

A cache stores ``str`` values under ``str`` keys for ``ttl`` seconds::

    >>> from dingtalk.cache import MemoryCache
    >>> cache = MemoryCache()
    >>> cache.set("dingtalk:test:token", "abc", 7000)
    >>> cache.get("dingtalk:test:token")
    'abc'
    >>> cache.add("dingtalk:test:lock", "1", 30)      # the lock is free: taken
    True
    >>> cache.add("dingtalk:test:lock", "1", 30)      # someone holds it
    False

Write your own backend by subclassing :class:`Cache`; any other object with
``get``/``set``/``delete``/``add`` methods is adapted by :func:`dingtalk.cache.wrap_cache`.
"""
from __future__ import annotations

import abc
import logging
import math
from typing import Any, Optional, Union

from ..errors import ParameterError

__all__ = ["Cache", "CacheAdapter", "LegacyCacheAdapter", "to_text", "check_key", "check_ttl"]

logger = logging.getLogger("dingtalk")

Value = Union[str, bytes]


def to_text(value: Any, *, what: str = "value") -> str:
    """Return ``value`` as ``str``: bytes are decoded as UTF-8, ``str`` is returned as is.

    >>> to_text("钉钉".encode("utf-8"))
    '钉钉'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise ParameterError(f"cache {what} is not valid UTF-8") from None
    raise ParameterError(f"cache {what} must be str or bytes, not {type(value).__name__}")


def check_key(key: Any) -> str:
    """Validate a cache key: a non-empty ``str``."""
    if not isinstance(key, str):
        raise ParameterError(f"cache key must be str, not {type(key).__name__}")
    if not key:
        raise ParameterError("cache key must not be empty")
    return key


def check_ttl(ttl: Any) -> int:
    """Validate a TTL in seconds and return it as a positive ``int`` (fractions round up).

    >>> check_ttl(7200), check_ttl(0.5)
    (7200, 1)
    """
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        raise ParameterError(f"cache ttl must be a number of seconds, not {type(ttl).__name__}")
    if not ttl > 0 or math.isinf(ttl):        # also rejects NaN
        raise ParameterError(f"cache ttl must be a positive number of seconds, got {ttl!r}")
    return int(math.ceil(ttl))


class Cache(abc.ABC):
    """What the SDK needs from a cache. Values are ``str``; TTLs are whole seconds > 0.

    * ``get(key)`` → the value, or ``None`` when the key is missing or expired.
    * ``set(key, value, ttl)`` stores ``value`` (``str``, or UTF-8 ``bytes``) for ``ttl`` seconds.
    * ``delete(key)`` removes the key; deleting a missing key is fine.
    * ``add(key, value, ttl)`` stores only if the key is absent (or expired) and returns
      ``True`` when it stored. It is atomic: of many concurrent callers exactly one wins.

    Backend failures raise :class:`dingtalk.errors.CacheError`.
    """

    @abc.abstractmethod
    def get(self, key: str) -> Optional[str]:
        """Return the value stored under ``key``, or ``None`` if missing or expired."""

    @abc.abstractmethod
    def set(self, key: str, value: Value, ttl: int) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds, replacing any old value."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""

    @abc.abstractmethod
    def add(self, key: str, value: Value, ttl: int) -> bool:
        """Store ``value`` only if ``key`` is absent or expired; ``True`` when it stored."""

    def close(self) -> None:
        """Release resources held by this cache object (optional; the default does nothing)."""


def _type_name(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class CacheAdapter(Cache):
    """Adapts a foreign object with ``get``/``set``/``delete``/``add`` to :class:`Cache`.

    The TTL is passed as the third positional argument (``set(key, value, ttl)``, as
    Django's and Flask-Caching's caches and pylibmc take it); bytes read back are decoded
    as UTF-8 and the result of ``add`` is coerced to ``bool``. Atomicity of ``add`` is the
    wrapped object's responsibility.

    >>> class Store:                     # e.g. a Django cache
    ...     def __init__(self): self.d = {}
    ...     def get(self, k): return self.d.get(k)
    ...     def set(self, k, v, t): self.d[k] = v
    ...     def delete(self, k): self.d.pop(k, None)
    ...     def add(self, k, v, t): return 0 if k in self.d else self.d.setdefault(k, v) and 1
    >>> cache = CacheAdapter(Store())
    >>> cache.add("k", "v", 10), cache.add("k", "w", 10), cache.get("k")
    (True, False, 'v')
    """

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def get(self, key: str) -> Optional[str]:
        value = self.obj.get(check_key(key))
        return None if value is None else to_text(value)

    def set(self, key: str, value: Value, ttl: int) -> None:
        self.obj.set(check_key(key), to_text(value), check_ttl(ttl))

    def delete(self, key: str) -> None:
        self.obj.delete(check_key(key))

    def add(self, key: str, value: Value, ttl: int) -> bool:
        return bool(self.obj.add(check_key(key), to_text(value), check_ttl(ttl)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{_type_name(self.obj)}>)"


class LegacyCacheAdapter(CacheAdapter):
    """Adapts the original SDK's "session manager" (only ``get``/``set``/``delete``).

    Such an object has no atomic "store if absent", so :meth:`add` is a get followed by a
    set: two processes may both believe they hold the lock. A WARNING saying so is logged
    (logger ``"dingtalk"``) when the adapter is created. Prefer Redis, Memcached,
    :class:`~dingtalk.cache.SQLiteCache` or an object with an atomic ``add``.
    """

    def __init__(self, obj: Any) -> None:
        super().__init__(obj)
        logger.warning(
            "cache object %s has no add() method: dingtalk uses get-then-set instead, which "
            "is NOT atomic across processes, so concurrent token refreshes may race; use "
            "Redis, Memcached, dingtalk.cache.SQLiteCache or a cache with an atomic add()",
            _type_name(obj),
        )

    def add(self, key: str, value: Value, ttl: int) -> bool:
        if self.get(key) is not None:
            return False
        self.set(key, value, ttl)
        return True
