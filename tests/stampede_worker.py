"""A worker process for the cold-start stampede test (imported by 'spawn' children)."""
from __future__ import annotations

import threading
from typing import Any, Dict, List


def build_cache(spec: Dict[str, Any]):
    kind = spec["kind"]
    if kind == "sqlite":
        from dingtalk.cache import SQLiteCache
        return SQLiteCache(spec["path"])
    if kind == "redis":
        import redis
        return redis.Redis(host=spec["host"], port=spec["port"])  # wrapped by DingTalkApp
    if kind == "memcached":
        import memcache
        return memcache.Client([spec["address"]])
    if kind == "pymemcache":
        from pymemcache.client.base import PooledClient
        return PooledClient((spec["host"], spec["port"]))
    raise ValueError(kind)


def run_worker(app_kwargs: Dict[str, Any], cache_spec: Dict[str, Any], threads: int,
               barrier: Any, results: Any) -> None:
    from dingtalk import DingTalkApp

    app = DingTalkApp(cache=build_cache(cache_spec), **app_kwargs)
    local = threading.Barrier(threads)
    tickets: List[str] = []
    errors: List[str] = []

    def one() -> None:
        try:
            local.wait()
            tickets.append(app.get_jsapi_ticket())
        except Exception as exc:  # reported to the parent, which fails the test
            errors.append(f"{type(exc).__name__}: {exc}")

    barrier.wait()  # every process is ready: start together
    pool = [threading.Thread(target=one) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    results.put({"tickets": tickets, "errors": errors, "token": app.access_token})
