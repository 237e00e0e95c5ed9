"""Cold start: 6 processes x 8 threads share one cache → exactly 1 gettoken and 1 get_jsapi_ticket."""
from __future__ import annotations

import multiprocessing
import uuid

import pytest

from tests.stampede_worker import run_worker

PROCESSES, THREADS = 6, 8


def cache_spec(kind, tmp_path, request):
    if kind == "sqlite":
        return {"kind": "sqlite", "path": str(tmp_path / "tokens.sqlite3")}
    if kind == "redis":
        server = request.getfixturevalue("redis_server")
        return {"kind": "redis", "host": server.host, "port": server.port}
    server = request.getfixturevalue("memcached_server")
    return {"kind": kind, "address": server.address, "host": server.host, "port": server.port}


@pytest.mark.parametrize("kind", ["sqlite", "redis", "memcached", "pymemcache"])
def test_cold_start_stampede_one_fetch_each(kind, sandbox, tmp_path, request):
    creds = sandbox.credentials
    app_kwargs = dict(name=f"stampede-{uuid.uuid4().hex[:6]}", app_key=creds["app_key"],
                      app_secret=creds["app_secret"], corp_id=creds["corp_id"], agent_id=creds["agent_id"],
                      oapi_url=sandbox.url, top_url=sandbox.top_url, api_url=sandbox.url, timeout=10.0)
    spec = cache_spec(kind, tmp_path, request)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [ctx.Process(target=run_worker, args=(app_kwargs, spec, THREADS, barrier, results))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    outs = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0

    errors = [e for out in outs for e in out["errors"]]
    assert errors == []
    tickets = [t for out in outs for t in out["tickets"]]
    assert len(tickets) == PROCESSES * THREADS
    assert len(set(tickets)) == 1
    assert sandbox.ticket_valid(tickets[0])
    assert len({out["token"] for out in outs}) == 1
    assert sandbox.calls["/gettoken"] == 1
    assert sandbox.calls["/get_jsapi_ticket"] == 1
