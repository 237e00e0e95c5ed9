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
