"""The dingtalk.cache contract, run against every backend on real servers (no mocks)."""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import sqlite3
import threading
import time
import traceback
import uuid
from typing import Any, Dict, List

import memcache
import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st
from pymemcache.client.base import Client as PymemcacheClient
from pymemcache.client.base import PooledClient
from pymemcache.client.hash import HashClient

from dingtalk.cache import (Cache, CacheAdapter, LegacyCacheAdapter, MemcachedCache,
                            MemoryCache, RedisCache, SQLiteCache, memcached_key, wrap_cache)
from dingtalk.errors import CacheError, ConfigError, ParameterError
from tests import servers

# -- backends -----------------------------------------------------------------------------------

BACKENDS = [
    "memory", "sqlite", "redis", "redis-wrapped", "redis-sentinel", "redis-cluster",
    "memcache", "pymemcache", "pymemcache-pooled", "pymemcache-hash",
]
SHARED_BACKENDS = [b for b in BACKENDS if b != "memory"]     # shared between processes


def make_cache(spec: Dict[str, Any]) -> Cache:
    """Build a cache from a picklable description (used in spawned processes too)."""
    kind = spec["kind"]
    if kind == "memory":
        return MemoryCache()
    if kind == "sqlite":
        return SQLiteCache(spec["path"])
    if kind == "redis":
        return RedisCache(redis.Redis(host=spec["host"], port=spec["port"], socket_timeout=10))
    if kind == "redis-wrapped":
        return wrap_cache(redis.Redis(host=spec["host"], port=spec["port"], socket_timeout=10))
    if kind == "redis-sentinel":
        from redis.sentinel import Sentinel
        client = Sentinel(spec["sentinels"], socket_timeout=10).master_for("mymaster",
                                                                          socket_timeout=10)
        return RedisCache(client)
    if kind == "redis-cluster":
        from redis.cluster import RedisCluster
        return RedisCache(RedisCluster(host=spec["host"], port=spec["port"], socket_timeout=10))
    if kind == "memcache":
        return MemcachedCache(memcache.Client([spec["address"]]))
    server = (spec["host"], spec["port"])
    if kind == "pymemcache":
        return MemcachedCache(PymemcacheClient(server, connect_timeout=5, timeout=10))
    if kind == "pymemcache-pooled":
        return MemcachedCache(PooledClient(server, connect_timeout=5, timeout=10))
    if kind == "pymemcache-hash":
        return MemcachedCache(HashClient([server], connect_timeout=5, timeout=10))
    raise AssertionError(kind)


def backend_spec(kind: str, request: pytest.FixtureRequest, tmp_path) -> Dict[str, Any]:
    """The spec for one backend; starts (only) the servers it needs."""
    if kind == "memory":
        return {"kind": kind}
    if kind == "sqlite":
        return {"kind": kind, "path": str(tmp_path / f"cache-{uuid.uuid4().hex[:8]}.sqlite3")}
    if kind in ("redis", "redis-wrapped"):
        server = request.getfixturevalue("redis_server")
        return {"kind": kind, "host": server.host, "port": server.port}
    if kind == "redis-sentinel":
        sentinel = request.getfixturevalue("redis_sentinel")
        return {"kind": kind, "sentinels": sentinel.sentinels}
    if kind == "redis-cluster":
        cluster = request.getfixturevalue("redis_cluster")
        return {"kind": kind, "host": cluster.host, "port": cluster.port}
    server = request.getfixturevalue("memcached_server")
    return {"kind": kind, "host": server.host, "port": server.port, "address": server.address}


@pytest.fixture(params=BACKENDS)
def spec(request, tmp_path) -> Dict[str, Any]:
    return backend_spec(request.param, request, tmp_path)


@pytest.fixture
def cache(spec) -> Any:
    c = make_cache(spec)
    yield c
    c.close()


@pytest.fixture
def key() -> Any:
    """Fresh keys, so that tests sharing a server never see each other's data."""
    run = uuid.uuid4().hex[:12]
    return lambda name="k": f"test:{run}:{name}"


# -- basic contract -----------------------------------------------------------------------------

def test_is_a_cache(cache):
    assert isinstance(cache, Cache)
    assert wrap_cache(cache) is cache


def test_get_miss_returns_none(cache, key):
    assert cache.get(key()) is None


def test_set_then_get(cache, key):
    assert cache.set(key(), "token-1", 60) is None
    assert cache.get(key()) == "token-1"


def test_overwrite(cache, key):
    cache.set(key(), "old", 60)
    cache.set(key(), "new", 60)
    assert cache.get(key()) == "new"


def test_delete(cache, key):
    cache.set(key(), "v", 60)
    cache.set(key("other"), "w", 60)
    assert cache.delete(key()) is None
    assert cache.get(key()) is None
    assert cache.get(key("other")) == "w"


def test_delete_missing_key_is_fine(cache, key):
    cache.delete(key("never-set"))
    assert cache.get(key("never-set")) is None


def test_add_on_absent_then_present(cache, key):
    first = cache.add(key(), "winner", 60)
    second = cache.add(key(), "loser", 60)
    assert first is True
    assert second is False
    assert cache.get(key()) == "winner"


def test_add_after_delete(cache, key):
    assert cache.add(key(), "a", 60) is True
    cache.delete(key())
    assert cache.add(key(), "b", 60) is True
    assert cache.get(key()) == "b"


def test_set_replaces_a_value_stored_by_add(cache, key):
    assert cache.add(key(), "a", 60) is True
    cache.set(key(), "b", 60)
    assert cache.get(key()) == "b"
    assert cache.add(key(), "c", 60) is False


@pytest.mark.parametrize("value", [
    "钉钉 access_token 令牌",
    "emoji 🚀🔑 and ümlauts",
    "",
    "x" * 5000,
    "line\nbreaks\r\nand\ttabs and spaces",
])
def test_text_round_trip(cache, key, value):
    cache.set(key("str"), value, 60)
    cache.set(key("bytes"), value.encode("utf-8"), 60)
    assert cache.add(key("added"), value.encode("utf-8"), 60) is True
    for name in ("str", "bytes", "added"):
        got = cache.get(key(name))
        assert type(got) is str
        assert got == value


def test_key_isolation(cache, key):
    base = key("company")
    long_prefix = base + "-" + "a" * 260
    keys = [
        base, base + "x", base[:-1], base.upper(),
        long_prefix + "1", long_prefix + "2",                # differ only after char 250
        "a" * 250, "a" * 251, "a" * 300,
        base + ":钉钉科技有限公司", base + ":钉钉科技有限公罰", base + ":钉钉",
        base + ":with space", base + ":with  space", base + ":with_space", base + ":with\tspace",
        base + ":tilde~", base + ":tilde_",
    ]
    # a key that looks exactly like the memcached-safe form of another key
    keys.append(memcached_key(base + ":钉钉科技有限公司"))
    keys.append(memcached_key(long_prefix + "1"))
    assert len(set(keys)) == len(keys)
    # the bare "a"*N keys are shared by every test run: give them fresh values
    values = {k: f"value-{i}-{uuid.uuid4().hex}" for i, k in enumerate(keys)}
    for k, v in values.items():
        cache.set(k, v, 60)
    for k, v in values.items():
        assert cache.get(k) == v, k
    cache.delete(base + ":钉钉")
    assert cache.get(base + ":钉钉") is None
    for k, v in values.items():
        if k != base + ":钉钉":
            assert cache.get(k) == v, k
    for k in keys:
        cache.delete(k)


def test_bad_arguments(cache, key):
    for ttl in (0, -1, float("nan")):
        with pytest.raises(ParameterError):
            cache.set(key(), "v", ttl)
        with pytest.raises(ParameterError):
            cache.add(key(), "v", ttl)
    with pytest.raises(ParameterError):
        cache.set(key(), "v", None)
    with pytest.raises(ParameterError):
        cache.set(key(), 123, 60)
    with pytest.raises(ParameterError):
        cache.get(b"bytes-key")
    with pytest.raises(ParameterError):
        cache.set(key(), b"\xff\xfe not utf-8", 60)
    assert cache.get(key()) is None


def test_fractional_ttl_rounds_up(cache, key):
    cache.set(key(), "v", 30.2)
    assert cache.get(key()) == "v"


# -- expiry ---------------------------------------------------------------------------------------

def test_expiry_on_every_backend(request, tmp_path, key):
    """One real wait (memcached counts whole seconds) checks expiry on every backend."""
    caches = {kind: make_cache(backend_spec(kind, request, tmp_path)) for kind in BACKENDS}
    for kind, c in caches.items():
        c.set(key(f"{kind}:short"), "short", 1)
        assert c.add(key(f"{kind}:lock"), "first", 1) is True
        c.set(key(f"{kind}:long"), "long", 60)
    time.sleep(2.2)
    for kind, c in caches.items():
        assert c.get(key(f"{kind}:short")) is None, kind
        assert c.get(key(f"{kind}:long")) == "long", kind
        assert c.get(key(f"{kind}:lock")) is None, kind
        assert c.add(key(f"{kind}:lock"), "second", 60) is True, kind
        assert c.get(key(f"{kind}:lock")) == "second", kind
        assert c.add(key(f"{kind}:lock"), "third", 60) is False, kind
        # an expired key can also be taken by set, and add after that is refused
        c.set(key(f"{kind}:short"), "again", 60)
        assert c.get(key(f"{kind}:short")) == "again", kind
        c.close()


def test_memory_cache_expiry_with_fake_clock():
    now = [1000.0]
    c = MemoryCache(clock=lambda: now[0])
    c.set("a", "1", 10)
    assert c.add("lock", "x", 5) is True
    now[0] += 4.999
    assert c.get("a") == "1"
    assert c.add("lock", "y", 5) is False
    now[0] += 0.001                          # exactly at the deadline: expired
    assert c.get("lock") is None
    assert c.add("lock", "z", 5) is True
    assert c.get("lock") == "z"
    now[0] += 100
    assert c.get("a") is None
    assert len(c) == 0


def test_memory_cache_is_bounded():
    now = [0.0]
    c = MemoryCache(clock=lambda: now[0], max_entries=3)
    for i in range(10):
        c.set(f"k{i}", str(i), 100)
    assert len(c) == 3
    assert [c.get(f"k{i}") for i in (7, 8, 9)] == ["7", "8", "9"]
    assert c.get("k0") is None
    now[0] = 200
    c.set("fresh", "f", 100)                 # sweeps the expired ones first
    assert len(c) == 1


@pytest.mark.parametrize("kind", ["memcache", "pymemcache"])
def test_memcached_ttl_over_30_days(request, tmp_path, key, kind):
    """memcached reads a relative TTL over 30 days as a Unix time (long past): converted."""
    c = make_cache(backend_spec(kind, request, tmp_path))
    c.set(key(), "long-lived", 40 * 24 * 3600)
    assert c.get(key()) == "long-lived"
    assert c.add(key("lock"), "x", 31 * 24 * 3600) is True
    assert c.get(key("lock")) == "x"


# -- concurrent add -----------------------------------------------------------------------------

PROCESSES = 6
THREADS = 8
ROUNDS = 4          # several races per spawn: a lost race is likelier to show


def _race_worker(spec: Dict[str, Any], race_keys: List[str], barrier: Any, results: Any) -> None:
    """Runs in a spawned process: THREADS threads call add() on each key at once."""
    outcomes: List[Any] = []
    try:
        cache = make_cache(spec)
        cache.get(race_keys[0] + ":warm-up")           # connect before the race starts

        def run(i: int) -> None:
            for race_key in race_keys:
                value = f"{os.getpid()}-{i}"
                try:
                    barrier.wait(timeout=30)
                    outcomes.append((race_key, value, cache.add(race_key, value, 60)))
                except Exception as exc:                # reported to the parent: fails the test
                    outcomes.append((race_key, value, f"{type(exc).__name__}: {exc}"))

        threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    except Exception:
        outcomes.append(("setup", "", traceback.format_exc()))
        barrier.abort()
    results.put(outcomes)


@pytest.mark.parametrize("kind", SHARED_BACKENDS)
def test_add_is_atomic_across_processes_and_threads(request, tmp_path, key, kind):
    spec = backend_spec(kind, request, tmp_path)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES * THREADS)
    results = ctx.Queue()
    race_keys = [key(f"race-{n}") for n in range(ROUNDS)]
    procs = [ctx.Process(target=_race_worker, args=(spec, race_keys, barrier, results))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    outcomes: List[Any] = []
    try:
        for _ in procs:
            outcomes.extend(results.get(timeout=60))
    except queue.Empty:
        pytest.fail(f"race workers did not report; got {outcomes!r}")
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    errors = [o for o in outcomes if not isinstance(o[2], bool)]
    assert errors == []
    assert len(outcomes) == PROCESSES * THREADS * ROUNDS
    check = make_cache(spec)
    for race_key in race_keys:
        winners = [value for k, value, won in outcomes if k == race_key and won]
        assert len(winners) == 1, (race_key, winners)
        assert check.get(race_key) == winners[0]


def test_memory_add_is_atomic_across_threads():
    c = MemoryCache()
    n = PROCESSES * THREADS
    barrier = threading.Barrier(n)
    outcomes: List[Any] = []

    def run(i: int) -> None:
        for r in range(ROUNDS):
            barrier.wait(timeout=30)
            outcomes.append((r, i, c.add(f"race-{r}", str(i), 60)))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == n * ROUNDS
    for r in range(ROUNDS):
        results = {i: won for rr, i, won in outcomes if rr == r}
        winners = [i for i, won in results.items() if won is True]
        assert len(winners) == 1
        assert all(won is False for i, won in results.items() if i != winners[0])
        assert c.get(f"race-{r}") == str(winners[0])


# -- redis specifics ----------------------------------------------------------------------------

def test_redis_prefix_and_decode_responses(redis_server, key):
    raw = redis.Redis(host=redis_server.host, port=redis_server.port, decode_responses=True)
    c = RedisCache(raw, prefix="myapp:")
    c.set(key(), "钉钉", 60)
    assert raw.get("myapp:" + key()) == "钉钉"
    assert raw.ttl("myapp:" + key()) > 0
    assert c.get(key()) == "钉钉"
    assert RedisCache(raw).get(key()) is None
    assert c.add(key(), "x", 60) is False


def test_redis_from_url(redis_server, key):
    c = RedisCache.from_url(redis_server.url, prefix="u:")
    c.set(key(), "v", 60)
    assert redis_server.client().get("u:" + key()) == b"v"
    assert str(redis_server.port) in repr(c)


def test_redis_unreachable_raises_cache_error_without_password():
    port = servers.free_port()
    c = RedisCache.from_url(f"redis://user:S3cretPassw0rd@127.0.0.1:{port}/0",
                            socket_connect_timeout=2, socket_timeout=2)
    assert "S3cretPassw0rd" not in repr(c)
    for op in (lambda: c.get("k"), lambda: c.set("k", "v", 10), lambda: c.delete("k"),
               lambda: c.add("k", "v", 10)):
        with pytest.raises(CacheError) as info:
            op()
        text = "".join(traceback.format_exception(info.type, info.value, info.tb))
        assert "S3cretPassw0rd" not in text
        assert str(port) in str(info.value)
        assert info.value.__cause__ is None and info.value.__suppress_context__


def test_redis_wrong_password_is_a_cache_error(redis_server):
    # (the default user of a server without requirepass accepts any password: name a user)
    c = RedisCache.from_url(
        f"redis://nosuchuser:Wr0ngPassword@{redis_server.host}:{redis_server.port}/0")
    with pytest.raises(CacheError) as info:
        c.get("k")
    assert "Wr0ngPassword" not in str(info.value) and "Wr0ngPassword" not in repr(c)


def test_redis_bad_url_is_a_cache_error_without_password():
    with pytest.raises(CacheError) as info:
        RedisCache.from_url("nosuchscheme://:Hidd3nPw@127.0.0.1:1/0")
    assert "Hidd3nPw" not in str(info.value)


# -- memcached specifics ------------------------------------------------------------------------

SAFE_CHARS = set(chr(c) for c in range(0x21, 0x7F))


@given(st.text(min_size=1, max_size=400), st.text(min_size=1, max_size=400))
@settings(max_examples=300, deadline=None)
def test_memcached_key_is_safe_stable_and_injective(a, b):
    ka, kb = memcached_key(a), memcached_key(b)
    for original, mapped in ((a, ka), (b, kb)):
        assert len(mapped.encode("utf-8")) <= 250
        assert set(mapped) <= SAFE_CHARS
        assert memcached_key(original) == mapped
    assert (ka == kb) == (a == b)
    # a key that is already safe is kept: readable in memcached tools
    if len(a) <= 250 and set(a) <= SAFE_CHARS - {"~"}:
        assert ka == a


def test_memcached_key_keeps_a_readable_prefix():
    mapped = memcached_key("dingtalk:钉钉科技:access_token")
    assert mapped.startswith("dingtalk:____:access_token~")
    assert len(memcached_key("x" * 1000)) == 250


def test_memcached_clients_share_values(memcached_server, key):
    """python-memcached and pymemcache read each other's values (same encoding)."""
    old = MemcachedCache(memcache.Client([memcached_server.address]))
    new = MemcachedCache(PooledClient(memcached_server.server, timeout=5))
    old.set(key("a b 钉钉"), "来自 python-memcached", 60)
    assert new.get(key("a b 钉钉")) == "来自 python-memcached"
    new.set(key("long" * 80), "来自 pymemcache", 60)
    assert old.get(key("long" * 80)) == "来自 pymemcache"
    assert old.add(key("long" * 80), "x", 60) is False


def test_memcached_respects_pymemcache_key_prefix(memcached_server, key):
    c = MemcachedCache(PymemcacheClient(memcached_server.server, key_prefix=b"p" * 100,
                                        timeout=5))
    long_key = key("z" * 300)
    c.set(long_key, "v", 60)
    assert c.get(long_key) == "v"


@pytest.mark.parametrize("make_client", [
    lambda port: memcache.Client([f"127.0.0.1:{port}"], socket_timeout=2),
    lambda port: PymemcacheClient(("127.0.0.1", port), connect_timeout=2, timeout=2),
    lambda port: PooledClient(("127.0.0.1", port), connect_timeout=2, timeout=2),
    lambda port: HashClient([("127.0.0.1", port)], connect_timeout=2, timeout=2),
], ids=["memcache", "pymemcache", "pymemcache-pooled", "pymemcache-hash"])
def test_memcached_unreachable_raises_cache_error(make_client):
    c = MemcachedCache(make_client(servers.free_port()))
    for _ in range(2):                      # the first failure and the "marked dead" state
        with pytest.raises(CacheError):
            c.set("k", "v", 10)
        with pytest.raises(CacheError):
            c.get("k")
        with pytest.raises(CacheError):
            c.add("k", "v", 10)
        with pytest.raises(CacheError):
            c.delete("k")


def test_memcached_cache_rejects_other_clients():
    with pytest.raises(ConfigError):
        MemcachedCache(object())


# -- sqlite specifics ---------------------------------------------------------------------------

def test_sqlite_schema_and_wal(tmp_path):
    path = tmp_path / "c.sqlite3"
    c = SQLiteCache(path)
    c.set("钉钉", "值", 60)
    assert path.exists()
    assert (path.stat().st_mode & 0o777) == 0o600
    with sqlite3.connect(str(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        cols = [(r[1], r[2].upper(), r[5]) for r in db.execute("PRAGMA table_info(dingtalk_cache)")]
        assert cols == [("key", "TEXT", 1), ("value", "TEXT", 0), ("expires_at", "REAL", 0)]
        (value, expires_at), = db.execute("SELECT value, expires_at FROM dingtalk_cache")
    assert value == "值"
    assert time.time() < expires_at <= time.time() + 61
    assert "c.sqlite3" in repr(c)


def test_sqlite_purges_expired_rows(tmp_path):
    path = str(tmp_path / "p.sqlite3")
    c = SQLiteCache(path)
    with sqlite3.connect(path) as db:          # an entry that expired long ago
        db.execute("INSERT INTO dingtalk_cache VALUES ('old', 'x', ?)", (time.time() - 10,))
    assert c.get("old") is None
    c.purge_interval = 0
    c.set("new", "y", 60)
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT key FROM dingtalk_cache")] == ["new"]


def test_sqlite_threads_get_their_own_connections(tmp_path):
    c = SQLiteCache(tmp_path / "t.sqlite3")
    errors: List[BaseException] = []

    def run(i: int) -> None:
        try:
            for j in range(20):
                c.set(f"k{i}-{j}", str(j), 60)
                assert c.get(f"k{i}-{j}") == str(j)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert c.get("k7-19") == "19"


def _forked_child(cache: SQLiteCache, results: Any) -> None:
    try:
        results.put((cache.get("from-parent"), cache.add("from-child", "child", 60)))
    except Exception as exc:
        results.put(repr(exc))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_sqlite_reopens_after_fork(tmp_path):
    c = SQLiteCache(tmp_path / "f.sqlite3")
    c.set("from-parent", "parent", 60)          # the parent has an open connection now
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    p = ctx.Process(target=_forked_child, args=(c, results))
    p.start()
    assert results.get(timeout=30) == ("parent", True)
    p.join(timeout=30)
    assert p.exitcode == 0
    assert c.get("from-child") == "child"
    assert c.add("from-child", "parent", 60) is False


def test_sqlite_rejects_memory_and_bad_paths(tmp_path):
    with pytest.raises(ConfigError):
        SQLiteCache(":memory:")
    with pytest.raises(ConfigError):
        SQLiteCache(tmp_path / "x.sqlite3", table="x; DROP TABLE y")
    with pytest.raises(CacheError):
        SQLiteCache(tmp_path / "no-such-dir" / "x.sqlite3")


# -- wrap_cache -----------------------------------------------------------------------------------

class _FullDuck:
    """Like a Django cache: get/set/delete/add, add returns an int, get returns bytes."""

    def __init__(self) -> None:
        self.data: Dict[str, Any] = {}
        self.calls: List[Any] = []

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, ttl):
        self.calls.append(("set", key, value, ttl))
        self.data[key] = value.encode("utf-8")

    def delete(self, key):
        self.data.pop(key, None)

    def add(self, key, value, ttl):
        if key in self.data:
            return 0
        self.set(key, value, ttl)
        return 1


class _SessionManager:
    """The original SDK's duck type: get / set(key, value, expires) / delete only."""

    def __init__(self) -> None:
        self.data: Dict[str, Any] = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, expires):
        self.data[key] = value

    def delete(self, key):
        self.data.pop(key, None)


def test_wrap_none_gives_memory_cache():
    c = wrap_cache(None)
    assert type(c) is MemoryCache
    assert wrap_cache(None) is not c


def test_wrap_our_caches_returns_them(tmp_path):
    for c in (MemoryCache(), SQLiteCache(tmp_path / "w.sqlite3"),
              RedisCache(redis.Redis(port=1)), MemcachedCache(memcache.Client(["127.0.0.1:1"]))):
        assert wrap_cache(c) is c


def test_wrap_redis_clients(redis_server, redis_sentinel, redis_cluster, key):
    clients = [
        redis.Redis(host=redis_server.host, port=redis_server.port),
        redis.StrictRedis(host=redis_server.host, port=redis_server.port),
        redis.Redis.from_url(redis_server.url),
        redis_sentinel.master_client(),
        redis_cluster.client(),
    ]
    for client in clients:
        c = wrap_cache(client)
        assert type(c) is RedisCache and c.client is client
        c.set(key(), "v", 60)
        assert c.get(key()) == "v"


def test_wrap_memcached_clients(memcached_server, key):
    clients = [
        memcache.Client([memcached_server.address]),
        PymemcacheClient(memcached_server.server, timeout=5),
        PooledClient(memcached_server.server, timeout=5),
        HashClient([memcached_server.server], timeout=5),
    ]
    for client in clients:
        c = wrap_cache(client)
        assert type(c) is MemcachedCache and c.client is client
        c.set(key("钉 钉"), "v", 60)
        assert c.get(key("钉 钉")) == "v"


def test_wrap_object_with_add_gives_adapter(caplog):
    duck = _FullDuck()
    with caplog.at_level(logging.WARNING, logger="dingtalk"):
        c = wrap_cache(duck)
    assert type(c) is CacheAdapter and c.obj is duck
    assert caplog.records == []
    assert c.add("k", "钉钉", 30) is True
    assert c.add("k", "x", 30) is False
    assert c.get("k") == "钉钉"
    c.set("k2", b"bytes", 40)
    assert duck.calls[-1] == ("set", "k2", "bytes", 40)          # ttl is positional #3
    c.delete("k")
    assert c.get("k") is None


def test_wrap_legacy_session_manager_warns_once(caplog):
    manager = _SessionManager()
    with caplog.at_level(logging.WARNING, logger="dingtalk"):
        c = wrap_cache(manager)
        assert type(c) is LegacyCacheAdapter
        assert c.add("lock", "1", 30) is True
        assert c.add("lock", "2", 30) is False
        c.set("k", "v", 30)
    warnings = [r for r in caplog.records if r.name == "dingtalk" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "atomic" in warnings[0].getMessage()
    assert "_SessionManager" in warnings[0].getMessage()
    assert manager.data == {"lock": "1", "k": "v"}


@pytest.mark.parametrize("junk", [42, "redis://localhost", object(), [1, 2], redis.Redis])
def test_wrap_junk_raises_config_error(junk):
    with pytest.raises(ConfigError) as info:
        wrap_cache(junk)
    assert type(junk).__name__ in str(info.value) or getattr(junk, "__name__", "?") in str(info.value)


def test_wrap_rejects_asyncio_redis():
    import redis.asyncio
    with pytest.raises(ConfigError):
        wrap_cache(redis.asyncio.Redis())
