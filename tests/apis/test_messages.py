"""Work notices (工作通知) over real HTTP against the sandbox: send, progress, result, recall, status bar."""
from __future__ import annotations

import re

import pytest

from dingtalk import DingTalkApp
from dingtalk.errors import APIError, ParameterError
from dingtalk.messages import OA, ActionCard, File, Image, Link, Markdown, Text, Voice
from dingtalk.sandbox.routes.messages import SEED_TASK_ID, read_work_notice, work_notice

SEND = "/topapi/message/corpconversation/asyncsend_v2"
PROGRESS = "/topapi/message/corpconversation/getsendprogress"
RESULT = "/topapi/message/corpconversation/getsendresult"
RECALL = "/topapi/message/corpconversation/recall"
STATUS_BAR = "/topapi/message/corpconversation/status_bar/update"
REQUEST_ID = re.compile(r"^[0-9a-z]{13}$")
AGENT = 100001
ACTIVE = ["manager0001", "user0002", "user0003", "user0004", "user0005", "user0006", "user0007",
          "user0008", "user0009", "user0011", "user0012"]


def last(sandbox, path):
    calls = [r for r in sandbox.requests if r["path"] == path]
    assert calls, f"no request to {path}"
    return calls[-1]


def sent_to(sandbox, prefix="/topapi/message/"):
    return [r for r in sandbox.requests if r["path"].startswith(prefix)]


# -- sending -----------------------------------------------------------------------------------------
def test_send_work_notice_with_builder(fresh_app, fresh_sandbox):
    out = fresh_app.send_work_notice(Text("你好"), userid_list=["user0003"])
    req = last(fresh_sandbox, SEND)
    assert req["method"] == "POST" and req["query"]["access_token"]
    assert req["json"] == {"agent_id": AGENT, "to_all_user": False, "userid_list": "user0003",
                           "msg": {"msgtype": "text", "text": {"content": "你好"}}}
    assert set(out) == {"request_id", "task_id", "success"} and out["success"] is True
    assert isinstance(out["task_id"], int) and REQUEST_ID.match(out["request_id"])
    assert work_notice(fresh_sandbox, out["task_id"])["msg"] == {"msgtype": "text", "text": {"content": "你好"}}


def test_seed_form_json_text_is_not_double_encoded(fresh_app, fresh_sandbox):
    out = fresh_app.async_send_msg("text", '{"content": "一次编码"}', userid_list="user0002,user0003")
    req = last(fresh_sandbox, SEND)
    assert req["json"]["msg"] == {"msgtype": "text", "text": {"content": "一次编码"}}
    assert req["json"]["userid_list"] == "user0002,user0003"
    assert work_notice(fresh_sandbox, out["task_id"])["userids"] == ["user0002", "user0003"]


def test_plain_text_msgcontent_is_the_text(fresh_app, fresh_sandbox):
    fresh_app.async_send_msg("text", "直接写文本", userid_list=["user0002"])
    assert last(fresh_sandbox, SEND)["json"]["msg"] == {"msgtype": "text", "text": {"content": "直接写文本"}}


def test_to_all_user_without_user_list_is_sent(fresh_app, fresh_sandbox):
    out = fresh_app.async_send_msg("text", {"content": "全员通知"}, to_all_user=True)
    req = last(fresh_sandbox, SEND)
    assert req["json"]["to_all_user"] is True
    assert "userid_list" not in req["json"] and "dept_id_list" not in req["json"]
    result = fresh_app.get_msg_send_result(out["task_id"])["send_result"]
    assert sorted(result["unread_user_id_list"]) == ACTIVE  # user0010 is inactive


def test_departments_only(fresh_app, fresh_sandbox):
    out = fresh_app.async_send_msg("markdown", {"title": "研发", "text": "## 周会"}, dept_id_list=[2, "999"])
    assert last(fresh_sandbox, SEND)["json"]["dept_id_list"] == "2,999"
    result = fresh_app.get_msg_send_result(out["task_id"])["send_result"]
    assert sorted(result["unread_user_id_list"]) == ["user0002", "user0003", "user0004", "user0005",
                                                     "user0006", "user0007", "user0012"]
    assert result["invalid_dept_id_list"] == ["999"]


@pytest.mark.parametrize("message", [
    Text("文本"),
    Image("@lADOADmaWMzazQKA"),
    Voice("@lATOADmaWMzazQKA", duration=10),
    File("#iAEHAqRmaWxlA6h6aXA"),
    Link("标题", "描述", "https://example.com/a", pic_url="@lADOADmaWMzazQKA"),
    OA("https://example.com/oa", "审批", title="请假申请", form=[("姓名", "张三"), ("天数", 2)],
       rich=(2, "天"), content="家中有事", author="张三", file_count=1, pc_message_url="https://example.com/pc"),
    Markdown("周报", "## 本周\n- 完成 A"),
    ActionCard.single("审批", "**请处理**", "查看详情", "https://example.com/d"),
    ActionCard.multi("投票", "午饭吃什么", [("面", "https://example.com/1"), ("饭", "https://example.com/2")], "1"),
], ids=["text", "image", "voice", "file", "link", "oa", "markdown", "action_card_single", "action_card_multi"])
def test_every_work_notice_type(fresh_app, fresh_sandbox, message):
    out = fresh_app.send_work_notice(message, userid_list=["user0002"])
    assert last(fresh_sandbox, SEND)["json"]["msg"] == message.to_msg()
    assert work_notice(fresh_sandbox, out["task_id"])["msg"] == message.to_msg()


def test_run_with_every_registered_send_name(fresh_app, fresh_sandbox):
    a = fresh_app.run("dingtalk.corp.message.corpconversation.asyncsend", msgtype="text",
                      msgcontent={"content": "旧名字"}, userid_list=["user0002"])
    b = fresh_app.run("dingtalk.oapi.message.corpconversation.asyncsend", msgtype="text",
                      msgcontent='{"content": "旧名字"}', userid_list=["user0002"])
    c = fresh_app.run("dingtalk.oapi.message.corpconversation.asyncsend_v2",
                      msg={"msgtype": "text", "text": {"content": "新名字"}}, userid_list="user0002")
    assert [r["path"] for r in sent_to(fresh_sandbox)] == [SEND] * 3
    assert c["task_id"] == b["task_id"] + 1 == a["task_id"] + 2
    assert last(fresh_sandbox, SEND)["json"]["msg"]["text"] == {"content": "新名字"}


# -- progress / result ---------------------------------------------------------------------------------------
def test_progress(fresh_app, fresh_sandbox):
    task = fresh_app.send_work_notice(Text("x"), userid_list=["user0002"])["task_id"]
    out = fresh_app.get_msg_send_progress(task)
    req = last(fresh_sandbox, PROGRESS)
    assert req["method"] == "POST" and req["json"] == {"agent_id": AGENT, "task_id": task}
    assert out["progress"] == {"progress_in_percent": 100, "status": 2} and out["success"] is True
    assert REQUEST_ID.match(out["request_id"])
    same = fresh_app.run("dingtalk.corp.message.corpconversation.getsendprogress", task_id=str(task))
    assert same["progress"] == out["progress"]
    assert last(fresh_sandbox, PROGRESS)["json"] == {"agent_id": AGENT, "task_id": task}


def test_result_follows_recipients_and_reads(fresh_app, fresh_sandbox):
    task = fresh_app.send_work_notice(Text("x"), userid_list=["user0002", "user0003", "ghost"])["task_id"]
    first = fresh_app.get_msg_send_result(task)
    assert last(fresh_sandbox, RESULT)["json"] == {"agent_id": AGENT, "task_id": task}
    assert first["success"] is True and REQUEST_ID.match(first["request_id"])
    result = first["send_result"]
    assert result["unread_user_id_list"] == ["user0002", "user0003"] and result["read_user_id_list"] == []
    assert result["invalid_user_id_list"] == ["ghost"]
    assert read_work_notice(fresh_sandbox, task, ["user0003", "ghost"]) == ["user0003"]
    result = fresh_app.run("dingtalk.oapi.message.corpconversation.getsendresult", task_id=task)["send_result"]
    assert result["read_user_id_list"] == ["user0003"] and result["unread_user_id_list"] == ["user0002"]


def test_seeded_task_exists_on_a_fresh_sandbox(fresh_app):
    result = fresh_app.get_msg_send_result(SEED_TASK_ID)["send_result"]
    assert result["read_user_id_list"] == ["user0002"]
    assert result["unread_user_id_list"] == ["user0003", "user0004"]


# -- recall / status bar ------------------------------------------------------------------------------------
def test_recall_shows_in_result_and_twice_is_an_error(fresh_app, fresh_sandbox):
    task = fresh_app.send_work_notice(Text("发错了"), userid_list=["user0002", "user0003"])["task_id"]
    out = fresh_app.recall_work_notice(task)
    req = last(fresh_sandbox, RECALL)
    assert req["method"] == "POST" and req["json"] == {"agent_id": AGENT, "msg_task_id": task}
    assert out["success"] is True and REQUEST_ID.match(out["request_id"])
    result = fresh_app.get_msg_send_result(task)["send_result"]
    assert result["unread_user_id_list"] == [] and result["read_user_id_list"] == []
    assert result["recalled_user_id_list"] == ["user0002", "user0003"]
    with pytest.raises(APIError) as info:
        fresh_app.recall_work_notice(task)
    assert info.value.errcode == 40035 and info.value.errmsg == "该消息已撤回"


def test_status_bar_update(fresh_app, fresh_sandbox):
    oa = OA("https://example.com/leave/1", "请假", title="张三的请假", status_value="待审批", status_bg="0xFFF65E5E")
    task = fresh_app.send_work_notice(oa, userid_list=["user0002"])["task_id"]
    assert work_notice(fresh_sandbox, task)["msg"]["oa"]["status_bar"] == {"status_value": "待审批",
                                                                          "status_bg": "0xFFF65E5E"}
    out = fresh_app.update_work_notice_status_bar(task, "已同意", "0xFF78C06E")
    req = last(fresh_sandbox, STATUS_BAR)
    assert req["json"] == {"agent_id": AGENT, "task_id": task, "status_value": "已同意", "status_bg": "0xFF78C06E"}
    assert out["success"] is True
    assert work_notice(fresh_sandbox, task)["msg"]["oa"]["status_bar"] == {"status_value": "已同意",
                                                                          "status_bg": "0xFF78C06E"}
    fresh_app.run("dingtalk.oapi.message.corpconversation.status_bar.update", task_id=task, status_value="已归档")
    assert last(fresh_sandbox, STATUS_BAR)["json"] == {"agent_id": AGENT, "task_id": task, "status_value": "已归档"}
    assert work_notice(fresh_sandbox, task)["msg"]["oa"]["status_bar"] == {"status_value": "已归档"}


def test_status_bar_of_a_text_notice_is_refused(fresh_app):
    task = fresh_app.send_work_notice(Text("x"), userid_list=["user0002"])["task_id"]
    with pytest.raises(APIError) as info:
        fresh_app.update_work_notice_status_bar(task, "已同意")
    assert info.value.errcode == 40035 and "OA" in info.value.errmsg


# -- DingTalk's errors ----------------------------------------------------------------------------------------
def test_unknown_task_is_an_api_error(fresh_app):
    for call in (fresh_app.get_msg_send_progress, fresh_app.get_msg_send_result, fresh_app.recall_work_notice):
        with pytest.raises(APIError) as info:
            call(123456789)
        assert info.value.errcode == 40035 and info.value.errmsg == "任务不存在"


def test_wrong_agent_id_is_refused(fresh_app):
    with pytest.raises(APIError) as info:
        fresh_app.send_work_notice(Text("x"), userid_list=["user0002"], agent_id=999)
    assert info.value.errcode == 40056 and info.value.errmsg == "不合法的agentid"


def test_unknown_message_type_is_refused_by_dingtalk(fresh_app):
    with pytest.raises(APIError) as info:
        fresh_app.async_send_msg("telegram", {"content": "x"}, userid_list=["user0002"])
    assert info.value.errcode == 40008 and info.value.errmsg == "不合法的消息类型"


def test_incomplete_body_is_refused_by_dingtalk(fresh_app):
    with pytest.raises(APIError) as info:
        fresh_app.async_send_msg("link", {"title": "没有链接"}, userid_list=["user0002"])
    assert info.value.errcode == 40035 and "link.messageUrl" in info.value.errmsg


# -- limits: ParameterError before anything is sent ---------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    dict(msgtype="text", msgcontent={"content": "x"}, userid_list=[f"u{i}" for i in range(5001)]),
    dict(msgtype="text", msgcontent={"content": "x"}, dept_id_list=list(range(1, 502))),
    dict(msgtype="text", msgcontent={"content": "x"}, dept_id_list=["研发部"]),
    dict(msgtype="text", msgcontent={"content": "x"}),
    dict(msgtype="text", msgcontent={"content": "x"}, userid_list=[]),
    dict(msgtype="text", msgcontent={"content": "长" * 700}, userid_list=["user0002"]),
    dict(msgtype="text", msgcontent=None, userid_list=["user0002"]),
    dict(msgtype="link", msgcontent="not json", userid_list=["user0002"]),
    dict(msgtype="text", msgcontent=[1, 2], userid_list=["user0002"]),
    dict(msgtype="Text!", msgcontent={"content": "x"}, userid_list=["user0002"]),
    dict(msgtype=Text("x"), msgcontent={"content": "y"}, userid_list=["user0002"]),
    dict(msgtype="markdown", msgcontent=Text("x"), userid_list=["user0002"]),
    dict(msgtype="text", msgcontent={"content": "x"}, msg={"msgtype": "text", "text": {}}, userid_list=["u"]),
    dict(msgtype=None, userid_list=["user0002"]),
    dict(msgtype=Link("t", "x", "https://example.com"), userid_list=["user0002"]),
])
def test_send_limits(fresh_app, fresh_sandbox, kwargs):
    with pytest.raises(ParameterError):
        fresh_app.async_send_msg(**kwargs)
    assert fresh_sandbox.requests == []


def test_exactly_5000_users_is_fine(fresh_app, fresh_sandbox):
    out = fresh_app.async_send_msg("text", {"content": "x"}, userid_list=[f"u{i}" for i in range(5000)])
    assert len(last(fresh_sandbox, SEND)["json"]["userid_list"].split(",")) == 5000
    assert len(fresh_app.get_msg_send_result(out["task_id"])["send_result"]["invalid_user_id_list"]) == 5000


@pytest.mark.parametrize("call", [
    lambda app: app.get_msg_send_progress("abc"),
    lambda app: app.get_msg_send_progress(0),
    lambda app: app.get_msg_send_result(None),
    lambda app: app.get_msg_send_result(True),
    lambda app: app.recall_work_notice(-5),
    lambda app: app.update_work_notice_status_bar(1, ""),
    lambda app: app.update_work_notice_status_bar(1, "已同意", status_bg="green"),
    lambda app: app.update_work_notice_status_bar(1, "已同意", status_bg="FF78C06E"),
    lambda app: app.get_msg_send_progress(1, agent_id="abc"),
])
def test_task_call_limits(fresh_app, fresh_sandbox, call):
    with pytest.raises(ParameterError):
        call(fresh_app)
    assert fresh_sandbox.requests == []


def test_agent_id_is_required(fresh_sandbox):
    creds = fresh_sandbox.credentials
    app = DingTalkApp(name="no-agent", app_key=creds["app_key"], app_secret=creds["app_secret"],
                      oapi_url=fresh_sandbox.url, top_url=fresh_sandbox.top_url, api_url=fresh_sandbox.url)
    with app:
        with pytest.raises(ParameterError, match="agent_id"):
            app.send_work_notice(Text("x"), userid_list=["user0002"])
        assert fresh_sandbox.requests == []
        out = app.send_work_notice(Text("x"), userid_list=["user0002"], agent_id=creds["agent_id"])
        assert out["task_id"] and last(fresh_sandbox, SEND)["json"]["agent_id"] == AGENT
