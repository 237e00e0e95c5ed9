"""A cache on Memcached: shared by every process of every host.

Works with python3-memcached / python-memcached (``memcache.Client``) and pymemcache
(``pymemcache.client.base.Client``, ``PooledClient``, ``pymemcache.client.hash.HashClient``
and ``RetryingClient``). ``add`` is memcached's own ``add`` command, atomic on the server.

Memcached keys are at most 250 bytes of printable ASCII without spaces. Keys that do not
fit (a Chinese company name, a space, a long key) are mapped by :func:`memcached_key` to a
readable ASCII prefix plus ``~`` plus the SHA-1 of the whole key. ``~`` never appears in a
key that is passed through unchanged, so two distinct keys never share a memcached key.

Failure detection has limits, because some clients hide errors:

* pymemcache raises on network errors; they become :class:`~dingtalk.errors.CacheError`.
  ``HashClient`` instead returns defaults while it retries a failing server (and always
  with ``ignore_exc=True``): ``set`` is sent with ``noreply=False``, so a failed ``set``
  is still reported, and a miss, a refused ``add`` or a ``delete`` of a missing key is
  followed by a look at the client's record of failing servers.
* python-memcached never raises: it returns ``0``/``None`` and marks the server dead for
  ``dead_retry`` seconds. A ``set`` or ``delete`` that returns ``0`` raises ``CacheError``;
  a ``get`` miss or a refused ``add`` is followed by a check that the key's server is
  reachable (a reconnect attempt when it had been marked dead).

Either way a server that dies between the operation and the check, or (python-memcached)
a reply lost in a way the client does not notice, may still look like a miss or a refused
``add``. Both checks rely on the clients' internal bookkeeping (``Client._get_server``,
``HashClient._failed_clients``); if a client version lacks it, the check is skipped.
"""
from __future__ import annotations

import hashlib
import threading
import time
from contextlib import nullcontext
from typing import Any, Callable, ContextManager, Optional, Tuple, Type

from ..errors import CacheError, ConfigError
from .base import Cache, Value, check_key, check_ttl, to_text

__all__ = ["MemcachedCache", "memcached_key", "MAX_KEY_LENGTH"]

#: Memcached's limit on the length of a key, in bytes.
MAX_KEY_LENGTH = 250
#: A relative expiry larger than this is taken by memcached as a Unix timestamp.
_MAX_RELATIVE_TTL = 30 * 24 * 3600
#: Marks a mapped key; never part of a key that is kept as it is.
_MARK = "~"
_SAFE = frozenset(chr(c) for c in range(0x21, 0x7F)) - {_MARK}


def memcached_key(key: str, max_length: int = MAX_KEY_LENGTH) -> str:
    """Map ``key`` to a memcached-safe key (printable ASCII, no space, <= ``max_length``).

    Safe keys are returned unchanged; others become ``<readable part>~<sha1 hex>``, where
    the readable part keeps the key's safe characters (others become ``_``). The mapping
    is stable across processes and hosts, and distinct keys give distinct results.

    >>> memcached_key("dingtalk:test:access_token")
    'dingtalk:test:access_token'
    >>> memcached_key("dingtalk:钉钉:access_token")[:24]
    'dingtalk:__:access_token'
    """
    if max_length < 48:
        raise ValueError("max_length must leave room for the hash (>= 48)")
    if len(key) <= max_length and all(c in _SAFE for c in key):
        return key                            # all ASCII here, so len() counts bytes
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    readable = "".join(c if c in _SAFE else "_" for c in key)
    room = max_length - len(_MARK) - len(digest)
    return readable[:room] + _MARK + digest


def _class_names(obj: Any) -> Tuple[str, ...]:
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__)


def _pymemcache_needs_lock(client: Any) -> bool:
    """pymemcache's base ``Client`` (one socket) is not thread-safe; a pool is."""
    names = _class_names(client)
    if "pymemcache.client.base.PooledClient" in names:
        return False
    if "pymemcache.client.hash.HashClient" in names:
        return not getattr(client, "use_pooling", False)
    inner = getattr(client, "_client", None)            # RetryingClient wraps a client
    if inner is not None and "pymemcache.client.retrying.RetryingClient" in names:
        return _pymemcache_needs_lock(inner)
    return True


def _pymemcache_errors() -> Tuple[Type[BaseException], ...]:
    try:
        from pymemcache.exceptions import MemcacheError
    except ImportError:                                           # pragma: no cover
        return (OSError,)
    return (MemcacheError, OSError)


class MemcachedCache(Cache):
    """A :class:`~dingtalk.cache.Cache` on a memcached client.

    >>> import memcache
    >>> cache = MemcachedCache(memcache.Client(["127.0.0.1:11211"]))          # doctest: +SKIP
    >>> from pymemcache.client.base import PooledClient
    >>> cache = MemcachedCache(PooledClient(("127.0.0.1", 11211), timeout=3))  # doctest: +SKIP
    >>> cache.add("dingtalk:test:lock", "1", 30)                              # doctest: +SKIP
    True

    Values are stored as UTF-8 text. Give pymemcache clients a ``timeout`` (and
    ``connect_timeout``): pymemcache waits forever by default.
    """

    def __init__(self, client: Any) -> None:
        names = _class_names(client)
        if any(n.startswith("pymemcache.") for n in names):
            self.flavor = "pymemcache"
            self._errors: Tuple[Type[BaseException], ...] = _pymemcache_errors()
            self._lock: ContextManager[Any] = (
                threading.RLock() if _pymemcache_needs_lock(client) else nullcontext())
            prefix = getattr(client, "key_prefix", b"") or b""
            self._hash_client = "pymemcache.client.hash.HashClient" in names
        elif any(n.startswith("memcache.") for n in names):
            # python-memcached's Client is a threading.local: one socket per thread.
            self.flavor = "python-memcached"
            self._errors = (OSError,)
            self._lock = nullcontext()
            prefix = b""
            self._hash_client = False
        else:
            raise ConfigError(f"MemcachedCache needs a memcache.Client or a pymemcache client, "
                              f"not {type(client).__module__}.{type(client).__qualname__}")
        self.client = client
        if isinstance(prefix, str):
            prefix = prefix.encode("utf-8")
        self._max_key_length = MAX_KEY_LENGTH - len(prefix)
        if self._max_key_length < 48:
            raise ConfigError("the client's key_prefix is too long for memcached keys")

    # -- helpers ---------------------------------------------------------------------------
    def _key(self, key: str) -> str:
        return memcached_key(check_key(key), self._max_key_length)

    def _value(self, value: Value) -> Any:
        text = to_text(value)
        # python-memcached stores str as UTF-8 text (bytes would be pickled by 1.51);
        # pymemcache's default serializer wants bytes.
        return text.encode("utf-8") if self.flavor == "pymemcache" else text

    @staticmethod
    def _expiry(ttl: int) -> int:
        ttl = check_ttl(ttl)
        # memcached reads a "relative" TTL over 30 days as an absolute Unix time.
        return int(time.time()) + ttl if ttl > _MAX_RELATIVE_TTL else ttl

    def _call(self, op: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            with self._lock:
                return func(*args, **kwargs)
        except self._errors as exc:
            raise CacheError(f"memcached {op} failed: {type(exc).__name__}: {exc}") from None

    @staticmethod
    def _unreachable(op: str) -> CacheError:
        return CacheError(f"memcached {op} failed: no memcached server is reachable for the key "
                          f"(the client hid the error)")

    def _check_reachable(self, op: str, key: str) -> None:
        """After an answer that may hide a failure (a miss, a refused add), check that the
        key's server is up, using what each error-hiding client records about its servers.

        python-memcached returns 0/None and marks the server dead; pymemcache's HashClient
        returns defaults while a server is in its retry window (and always with
        ``ignore_exc=True``). Other pymemcache clients raise, so their answers are trusted.
        """
        client = self.client
        if self.flavor == "python-memcached":
            find = getattr(client, "_get_server", None)
            if callable(find):
                try:
                    server, _ = find(key)
                except Exception:
                    server = None
                if not server:
                    raise self._unreachable(op)
        elif self._hash_client:
            failed = getattr(client, "_failed_clients", None)
            pick = getattr(client, "_get_client", None)
            if failed is None or not callable(pick):
                return
            try:
                with self._lock:
                    node = pick(key)
                    failing = node is None or getattr(node, "server", None) in failed
            except self._errors:
                failing = True
            if failing:
                raise self._unreachable(op)

    # -- Cache -----------------------------------------------------------------------------
    def get(self, key: str) -> Optional[str]:
        k = self._key(key)
        value = self._call("get", self.client.get, k)
        if value is None:
            self._check_reachable("get", k)
            return None
        return to_text(value)

    def set(self, key: str, value: Value, ttl: int) -> None:
        k, v, exp = self._key(key), self._value(value), self._expiry(ttl)
        if self.flavor == "pymemcache":
            ok = self._call("set", self.client.set, k, v, exp, noreply=False)
        else:
            ok = self._call("set", self.client.set, k, v, exp)
        if not ok:
            raise CacheError("memcached set failed: the server did not store the value "
                             "(server unreachable, or value too large)")

    def delete(self, key: str) -> None:
        k = self._key(key)
        if self.flavor == "pymemcache":
            if not self._call("delete", self.client.delete, k, noreply=False):
                self._check_reachable("delete", k)      # False: not found, or hidden failure
        elif not self._call("delete", self.client.delete, k):
            raise self._unreachable("delete")             # python-memcached: 0 = failure

    def add(self, key: str, value: Value, ttl: int) -> bool:
        k, v, exp = self._key(key), self._value(value), self._expiry(ttl)
        if self.flavor == "pymemcache":
            stored = self._call("add", self.client.add, k, v, exp, noreply=False)
        else:
            stored = self._call("add", self.client.add, k, v, exp)
        if stored:
            return True
        self._check_reachable("add", k)         # refused because present, or hidden failure?
        return False

    def close(self) -> None:
        """Close the client's connections."""
        for name in ("close", "disconnect_all"):
            func = getattr(self.client, name, None)
            if callable(func):
                try:
                    func()
                except Exception:
                    pass
                return

    def __repr__(self) -> str:
        client = self.client
        where: Any = getattr(client, "server", None)            # pymemcache Client/Pooled
        if where is None and isinstance(getattr(client, "clients", None), dict):
            where = sorted(str(k) for k in client.clients)       # pymemcache HashClient
        if where is None and isinstance(getattr(client, "servers", None), list):
            where = [f"{getattr(h, 'ip', '?')}:{getattr(h, 'port', '?')}"
                     for h in client.servers]                    # python-memcached
        shown = f" {where}" if where else ""
        return (f"{type(self).__name__}(<{type(client).__module__}."
                f"{type(client).__qualname__}{shown}>)")
