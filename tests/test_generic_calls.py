"""Generic calls for endpoints nobody wrapped, and the user's own requests.Session."""
import requests

from tests.helpers import USER, V1_READ


def test_oapi_get_and_post_reach_any_path(make_app, sandbox):
    app = make_app()
    assert app.oapi_get("/user/get", userid=USER)["userid"] == USER
    created = app.oapi_post("/user/create", {"name": "测试员", "mobile": "13900001111", "department": [1]})
    assert created["errcode"] == 0 and created["userid"]
    assert app.oapi_get("/user/get", userid=created["userid"])["name"] == "测试员"
    last = sandbox.requests[-2]
    assert last["path"] == "/user/create" and last["json"]["mobile"] == "13900001111"


def test_topapi_post_and_call_top(make_app, sandbox):
    app = make_app()
    page = app.topapi_post("extcontact/list", {"size": 2, "offset": 0})
    assert len(page["results"]) == 2 and page["request_id"]
    top = app.call_top("dingtalk.corp.ext.list", size=2, offset=0)
    assert isinstance(top["result"], str) and top["request_id"]  # TOP keeps its JSON-in-a-string
    assert sandbox.calls["/topapi/extcontact/list"] == 1 and sandbox.calls["dingtalk.corp.ext.list"] == 1


def test_api_request_v1(make_app):
    assert make_app().api_request("GET", V1_READ)


def test_users_own_session_is_used_and_left_open(make_app, sandbox):
    session = requests.Session()
    session.headers["X-Trace-Id"] = "trace-42"
    app = make_app(session=session)
    app.get_org_user_count()
    assert all(r["headers"].get("x-trace-id") == "trace-42" for r in sandbox.requests)
    app.close()
    assert session.get(sandbox.url + "/_sandbox/calls", timeout=5).ok  # still usable
    session.close()


def test_forked_child_gets_its_own_connections(make_app, sandbox):
    import os

    app = make_app()
    app.get_org_user_count()
    parent_session = app.transport.session
    before = sandbox.connections
    pid = os.fork()
    if pid == 0:  # child: must not reuse the parent's pooled socket
        code = 1
        try:
            ok = app.get_org_user_count() > 0 and app.transport.session is not parent_session
            code = 0 if ok else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert sandbox.connections == before + 1          # the child opened a connection of its own
    assert app.get_org_user_count() > 0                # the parent's connection still works
    assert app.transport.session is parent_session and sandbox.connections == before + 1
