"""``dingtalk demo``: the original README's quick start against an in-process sandbox."""
from __future__ import annotations

import argparse
import secrets
import string
import sys
import threading
import time
from datetime import datetime
from typing import Any, Callable, Dict, List, Tuple

from ._output import CLIError, redact, to_json


# -- demo ----------------------------------------------------------------------------------------
LEAVE_FORM = {"请假类型": "年假", "开始时间": "2026-01-05", "结束时间": "2026-01-05", "请假天数": "1",
              "请假事由": "dingtalk demo"}


def _show(step: str, value: Any) -> None:
    text = to_json(redact(value), indent=None)
    if len(text) > 300:
        text = text[:297] + "..."
    print(f"== {step}\n   {text}")
    sys.stdout.flush()


def _describe_event(event: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {"class": type(event).__name__}
    for key, value in vars(event).items():
        if key != "raw" and value not in (None, "", [], {}):
            out[key] = value
    return out


def demo(args: argparse.Namespace) -> int:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from .. import DingTalkApp
    from ..contrib.wsgi import CallbackWSGIApp
    from ..sandbox import Sandbox

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

    started = time.perf_counter()
    with Sandbox(port=args.port, push_retry_delay=0.05, push_timeout=3.0) as sb:
        creds = sb.credentials
        print(f"sandbox DingTalk at {sb.url}")
        aes_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(43))
        app = DingTalkApp(name="demo", cache=None, agent_id=creds["agent_id"],
                          corp_id=creds["corp_id"], corp_secret=creds["corp_secret"],
                          token="demo-callback-token", aes_key=aes_key,
                          oapi_url=sb.url, top_url=sb.top_url, api_url=sb.url)
        steps: List[Tuple[str, Callable[[], Any]]] = [
            ("access_token (fetched once, then cached)", lambda: f"{len(app.access_token)} characters, hidden"),
            ("app.get_label_groups()", app.get_label_groups),
            ("app.get_bpms_instance_list(process_code=..., start_time=datetime(2017, 6, 1, 1, 1, 1, 1))",
             lambda: app.get_bpms_instance_list(process_code="PROC-SANDBOX-LEAVE",
                                                start_time=datetime(2017, 6, 1, 1, 1, 1, 1))),
            ("app.run('dingtalk.corp.ext.listlabelgroups', size=20, offset=0)",
             lambda: app.run("dingtalk.corp.ext.listlabelgroups", size=20, offset=0)),
            ("app.get_org_user_count(1)", lambda: app.get_org_user_count(1)),
        ]
        notice: Dict[str, Any] = {}

        def send() -> Any:
            notice.update(app.async_send_msg("text", {"content": "来自 dingtalk-python 的工作通知"},
                                             userid_list=["user0002", "user0003"]))
            return notice

        steps += [
            ("app.async_send_msg('text', {...}, userid_list=[...])", send),
            ("app.get_msg_send_progress(task_id)", lambda: app.get_msg_send_progress(notice["task_id"])),
            ("app.get_jsapi_config('https://example.com/page#/home')",
             lambda: app.get_jsapi_config("https://example.com/page#/home")),
        ]
        for title, step in steps:
            _show(title, step())

        # callbacks: a real local receiver, registered through the API, fed by the sandbox
        received: List[Any] = []
        app.callbacks.on("check_url", "user_add_org", "bpms_instance_change")(received.append)
        server = make_server("127.0.0.1", 0, CallbackWSGIApp(app), handler_class=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_port}/dingtalk/callback"
            print(f"callback receiver (dingtalk.contrib.wsgi.CallbackWSGIApp) at {url}")
            _show("app.register_callback(['user_add_org', 'bpms_instance_change'], url=...)  "
                  "(the sandbox first checks the URL)",
                  app.register_callback(["user_add_org", "bpms_instance_change"], url=url))
            _show("app.create_user(name='演示用户', mobile='13900001234', department=[1])",
                  app.create_user(name="演示用户", mobile="13900001234", department=[1]))
            _show("app.create_bpms_instance('PROC-SANDBOX-LEAVE', 'user0003', 6, ['user0002'], {...})",
                  app.create_bpms_instance("PROC-SANDBOX-LEAVE", "user0003", 6, ["user0002"], LEAVE_FORM))
            delivered = sb.wait_for_pushes(15)
            _show("sb.wait_for_pushes()", delivered)
            if not delivered:
                raise CLIError("the sandbox's callback pushes were not delivered in time")
            for event in received:
                _show(f"event received by @app.callbacks.on({event.type!r})", _describe_event(event))
        finally:
            server.shutdown()
            server.server_close()
        print(f"gettoken calls: {sb.calls['/gettoken']}, get_jsapi_ticket calls: "
              f"{sb.calls['/get_jsapi_ticket']}, total requests: {sum(sb.calls.values())}")
        app.close()
    print(f"demo finished in {time.perf_counter() - started:.1f}s")
    return 0
