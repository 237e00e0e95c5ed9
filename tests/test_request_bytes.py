"""The exact bytes each envelope family sends (``responses`` only to capture requests)."""
import json
import os
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from dingtalk import DingTalkApp

BASE = "https://oapi.example.test"
TOP = "https://top.example.test/router/rest"
API = "https://api.example.test"
T0 = 1700000000.0  # 2023-11-14 22:13:20 UTC = 2023-11-15 06:13:20 China time


@pytest.fixture
def app():
    app = DingTalkApp(name="bytes", app_key="dingkey", app_secret="appsecret", agent_id="42",
                      oapi_url=BASE, top_url=TOP, api_url=API, clock=lambda: T0)
    yield app
    app.close()


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, BASE + "/gettoken",
                 json={"errcode": 0, "errmsg": "ok", "access_token": "TOKEN1", "expires_in": 7200})
        yield rsps


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def test_gettoken_query(app, mocked):
    assert app.access_token == "TOKEN1"
    assert query(mocked.calls[0]) == {"appkey": "dingkey", "appsecret": "appsecret"}


def test_legacy_gettoken_query(mocked):
    app = DingTalkApp(name="x", corp_id="dingcorp", corp_secret="cs", oapi_url=BASE)
    app.get_access_token()
    assert query(mocked.calls[0]) == {"corpid": "dingcorp", "corpsecret": "cs"}


def test_topapi_sends_json_with_token_in_query(app, mocked):
    mocked.add(responses.POST, BASE + "/topapi/extcontact/listlabelgroups",
               json={"errcode": 0, "results": [{"name": "客户", "color": 1, "labels": []}], "request_id": "r1"})
    assert app.get_label_groups(size=20, offset=40) == [{"name": "客户", "color": 1, "labels": []}]
    call = mocked.calls[1]
    assert query(call) == {"access_token": "TOKEN1"}
    assert call.request.headers["Content-Type"].startswith("application/json")
    assert json.loads(call.request.body) == {"size": 20, "offset": 40}


def test_oapi_get_params(app, mocked):
    mocked.add(responses.GET, BASE + "/user/get", json={"errcode": 0, "userid": "u1", "name": "张三"})
    assert app.get_user("u1")["name"] == "张三"
    assert query(mocked.calls[1]) == {"userid": "u1", "access_token": "TOKEN1"}
    assert mocked.calls[1].request.body is None


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_top_form_body_and_china_timestamp_whatever_the_host_zone(app, mocked, tz):
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        mocked.add(responses.POST, TOP, json={"dingtalk_smartwork_bpms_processinstance_list_response": {
            "result": {"success": True, "result": {"list": {"process_instance_top_vo": []}}},
            "request_id": "rid"}})
        start = datetime(2017, 6, 1, 1, 1, 1)  # naive: China time
        aware_end = datetime(2017, 6, 2, tzinfo=timezone.utc)
        out = app.get_bpms_instance_list("PROC-1", start_time=start, end_time=aware_end)
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert out == {"request_id": "rid", "success": True, "instance_list": [], "next_cursor": 0}
    call = mocked.calls[1]
    assert urlsplit(call.request.url).query == ""  # nothing secret in the URL
    assert call.request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = {k: v[0] for k, v in parse_qs(call.request.body).items()}
    china = timezone(timedelta(hours=8))
    assert form == {
        "method": "dingtalk.smartwork.bpms.processinstance.list", "v": "2.0", "format": "json",
        "simplify": "false", "session": "TOKEN1", "timestamp": "2023-11-15 06:13:20",
        "process_code": "PROC-1", "size": "10", "cursor": "0",
        "start_time": str(int(datetime(2017, 6, 1, 1, 1, 1, tzinfo=china).timestamp() * 1000)),
        "end_time": str(int(aware_end.timestamp() * 1000)),
    }


def test_v1_token_header(app, mocked):
    mocked.add(responses.GET, API + "/v1.0/contact/users/me", json={"nick": "张三"})
    assert app.api_request("GET", "/v1.0/contact/users/me") == {"nick": "张三"}
    call = mocked.calls[1]
    assert call.request.headers["x-acs-dingtalk-access-token"] == "TOKEN1"
    assert "access_token" not in call.request.url


def test_work_notice_body(app, mocked):
    mocked.add(responses.POST, BASE + "/topapi/message/corpconversation/asyncsend_v2",
               json={"errcode": 0, "task_id": 7, "request_id": "r"})
    out = app.async_send_msg("text", {"content": "你好"}, userid_list=["a", "b"], to_all_user=False)
    assert out == {"request_id": "r", "task_id": 7, "success": True}
    assert json.loads(mocked.calls[1].request.body) == {
        "agent_id": 42, "to_all_user": False, "userid_list": "a,b",
        "msg": {"msgtype": "text", "text": {"content": "你好"}}}
