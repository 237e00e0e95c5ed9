"""Command line: ``python -m dingtalk demo`` and ``python -m dingtalk sandbox``.

* ``demo`` starts a sandbox in this process and runs the original README's quick start against
  it, printing what each step returned.
* ``sandbox`` serves a sandbox until Ctrl-C, for trying the SDK from another program.

Errors are printed as one line on stderr with a non-zero exit status.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from typing import Any, Callable, List, Optional

from .errors import DingTalkError


def _show(step: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > 300:
        text = text[:297] + "..."
    print(f"== {step}\n   {text}")


def demo(args: argparse.Namespace) -> int:
    from . import DingTalkApp
    from .sandbox import Sandbox

    started = time.perf_counter()
    with Sandbox(port=args.port) as sb:
        creds = sb.credentials
        print(f"sandbox DingTalk at {sb.url}")
        app = DingTalkApp(name="demo", cache=None, agent_id=creds["agent_id"],
                          corp_id=creds["corp_id"], corp_secret=creds["corp_secret"],
                          oapi_url=sb.url, top_url=sb.top_url, api_url=sb.url)
        steps: List[tuple] = [
            ("access_token (fetched once, then cached)", lambda: f"{len(app.access_token)} characters, hidden"),
            ("app.get_label_groups()", app.get_label_groups),
            ("app.get_bpms_instance_list(process_code=..., start_time=datetime(2017, 6, 1, 1, 1, 1, 1))",
             lambda: app.get_bpms_instance_list(process_code="PROC-SANDBOX-LEAVE",
                                                start_time=datetime(2017, 6, 1, 1, 1, 1, 1))),
            ("app.run('dingtalk.corp.ext.listlabelgroups', size=20, offset=0)",
             lambda: app.run("dingtalk.corp.ext.listlabelgroups", size=20, offset=0)),
            ("app.get_org_user_count(1)", lambda: app.get_org_user_count(1)),
        ]
        notice: dict = {}

        def send() -> Any:
            notice.update(app.async_send_msg("text", {"content": "来自 dingtalk-python 的工作通知"},
                                             userid_list=["user0002", "user0003"]))
            return notice

        steps += [
            ("app.async_send_msg('text', {...}, userid_list=[...])", send),
            ("app.get_msg_send_progress(task_id)", lambda: app.get_msg_send_progress(notice["task_id"])),
            ("app.get_jsapi_config('https://example.com/page#/home')",
             lambda: {k: v for k, v in app.get_jsapi_config("https://example.com/page#/home").items()}),
        ]
        for title, call in steps:
            _show(title, call())
        print(f"gettoken calls: {sb.calls['/gettoken']}, get_jsapi_ticket calls: "
              f"{sb.calls['/get_jsapi_ticket']}, total requests: {sum(sb.calls.values())}")
        app.close()
    print(f"demo finished in {time.perf_counter() - started:.1f}s")
    return 0


def sandbox(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox

    with Sandbox(host=args.host, port=args.port) as sb:
        print(f"sandbox DingTalk at {sb.url} (TOP gateway {sb.top_url}); Ctrl-C stops it")
        print("credentials: " + json.dumps(sb.credentials, ensure_ascii=False))
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dingtalk", description="dingtalk-python command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("demo", help="run the quick start against an in-process sandbox")
    p.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    p.set_defaults(func=demo)
    p = sub.add_parser("sandbox", help="serve a local sandbox DingTalk")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.set_defaults(func=sandbox)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Optional[Callable[[argparse.Namespace], int]] = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except DingTalkError as exc:
        print(f"dingtalk: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"dingtalk: error: {exc}", file=sys.stderr)
        return 1
