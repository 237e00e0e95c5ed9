"""Caches for access tokens and jsapi tickets, shared by processes and hosts.

Pick one by deployment:

* :class:`MemoryCache` — one process (the default, ``cache=None``).
* :class:`SQLiteCache` — several processes on one host, no server (gunicorn/uwsgi workers).
* :class:`RedisCache` — many hosts (``redis.Redis``, ``RedisCluster``, Sentinel master).
* :class:`MemcachedCache` — many hosts (python-memcached or pymemcache).

``DingTalkApp(cache=...)`` accepts any of these, or a raw client, through
:func:`wrap_cache`::

    >>> from dingtalk.cache import wrap_cache
    >>> wrap_cache(None)
    MemoryCache(entries=0, max_entries=10000)
    >>> import redis
    >>> wrap_cache(redis.Redis(host="127.0.0.1", port=6379))
    RedisCache(<Redis 127.0.0.1:6379 db=0>, prefix='')
"""
from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .base import Cache, CacheAdapter, LegacyCacheAdapter
from .memcached import MemcachedCache, memcached_key
from .memory import MemoryCache
from .redis import RedisCache
from .sqlite import SQLiteCache

__all__ = [
    "Cache", "MemoryCache", "SQLiteCache", "RedisCache", "MemcachedCache", "wrap_cache",
    "CacheAdapter", "LegacyCacheAdapter", "memcached_key",
]

# Recognised by class name along the MRO, so neither package has to be importable.
_REDIS_CLASSES = frozenset({
    "redis.client.Redis", "redis.client.StrictRedis", "redis.cluster.RedisCluster",
    "rediscluster.client.RedisCluster",                   # the old redis-py-cluster
})
_MEMCACHED_MODULES = ("memcache", "pymemcache")


def _class_names(obj: Any):
    return [(c.__module__ or "", c.__qualname__) for c in type(obj).__mro__]


def _has_methods(obj: Any, *names: str) -> bool:
    return all(callable(getattr(obj, name, None)) for name in names)


def wrap_cache(obj: Any) -> Cache:
    """Turn what a user passed as ``cache=`` into a :class:`Cache`.

    * ``None`` → a new :class:`MemoryCache`;
    * a :class:`Cache` → itself;
    * a redis-py client (``Redis``/``StrictRedis``, ``RedisCluster``, a Sentinel
      ``master_for(...)`` client) → :class:`RedisCache`;
    * ``memcache.Client`` or a pymemcache client → :class:`MemcachedCache`;
    * another object with ``get``/``set``/``delete``/``add`` → :class:`CacheAdapter`
      (``set`` and ``add`` get the TTL as third positional argument);
    * an object with only ``get``/``set(key, value, ttl)``/``delete`` (the original SDK's
      session manager) → :class:`LegacyCacheAdapter`, whose ``add`` is not atomic (a
      WARNING is logged);
    * anything else → :class:`~dingtalk.errors.ConfigError`.
    """
    if obj is None:
        return MemoryCache()
    if isinstance(obj, Cache):
        return obj
    if isinstance(obj, type):
        raise ConfigError(f"cache must be an instance, not the class {obj.__module__}."
                          f"{obj.__qualname__}")
    names = _class_names(obj)
    modules = {module.split(".", 1)[0] for module, _ in names}
    if any(module.startswith("redis.asyncio") for module, _ in names):
        raise ConfigError("an asyncio redis client cannot be used by this synchronous SDK; "
                          "pass a redis.Redis (or redis.cluster.RedisCluster) instead")
    if any(f"{module}.{name}" in _REDIS_CLASSES for module, name in names):
        return RedisCache(obj)
    if modules & set(_MEMCACHED_MODULES) and _has_methods(obj, "get", "set", "delete", "add"):
        return MemcachedCache(obj)
    if _has_methods(obj, "get", "set", "delete", "add"):
        return CacheAdapter(obj)
    if _has_methods(obj, "get", "set", "delete"):
        return LegacyCacheAdapter(obj)
    cls = type(obj)
    raise ConfigError(f"cannot use a {cls.__module__}.{cls.__qualname__} as the cache: pass "
                      f"None, a dingtalk.cache.Cache, a redis.Redis, a memcache.Client, a "
                      f"pymemcache client, or an object with get/set/delete/add methods")
