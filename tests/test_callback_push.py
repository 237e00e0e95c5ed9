"""End to end: the sandbox pushes encrypted events to a handler served by a real local HTTP
server (wsgiref + dingtalk.contrib.wsgi), which dispatches them to registered functions."""
from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from dingtalk import DingTalkApp
from dingtalk.contrib.wsgi import CallbackWSGIApp
from dingtalk.errors import APIError
from dingtalk.sandbox import Sandbox

AES_KEY = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
LEAVE_FORM = {"请假类型": "年假", "开始时间": "2026-01-05", "结束时间": "2026-01-05", "请假天数": "1", "请假事由": "回调测试"}


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def receiver():
    """Serve a WSGI app on a free local port in a thread; yields a function making the URL."""
    servers = []

    def serve(wsgi_app):
        server = make_server("127.0.0.1", 0, wsgi_app, handler_class=_Quiet)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/dingtalk/callback"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def push_sandbox():
    with Sandbox(push_retry_delay=0.05, push_timeout=2.0) as sb:
        yield sb


def make_app(sb, **kw):
    creds = sb.credentials
    return DingTalkApp(name="push", corp_id=creds["corp_id"], corp_secret=creds["corp_secret"],
                       agent_id=creds["agent_id"], token="push-token", aes_key=AES_KEY,
                       oapi_url=sb.url, top_url=sb.top_url, api_url=sb.url, **kw)


def test_sandbox_pushes_bpms_instance_change_to_a_real_handler(push_sandbox, receiver):
    app = make_app(push_sandbox)
    seen, checks = [], []
    app.callbacks.on("bpms_instance_change")(seen.append)
    app.callbacks.on("check_url")(checks.append)
    url = receiver(CallbackWSGIApp(app))

    app.register_callback(["bpms_instance_change", "bpms_task_change"], url=url)
    assert len(checks) == 1  # registration made the sandbox verify the URL first

    pid = app.create_bpms_instance("PROC-SANDBOX-LEAVE", "user0003", 6, ["user0002"], LEAVE_FORM)["process_instance_id"]
    app.terminate_process_instance(pid, operating_userid="user0003", is_system=False)
    assert push_sandbox.wait_for_pushes(10)

    assert [(e.process_instance_id, e.change) for e in seen] == [(pid, "start"), (pid, "terminate")]
    assert seen[0].process_code == "PROC-SANDBOX-LEAVE" and seen[0].staff_id == "user0003"
    assert seen[0].raw["corpId"] == push_sandbox.credentials["corp_id"]
    assert all(d.ok and d.attempts == 1 for d in push_sandbox.pushes)


def test_registration_fails_when_the_url_does_not_answer_success(push_sandbox, receiver):
    app = make_app(push_sandbox)
    other = make_app(push_sandbox, callback_key_id="some-other-key-id")  # decrypts nothing: 400s
    with pytest.raises(APIError) as info:
        app.register_callback(["user_add_org"], url=receiver(CallbackWSGIApp(other)))
    assert info.value.errcode == 71009
    with pytest.raises(APIError):
        app.get_callback()  # nothing was registered


def test_unanswered_pushes_are_retried_then_listed_as_failed(push_sandbox, receiver):
    app = make_app(push_sandbox)
    healthy = {"on": True}

    def flaky(environ, start_response):
        if healthy["on"]:
            return CallbackWSGIApp(app)(environ, start_response)
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"down"]

    app.register_callback(["user_add_org"], url=receiver(flaky))
    healthy["on"] = False
    push_sandbox.emit("user_add_org", UserId=["user0009"])
    assert push_sandbox.wait_for_pushes(10)
    delivery = push_sandbox.pushes[-1]
    assert delivery.attempts == 3 and not delivery.ok
    failed = app.get_call_back_failed_result()
    assert [f["call_back_tag"] for f in failed] == ["user_add_org"]
    assert failed[0]["userid"] == ["user0009"]


def test_unsubscribed_events_are_not_pushed(push_sandbox, receiver):
    app = make_app(push_sandbox)
    seen = []
    app.callbacks.on("*")(seen.append)
    app.register_callback(["user_add_org"], url=receiver(CallbackWSGIApp(app)))
    app.create_bpms_instance("PROC-SANDBOX-LEAVE", "user0003", 6, ["user0002"], LEAVE_FORM)
    assert push_sandbox.emit("org_dept_create", DeptId=[99]) is None
    assert push_sandbox.wait_for_pushes(10)
    assert [e.type for e in seen] == ["check_url"]


def test_contact_changes_are_pushed(push_sandbox, receiver):
    app = make_app(push_sandbox)
    seen = []
    app.callbacks.on("user_add_org", "user_modify_org", "user_leave_org", "org_dept_create")(seen.append)
    app.register_callback(["user_add_org", "user_modify_org", "user_leave_org", "org_dept_create"],
                          url=receiver(CallbackWSGIApp(app)))
    userid = app.create_user(name="推送测试", mobile="13900009999", department=[1])["userid"]
    app.update_user(userid=userid, position="测试")
    app.delete_user(userid)
    dept = app.create_department(name="推送部", parentid=1)
    assert push_sandbox.wait_for_pushes(10)
    assert [(type(e).__name__, e.type) for e in seen] == [
        ("UserEvent", "user_add_org"), ("UserEvent", "user_modify_org"), ("UserEvent", "user_leave_org"),
        ("DeptEvent", "org_dept_create")]
    assert seen[0].user_ids == [userid] and seen[3].dept_ids == [dept]
