"""Group chats (群会话) and custom robots (机器人) over real HTTP against the sandbox."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
import traceback

import pytest

from dingtalk.errors import APIError, ParameterError
from dingtalk.messages import ActionCard, FeedCard, Image, Link, Markdown, OA, Robot, Text, robot_sign
from dingtalk.sandbox.routes.chats import (SEED_CHAT_ID, SEED_MESSAGE_ID, chat_messages, chats_state,
                                           read_chat_message, robot_credentials)

MEMBERS = ["user0002", "user0003", "user0004"]


def last(sandbox, path):
    calls = [r for r in sandbox.requests if r["path"] == path]
    assert calls, f"no request to {path}"
    return calls[-1]


def new_chat(app, members=MEMBERS, **kwargs):
    return app.create_chat("项目群", members[0], members, **kwargs)["chatid"]


# -- create / get / update -----------------------------------------------------------------------------------------
def test_create_then_get(fresh_app, fresh_sandbox):
    created = fresh_app.create_chat("项目群", "user0002", MEMBERS, show_history_type=1, searchable=True)
    req = last(fresh_sandbox, "/chat/create")
    assert req["method"] == "POST" and req["query"]["access_token"]
    assert req["json"] == {"name": "项目群", "owner": "user0002", "useridlist": MEMBERS,
                           "showHistoryType": 1, "searchable": 1}
    assert created["errcode"] == 0 and created["chatid"].startswith("chat")
    assert created["openConversationId"].startswith("cid") and created["conversationTag"] == 2
    info = fresh_app.get_chat(created["chatid"])
    req = last(fresh_sandbox, "/chat/get")
    assert req["method"] == "GET" and req["query"]["chatid"] == created["chatid"]
    assert info["name"] == "项目群" and info["owner"] == "user0002" and info["useridlist"] == MEMBERS
    assert info["showHistoryType"] == 1 and info["searchable"] == 1 and info["validationType"] == 0
    assert fresh_app.run("dingtalk.oapi.chat.get", chatid=created["chatid"]) == info


def test_update_members_name_owner(fresh_app, fresh_sandbox):
    chatid = new_chat(fresh_app)
    assert fresh_app.add_chat_members(chatid, ["user0005", "user0006"])["errcode"] == 0
    assert last(fresh_sandbox, "/chat/update")["json"] == {"chatid": chatid, "add_useridlist": ["user0005", "user0006"]}
    fresh_app.remove_chat_members(chatid, "user0003")
    assert last(fresh_sandbox, "/chat/update")["json"] == {"chatid": chatid, "del_useridlist": ["user0003"]}
    fresh_app.rename_chat(chatid, "新名字")
    assert last(fresh_sandbox, "/chat/update")["json"] == {"chatid": chatid, "name": "新名字"}
    fresh_app.set_chat_owner(chatid, "user0005")
    assert last(fresh_sandbox, "/chat/update")["json"] == {"chatid": chatid, "owner": "user0005"}
    fresh_app.update_chat(chatid, chat_banned_type=1, management_type=0, icon="@lADOicon")
    assert last(fresh_sandbox, "/chat/update")["json"] == {"chatid": chatid, "icon": "@lADOicon",
                                                           "managementType": 0, "chatBannedType": 1}
    info = fresh_app.get_chat(chatid)
    assert info["useridlist"] == ["user0002", "user0004", "user0005", "user0006"]
    assert (info["name"], info["owner"], info["chatBannedType"], info["icon"]) == ("新名字", "user0005", 1, "@lADOicon")
    fresh_app.run("dingtalk.oapi.chat.update", chatid=chatid, add_useridlist=["user0007"], del_useridlist=["user0002"])
    assert fresh_app.get_chat(chatid)["useridlist"] == ["user0004", "user0005", "user0006", "user0007"]


def test_chat_errors(fresh_app):
    chatid = new_chat(fresh_app)
    cases = [
        (lambda: fresh_app.get_chat("chat-nope"), 34001, "无效的会话id"),
        (lambda: fresh_app.add_chat_members("chat-nope", ["user0005"]), 34001, "无效的会话id"),
        (lambda: fresh_app.add_chat_members(chatid, ["ghost"]), 60121, "找不到该用户"),
        (lambda: fresh_app.create_chat("群", "ghost", ["ghost"]), 60121, "找不到该用户"),
        (lambda: fresh_app.set_chat_owner(chatid, "user0009"), 40035, "群主必须是群成员之一"),
        (lambda: fresh_app.remove_chat_members(chatid, ["user0002"]), 40035, "不能移除群主"),
        (lambda: fresh_app.send_chat_message("chat-nope", Text("x")), 34001, "无效的会话id"),
        (lambda: fresh_app.get_chat_read_list("msg-nope"), 40035, "消息不存在"),
        (lambda: fresh_app.update_chat_group_nick(chatid, "user0009", "外人"), 40035, "该用户不在群中"),
    ]
    for call, errcode, errmsg in cases:
        with pytest.raises(APIError) as info:
            call()
        assert (info.value.errcode, info.value.errmsg) == (errcode, errmsg)
    assert fresh_app.get_chat(chatid)["useridlist"] == MEMBERS  # nothing changed


def test_group_nick(fresh_app, fresh_sandbox):
    chatid = new_chat(fresh_app)
    out = fresh_app.update_chat_group_nick(chatid, "user0003", "小张")
    req = last(fresh_sandbox, "/topapi/chat/updategroupnick")
    assert req["json"] == {"chatid": chatid, "userid": "user0003", "group_nick": "小张"}
    assert out["success"] is True and out["request_id"]
    with fresh_sandbox.state.lock:
        assert chats_state(fresh_sandbox).chats[chatid]["group_nicks"] == {"user0003": "小张"}


# -- chat messages and read lists -----------------------------------------------------------------------------------
@pytest.mark.parametrize("message", [
    Text("大家好"), Markdown("周报", "## 本周"), Image("@lADOimg"),
    Link("标题", "描述", "https://example.com", pic_url="@lADOpic"),
    OA("https://example.com/oa", "公告", content="下午开会"),
    ActionCard.multi("投票", "去哪", [("东", "https://example.com/e"), ("西", "https://example.com/w")]),
], ids=["text", "markdown", "image", "link", "oa", "action_card"])
def test_send_chat_message(fresh_app, fresh_sandbox, message):
    chatid = new_chat(fresh_app)
    message_id = fresh_app.send_chat_message(chatid, message)
    req = last(fresh_sandbox, "/chat/send")
    assert req["method"] == "POST" and req["json"] == {"chatid": chatid, "msg": message.to_msg()}
    stored = chat_messages(fresh_sandbox, chatid)
    assert [(m["messageId"], m["msg"], m["sender"]) for m in stored] == [(message_id, message.to_msg(), "app")]


def test_send_chat_message_seed_forms(fresh_app, fresh_sandbox):
    chatid = new_chat(fresh_app)
    fresh_app.send_chat_message(chatid, "text", {"content": "a"})
    fresh_app.send_chat_message(chatid, {"msgtype": "text", "text": {"content": "b"}})
    fresh_app.run("dingtalk.oapi.chat.send", chatid=chatid, msg=Text("c"))
    assert [m["msg"]["text"]["content"] for m in chat_messages(fresh_sandbox, chatid)] == ["a", "b", "c"]


def test_read_list_paging_reaches_the_end(fresh_app, fresh_sandbox):
    members = ["user0002", "user0003", "user0004", "user0005", "user0006", "user0007", "user0008"]
    chatid = new_chat(fresh_app, members)
    message_id = fresh_app.send_chat_message(chatid, Text("请回复"))
    assert fresh_app.get_chat_read_list(message_id) == {"readUserIdList": [], "next_cursor": None}
    read_chat_message(fresh_sandbox, message_id)
    first = fresh_app.get_chat_read_list(message_id, size=3)
    req = last(fresh_sandbox, "/chat/getReadList")
    assert req["method"] == "GET" and req["query"]["messageId"] == message_id
    assert (req["query"]["cursor"], req["query"]["size"]) == ("0", "3")
    assert first == {"readUserIdList": members[:3], "next_cursor": 3}
    fresh_sandbox.reset_counters()
    assert list(fresh_app.iter_chat_read_list(message_id, size=3)) == members
    cursors = [r["query"]["cursor"] for r in fresh_sandbox.requests if r["path"] == "/chat/getReadList"]
    assert cursors == ["0", "3", "6"]
    assert fresh_app.get_all_chat_read_list(message_id) == members


def test_seeded_chat_and_message(fresh_app):
    assert fresh_app.get_chat(SEED_CHAT_ID)["owner"] == "user0002"
    assert fresh_app.get_all_chat_read_list(SEED_MESSAGE_ID) == ["user0003", "user0004", "user0005"]


# -- limits --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda app: app.create_chat("名" * 21, "user0002", ["user0002"]),
    lambda app: app.create_chat("", "user0002", ["user0002"]),
    lambda app: app.create_chat("群", "user0002", [f"u{i}" for i in range(40)] + ["user0002"]),
    lambda app: app.create_chat("群", "user0009", ["user0002"]),
    lambda app: app.create_chat("群", "user0002", []),
    lambda app: app.create_chat("群", "user0002", ["user0002"], searchable=2),
    lambda app: app.get_chat(""),
    lambda app: app.update_chat(SEED_CHAT_ID),
    lambda app: app.update_chat(SEED_CHAT_ID, add_useridlist=["a"], del_useridlist=["a"]),
    lambda app: app.add_chat_members(SEED_CHAT_ID, [f"u{i}" for i in range(41)]),
    lambda app: app.add_chat_members(SEED_CHAT_ID, []),
    lambda app: app.rename_chat(SEED_CHAT_ID, "x" * 21),
    lambda app: app.update_chat_group_nick(SEED_CHAT_ID, "user0003", ""),
    lambda app: app.send_chat_message(SEED_CHAT_ID, FeedCard([("t", "https://e.com", "https://e.com/p.png")])),
    lambda app: app.send_chat_message(SEED_CHAT_ID, "text"),
    lambda app: app.get_chat_read_list(SEED_MESSAGE_ID, size=101),
    lambda app: app.get_chat_read_list(SEED_MESSAGE_ID, cursor=-1),
    lambda app: app.get_chat_read_list(""),
    lambda app: list(app.iter_chat_read_list(SEED_MESSAGE_ID, size=0)),
])
def test_chat_limits(fresh_app, fresh_sandbox, call):
    with pytest.raises(ParameterError):
        call(fresh_app)
    assert fresh_sandbox.requests == []


# -- robots ---------------------------------------------------------------------------------------------------------
def test_signed_robot_message(fresh_app, fresh_sandbox):
    bot = robot_credentials(fresh_sandbox, "sign")
    out = fresh_app.send_robot_message(Robot(bot["access_token"], bot["secret"]), Text("构建成功"),
                                       at_mobiles=["13800000003"], at_user_ids=["user0004"], is_at_all=False)
    assert out == {"errcode": 0, "errmsg": "ok"}
    assert [r["path"] for r in fresh_sandbox.requests] == ["/robot/send"]  # no app token fetched
    req = fresh_sandbox.requests[-1]
    assert req["method"] == "POST" and req["query"]["access_token"] == bot["access_token"]
    stamp = int(req["query"]["timestamp"])
    assert abs(stamp - time.time() * 1000) < 60_000
    expected = base64.b64encode(hmac.new(bot["secret"].encode(), f"{stamp}\n{bot['secret']}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert req["query"]["sign"] == expected
    assert req["json"] == {"msgtype": "text", "text": {"content": "构建成功"},
                           "at": {"atMobiles": ["13800000003"], "atUserIds": ["user0004"], "isAtAll": False}}
    stored = chat_messages(fresh_sandbox, bot["chatid"])[-1]
    assert stored["msg"] == {"msgtype": "text", "text": {"content": "构建成功"}}
    assert stored["sender"] == "robot:构建通知" and stored["at"]["atUserIds"] == ["user0004"]


def test_robot_given_as_webhook_or_token(fresh_app, fresh_sandbox):
    bot = robot_credentials(fresh_sandbox, "sign")
    fresh_app.send_robot_message(bot["webhook"], Markdown("发布", "## v1.2"), secret=bot["secret"],
                                 timestamp=int(time.time() * 1000) - 5000)
    req = fresh_sandbox.requests[-1]
    assert req["query"]["sign"] == robot_sign(bot["secret"], int(req["query"]["timestamp"]))
    fresh_app.run("dingtalk.oapi.robot.send", robot=bot["access_token"], secret=bot["secret"],
                  message={"msgtype": "text", "text": {"content": "原始格式"}})
    assert fresh_sandbox.requests[-1]["json"] == {"msgtype": "text", "text": {"content": "原始格式"}}
    kinds = [m["msg"]["msgtype"] for m in chat_messages(fresh_sandbox, bot["chatid"])]
    assert kinds[-2:] == ["markdown", "text"]


@pytest.mark.parametrize("message,body", [
    (Link("标题", "内容", "https://example.com"),
     {"msgtype": "link", "link": {"title": "标题", "text": "内容", "messageUrl": "https://example.com"}}),
    (ActionCard.single("标题", "内容", "阅读全文", "https://example.com"),
     {"msgtype": "actionCard", "actionCard": {"title": "标题", "text": "内容", "singleTitle": "阅读全文",
                                              "singleURL": "https://example.com"}}),
    (ActionCard.multi("标题", "内容", [("好", "https://example.com/y"), ("不好", "https://example.com/n")], 1),
     {"msgtype": "actionCard", "actionCard": {"title": "标题", "text": "内容", "btnOrientation": "1",
                                              "btns": [{"title": "好", "actionURL": "https://example.com/y"},
                                                       {"title": "不好", "actionURL": "https://example.com/n"}]}}),
    (FeedCard([("第一条", "https://example.com/1", "https://example.com/1.png")]),
     {"msgtype": "feedCard", "feedCard": {"links": [{"title": "第一条", "messageURL": "https://example.com/1",
                                                      "picURL": "https://example.com/1.png"}]}}),
], ids=["link", "action_card_single", "action_card_multi", "feed_card"])
def test_robot_message_types(fresh_app, fresh_sandbox, message, body):
    bot = robot_credentials(fresh_sandbox, "sign")
    fresh_app.send_robot_message(Robot(bot["access_token"], bot["secret"]), message)
    assert fresh_sandbox.requests[-1]["json"] == body
    assert chat_messages(fresh_sandbox, bot["chatid"])[-1]["msg"] == body


def test_keyword_robot(fresh_app, fresh_sandbox):
    bot = robot_credentials(fresh_sandbox, "keywords")
    assert bot["secret"] is None and bot["keywords"] == ["告警", "通知"]
    with pytest.raises(APIError) as info:
        fresh_app.send_robot_message(bot["webhook"], Text("磁盘快满了"))
    assert (info.value.errcode, info.value.errmsg) == (310000, "keywords not in content")
    assert fresh_app.send_robot_message(bot["webhook"], Markdown("告警", "磁盘快满了"))["errcode"] == 0
    assert set(fresh_sandbox.requests[-1]["query"]) == {"access_token"}  # unsigned: no timestamp/sign


@pytest.mark.parametrize("case,errcode,errmsg", [
    ("wrong secret", 310000, "sign not match"),
    ("unsigned", 310000, "invalid timestamp"),
    ("two hours old", 310000, "invalid timestamp"),
    ("unknown token", 300001, "token is not exist"),
])
def test_robot_errors(fresh_app, fresh_sandbox, case, errcode, errmsg):
    bot = robot_credentials(fresh_sandbox, "sign")
    robot, stamp = Robot(bot["access_token"], bot["secret"]), None
    if case == "wrong secret":
        robot = Robot(bot["access_token"], "SEC" + "0" * 64)
    elif case == "unsigned":
        robot = Robot(bot["access_token"])
    elif case == "two hours old":
        stamp = int(time.time() * 1000) - 2 * 3600 * 1000
    else:
        robot = Robot("f" * 64, bot["secret"])
    with pytest.raises(APIError) as info:
        fresh_app.send_robot_message(robot, Text("x"), timestamp=stamp)
    assert (info.value.errcode, info.value.errmsg) == (errcode, errmsg)
    assert len(chat_messages(fresh_sandbox, bot["chatid"])) == 1  # only the seeded message


def test_robot_rate_limit(fresh_app, fresh_sandbox):
    bot = Robot.from_webhook(robot_credentials(fresh_sandbox)["webhook"], robot_credentials(fresh_sandbox)["secret"])
    for i in range(20):
        fresh_app.send_robot_message(bot, Text(f"第{i}条"))
    with pytest.raises(APIError) as info:
        fresh_app.send_robot_message(bot, Text("第21条"))
    assert info.value.errcode == 130101
    fresh_sandbox.advance_clock(61)
    assert fresh_app.send_robot_message(bot, Text("一分钟后"))["errcode"] == 0


def test_robot_secrets_never_leak(fresh_app, fresh_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    bot = robot_credentials(fresh_sandbox, "sign")
    robot = Robot(bot["access_token"], bot["secret"])
    texts = [repr(robot), str(robot)]
    fresh_app.send_robot_message(robot, Text("ok"))
    sign = fresh_sandbox.requests[-1]["query"]["sign"]
    for bad in (Robot(bot["access_token"], "SECwrong"), Robot("unknown-token-123", bot["secret"])):
        with pytest.raises(APIError) as info:
            fresh_app.send_robot_message(bad, Text("x"))
        texts += [str(info.value), repr(info.value), "".join(traceback.format_exception(
            type(info.value), info.value, info.value.__traceback__))]
    for bad_args in ((bot["access_token"], Image("@x")), ("", Text("x")),
                     (f"https://oapi.dingtalk.com/robot/send?x={bot['access_token']}", Text("x"))):
        with pytest.raises(ParameterError) as perr:
            fresh_app.send_robot_message(*bad_args, secret=bot["secret"])
        texts.append(str(perr.value))
    texts += [rec.getMessage() for rec in caplog.records]
    blob = "\n".join(texts)
    for secret in (bot["access_token"], bot["secret"], "unknown-token-123", sign):
        assert secret not in blob
    assert any("urllib3" in rec.name for rec in caplog.records)  # the request lines were logged, masked


@pytest.mark.parametrize("call", [
    lambda app, bot: app.send_robot_message(Robot(bot["access_token"]), Image("@lADOx")),
    lambda app, bot: app.send_robot_message(Robot(bot["access_token"]), OA("https://e.com", content="x")),
    lambda app, bot: app.send_robot_message(Robot(bot["access_token"]), {"text": {"content": "x"}}),
    lambda app, bot: app.send_robot_message(Robot(bot["access_token"]), "text"),
    lambda app, bot: app.send_robot_message("https://oapi.dingtalk.com/robot/send", Text("x")),
    lambda app, bot: app.send_robot_message(bot["access_token"], Text("x"), secret=""),
    lambda app, bot: app.send_robot_message(Robot(bot["access_token"]), Text("x"), timestamp="now"),
])
def test_robot_limits(fresh_app, fresh_sandbox, call):
    bot = robot_credentials(fresh_sandbox)
    with pytest.raises(ParameterError):
        call(fresh_app, bot)
    assert fresh_sandbox.requests == []
