"""Callback registration (回调管理) over real HTTP against the sandbox."""
from __future__ import annotations

import logging

import pytest

from dingtalk import DingTalkApp
from dingtalk.apis.callbacks import KNOWN_CALLBACK_TAGS
from dingtalk.errors import APIError, ConfigError, ParameterError, SystemBusyError
from dingtalk.sandbox.routes.callbacks import CallbacksState

AES_KEY = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
OTHER_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN = "cb-token-7f3a"
URL = "https://example.com/dingtalk/events"
REGISTER = "/call_back/register_call_back"
FAILED = "/call_back/get_call_back_failed_result"


@pytest.fixture
def fresh_sandbox():
    """These tests register URLs nobody serves: turn the sandbox's check_url round trip off
    (tests/test_callback_push.py covers it against a real receiver)."""
    from dingtalk.sandbox import Sandbox

    with Sandbox(check_url=False) as sb:
        yield sb


def make(sb, **kwargs):
    creds = sb.credentials
    base = dict(name="cb", app_key=creds["app_key"], app_secret=creds["app_secret"], corp_id=creds["corp_id"],
                agent_id=creds["agent_id"], aes_key=AES_KEY, token=TOKEN, callback_url=URL,
                oapi_url=sb.url, top_url=sb.top_url, api_url=sb.url, timeout=5.0, backoff=0.01)
    base.update(kwargs)
    return DingTalkApp(**base)


@pytest.fixture
def app(fresh_sandbox):
    app = make(fresh_sandbox)
    yield app
    app.close()


def registration(sb):
    with sb.state.lock:
        reg = sb.state.domain("callbacks", CallbacksState).registration
        return dict(reg) if reg else None


def test_register_sends_the_apps_settings(app, fresh_sandbox):
    answer = app.register_callback(["user_add_org", "user_leave_org"])
    assert answer == {"errcode": 0, "errmsg": "ok"}
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == (REGISTER, "POST")
    assert req["json"] == {"call_back_tag": ["user_add_org", "user_leave_org"], "token": TOKEN,
                           "aes_key": AES_KEY, "url": URL}
    stored = registration(fresh_sandbox)
    assert stored["key_id"] == fresh_sandbox.credentials["corp_id"] and stored["url"] == URL
    got = app.get_callback()
    assert got == {"call_back_tag": ["user_add_org", "user_leave_org"], "token": TOKEN, "aes_key": AES_KEY,
                   "url": URL}
    assert fresh_sandbox.requests[-1]["key"] == "/call_back/get_call_back"
    assert fresh_sandbox.requests[-1]["method"] == "GET"
    assert app.run("dingtalk.oapi.call_back.get_call_back") == got


def test_one_tag_as_a_string_and_per_call_overrides(app, fresh_sandbox):
    app.register_callback("org_dept_create", url="https://other.example.com/cb", token="t2", aes_key=OTHER_KEY)
    assert fresh_sandbox.requests[-1]["json"] == {"call_back_tag": ["org_dept_create"], "token": "t2",
                                                  "aes_key": OTHER_KEY, "url": "https://other.example.com/cb"}
    assert registration(fresh_sandbox)["aes_key"] == OTHER_KEY


def test_update_get_delete_cycle(app, fresh_sandbox):
    with pytest.raises(APIError) as info:
        app.update_callback(["user_add_org"])
    assert (info.value.errcode, info.value.errmsg) == (71007, "回调地址已不存在")
    app.register_callback(["user_add_org"])
    with pytest.raises(APIError) as info:
        app.register_callback(["user_add_org"])
    assert (info.value.errcode, info.value.errmsg) == (71006, "回调地址已经存在")
    answer = app.update_callback(["bpms_task_change", "bpms_instance_change"], url="https://example.com/v2")
    assert answer["errcode"] == 0
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/call_back/update_call_back", "POST")
    assert req["json"]["call_back_tag"] == ["bpms_task_change", "bpms_instance_change"]
    assert app.get_callback()["url"] == "https://example.com/v2"
    assert app.delete_callback() == {"errcode": 0, "errmsg": "ok"}
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/call_back/delete_call_back", "GET")
    assert registration(fresh_sandbox) is None
    for call in (app.get_callback, app.delete_callback):
        with pytest.raises(APIError) as info:
            call()
        assert info.value.errcode == 71007
    assert app.register_callback(["user_add_org"])["errcode"] == 0   # registering again works


@pytest.mark.parametrize("missing", ["aes_key", "token", "callback_url"])
def test_missing_settings_are_a_config_error(fresh_sandbox, missing):
    app = make(fresh_sandbox, **{missing: None})
    before = len(fresh_sandbox.requests)
    for call in (app.register_callback, app.update_callback):
        with pytest.raises(ConfigError) as info:
            call(["user_add_org"])
        assert missing in str(info.value) and isinstance(info.value, ValueError)
        assert not isinstance(info.value, RuntimeError)
        assert AES_KEY not in str(info.value) and TOKEN not in str(info.value)
    assert len(fresh_sandbox.requests) == before
    # a per-call value fills the gap
    value = {"aes_key": AES_KEY, "token": TOKEN, "callback_url": URL}[missing]
    arg = {"callback_url": "url"}.get(missing, missing)
    assert app.register_callback(["user_add_org"], **{arg: value})["errcode"] == 0


def test_argument_checks_before_sending(app, fresh_sandbox):
    before = len(fresh_sandbox.requests)
    for kwargs in ({"aes_key": "short"}, {"aes_key": AES_KEY[:-1] + "!"}, {"token": ""}):
        with pytest.raises(ParameterError) as info:
            app.register_callback(["user_add_org"], **kwargs)
        assert "short" not in str(info.value)
    for tags in ([], "", None):
        with pytest.raises(ParameterError):
            app.register_callback(tags)
    assert len(fresh_sandbox.requests) == before


def test_unknown_tag_is_sent_with_a_warning(app, fresh_sandbox, caplog):
    with caplog.at_level(logging.WARNING, logger="dingtalk"):
        with pytest.raises(APIError) as info:
            app.register_callback(["user_add_org", "made_up_event"])
    assert info.value.errcode == 71008           # DingTalk's answer to a tag it does not know
    assert fresh_sandbox.requests[-1]["json"]["call_back_tag"] == ["user_add_org", "made_up_event"]
    warnings = [r for r in caplog.records if r.name == "dingtalk" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "made_up_event" in warnings[0].getMessage()
    assert "user_add_org" not in warnings[0].getMessage()


def test_secrets_never_reach_the_logs(app, fresh_sandbox, caplog):
    with caplog.at_level(logging.DEBUG):
        app.register_callback(["user_add_org"])
        with pytest.raises(APIError):           # unknown tag: a warning, then DingTalk's 71008
            app.update_callback(["some_new_tag"])
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert AES_KEY not in text and TOKEN not in text
    assert "some_new_tag" in text


def test_sandbox_rejects_what_dingtalk_rejects(app, fresh_sandbox):
    body = {"call_back_tag": ["user_add_org"], "token": TOKEN, "aes_key": AES_KEY[:40], "url": URL}
    with pytest.raises(APIError) as info:
        app.oapi_post(REGISTER, body)
    assert (info.value.errcode, info.value.errmsg) == (900004, "不合法的aeskey")
    with pytest.raises(APIError) as info:
        app.oapi_post(REGISTER, dict(body, aes_key=AES_KEY, url="not a url"))
    assert info.value.errcode == 71011
    with pytest.raises(APIError) as info:
        app.oapi_post(REGISTER, dict(body, aes_key=AES_KEY, token=""))
    assert info.value.errcode == 71010
    assert registration(fresh_sandbox) is None


def test_failed_results_are_handed_out_in_batches(app, fresh_sandbox):
    assert app.get_call_back_failed_result() == []
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == (FAILED, "GET")
    state = fresh_sandbox.state.domain("callbacks", CallbacksState)
    with fresh_sandbox.state.lock:
        for i in range(450):
            state.add_failed("user_modify_org", userid=[f"user{i:04d}"], event_time=1700000000000 + i)
    first = app.get_call_back_failed_result()                 # the seed's shape: the list itself
    assert len(first) == 200 and first[0] == {"event_time": 1700000000000, "call_back_tag": "user_modify_org",
                                              "corpid": fresh_sandbox.credentials["corp_id"],
                                              "userid": ["user0000"]}
    rest = list(app.iter_call_back_failed_result())
    assert [e["userid"][0] for e in rest] == [f"user{i:04d}" for i in range(200, 450)]
    assert fresh_sandbox.calls[FAILED] == 4                     # 0 events, 200, 200, 50
    assert app.get_all_call_back_failed_result() == []


def test_failed_result_walker_can_be_bounded(app, fresh_sandbox):
    state = fresh_sandbox.state.domain("callbacks", CallbacksState)
    with fresh_sandbox.state.lock:
        for i in range(500):
            state.add_failed("chat_quit", event_time=i)
    assert len(list(app.iter_call_back_failed_result(max_batches=2))) == 400
    assert len(app.get_all_call_back_failed_result()) == 100


def test_deleting_and_draining_are_not_retried(app, fresh_sandbox):
    app.register_callback(["user_add_org"])
    fresh_sandbox.inject("/call_back/delete_call_back", errcode=-1)
    with pytest.raises(SystemBusyError):
        app.delete_callback()
    assert fresh_sandbox.calls["/call_back/delete_call_back"] == 1
    fresh_sandbox.inject(FAILED, errcode=-1)
    with pytest.raises(SystemBusyError):
        app.get_call_back_failed_result()
    assert fresh_sandbox.calls[FAILED] == 1
    fresh_sandbox.inject("/call_back/get_call_back", errcode=-1)   # a plain read is retried
    assert app.get_callback()["url"] == URL
    assert fresh_sandbox.calls["/call_back/get_call_back"] == 2


def test_known_tags():
    for tag in ("user_add_org", "user_modify_org", "user_leave_org", "org_admin_add", "org_admin_remove",
                "org_dept_create", "org_dept_modify", "org_dept_remove", "org_remove", "org_change",
                "label_user_change", "label_conf_add", "label_conf_del", "label_conf_modify",
                "bpms_task_change", "bpms_instance_change", "chat_add_member", "chat_remove_member",
                "chat_quit", "chat_update_owner", "chat_update_title", "chat_disband", "check_in",
                "attendance_check_record", "attendance_schedule_change", "attendance_overtime_duration"):
        assert tag in KNOWN_CALLBACK_TAGS
    assert isinstance(KNOWN_CALLBACK_TAGS, tuple) and len(set(KNOWN_CALLBACK_TAGS)) == len(KNOWN_CALLBACK_TAGS)
