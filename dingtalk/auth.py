"""access_token and jsapi_ticket: shared, fresh, refreshed by one caller at a time.

Both live in the shared cache under keys made of the app's ``name`` and the identity of its
credential (corp_id or app_key; never any part of a secret)::

    dingtalk:<name>:<corp_id or app_key>:access_token
    dingtalk:<name>:<corp_id or app_key>:jsapi_ticket

Each entry expires ``margin`` seconds before DingTalk's ``expires_in`` says it would. A refresh
takes a lock inside the process and then an atomic ``add`` lock in the shared cache, so that
one caller among all threads, processes and hosts fetches while the others wait (bounded) and
read what it stored. This matters most for the jsapi ticket: DingTalk invalidates the previous
ticket when a new one is fetched, so two racing refreshes would break each other's pages.

The access token is also memoized in the process (a token stays valid for its whole life, and
DingTalk returns the same token to a repeat ``gettoken``), so a warm call costs no cache round
trip; the ticket is always read from the shared cache.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from typing import Callable, Dict, NamedTuple, Optional, Tuple

from .cache import Cache
from .errors import CacheError, TokenError

logger = logging.getLogger("dingtalk")

ACCESS_TOKEN = "access_token"
JSAPI_TICKET = "jsapi_ticket"

Fetcher = Callable[[], Tuple[str, int]]


class Entry(NamedTuple):
    value: str
    expires_at: float


def jsapi_signature(jsapi_ticket: str, noncestr: str, timestamp: object, url: str,
                    algorithm: str = "sha1") -> str:
    """The ``dd.config`` signature: sha1 of ``jsapi_ticket=..&noncestr=..&timestamp=..&url=..``.

    Values are signed exactly as given (no URL encoding); ``algorithm="sha256"`` is the variant
    of some newer samples. Doc: https://open.dingtalk.com/document/orgapp/jsapi-authentication

    >>> jsapi_signature("t", "n", 1, "http://a")  # doctest: +ELLIPSIS
    '...'
    """
    plain = f"jsapi_ticket={jsapi_ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.new(algorithm, plain.encode("utf-8")).hexdigest()


class TokenManager:
    """Keeps one app's access_token and jsapi_ticket in a shared :class:`~dingtalk.cache.Cache`.

    ``fetch_token``/``fetch_ticket`` return ``(value, expires_in)`` from DingTalk. ``clock``
    (epoch seconds) decides freshness; lock waits use a monotonic clock.
    """

    def __init__(self, cache: Cache, namespace: str, *, fetch_token: Fetcher, fetch_ticket: Fetcher,
                 clock: Callable[[], float] = time.time, margin: float = 300.0,
                 lock_ttl: int = 30, lock_wait: float = 40.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.cache = cache
        self.namespace = namespace
        self._fetch = {ACCESS_TOKEN: fetch_token, JSAPI_TICKET: fetch_ticket}
        self._clock = clock
        self._sleep = sleep
        self.margin = margin
        self.lock_ttl = lock_ttl
        self.lock_wait = lock_wait
        self._locks = {ACCESS_TOKEN: threading.Lock(), JSAPI_TICKET: threading.Lock()}
        self._memo: Optional[Entry] = None
        self.fetches: Dict[str, int] = {ACCESS_TOKEN: 0, JSAPI_TICKET: 0}

    def __repr__(self) -> str:
        return f"TokenManager(namespace={self.namespace!r}, cache={type(self.cache).__name__})"

    def key(self, kind: str) -> str:
        return f"{self.namespace}:{kind}"

    # -- public ----------------------------------------------------------------------------
    def access_token(self) -> str:
        memo = self._memo
        if memo is not None and memo.expires_at > self._clock():
            return memo.value
        entry = self._read(ACCESS_TOKEN)
        if entry is not None:
            self._memo = entry
            return entry.value
        return self._refresh(ACCESS_TOKEN, stale=None)

    def invalidate_access_token(self, bad: Optional[str]) -> str:
        """DingTalk refused ``bad``: get a newer token (another process may have one already)."""
        self._memo = None
        return self._refresh(ACCESS_TOKEN, stale=bad)

    def refresh_access_token(self) -> str:
        current = self._memo or self._read(ACCESS_TOKEN)
        self._memo = None
        return self._refresh(ACCESS_TOKEN, stale=current.value if current else None)

    def jsapi_ticket(self) -> str:
        entry = self._read(JSAPI_TICKET, strict=True)
        if entry is not None:
            return entry.value
        return self._refresh(JSAPI_TICKET, stale=None)

    def refresh_jsapi_ticket(self) -> str:
        current = self._read(JSAPI_TICKET, strict=True)
        return self._refresh(JSAPI_TICKET, stale=current.value if current else None)

    def clear(self) -> None:
        """Forget both values here and in the shared cache."""
        self._memo = None
        for kind in (ACCESS_TOKEN, JSAPI_TICKET):
            self.cache.delete(self.key(kind))

    # -- internals ---------------------------------------------------------------------------
    def _read(self, kind: str, strict: bool = False) -> Optional[Entry]:
        try:
            raw = self.cache.get(self.key(kind))
        except CacheError as exc:
            if strict:
                raise
            logger.warning("cache read of %s failed (%s); fetching without the shared cache", kind, exc)
            return None
        if not raw:
            return None
        try:
            data = json.loads(raw)
            entry = Entry(str(data["value"]), float(data["expires_at"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring an unreadable cached %s", kind)
            return None
        return entry if entry.expires_at > self._clock() else None

    def _usable(self, entry: Optional[Entry], stale: Optional[str]) -> bool:
        return entry is not None and entry.value != stale

    def _refresh(self, kind: str, stale: Optional[str]) -> str:
        with self._locks[kind]:
            entry = self._read(kind, strict=kind == JSAPI_TICKET)
            if self._usable(entry, stale):
                return self._remember(kind, entry)  # type: ignore[arg-type]
            lock_key = self.key(kind) + ":lock"
            owner = uuid.uuid4().hex
            deadline = time.monotonic() + self.lock_wait
            pause = 0.02
            while True:
                try:
                    acquired = self.cache.add(lock_key, owner, self.lock_ttl)
                except CacheError:
                    if kind == JSAPI_TICKET:
                        raise
                    logger.warning("cache lock for %s unavailable; refreshing in this process only", kind)
                    return self._remember(kind, self._fetch_and_store(kind, store=False))
                if acquired:
                    try:
                        entry = self._read(kind, strict=kind == JSAPI_TICKET)
                        if self._usable(entry, stale):
                            return self._remember(kind, entry)  # type: ignore[arg-type]
                        return self._remember(kind, self._fetch_and_store(kind))
                    finally:
                        self._release(lock_key, owner)
                self._sleep(pause)
                pause = min(pause * 1.5, 0.25)
                entry = self._read(kind, strict=kind == JSAPI_TICKET)
                if self._usable(entry, stale):
                    return self._remember(kind, entry)  # type: ignore[arg-type]
                if time.monotonic() > deadline:
                    raise TokenError(f"gave up after {self.lock_wait:.0f}s waiting for another "
                                     f"process to refresh the {kind} ({lock_key} is still locked)")

    def _fetch_and_store(self, kind: str, store: bool = True) -> Entry:
        value, expires_in = self._fetch[kind]()
        self.fetches[kind] += 1
        expires_in = max(int(expires_in or 7200), 1)
        ttl = max(1, int(expires_in - min(self.margin, expires_in / 2)))
        entry = Entry(value, self._clock() + ttl)
        if store:
            payload = json.dumps({"value": value, "expires_at": entry.expires_at})
            try:
                self.cache.set(self.key(kind), payload, ttl)
            except CacheError:
                if kind == JSAPI_TICKET:
                    raise
                logger.warning("could not store the %s in the cache; kept in this process", kind)
        logger.info("fetched a new %s for %s (valid %ds)", kind, self.namespace, ttl)
        return entry

    def _remember(self, kind: str, entry: Entry) -> str:
        if kind == ACCESS_TOKEN:
            self._memo = entry
        return entry.value

    def _release(self, lock_key: str, owner: str) -> None:
        try:
            if self.cache.get(lock_key) == owner:
                self.cache.delete(lock_key)
        except CacheError as exc:
            logger.warning("could not release %s (%s); it expires in %ds", lock_key, exc, self.lock_ttl)
