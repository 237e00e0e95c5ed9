"""Per-call overhead of the SDK against a bare ``requests.Session``, on the same sandbox.

    python benchmarks/overhead.py [--calls 200] [--rounds 21]

Both sides do the same wrapped read (``GET /user/get`` with a warm token and JSON decoding);
rounds are interleaved (the order flips each round) and the median of the per-round ratios
SDK / bare is printed, once with the default in-process cache and once with a Redis cache
(a real ``redis-server`` on a free port). Then 1,000 sequential calls on a new app, and the
TCP connections the sandbox accepted for them. Targets: ratio <= 1.05, 1 connection.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402

from benchmarks._sandbox_proc import SandboxProcess  # noqa: E402
from dingtalk import DingTalkApp  # noqa: E402

USER = "user0002"


def measure(app: DingTalkApp, sb: SandboxProcess, calls: int, rounds: int) -> float:
    app.get_user(USER)  # warm: token fetched, connection open
    token = app.access_token
    session = requests.Session()
    url = sb.url + "/user/get"

    def bare() -> None:
        data = session.get(url, params={"userid": USER, "access_token": token}, timeout=10).json()
        if data.get("errcode"):
            raise RuntimeError(data)

    def sdk() -> None:
        app.get_user(USER)

    def timed(fn) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        return time.perf_counter() - start

    timed(bare), timed(sdk)  # warm both paths
    ratios = []
    for r in range(rounds):
        if r % 2:
            b = timed(bare); s = timed(sdk)
        else:
            s = timed(sdk); b = timed(bare)
        ratios.append(s / b)
    session.close()
    per_call = timed(bare) / calls * 1e6
    print(f"    bare requests.Session: {per_call:7.1f} us/call")
    return statistics.median(ratios)


def connections_for(sb: SandboxProcess, cache, n: int = 1000) -> int:
    before = sb.control("calls")["connections"]
    app = DingTalkApp(name="bench-conn", cache=cache, **sb.app_kwargs())
    for _ in range(n):
        app.get_user(USER)
    app.close()
    return sb.control("calls")["connections"] - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()

    from tests.servers import start_redis  # a real redis-server on a free port
    import redis

    redis_server = start_redis()
    try:
        with SandboxProcess() as sb:
            results = {}
            for label, cache in (("default (MemoryCache)", None),
                                 ("Redis", redis.Redis(host=redis_server.host, port=redis_server.port))):
                print(f"{label}:")
                app = DingTalkApp(name=f"bench-{label[:5]}", cache=cache, **sb.app_kwargs())
                results[label] = measure(app, sb, args.calls, args.rounds)
                app.close()
                print(f"    median ratio SDK / bare over {args.rounds} rounds x {args.calls} calls: "
                      f"{results[label]:.3f}  (target <= 1.05)")
            conns = connections_for(sb, None)
            print(f"TCP connections for 1,000 sequential calls (incl. gettoken): {conns}  (target 1)")
    finally:
        redis_server.stop()


if __name__ == "__main__":
    main()
