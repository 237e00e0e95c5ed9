"""Sandbox state survives a restart through state_path; the file is plain, atomic JSON."""
from __future__ import annotations

import json
import os

import pytest
import requests

from dingtalk import DingTalkApp
from dingtalk.errors import APIError
from dingtalk.sandbox import Sandbox


def app_on(sb, **kw):
    c = sb.credentials
    return DingTalkApp(name=kw.pop("name", "persist"), corp_id=c["corp_id"], corp_secret=c["corp_secret"],
                       agent_id=c["agent_id"], oapi_url=sb.url, top_url=sb.top_url, api_url=sb.url, **kw)


def test_state_survives_a_restart(tmp_path):
    path = str(tmp_path / "state.json")
    with Sandbox(state_path=path, check_url=False) as sb:
        app = app_on(sb)
        userid = app.create_user(name="持久化", mobile="13911112222", department=[1])["userid"]
        app.delete_user("user0012")
        dept = app.create_department(name="新部门", parentid=1)
        chat = app.create_chat("持久群", "user0002", ["user0002", "user0003"])["chatid"]
        media = app.upload_media("file", "你好".encode(), filename="a.txt")["media_id"]
        pid = app.create_bpms_instance("PROC-SANDBOX-LEAVE", "user0003", 6, ["user0002"],
                                       {"请假类型": "年假", "开始时间": "2026-01-05", "结束时间": "2026-01-05",
                                        "请假天数": "1", "请假事由": "x"})["process_instance_id"]
        app.register_callback(["user_add_org"], url="http://127.0.0.1:9/cb", token="t",
                              aes_key="4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij")
        token = app.access_token
    assert os.path.exists(path)

    with Sandbox(state_path=path, check_url=False) as again:
        assert again.token_valid(token)  # tokens keep their remaining validity
        app = app_on(again, name="persist-2")
        assert app.get_user(userid)["name"] == "持久化"
        with pytest.raises(APIError) as info:
            app.get_user("user0012")
        assert info.value.errcode == 60121
        assert app.get_department(dept)["name"] == "新部门"
        assert app.get_chat(chat)["name"] == "持久群"
        assert app.get_process_instance(pid)["status"] == "RUNNING"
        assert app.get_callback()["call_back_tag"] == ["user_add_org"]
        from dingtalk.sandbox.routes.files import DOMAIN, FilesState
        files = again.state.domain(DOMAIN, FilesState)
        assert any(m.get("data") == "你好".encode() for m in files.media.values())


def test_unused_domains_are_kept_across_two_restarts(tmp_path):
    path = str(tmp_path / "state.json")
    with Sandbox(state_path=path) as sb:
        chat = app_on(sb).create_chat("两次重启", "user0002", ["user0002", "user0003"])["chatid"]
    with Sandbox(state_path=path):
        pass  # nobody touches chats this time
    with Sandbox(state_path=path) as sb:
        assert app_on(sb).get_chat(chat)["name"] == "两次重启"


def test_file_format_and_control_endpoint(tmp_path):
    path = str(tmp_path / "state.json")
    with Sandbox(state_path=path) as sb:
        app_on(sb).create_user(name="接口保存", mobile="13922223333", department=[1])
        resp = requests.post(sb.url + "/_sandbox/save", timeout=5)
        assert resp.ok and resp.json()["path"] == path
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        assert data["format"] == "dingtalk-sandbox-state/1"
        assert any(u.get("name") == "接口保存" for u in data["core"]["users"].values())
        assert not [n for n in os.listdir(tmp_path) if n.startswith(".sandbox-state-")]  # no temp files left


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path):
    path = tmp_path / "state.json"
    path.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError):
        Sandbox(state_path=str(path))


def test_without_state_path_nothing_is_written(tmp_path):
    with Sandbox() as sb:
        app_on(sb).get_org_user_count()
        with pytest.raises(ValueError):
            sb.save()
    assert os.listdir(tmp_path) == []
