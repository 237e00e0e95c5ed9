"""Retries, timeouts and every error envelope, against injected faults on the sandbox."""
from __future__ import annotations

import socket

import pytest

from dingtalk.errors import (APIError, ConnectionFailed, DingTalkError, InvalidResponseError,
                             InvalidTokenError, IPBannedError, PermissionDeniedError, RateLimitError,
                             RequestTimeout, ServerError, SystemBusyError, TransportError)

from tests.helpers import V1_READ

LABELS = "/topapi/extcontact/listlabelgroups"
SEND = "/topapi/message/corpconversation/asyncsend_v2"
BPMS = "dingtalk.smartwork.bpms.processinstance.list"


def send(app):
    return app.async_send_msg("text", {"content": "hi"}, userid_list=["user0002"])


def warm(app):
    app.access_token  # so that counters below see only the call under test


def test_busy_twice_then_success_read_succeeds(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, errcode=-1, times=2)
    assert isinstance(app.get_label_groups(), list)
    assert sandbox.calls[LABELS] == 3


def test_busy_on_top_gateway_retried(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(BPMS, errcode=-1, sub_code="isp.-1", times=2)
    assert app.get_bpms_instance_list("PROC-SANDBOX-LEAVE", start_time=0)["success"] is True
    assert sandbox.calls[BPMS] == 3


def test_busy_forever_gives_system_busy_after_bounded_attempts(make_app, sandbox):
    app = make_app(max_attempts=3); warm(app)
    sandbox.inject("/user/get_org_user_count", errcode=-1, times=None)
    with pytest.raises(SystemBusyError) as info:
        app.get_org_user_count()
    assert info.value.errcode == -1
    assert sandbox.calls["/user/get_org_user_count"] == 3


def test_http_500_on_read_is_retried(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, status=500, times=1)
    assert isinstance(app.get_label_groups(), list)
    assert sandbox.calls[LABELS] == 2


def test_http_500_on_write_is_not_retried(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(SEND, status=500, times=1)
    with pytest.raises(ServerError) as info:
        send(app)
    assert info.value.status == 500
    assert sandbox.calls[SEND] == 1


def test_busy_on_write_is_not_retried(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(SEND, errcode=-1, times=1)
    with pytest.raises(SystemBusyError):
        send(app)
    assert sandbox.calls[SEND] == 1


def test_connection_reset_on_write_errors_and_server_saw_it_at_most_once(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(SEND, reset=True, times=1)
    with pytest.raises(ConnectionFailed) as info:
        send(app)
    assert info.value.sent is True
    assert sandbox.calls[SEND] == 1
    assert send(app)["task_id"]  # the app recovers on a fresh connection


def test_connection_reset_on_read_is_retried(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, reset=True, times=1)
    assert isinstance(app.get_label_groups(), list)
    assert sandbox.calls[LABELS] == 2


def test_slow_answer_gives_request_timeout_after_bounded_attempts(make_app, sandbox):
    app = make_app(timeout=0.3, max_attempts=2); warm(app)
    sandbox.inject(LABELS, delay=1.0, times=None)
    with pytest.raises(RequestTimeout) as info:
        app.get_label_groups()
    assert isinstance(info.value, TransportError)
    assert sandbox.calls[LABELS] == 2


def test_slow_write_is_not_retried(make_app, sandbox):
    app = make_app(timeout=0.3); warm(app)
    sandbox.inject(SEND, delay=1.0, times=None)
    with pytest.raises(RequestTimeout):
        send(app)
    assert sandbox.calls[SEND] == 1


def test_refused_connection_is_retried_even_for_writes_then_fails(make_app, sandbox):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = f"http://127.0.0.1:{port}"
    app = make_app(oapi_url=dead, max_attempts=2)
    with pytest.raises(ConnectionFailed) as info:
        app.get_org_user_count()
    assert info.value.sent is False
    assert "access_token" not in str(info.value) and dead not in str(info.value)


@pytest.mark.parametrize("code", [90002, 90005, 90006, 90018, 90019, 45009])
def test_rate_limit_codes_raise_rate_limit_error_without_retry(make_app, sandbox, code):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, errcode=code, errmsg="请求太频繁", times=1)
    with pytest.raises(RateLimitError) as info:
        app.get_label_groups()
    err = info.value
    assert (err.errcode, err.errmsg, err.method) == (code, "请求太频繁", "dingtalk.oapi.extcontact.listlabelgroups")
    assert err.request_id
    assert sandbox.calls[LABELS] == 1


def test_rate_limit_retry_is_opt_in(make_app, sandbox):
    app = make_app(retry_rate_limit=True); warm(app)
    sandbox.inject(LABELS, errcode=90018, times=1)
    assert isinstance(app.get_label_groups(), list)
    assert sandbox.calls[LABELS] == 2


def test_html_ban_page_is_a_clear_error(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, html=True, times=1)
    with pytest.raises(InvalidResponseError) as info:
        app.get_label_groups()
    assert isinstance(info.value, DingTalkError)
    assert "text/html" in str(info.value) and "ban" in str(info.value)
    assert sandbox.calls[LABELS] == 1


def test_json_ip_ban_is_a_rate_limit_error(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, body={"status": 1111, "wait": 5, "punish": "deny"}, times=1)
    with pytest.raises(IPBannedError) as info:
        app.get_label_groups()
    assert isinstance(info.value, RateLimitError) and info.value.wait == 5


@pytest.mark.parametrize("family, key, call", [
    ("oapi", "/user/get_org_user_count", lambda app: app.get_org_user_count()),
    ("topapi", LABELS, lambda app: app.get_label_groups()),
    ("top", BPMS, lambda app: app.get_bpms_instance_list("PROC-SANDBOX-LEAVE", start_time=0)),
    ("v1", V1_READ, lambda app: app.api_request("GET", V1_READ)),
])
@pytest.mark.parametrize("code, cls", [
    (60011, PermissionDeniedError), (90018, RateLimitError), (12345, APIError),
])
def test_error_envelopes_map_to_classes_with_server_data(make_app, sandbox, family, key, call, code, cls):
    app = make_app(); warm(app)
    injected = code if family != "v1" else {60011: "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                                             90018: "Forbidden.AccessDenied.QpsLimitForApi",
                                             12345: "InvalidParameter"}[code]
    sandbox.inject(key, errcode=injected, errmsg="出错了", times=1)
    with pytest.raises(cls) as info:
        call(app)
    err = info.value
    assert type(err) is cls
    if family == "top":
        assert str(err.sub_code) == str(code) and err.sub_msg
    elif family == "v1":
        assert err.errcode == injected and err.status >= 400
    else:
        assert err.errcode == code
    if family != "oapi":
        assert err.request_id
    assert "出错了" in (err.errmsg + str(err.sub_msg))


def test_errcode_88_with_permission_sub_code(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, errcode=88, sub_code="60011", errmsg="ding talk error[subcode=60011]", times=1)
    with pytest.raises(PermissionDeniedError) as info:
        app.get_label_groups()
    assert info.value.errcode == 88 and info.value.sub_code == "60011"


def test_errcode_88_with_token_sub_code_reauths_once(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, errcode=88, sub_code="40014", times=1)
    assert isinstance(app.get_label_groups(), list)
    assert sandbox.calls["/gettoken"] == 2 and sandbox.calls[LABELS] == 2


def test_token_error_twice_gives_up_after_one_refresh(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(LABELS, errcode=40014, times=None)
    with pytest.raises(InvalidTokenError):
        app.get_label_groups()
    assert sandbox.calls[LABELS] == 2 and sandbox.calls["/gettoken"] == 2


def test_success_false_inside_top_result_is_an_error(make_app, sandbox):
    app = make_app(); warm(app)
    sandbox.inject(BPMS, body={"dingtalk_smartwork_bpms_processinstance_list_response": {
        "result": {"success": False, "ding_open_errcode": 400002, "error_msg": "审批实例参数错误"},
        "request_id": "rid-1"}}, times=1)
    with pytest.raises(APIError) as info:
        app.get_bpms_instance_list("PROC-SANDBOX-LEAVE", start_time=0)
    assert (info.value.errcode, info.value.errmsg, info.value.request_id) == (400002, "审批实例参数错误", "rid-1")
