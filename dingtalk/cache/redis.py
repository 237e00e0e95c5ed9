"""A cache on Redis (redis-py): shared by every process of every host.

Works with ``redis.Redis`` (alias ``StrictRedis``), ``redis.cluster.RedisCluster`` and the
client ``redis.sentinel.Sentinel(...).master_for(name)`` returns. ``set`` is ``SET key
value EX ttl``; ``add`` is ``SET key value NX EX ttl``, atomic on the server.
"""
from __future__ import annotations

import re
from typing import Any, Optional, Tuple, Type

from ..errors import CacheError, ConfigError
from .base import Cache, Value, check_key, check_ttl, to_text

__all__ = ["RedisCache", "redact_url"]

_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^@/?#\s]*)@")


def redact_url(text: str) -> str:
    """Hide the user-info part (``user:password@``) of every URL in ``text``.

    >>> redact_url("redis://:s3cret@cache.example.com:6379/0")
    'redis://***@cache.example.com:6379/0'
    """
    return _URL_USERINFO.sub(lambda m: m.group("scheme") + "***@", str(text))


def _redis_errors() -> Tuple[Type[BaseException], ...]:
    try:
        from redis import exceptions
    except ImportError:                                           # pragma: no cover
        return (OSError,)
    errors: Tuple[Type[BaseException], ...] = (exceptions.RedisError, OSError)
    cluster_error = getattr(exceptions, "RedisClusterException", None)
    if cluster_error is not None:
        errors += (cluster_error,)
    return errors


def _describe(client: Any) -> str:
    """host:port/db of a redis-py client, never its password."""
    name = type(client).__name__
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    if isinstance(kwargs, dict):
        if pool is not None and type(pool).__name__ == "SentinelConnectionPool":
            service = getattr(pool, "service_name", "?")
            return f"{name} sentinel master {service!r} db={kwargs.get('db', 0)}"
        if "path" in kwargs:
            return f"{name} unix:{kwargs.get('path')} db={kwargs.get('db', 0)}"
        return f"{name} {kwargs.get('host', '?')}:{kwargs.get('port', '?')} db={kwargs.get('db', 0)}"
    nodes = getattr(client, "get_nodes", None)
    if callable(nodes):
        try:
            names = sorted(str(getattr(n, "name", n)) for n in nodes())
        except Exception:
            names = []
        if names:
            shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
            return f"{name} [{shown}]"
    return name


class RedisCache(Cache):
    """A :class:`~dingtalk.cache.Cache` on a redis-py client.

    ``prefix`` is put in front of every key (e.g. ``"myapp:"`` to share a database).
    Values come back as ``str`` whether or not the client uses ``decode_responses``.
    Every redis-py error (connection refused, timeout, cluster down, ...) is raised as
    :class:`~dingtalk.errors.CacheError`, whose message never contains a password.

    >>> import redis
    >>> cache = RedisCache(redis.Redis(host="127.0.0.1", port=6379, db=0))   # doctest: +SKIP
    >>> cache = RedisCache.from_url("redis://:password@127.0.0.1:6379/0")    # doctest: +SKIP
    >>> cache.set("dingtalk:test:access_token", "abc", 7000)                 # doctest: +SKIP
    """

    def __init__(self, client: Any, prefix: str = "") -> None:
        if not isinstance(prefix, str):
            raise ConfigError("RedisCache prefix must be a str")
        self.client = client
        self.prefix = prefix
        self._errors = _redis_errors()
        self._where = _describe(client)

    @classmethod
    def from_url(cls, url: str, prefix: str = "", **kwargs: Any) -> "RedisCache":
        """Build from a URL such as ``redis://[:password@]host:port/db``, ``rediss://...``
        or ``unix:///path/redis.sock?db=0``; ``kwargs`` go to ``redis.Redis.from_url``."""
        try:
            import redis
        except ImportError:                                       # pragma: no cover
            raise ConfigError("RedisCache.from_url needs the 'redis' package "
                              "(pip install redis)") from None
        try:
            client = redis.Redis.from_url(url, **kwargs)
        except Exception as exc:
            raise CacheError(f"invalid redis URL {redact_url(url)!r}: "
                             f"{redact_url(str(exc))}") from None
        return cls(client, prefix=prefix)

    def _fail(self, op: str, exc: BaseException) -> CacheError:
        return CacheError(f"redis {op} failed on {self._where}: "
                          f"{type(exc).__name__}: {redact_url(str(exc))}")

    def get(self, key: str) -> Optional[str]:
        name = self.prefix + check_key(key)
        try:
            value = self.client.get(name)
        except self._errors as exc:
            raise self._fail("GET", exc) from None
        return None if value is None else to_text(value)

    def set(self, key: str, value: Value, ttl: int) -> None:
        name = self.prefix + check_key(key)
        value, ttl = to_text(value), check_ttl(ttl)
        try:
            self.client.set(name, value, ex=ttl)
        except self._errors as exc:
            raise self._fail("SET", exc) from None

    def delete(self, key: str) -> None:
        name = self.prefix + check_key(key)
        try:
            self.client.delete(name)
        except self._errors as exc:
            raise self._fail("DEL", exc) from None

    def add(self, key: str, value: Value, ttl: int) -> bool:
        name = self.prefix + check_key(key)
        value, ttl = to_text(value), check_ttl(ttl)
        try:
            return bool(self.client.set(name, value, ex=ttl, nx=True))
        except self._errors as exc:
            raise self._fail("SET NX", exc) from None

    def close(self) -> None:
        """Close the client's connections."""
        close = getattr(self.client, "close", None)
        if callable(close):
            try:
                close()
            except self._errors:
                pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{self._where}>, prefix={self.prefix!r})"
