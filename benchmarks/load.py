"""Load: many threads on one shared DingTalkApp, with faults and forced token expiry mid-run.

    python benchmarks/load.py [--threads 8] [--calls 2000] [--expiries 1] [--faults 40]
                              [--backoff 0.2] [--no-tracemalloc]

The sandbox runs in its own process (it does not share the client's GIL). ``--threads``
threads share one ``DingTalkApp`` (default settings: in-memory token cache, 3 attempts, 0.2 s
backoff) and each makes ``--calls`` reads, mixed over oapi (``/user/get``,
``/user/simplelist``), topapi (``processinstance/get``, ``process/gettodonum``) and the TOP
gateway (``dingtalk.smartwork.bpms.processinstance.list``, ``dingtalk.corp.ext.listlabelgroups``).

While they run, a controller thread (through the sandbox's ``/_sandbox/`` control endpoints)
injects ``--faults`` faults spread over the run, alternately "system busy" (errcode -1) and
HTTP 500, each for the next 2 requests of one read route (never more than 2 pending on a
route, so the SDK's 3 attempts always absorb them), and invalidates every access token
``--expiries`` times at even intervals.

Report: calls/s; failed calls (target 0); gettoken requests (target 1 + expiries); faulted
answers absorbed by retries; TCP connections; the client's peak Python allocations
(tracemalloc, which slows the client down: ``--no-tracemalloc`` for the raw throughput) and
the RSS high-water mark of the client process (getrusage).
"""
from __future__ import annotations

import argparse
import collections
import logging
import os
import sys
import threading
import time
import tracemalloc
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks._sandbox_proc import SandboxProcess  # noqa: E402
from dingtalk import DingTalkApp  # noqa: E402

try:  # Unix only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

LEAVE = "PROC-SANDBOX-LEAVE"
USERS = {"user0002": "李娜", "user0003": "张伟", "user0005": "陈静", "user0008": "黄磊"}
#: a fault answers this many requests; the SDK makes at most 3 attempts per call
FAULT_TIMES = 2

Read = Tuple[str, Callable[[DingTalkApp, int], bool]]


def reads(instance_id: str) -> List[Read]:
    """(sandbox route key, call returning True when the answer is right) for each read."""
    user_ids = sorted(USERS)

    def user(app: DingTalkApp, i: int) -> bool:
        uid = user_ids[i % len(user_ids)]
        return app.get_user(uid)["name"] == USERS[uid]

    def dept_users(app: DingTalkApp, i: int) -> bool:
        return {u["userid"] for u in app.get_dept_user_list(6)} == {"user0003", "user0004", "user0012"}

    def instance(app: DingTalkApp, i: int) -> bool:
        return app.get_process_instance(instance_id)["originator_userid"] == "user0003"

    def todo(app: DingTalkApp, i: int) -> bool:
        return isinstance(app.get_process_todo_count("user0002"), int)

    def top_instances(app: DingTalkApp, i: int) -> bool:
        page = app.get_bpms_instance_list(LEAVE, datetime(2017, 6, 1), size=10)
        return len(page["instance_list"]) == 10

    def top_labels(app: DingTalkApp, i: int) -> bool:
        return bool(app.call_top("dingtalk.corp.ext.listlabelgroups", size=20, offset=0))

    return [("/user/get", user), ("/user/simplelist", dept_users),
            ("/topapi/processinstance/get", instance), ("/topapi/process/gettodonum", todo),
            ("dingtalk.smartwork.bpms.processinstance.list", top_instances),
            ("dingtalk.corp.ext.listlabelgroups", top_labels)]


class CountingHandler(logging.Handler):
    """Counts the SDK's WARNING lines (one per retry) instead of printing thousands of them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.last: Optional[str] = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.last = record.getMessage()


class Progress:
    """Completed calls, shared by the workers and the controller."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = 0

    def add(self) -> None:
        with self.lock:
            self.done += 1


def controller(sb: SandboxProcess, progress: Progress, total: int, routes: List[str], faults: int,
               expiries: int, finished: threading.Event, log: Dict[str, Any]) -> None:
    """Inject faults and force token expiry when the run reaches evenly spaced milestones."""
    events: List[Tuple[float, str]] = [(total * (k + 1) / (faults + 1), "fault") for k in range(faults)]
    events += [(total * (k + 1) / (expiries + 1), "expire") for k in range(expiries)]
    events.sort()
    next_route = 0
    while events and not finished.is_set():
        at, what = events[0]
        if progress.done < at:
            time.sleep(0.002)
            continue
        if what == "expire":
            log["expired_live_tokens"].append(sb.control("expire_tokens", "POST")["expired"])
            events.pop(0)
            continue
        pending = {f["key"] for f in sb.control("faults")["faults"]}
        for step in range(len(routes)):  # the next route without a pending fault
            key = routes[(next_route + step) % len(routes)]
            if key not in pending:
                break
        else:
            time.sleep(0.002)  # every route still has a pending fault: wait for the calls
            continue
        next_route = (routes.index(key) + 1) % len(routes)
        kind = {"errcode": -1} if len(log["injected"]) % 2 == 0 else {"status": 500}
        sb.control("inject", "POST", key=key, times=FAULT_TIMES, **kind)
        log["injected"].append((key, "-1" if "errcode" in kind else "HTTP 500"))
        events.pop(0)


def worker(app: DingTalkApp, index: int, calls: int, ops: List[Read], progress: Progress,
           start: threading.Barrier, failures: "collections.Counter[str]", lock: threading.Lock) -> None:
    start.wait()
    for i in range(calls):
        key, call = ops[(index + i) % len(ops)]
        try:
            ok = call(app, i)
            problem = None if ok else f"{key}: wrong answer"
        except Exception as exc:  # counted and reported, never fatal to the run
            problem = f"{key}: {type(exc).__name__}: {exc}"
        if problem is not None:
            with lock:
                failures[problem] += 1
        progress.add()


def rss_high_water_mib() -> Optional[float]:
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=2000, help="calls per thread")
    parser.add_argument("--expiries", type=int, default=1, help="forced token expiries during the run")
    parser.add_argument("--faults", type=int, default=40,
                        help=f"faults injected during the run (each answers {FAULT_TIMES} requests)")
    parser.add_argument("--backoff", type=float, default=0.2, help="the app's retry backoff (SDK default 0.2 s)")
    parser.add_argument("--no-tracemalloc", dest="tracemalloc", action="store_false",
                        help="do not trace Python allocations (faster; no peak figure)")
    args = parser.parse_args(argv)
    total = args.threads * args.calls
    warnings = CountingHandler()
    logging.getLogger("dingtalk").addHandler(warnings)

    with SandboxProcess() as sb:
        # look up a seeded approval instance with an app of its own, then forget its traffic
        setup = DingTalkApp(name="load-setup", **sb.app_kwargs())
        try:
            page = setup.get_bpms_instance_list(LEAVE, datetime(2017, 6, 1), size=1)
            instance_id = page["instance_list"][0]["process_instance_id"]
        finally:
            setup.close()
        ops = reads(instance_id)
        sb.control("reset", "POST")

        if args.tracemalloc:
            tracemalloc.start()
        app = DingTalkApp(name="load", backoff=args.backoff, **sb.app_kwargs())
        progress, finished = Progress(), threading.Event()
        failures: "collections.Counter[str]" = collections.Counter()
        failures_lock = threading.Lock()
        log: Dict[str, Any] = {"injected": [], "expired_live_tokens": []}
        start = threading.Barrier(args.threads + 1)
        workers = [threading.Thread(target=worker, args=(app, n, args.calls, ops, progress, start, failures,
                                                         failures_lock), name=f"load-{n}")
                   for n in range(args.threads)]
        control = threading.Thread(target=controller, name="load-controller",
                                   args=(sb, progress, total, [key for key, _ in ops], args.faults,
                                         args.expiries, finished, log))
        for thread in workers:
            thread.start()
        control.start()
        if args.tracemalloc:
            tracemalloc.reset_peak()
        start.wait()
        began = time.perf_counter()
        for thread in workers:
            thread.join()
        elapsed = time.perf_counter() - began
        finished.set()
        control.join()
        current, peak = tracemalloc.get_traced_memory() if args.tracemalloc else (0, 0)
        if args.tracemalloc:
            tracemalloc.stop()
        app.close()

        counters = sb.control("calls")
        left = sum(f["times"] or 0 for f in sb.control("faults")["faults"])
        sb.control("clear_faults", "POST")

    calls = counters["calls"]
    gettoken = calls.get("/gettoken", 0)
    injected = len(log["injected"])
    faulted = injected * FAULT_TIMES - left
    failed = sum(failures.values())
    target_tokens = 1 + args.expiries
    kinds = collections.Counter(kind for _, kind in log["injected"])
    answered = sum(calls.values())

    print(f"load: {args.threads} threads x {args.calls} calls = {total} reads on one DingTalkApp; "
          f"sandbox in its own process; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"  elapsed            {elapsed:8.2f} s" + ("   (tracemalloc on)" if args.tracemalloc else ""))
    print(f"  throughput         {total / elapsed:8.0f} calls/s")
    print(f"  failed calls       {failed:8d}        target 0  {'OK' if failed == 0 else 'MISSED'}")
    for problem, count in failures.most_common(5):
        print(f"      {count} x {problem}")
    print(f"  gettoken requests  {gettoken:8d}        target {target_tokens} (1 + {args.expiries} forced "
          f"expiries)  {'OK' if gettoken == target_tokens else 'MISSED'}")
    print(f"  forced expiries    {len(log['expired_live_tokens']):8d}        (live tokens invalidated: "
          f"{log['expired_live_tokens']})")
    print(f"  faults injected    {injected:8d}        ({', '.join(f'{n} x {k}' for k, n in sorted(kinds.items()))}; "
          f"{FAULT_TIMES} requests each)")
    print(f"  faulted answers    {faulted:8d}        all absorbed by retries when failed calls = 0")
    print(f"  SDK warnings       {warnings.count:8d}        (one per retry; last: {warnings.last})")
    print(f"  sandbox requests   {answered:8d}        (calls + faulted answers + token refusals + gettoken)")
    print(f"  TCP connections    {counters['connections']:8d}        (the client's pool; the control connection predates the reset)")
    if args.tracemalloc:
        print(f"  client peak Python allocations  {peak / 2**20:6.2f} MiB (tracemalloc, from the app's creation "
              f"to the end of the run; {current / 2**20:.2f} MiB still held at the end)")
    rss = rss_high_water_mib()
    if rss is not None:
        print(f"  client RSS high-water mark      {rss:6.1f} MiB (getrusage; interpreter, requests and the SDK included)")
    return 0 if failed == 0 and gettoken == target_tokens else 1


if __name__ == "__main__":
    sys.exit(main())
