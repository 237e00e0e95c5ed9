"""Tests of the DingTalk sandbox over real HTTP (no mocks)."""
from __future__ import annotations

import ast
import datetime as dt
import json
import pathlib
import re
import threading
import time
from typing import Any, Dict

import pytest
import requests

from dingtalk.sandbox import RouteError, Router, Sandbox
from dingtalk.sandbox.routes import build_router

CST = dt.timezone(dt.timedelta(hours=8))
REQUEST_ID = re.compile(r"^[0-9a-z]{13}$")
V1_REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def app_token(sb: Sandbox, http: requests.Session) -> str:
    c = sb.credentials
    data = http.get(sb.url + "/gettoken", params={"appkey": c["app_key"], "appsecret": c["app_secret"]},
                    timeout=5).json()
    assert data["errcode"] == 0, data
    return data["access_token"]


def top_timestamp(offset: float = 0.0) -> str:
    return dt.datetime.fromtimestamp(time.time() + offset, CST).strftime("%Y-%m-%d %H:%M:%S")


def top_call(sb: Sandbox, http: requests.Session, method: str, session: Any, **params: Any) -> Dict[str, Any]:
    form = {"method": method, "session": session, "timestamp": top_timestamp(), "v": "2.0",
            "format": "json", "simplify": "false"}
    form.update(params)
    form = {k: v for k, v in form.items() if v is not None}
    resp = http.post(sb.top_url, data=form, timeout=5)
    assert resp.status_code == 200
    return resp.json()


def oapi_get(sb, http, path, token, **params):
    return http.get(sb.url + path, params=dict(params, access_token=token), timeout=5)


def oapi_post(sb, http, path, token, body):
    return http.post(sb.url + path, params={"access_token": token}, json=body, timeout=5)


# -- gettoken -----------------------------------------------------------------------------------
def test_gettoken_appkey_same_token_on_repeat(sb, http):
    c = sb.credentials
    first = http.get(sb.url + "/gettoken", params={"appkey": c["app_key"], "appsecret": c["app_secret"]}).json()
    assert set(first) == {"errcode", "errmsg", "access_token", "expires_in"}
    assert first["errcode"] == 0 and first["errmsg"] == "ok" and first["expires_in"] == 7200
    assert re.fullmatch(r"[0-9a-f]{32}", first["access_token"])
    second = http.get(sb.url + "/gettoken", params={"appkey": c["app_key"], "appsecret": c["app_secret"]}).json()
    assert second["access_token"] == first["access_token"]
    assert sb.issued_tokens() == [first["access_token"]]
    assert sb.calls["/gettoken"] == 2


def test_gettoken_corp_style_is_another_app(sb, http):
    c = sb.credentials
    corp = http.get(sb.url + "/gettoken", params={"corpid": c["corp_id"], "corpsecret": c["corp_secret"]}).json()
    again = http.get(sb.url + "/gettoken", params={"corpid": c["corp_id"], "corpsecret": c["corp_secret"]}).json()
    assert corp["errcode"] == 0 and corp["access_token"] == again["access_token"]
    assert corp["access_token"] != app_token(sb, http)
    assert sb.token_valid(corp["access_token"])


def test_gettoken_new_token_after_expire_tokens(sb, http):
    old = app_token(sb, http)
    assert sb.expire_tokens() == 1
    assert not sb.token_valid(old)
    new = app_token(sb, http)
    assert new != old and sb.token_valid(new)
    assert sb.issued_tokens() == [old, new]


def test_gettoken_new_token_after_real_expiry(http):
    with Sandbox(token_ttl=60) as sb:
        old = app_token(sb, http)
        sb.advance_clock(30)
        assert app_token(sb, http) == old           # repeat within validity extends it ...
        sb.advance_clock(45)
        assert sb.token_valid(old)                  # ... so 75 s after issue it still works
        sb.advance_clock(61)
        assert oapi_get(sb, http, "/user/get", old, userid="user0003").json() == \
            {"errcode": 42001, "errmsg": "access_token超时"}
        assert app_token(sb, http) != old


@pytest.mark.parametrize("params,message", [
    ({"corpid": "dingsandboxcorp0001", "corpsecret": "wrong"}, "不合法的corpid或corpsecret"),
    ({"corpid": "nope", "corpsecret": "sandbox-corp-secret"}, "不合法的corpid或corpsecret"),
    ({"appkey": "dingsandboxappkey01", "appsecret": "wrong"}, "不合法的appKey或appSecret"),
    ({}, "不合法的corpid或corpsecret"),
])
def test_gettoken_bad_credentials(sb, http, params, message):
    resp = http.get(sb.url + "/gettoken", params=params)
    assert resp.status_code == 200
    assert resp.json() == {"errcode": 40089, "errmsg": message}
    assert sb.issued_tokens() == []


def test_v1_access_token_shares_the_token_store(sb, http):
    c = sb.credentials
    resp = http.post(sb.url + "/v1.0/oauth2/accessToken", json={"appKey": c["app_key"], "appSecret": c["app_secret"]})
    assert resp.status_code == 200
    assert resp.json() == {"accessToken": app_token(sb, http), "expireIn": 7200}
    bad = http.post(sb.url + "/v1.0/oauth2/accessToken", json={"appKey": c["app_key"], "appSecret": "x"})
    assert bad.status_code == 400
    body = bad.json()
    assert set(body) == {"code", "message", "requestid"}
    assert body["code"] == "invalidClientIdOrSecret" and body["message"] == "无效的clientId或者clientSecret"
    assert V1_REQUEST_ID.match(body["requestid"]) and bad.headers["x-acs-request-id"] == body["requestid"]


# -- jsapi tickets -------------------------------------------------------------------------------
def test_each_ticket_invalidates_the_previous(sb, http):
    token = app_token(sb, http)
    assert sb.current_ticket is None
    first = oapi_get(sb, http, "/get_jsapi_ticket", token).json()
    assert set(first) == {"errcode", "errmsg", "ticket", "expires_in"}
    assert first["errcode"] == 0 and first["expires_in"] == 7200
    assert sb.ticket_valid(first["ticket"]) and sb.current_ticket == first["ticket"]
    second = oapi_get(sb, http, "/get_jsapi_ticket", token).json()
    assert second["ticket"] != first["ticket"]
    assert not sb.ticket_valid(first["ticket"]) and sb.ticket_valid(second["ticket"])
    v1 = http.post(sb.url + "/v1.0/oauth2/jsapiTickets", headers={"x-acs-dingtalk-access-token": token})
    assert v1.status_code == 200 and v1.json()["expireIn"] == 7200
    assert not sb.ticket_valid(second["ticket"]) and sb.current_ticket == v1.json()["jsapiTicket"]
    assert sb.issued_tickets() == [first["ticket"], second["ticket"], v1.json()["jsapiTicket"]]


def test_ticket_expires_after_ticket_ttl(http):
    with Sandbox(ticket_ttl=100) as sb:
        ticket = oapi_get(sb, http, "/get_jsapi_ticket", app_token(sb, http)).json()["ticket"]
        sb.advance_clock(99)
        assert sb.ticket_valid(ticket) and sb.current_ticket == ticket
        sb.advance_clock(2)
        assert not sb.ticket_valid(ticket) and sb.current_ticket is None


def test_ticket_needs_a_valid_token(sb, http):
    assert oapi_get(sb, http, "/get_jsapi_ticket", "bad").json() == {"errcode": 40014, "errmsg": "不合法的access_token"}
    assert sb.issued_tickets() == []


# -- token validation per family ------------------------------------------------------------------
def test_oapi_token_errors(sb, http):
    assert http.get(sb.url + "/user/get", params={"userid": "user0003"}).json() == \
        {"errcode": 40014, "errmsg": "不合法的access_token"}
    assert oapi_get(sb, http, "/user/get", "0" * 32, userid="user0003").json() == \
        {"errcode": 40014, "errmsg": "不合法的access_token"}
    token = app_token(sb, http)
    sb.expire_tokens()
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json() == \
        {"errcode": 42001, "errmsg": "access_token超时"}


def test_topapi_token_errors_carry_request_id(sb, http):
    body = oapi_post(sb, http, "/topapi/extcontact/list", "bad", {}).json()
    assert set(body) == {"errcode", "errmsg", "request_id"}
    assert body["errcode"] == 40014 and REQUEST_ID.match(body["request_id"])
    token = app_token(sb, http)
    sb.expire_tokens()
    assert oapi_post(sb, http, "/topapi/extcontact/list", token, {}).json()["errcode"] == 42001


def test_top_invalid_and_expired_session(sb, http):
    body = top_call(sb, http, "dingtalk.corp.ext.listlabelgroups", "bad")
    assert list(body) == ["error_response"]
    err = body["error_response"]
    assert set(err) == {"code", "msg", "sub_code", "sub_msg", "request_id"}
    assert err["code"] == 27 and err["msg"] == "Invalid session" and err["sub_code"] == "invalid-sessionkey"
    assert REQUEST_ID.match(err["request_id"])
    token = app_token(sb, http)
    sb.expire_tokens()
    assert top_call(sb, http, "dingtalk.corp.ext.list", token)["error_response"]["code"] == 27
    missing = top_call(sb, http, "dingtalk.corp.ext.list", None)["error_response"]
    assert missing["code"] == 26 and missing["msg"] == "Missing session"


def test_v1_invalid_authentication(sb, http):
    user = next(iter(sb.state.users.values()))
    for headers in ({}, {"x-acs-dingtalk-access-token": "bad"}):
        resp = http.get(sb.url + "/v1.0/contact/users/" + user["unionid"], headers=headers)
        assert resp.status_code == 401
        body = resp.json()
        assert set(body) == {"code", "message", "requestid"}
        assert body["code"] == "InvalidAuthentication" and body["message"] == "不合法的access_token"
        assert resp.headers["x-acs-request-id"] == body["requestid"]


# -- TOP gateway rules -------------------------------------------------------------------------------
def test_top_gateway_system_parameters(sb, http):
    token = app_token(sb, http)
    assert top_call(sb, http, "dingtalk.no.such.method", token)["error_response"]["code"] == 22
    assert top_call(sb, http, "", token)["error_response"]["code"] == 21
    assert top_call(sb, http, "dingtalk.corp.ext.list", token, timestamp="yesterday")["error_response"]["code"] == 31
    # an hour off (a client sending UTC instead of GMT+8 gets this)
    assert top_call(sb, http, "dingtalk.corp.ext.list", token,
                    timestamp=top_timestamp(-3600))["error_response"]["code"] == 31
    assert top_call(sb, http, "dingtalk.corp.ext.list", token, timestamp=None)["error_response"]["code"] == 30
    assert top_call(sb, http, "dingtalk.corp.ext.list", token, v="1.0")["error_response"]["code"] == 34
    # epoch milliseconds (the Python TOP SDK's form) are accepted
    ok = top_call(sb, http, "dingtalk.corp.ext.list", token, timestamp=str(int(time.time() * 1000)))
    assert "dingtalk_corp_ext_list_response" in ok
    xml = http.post(sb.top_url, data={"method": "dingtalk.corp.ext.list", "session": token,
                                      "timestamp": top_timestamp(), "v": "2.0"})
    assert xml.headers["Content-Type"].startswith("text/xml") and b"<code>23</code>" in xml.content


def test_top_accepts_query_string_and_get(sb, http):
    token = app_token(sb, http)
    params = {"method": "dingtalk.corp.role.list", "session": token, "timestamp": top_timestamp(),
              "v": "2.0", "format": "json"}
    via_get = http.get(sb.top_url, params=dict(params, size=1)).json()
    groups = via_get["dingtalk_corp_role_list_response"]["result"]["list"]["role_groups"]
    assert len(groups) == 1
    via_query = http.post(sb.top_url, params=params, data={"size": "2", "offset": "1"}).json()
    result = via_query["dingtalk_corp_role_list_response"]["result"]
    assert [g["group_name"] for g in result["list"]["role_groups"]] == ["职务", "岗位"]
    assert result["has_more"] is False
    assert sb.calls["dingtalk.corp.role.list"] == 2


def test_top_simplify(sb, http):
    token = app_token(sb, http)
    body = top_call(sb, http, "dingtalk.corp.role.list", token, simplify="true")
    assert "dingtalk_corp_role_list_response" not in body
    groups = body["result"]["list"]
    assert isinstance(groups, list) and isinstance(groups[0]["roles"], list)
    assert REQUEST_ID.match(body["request_id"])


# -- oapi rules ---------------------------------------------------------------------------------
def test_oapi_unknown_path_wrong_verb_and_form_body(sb, http):
    token = app_token(sb, http)
    missing = oapi_get(sb, http, "/no/such/api", token)
    assert missing.status_code == 404
    assert missing.json() == {"errcode": 404, "errmsg": "请求的URI地址不存在"}
    assert sb.calls["/no/such/api"] == 1
    assert oapi_get(sb, http, "/topapi/extcontact/list", token).json()["errcode"] == 43002
    form = http.post(sb.url + "/topapi/extcontact/list", params={"access_token": token}, data={"size": "10"})
    body = form.json()
    assert body["errcode"] == 43009 and body["errmsg"] == "post参数需要json类型"
    not_json = http.post(sb.url + "/user/create", params={"access_token": token}, data=b"{oops",
                         headers={"Content-Type": "application/json"})
    assert not_json.json()["errcode"] == 43009
    v1 = http.get(sb.url + "/v1.0/no/such", headers={"x-acs-dingtalk-access-token": token})
    assert v1.status_code == 404 and v1.json()["code"] == "InvalidAction.NotFound"


# -- contacts --------------------------------------------------------------------------------
def test_user_get(sb, http):
    token = app_token(sb, http)
    body = oapi_get(sb, http, "/user/get", token, userid="user0003").json()
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    assert body["userid"] == "user0003" and body["name"] == "张伟" and body["department"] == [6]
    assert body["unionid"] and isinstance(body["isAdmin"], bool) and body["active"] is True
    assert oapi_get(sb, http, "/user/get", token, userid="ghost").json() == {"errcode": 60121, "errmsg": "找不到该用户"}


def test_user_simplelist_paging(sb, http):
    token = app_token(sb, http)
    everyone = oapi_get(sb, http, "/user/simplelist", token, department_id=6).json()
    assert everyone["hasMore"] is False
    ids = [u["userid"] for u in everyone["userlist"]]
    assert ids == ["user0003", "user0004", "user0012"]
    assert set(everyone["userlist"][0]) == {"userid", "name"}
    first = oapi_get(sb, http, "/user/simplelist", token, department_id=6, offset=0, size=2).json()
    assert first["hasMore"] is True and [u["userid"] for u in first["userlist"]] == ids[:2]
    rest = oapi_get(sb, http, "/user/simplelist", token, department_id=6, offset=2, size=2).json()
    assert rest["hasMore"] is False and [u["userid"] for u in rest["userlist"]] == ids[2:]
    assert oapi_get(sb, http, "/user/simplelist", token, department_id=999).json()["errcode"] == 60003


def test_department_list(sb, http):
    token = app_token(sb, http)
    every = oapi_get(sb, http, "/department/list", token).json()["department"]
    assert [d["id"] for d in every][0] == 1 and len(every) == len(sb.state.departments)
    for dept in every:
        assert {"id", "name", "autoAddUser", "createDeptGroup"} <= set(dept)
    assert every[0]["name"] == "示例科技有限公司" and "parentid" not in every[0]
    children = oapi_get(sb, http, "/department/list", token, id=2, fetch_child="false").json()["department"]
    assert [d["id"] for d in children] == [2, 6, 7, 8]
    assert all(d["parentid"] == 2 for d in children[1:])


def test_org_user_count(sb, http):
    token = app_token(sb, http)
    total = oapi_get(sb, http, "/user/get_org_user_count", token, onlyActive=0).json()
    active = oapi_get(sb, http, "/user/get_org_user_count", token, onlyActive=1).json()
    assert total == {"errcode": 0, "errmsg": "ok", "count": 12}
    assert active["count"] == 11


def test_user_create_and_delete(sb, http):
    token = app_token(sb, http)
    created = oapi_post(sb, http, "/user/create", token,
                        {"name": "新同事", "mobile": "13912345678", "department": [6], "position": "工程师"}).json()
    assert created["errcode"] == 0 and created["errmsg"] == "created" and created["userid"]
    got = oapi_get(sb, http, "/user/get", token, userid=created["userid"]).json()
    assert got["name"] == "新同事" and got["position"] == "工程师" and got["department"] == [6]
    dup = oapi_post(sb, http, "/user/create", token, {"name": "x", "mobile": "13912345678", "department": "[1]"}).json()
    assert dup == {"errcode": 60104, "errmsg": "手机号码在公司中已存在"}
    assert oapi_post(sb, http, "/user/create", token,
                     {"name": "y", "mobile": "13912340000", "department": [999]}).json()["errcode"] == 60003
    assert oapi_post(sb, http, "/user/create", token,
                     {"name": "z", "mobile": "13912340001", "department": "1,2"}).json()["errcode"] == 40035
    deleted = oapi_get(sb, http, "/user/delete", token, userid=created["userid"]).json()
    assert deleted == {"errcode": 0, "errmsg": "deleted"}
    assert oapi_get(sb, http, "/user/get", token, userid=created["userid"]).json()["errcode"] == 60121


def test_v1_contact_user(sb, http):
    token = app_token(sb, http)
    user = sb.state.users["user0005"]
    resp = http.get(sb.url + "/v1.0/contact/users/" + user["unionid"], headers={"x-acs-dingtalk-access-token": token})
    assert resp.status_code == 200
    body = resp.json()
    assert body["nick"] == "陈静" and body["unionId"] == user["unionid"] and body["mobile"] == user["mobile"]
    assert sb.calls["/v1.0/contact/users/{unionId}"] == 1
    missing = http.get(sb.url + "/v1.0/contact/users/nobody", headers={"x-acs-dingtalk-access-token": token})
    assert missing.status_code == 404 and missing.json()["code"] == "UserNotExist"


def test_seed_is_deterministic():
    a, b = Sandbox(), Sandbox()
    assert a.state.users == b.state.users
    assert a.state.process_instances == b.state.process_instances


# -- external contacts, roles ----------------------------------------------------------------------
def test_topapi_extcontact(sb, http):
    token = app_token(sb, http)
    groups = oapi_post(sb, http, "/topapi/extcontact/listlabelgroups", token, {"size": 2, "offset": 0}).json()
    assert groups["errcode"] == 0 and REQUEST_ID.match(groups["request_id"])
    assert len(groups["results"]) == 2 and set(groups["results"][0]) == {"name", "color", "labels"}
    assert set(groups["results"][0]["labels"][0]) == {"name", "id"}
    past_end = oapi_post(sb, http, "/topapi/extcontact/listlabelgroups", token, {"size": "100", "offset": "100"}).json()
    assert past_end["results"] == []
    contacts = oapi_post(sb, http, "/topapi/extcontact/list", token, {"size": 100}).json()["results"]
    assert len(contacts) == 7 and contacts[0]["follower_user_id"] == "user0009"
    assert oapi_post(sb, http, "/topapi/extcontact/list", token, {"size": 101}).json()["errcode"] == 40035


def test_top_ext_results_are_json_strings(sb, http):
    token = app_token(sb, http)
    body = top_call(sb, http, "dingtalk.corp.ext.listlabelgroups", token, size=20, offset=0)
    inner = body["dingtalk_corp_ext_listlabelgroups_response"]
    assert set(inner) == {"result", "request_id"} and isinstance(inner["result"], str)
    groups = json.loads(inner["result"])
    assert [g["name"] for g in groups][:2] == ["客户类型", "客户来源"]
    contacts = json.loads(top_call(sb, http, "dingtalk.corp.ext.list", token, size=3)
                          ["dingtalk_corp_ext_list_response"]["result"])
    assert len(contacts) == 3 and contacts[0]["follower_userid"] == "user0009"
    assert "share_deptids" in contacts[0]


def test_top_role_list_shape(sb, http):
    token = app_token(sb, http)
    result = top_call(sb, http, "dingtalk.corp.role.list", token)["dingtalk_corp_role_list_response"]["result"]
    group = result["list"]["role_groups"][0]
    assert group["group_name"] == "默认"
    assert group["roles"]["roles"][0] == {"id": 1, "role_name": "主管理员"}


# -- approvals ---------------------------------------------------------------------------------------
def test_topapi_listids_paging(sb, http):
    token = app_token(sb, http)
    seen, cursor, pages = [], 0, 0
    while True:
        body = oapi_post(sb, http, "/topapi/processinstance/listids", token,
                         {"process_code": "PROC-SANDBOX-LEAVE", "start_time": 0, "size": 4, "cursor": cursor}).json()
        assert body["errcode"] == 0 and REQUEST_ID.match(body["request_id"])
        seen.extend(body["result"]["list"])
        pages += 1
        if "next_cursor" not in body["result"]:
            break
        cursor = body["result"]["next_cursor"]
    assert pages == 3 and len(seen) == len(set(seen)) == 10
    start = int(dt.datetime(2020, 1, 1, tzinfo=CST).timestamp() * 1000)
    end = int(dt.datetime(2023, 12, 31, tzinfo=CST).timestamp() * 1000)
    window = oapi_post(sb, http, "/topapi/processinstance/listids", token,
                       {"process_code": "PROC-SANDBOX-LEAVE", "start_time": start, "end_time": end}).json()
    assert len(window["result"]["list"]) == 3
    missing = oapi_post(sb, http, "/topapi/processinstance/listids", token, {"start_time": 0}).json()
    assert missing["errcode"] != 0


def test_top_bpms_processinstance_list(sb, http):
    token = app_token(sb, http)
    body = top_call(sb, http, "dingtalk.smartwork.bpms.processinstance.list", token,
                    process_code="PROC-SANDBOX-LEAVE", start_time=0, size=10, cursor=5)
    result = body["dingtalk_smartwork_bpms_processinstance_list_response"]["result"]
    assert result["success"] is True and result["ding_open_errcode"] == 0
    items = result["result"]["list"]["process_instance_top_vo"]
    assert len(items) == 5 and "next_cursor" not in result["result"]
    assert {i["status"] for i in items} == {"COMPLETED", "RUNNING"}
    assert items[0]["approver_userid_list"] == {"string": ["user0002", "manager0001"]}
    assert items[0]["form_component_values"]["form_component_value_vo"][0]["name"] == "请假类型"
    first = top_call(sb, http, "dingtalk.smartwork.bpms.processinstance.list", token,
                     process_code="PROC-SANDBOX-LEAVE", start_time=0, size=3)
    assert first["dingtalk_smartwork_bpms_processinstance_list_response"]["result"]["result"]["next_cursor"] == 3
    unknown = top_call(sb, http, "dingtalk.smartwork.bpms.processinstance.list", token,
                       process_code="PROC-NOPE", start_time=0)
    page = unknown["dingtalk_smartwork_bpms_processinstance_list_response"]["result"]
    assert page["success"] is True and page["result"]["list"]["process_instance_top_vo"] == []
    too_big = top_call(sb, http, "dingtalk.smartwork.bpms.processinstance.list", token,
                       process_code="PROC-SANDBOX-LEAVE", start_time=0, size=11)
    assert too_big["error_response"]["code"] == 41
    no_code = top_call(sb, http, "dingtalk.smartwork.bpms.processinstance.list", token, start_time=0)
    assert no_code["error_response"]["code"] == 40


# -- work notices -----------------------------------------------------------------------------------------
def test_work_notice_send_progress_result(sb, http):
    token = app_token(sb, http)
    agent = sb.credentials["agent_id"]
    msg = {"msgtype": "text", "text": {"content": "你好"}}
    sent = oapi_post(sb, http, "/topapi/message/corpconversation/asyncsend_v2", token,
                     {"agent_id": agent, "userid_list": "user0003,ghost", "msg": json.dumps(msg)}).json()
    assert sent["errcode"] == 0 and isinstance(sent["task_id"], int) and REQUEST_ID.match(sent["request_id"])
    progress = oapi_post(sb, http, "/topapi/message/corpconversation/getsendprogress", token,
                         {"agent_id": agent, "task_id": sent["task_id"]}).json()
    assert progress["progress"] == {"progress_in_percent": 100, "status": 2}
    result = oapi_post(sb, http, "/topapi/message/corpconversation/getsendresult", token,
                       {"agent_id": agent, "task_id": sent["task_id"]}).json()["send_result"]
    assert result["unread_user_id_list"] == ["user0003"] and result["invalid_user_id_list"] == ["ghost"]
    by_dept = oapi_post(sb, http, "/topapi/message/corpconversation/asyncsend_v2", token,
                        {"agent_id": int(agent), "dept_id_list": "2", "msg": msg}).json()
    assert by_dept["task_id"] == sent["task_id"] + 1


@pytest.mark.parametrize("body,errcode", [
    ({"agent_id": "999", "to_all_user": True, "msg": {"msgtype": "text", "text": {"content": "x"}}}, 40056),
    ({"agent_id": "100001", "to_all_user": True, "msg": {"msgtype": "telegram", "telegram": {}}}, 40008),
    ({"agent_id": "100001", "msg": {"msgtype": "text", "text": {"content": "x"}}}, 40035),
    ({"to_all_user": True, "msg": {"msgtype": "text", "text": {"content": "x"}}}, 40035),
])
def test_work_notice_validation(sb, http, body, errcode):
    token = app_token(sb, http)
    resp = oapi_post(sb, http, "/topapi/message/corpconversation/asyncsend_v2", token, body).json()
    assert resp["errcode"] == errcode and "request_id" in resp
    if errcode == 40008:
        assert resp["errmsg"] == "不合法的消息类型"


# -- faults ------------------------------------------------------------------------------------------------------
def test_fault_errcode_times_then_normal(sb, http):
    token = app_token(sb, http)
    sb.inject("/user/get", errcode=-1, times=2)
    for _ in range(2):
        assert oapi_get(sb, http, "/user/get", token, userid="user0003").json() == {"errcode": -1, "errmsg": "系统繁忙"}
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json()["errcode"] == 0
    assert sb.calls["/user/get"] == 3
    assert [r["faulted"] for r in sb.requests if r["key"] == "/user/get"] == ["errcode", "errcode", None]


def test_fault_errcode_in_each_family(sb, http):
    token = app_token(sb, http)
    sb.inject("/topapi/extcontact/list", errcode=88, sub_code="60011", errmsg="没有调用该接口的权限")
    topapi = oapi_post(sb, http, "/topapi/extcontact/list", token, {}).json()
    assert topapi["errcode"] == 88 and topapi["sub_code"] == "60011" and REQUEST_ID.match(topapi["request_id"])
    sb.inject("dingtalk.corp.ext.list", errcode=90018)
    err = top_call(sb, http, "dingtalk.corp.ext.list", token)["error_response"]
    assert err["code"] == 15 and err["msg"] == "Remote service error" and err["sub_code"] == "90018"
    assert REQUEST_ID.match(err["request_id"])
    sb.inject("dingtalk.corp.ext.list", errcode=7)
    assert top_call(sb, http, "dingtalk.corp.ext.list", token)["error_response"]["code"] == 7
    unionid = sb.state.users["user0003"]["unionid"]
    headers = {"x-acs-dingtalk-access-token": token}
    sb.inject("/v1.0/contact/users/{unionId}", errcode="Forbidden.AccessDenied.QpsLimitForApi")
    limited = http.get(sb.url + "/v1.0/contact/users/" + unionid, headers=headers)
    assert limited.status_code == 429 and limited.json()["code"] == "Forbidden.AccessDenied.QpsLimitForApi"
    sb.inject("/v1.0/contact/users/" + unionid, errcode="SomethingWrong", errmsg="bad")
    other = http.get(sb.url + "/v1.0/contact/users/" + unionid, headers=headers)
    assert other.status_code == 400 and other.json()["message"] == "bad"
    assert http.get(sb.url + "/v1.0/contact/users/" + unionid, headers=headers).status_code == 200


def test_fault_status_500(sb, http):
    token = app_token(sb, http)
    sb.inject("/user/get", status=500)
    resp = oapi_get(sb, http, "/user/get", token, userid="user0003")
    assert resp.status_code == 500 and resp.json()["errcode"] == -1
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").status_code == 200


def test_fault_html(sb, http):
    sb.inject("/gettoken", html=True)
    page = http.get(sb.url + "/gettoken", params={"appkey": "a", "appsecret": "b"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "访问被拒绝" in page.text
    with pytest.raises(ValueError):
        page.json()
    sb.inject("/gettoken", html=True, status=502)
    bad_gateway = http.get(sb.url + "/gettoken")
    assert bad_gateway.status_code == 502 and "502" in bad_gateway.text


def test_fault_delay_alone_then_normal_answer(sb, http):
    token = app_token(sb, http)
    sb.inject("/user/get", delay=0.05)
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json()["errcode"] == 0
    assert sb.requests[-1]["faulted"] == "delay"
    sb.inject("/user/get", delay=0.05, errcode=-1)
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json()["errcode"] == -1


def test_fault_delay_times_out_client(sb, http):
    token = app_token(sb, http)
    sb.inject("/user/get", delay=1.5)
    with pytest.raises(requests.Timeout):
        http.get(sb.url + "/user/get", params={"access_token": token, "userid": "user0003"}, timeout=0.2)
    assert sb.calls["/user/get"] == 1


def test_fault_reset(sb, http):
    token = app_token(sb, http)
    sb.inject("/topapi/message/corpconversation/asyncsend_v2", reset=True)
    body = {"agent_id": "100001", "to_all_user": True, "msg": {"msgtype": "text", "text": {"content": "x"}}}
    with pytest.raises(requests.ConnectionError):
        oapi_post(sb, http, "/topapi/message/corpconversation/asyncsend_v2", token, body)
    assert sb.calls["/topapi/message/corpconversation/asyncsend_v2"] == 1
    assert sb.requests[-1]["faulted"] == "reset" and sb.requests[-1]["json"]["agent_id"] == "100001"
    assert sb.state.tasks == {}
    ok = oapi_post(sb, http, "/topapi/message/corpconversation/asyncsend_v2", token, body).json()
    assert ok["errcode"] == 0


def test_fault_body_and_wildcard(sb, http):
    ban = {"status": 1111, "wait": 5, "punish": "deny"}
    sb.inject("*", body=ban, times=None)
    assert http.get(sb.url + "/gettoken").json() == ban
    assert http.post(sb.top_url, data={"method": "dingtalk.corp.ext.list"}).json() == ban
    assert http.get(sb.url + "/anything").json() == ban
    assert len(sb.faults()) == 1
    sb.clear_faults()
    assert sb.faults() == []
    assert http.get(sb.url + "/gettoken").json()["errcode"] == 40089


def test_fault_validation():
    sb = Sandbox()
    with pytest.raises(ValueError):
        sb.inject("/gettoken")
    with pytest.raises(ValueError):
        sb.inject("/gettoken", errcode=-1, times=0)
    with pytest.raises(ValueError):
        sb.inject("/gettoken", status=42)


# -- counters, connections, control endpoints ---------------------------------------------------------------
def test_keep_alive_one_connection_for_1000_calls(sb, http):
    token = app_token(sb, http)
    for _ in range(1000):
        resp = http.get(sb.url + "/user/get", params={"access_token": token, "userid": "user0003"})
        assert resp.status_code == 200
    assert sb.connections == 1
    assert sb.calls["/user/get"] == 1000 and sb.calls["/gettoken"] == 1
    assert len(sb.requests) == 1001


def test_recorded_request_fields(sb, http):
    token = app_token(sb, http)
    oapi_post(sb, http, "/topapi/extcontact/list", token, {"size": 5})
    http.post(sb.top_url, data={"method": "dingtalk.corp.ext.list", "session": token})
    rec, top = sb.requests[-2:]
    assert set(rec) >= {"key", "method", "path", "query", "headers", "body", "json", "form", "faulted"}
    assert rec["key"] == "/topapi/extcontact/list" and rec["method"] == "POST"
    assert rec["query"] == {"access_token": token} and rec["json"] == {"size": 5} and rec["form"] is None
    assert rec["headers"]["content-type"] == "application/json" and rec["faulted"] is None
    assert json.loads(rec["body"]) == {"size": 5}
    assert top["key"] == "dingtalk.corp.ext.list" and top["form"]["session"] == token
    sb.reset_counters()
    assert sb.calls == {} and sb.requests == [] and sb.connections == 0


def test_control_endpoints(sb, http):
    token = app_token(sb, http)
    ticket = oapi_get(sb, http, "/get_jsapi_ticket", token).json()["ticket"]
    calls = http.get(sb.url + "/_sandbox/calls").json()
    assert calls["calls"] == {"/gettoken": 1, "/get_jsapi_ticket": 1} and calls["connections"] == 1
    assert http.get(sb.url + "/_sandbox/ticket_valid", params={"ticket": ticket}).json()["valid"] is True
    assert http.get(sb.url + "/_sandbox/ticket_valid", params={"ticket": "x"}).json()["valid"] is False
    assert http.get(sb.url + "/_sandbox/current_ticket").json()["ticket"] == ticket
    assert http.post(sb.url + "/_sandbox/inject", json={"key": "/user/get", "errcode": 90018, "times": 1}).json()["ok"]
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json()["errcode"] == 90018
    http.post(sb.url + "/_sandbox/inject", json={"key": "/user/get", "errcode": -1, "times": None})
    http.post(sb.url + "/_sandbox/clear_faults")
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json()["errcode"] == 0
    assert http.post(sb.url + "/_sandbox/expire_tokens").json()["expired"] == 1
    assert oapi_get(sb, http, "/user/get", token, userid="user0003").json()["errcode"] == 42001
    bad = http.post(sb.url + "/_sandbox/inject", json={"key": "/user/get", "bogus": 1})
    assert bad.status_code == 400
    assert http.get(sb.url + "/_sandbox/nope").status_code == 404
    requests_seen = http.get(sb.url + "/_sandbox/requests", params={"limit": 2}).json()["requests"]
    assert [r["key"] for r in requests_seen] == ["/user/get", "/user/get"]
    assert "/_sandbox/calls" not in sb.calls and sum(sb.calls.values()) == 5
    http.post(sb.url + "/_sandbox/reset")
    assert sb.calls == {}


def test_concurrent_gettoken_same_token(sb):
    c = sb.credentials
    tokens, errors = [], []
    barrier = threading.Barrier(32)

    def worker() -> None:
        try:
            with requests.Session() as session:
                barrier.wait(timeout=5)
                for _ in range(5):
                    body = session.get(sb.url + "/gettoken", params={"appkey": c["app_key"], "appsecret": c["app_secret"]},
                                       timeout=10).json()
                    tokens.append(body["access_token"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(tokens) == 160 and len(set(tokens)) == 1
    assert sb.calls["/gettoken"] == 160 and sb.connections == 32
    assert len(sb.issued_tokens()) == 1


def test_stop_drops_keep_alive_connections(http):
    sb = Sandbox().start()
    url = sb.url
    assert http.get(url + "/gettoken").json()["errcode"] == 40089
    sb.stop()
    with pytest.raises(requests.ConnectionError):
        http.get(url + "/gettoken", timeout=2)
    sb.stop()  # idempotent


# -- structure ----------------------------------------------------------------------------------------------
def test_router_is_per_instance_and_declarative():
    a, b = Sandbox(), Sandbox()
    assert a.router is not b.router and len(a.router) == len(b.router) > 20

    def extra(ctx, params):
        return {"pong": True}

    a.router.get("/sandbox/ping")(extra)
    assert a.router.match("GET", "/sandbox/ping")[0] is not None
    assert b.router.match("GET", "/sandbox/ping")[0] is None
    with pytest.raises(ValueError):
        a.router.get("/sandbox/ping")(extra)
    route, params, _ = build_router().match("GET", "/v1.0/contact/users/abc")
    assert route is not None and params == {"unionId": "abc"} and route.key == "/v1.0/contact/users/{unionId}"
    assert isinstance(RouteError(1, "x"), Exception) and isinstance(Router(), Router)


def test_added_route_is_served():
    with Sandbox() as sb, requests.Session() as http:
        def ping(ctx, params):
            if params.get("fail"):
                raise ctx.error(40035, "不合法的参数")
            return {"pong": params.get("x"), "app": ctx.app}

        sb.router.post("/topapi/sandbox/ping")(ping)
        token = app_token(sb, http)
        body = oapi_post(sb, http, "/topapi/sandbox/ping", token, {"x": 1}).json()
        assert body["pong"] == 1 and body["app"] == "app:" + sb.credentials["app_key"] and "request_id" in body
        assert oapi_post(sb, http, "/topapi/sandbox/ping", token, {"fail": 1}).json()["errcode"] == 40035


def test_sandbox_imports_nothing_of_the_client():
    root = pathlib.Path(__file__).resolve().parent.parent / "dingtalk" / "sandbox"
    allowed = {"dingtalk.errors", "dingtalk.crypto"}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = ".".join(path.relative_to(root.parent.parent).with_suffix("").parts[:-1])
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[:len(parts) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                names = [base]
            else:
                continue
            for name in names:
                if name.startswith("dingtalk"):
                    assert name.startswith("dingtalk.sandbox") or name in allowed, (path, name)
