"""myservice against a local DingTalk: the sandbox fixtures of ``dingtalk.testing``.

``dingtalk_sandbox`` is a DingTalkApp pointed at the sandbox; ``dingtalk_sandbox_server`` is
the sandbox itself: what it received (``calls``, ``requests``), faults (``inject``), tokens.
Its seeded company has department 6 (后端组) with user0003, user0004 and user0012, whose
leader user0002 approves leave requests of the process ``PROC-SANDBOX-LEAVE``.
"""
from datetime import datetime, timedelta, timezone

import pytest

from dingtalk.errors import ServerError

import myservice

BACKEND = 6
BACKEND_MEMBERS = ["user0003", "user0004", "user0012"]
LEAVE = "PROC-SANDBOX-LEAVE"
SEND = "/topapi/message/corpconversation/asyncsend_v2"


def request_leave(app, originator, approver):
    form = {"请假类型": "年假", "开始时间": "2027-01-04", "结束时间": "2027-01-05",
            "请假天数": "2", "请假事由": "回家"}
    return app.create_bpms_instance(LEAVE, originator, BACKEND, [approver], form)["process_instance_id"]


def test_notify_department_sends_one_notice_to_its_members(dingtalk_sandbox, dingtalk_sandbox_server):
    result = myservice.notify_department(dingtalk_sandbox, BACKEND, "周五下午三点开周会")

    assert sorted(result["recipients"]) == BACKEND_MEMBERS
    # what DingTalk received: one work notice, for exactly those users, with our text
    sends = [r for r in dingtalk_sandbox_server.requests if r["path"] == SEND]
    assert len(sends) == 1
    body = sends[0]["json"]
    assert sorted(body["userid_list"].split(",")) == BACKEND_MEMBERS
    assert body["msg"] == {"msgtype": "text", "text": {"content": "周五下午三点开周会"}}
    assert str(body["agent_id"]) == dingtalk_sandbox_server.credentials["agent_id"]
    # and what DingTalk says about it
    send_result = dingtalk_sandbox.get_msg_send_result(result["task_id"])["send_result"]
    assert sorted(send_result["unread_user_id_list"]) == BACKEND_MEMBERS


def test_a_department_without_members_gets_no_notice(dingtalk_sandbox, dingtalk_sandbox_server):
    empty = dingtalk_sandbox.create_department(name="新项目组", parentid=1)

    assert myservice.notify_department(dingtalk_sandbox, empty, "欢迎") == {"task_id": None, "recipients": []}
    assert dingtalk_sandbox_server.calls[SEND] == 0


def test_system_busy_while_listing_members_is_retried(dingtalk_sandbox, dingtalk_sandbox_server):
    dingtalk_sandbox_server.inject("/user/simplelist", errcode=-1, times=2)  # "系统繁忙" twice

    result = myservice.notify_department(dingtalk_sandbox, BACKEND, "周会改到周四")

    assert result["task_id"] is not None
    listing = [r["faulted"] for r in dingtalk_sandbox_server.requests if r["path"] == "/user/simplelist"]
    assert listing == ["errcode", "errcode", None]  # two faulted answers, then the real one


def test_a_failed_send_raises_and_is_not_repeated(dingtalk_sandbox, dingtalk_sandbox_server):
    dingtalk_sandbox_server.inject(SEND, status=502)

    with pytest.raises(ServerError):
        myservice.notify_department(dingtalk_sandbox, BACKEND, "周会取消")
    # DingTalk may have sent it already: the SDK never repeats a write, so no duplicate notice
    assert dingtalk_sandbox_server.calls[SEND] == 1


def test_an_expired_token_is_refreshed_once(dingtalk_sandbox, dingtalk_sandbox_server):
    myservice.notify_department(dingtalk_sandbox, BACKEND, "第一条")
    dingtalk_sandbox_server.expire_tokens()  # as if two hours had passed

    myservice.notify_department(dingtalk_sandbox, BACKEND, "第二条")

    assert dingtalk_sandbox_server.calls["/gettoken"] == 2
    assert dingtalk_sandbox_server.calls[SEND] == 2


def test_approve_all_agrees_to_what_waits_for_the_approver(dingtalk_sandbox):
    since = datetime.now(timezone.utc) - timedelta(days=1)
    mine = request_leave(dingtalk_sandbox, "user0003", approver="user0002")
    not_mine = request_leave(dingtalk_sandbox, "user0004", approver="manager0001")

    waiting = myservice.pending_approvals(dingtalk_sandbox, LEAVE, "user0002", since)
    assert [item["process_instance_id"] for item in waiting] == [mine]

    assert myservice.approve_all(dingtalk_sandbox, LEAVE, "user0002", since) == [mine]
    approved = dingtalk_sandbox.get_process_instance(mine)
    assert (approved["status"], approved["result"]) == ("COMPLETED", "agree")
    assert dingtalk_sandbox.get_process_instance(not_mine)["status"] == "RUNNING"
    assert myservice.pending_approvals(dingtalk_sandbox, LEAVE, "user0002", since) == []
