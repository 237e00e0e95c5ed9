"""Message builders (dingtalk.messages): shapes for work notices, group chats and robots; validation."""
from __future__ import annotations

import base64
import hashlib
import hmac
import pickle

import pytest

from dingtalk.errors import ParameterError
from dingtalk.messages import (OA, ActionCard, File, FeedCard, Image, Link, Markdown, Robot, Text, Voice,
                               coerce_msg, robot_sign)


# -- shapes ----------------------------------------------------------------------------------------------
def test_text_both_channels():
    msg = Text("你好")
    assert msg.to_msg() == {"msgtype": "text", "text": {"content": "你好"}}
    assert msg.to_robot() == {"msgtype": "text", "text": {"content": "你好"}}
    assert msg.content == {"content": "你好"} and msg == Text("你好") and msg != Text("再见")


def test_media_messages():
    assert Image("@img").to_msg() == {"msgtype": "image", "image": {"media_id": "@img"}}
    assert File("#file").to_msg() == {"msgtype": "file", "file": {"media_id": "#file"}}
    assert Voice("@voice", 60).to_msg() == {"msgtype": "voice", "voice": {"media_id": "@voice", "duration": "60"}}


def test_link_needs_a_picture_except_for_robots():
    link = Link("标题", "描述", "https://example.com")
    assert link.to_robot() == {"msgtype": "link", "link": {"title": "标题", "text": "描述",
                                                           "messageUrl": "https://example.com"}}
    with pytest.raises(ParameterError, match="pic_url"):
        link.to_msg()
    full = Link("标题", "描述", "https://example.com", pic_url="@pic")
    assert full.to_msg() == {"msgtype": "link", "link": {"title": "标题", "text": "描述",
                                                         "messageUrl": "https://example.com", "picUrl": "@pic"}}
    assert full.to_robot()["link"]["picUrl"] == "@pic"


def test_markdown():
    md = Markdown("周报", "## 本周")
    assert md.to_msg() == {"msgtype": "markdown", "markdown": {"title": "周报", "text": "## 本周"}}
    assert md.to_robot() == md.to_msg()


def test_action_card_single_and_multi():
    single = ActionCard.single("审批", "**请处理**", "查看", "https://example.com/d")
    assert single == ActionCard("审批", "**请处理**", single_title="查看", single_url="https://example.com/d")
    assert single.to_msg() == {"msgtype": "action_card", "action_card": {
        "title": "审批", "markdown": "**请处理**", "single_title": "查看", "single_url": "https://example.com/d"}}
    assert single.to_robot() == {"msgtype": "actionCard", "actionCard": {
        "title": "审批", "text": "**请处理**", "singleTitle": "查看", "singleURL": "https://example.com/d"}}
    multi = ActionCard.multi("投票", "选一个", [("A", "https://example.com/a"),
                                              {"title": "B", "action_url": "https://example.com/b"}], 1)
    assert multi.to_msg()["action_card"] == {
        "title": "投票", "markdown": "选一个", "btn_orientation": "1",
        "btn_json_list": [{"title": "A", "action_url": "https://example.com/a"},
                          {"title": "B", "action_url": "https://example.com/b"}]}
    assert multi.to_robot()["actionCard"]["btns"] == [{"title": "A", "actionURL": "https://example.com/a"},
                                                      {"title": "B", "actionURL": "https://example.com/b"}]
    hidden = ActionCard("t", "m", single_title="s", single_url="dingtalk://dingtalkclient/page/link?url=x",
                        hide_avatar=True)
    assert hidden.to_robot()["actionCard"]["hideAvatar"] == "1" and "hideAvatar" not in hidden.to_msg()["action_card"]


def test_oa_message():
    oa = OA("https://example.com/oa", "审批", "FF00AA00", title="请假", content="两天",
            form={"姓名": "张三", "天数": 2}, rich=(2, "天"), image="@img", file_count=3, author="张三",
            pc_message_url="https://example.com/pc", status_value="待审批", status_bg="0xFFF65E5E")
    assert oa.to_msg() == {"msgtype": "oa", "oa": {
        "message_url": "https://example.com/oa", "pc_message_url": "https://example.com/pc",
        "head": {"bgcolor": "FF00AA00", "text": "审批"},
        "status_bar": {"status_value": "待审批", "status_bg": "0xFFF65E5E"},
        "body": {"title": "请假", "content": "两天", "form": [{"key": "姓名", "value": "张三"},
                                                           {"key": "天数", "value": "2"}],
                 "rich": {"num": "2", "unit": "天"}, "image": "@img", "file_count": "3", "author": "张三"}}}


def test_feed_card_is_robot_only():
    feed = FeedCard([("一", "https://example.com/1", "https://example.com/1.png"),
                     {"title": "二", "message_url": "https://example.com/2", "pic_url": "https://example.com/2.png"}])
    assert feed.to_robot()["feedCard"]["links"][1] == {"title": "二", "messageURL": "https://example.com/2",
                                                       "picURL": "https://example.com/2.png"}
    with pytest.raises(ParameterError, match="robot-only"):
        feed.to_msg()


@pytest.mark.parametrize("message", [Image("@i"), Voice("@v", 5), File("#f"), OA("https://e.com", title="t")])
def test_robots_cannot_send_media_or_oa(message):
    with pytest.raises(ParameterError, match="robot"):
        message.to_robot()


def test_messages_are_copies():
    msg = Text("原文")
    msg.to_msg()["text"]["content"] = "改了"
    assert msg.to_msg()["text"]["content"] == "原文"


# -- validation -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [
    lambda: Text(""), lambda: Text("   "), lambda: Text(123), lambda: Text(None),
    lambda: Image(""), lambda: File(None),
    lambda: Voice("@v", 0), lambda: Voice("@v", 61), lambda: Voice("@v", True), lambda: Voice("@v", 1.5),
    lambda: Link("", "x", "https://e.com"), lambda: Link("t", "x", "ftp://e.com"), lambda: Link("t", "x", "e.com"),
    lambda: Markdown("t", ""),
    lambda: ActionCard("t", "m"),
    lambda: ActionCard("t", "m", single_title="s", single_url="https://e.com", buttons=[("a", "https://e.com")]),
    lambda: ActionCard("t", "m", single_title="s"),
    lambda: ActionCard("t", "m", buttons=[]),
    lambda: ActionCard("t", "m", buttons=[("a",)]),
    lambda: ActionCard("t", "m", buttons="a,b"),
    lambda: ActionCard("t", "m", buttons=[("a", "not a url")]),
    lambda: ActionCard("t", "m", buttons=[("a", "https://e.com")], btn_orientation="2"),
    lambda: OA("https://e.com"),
    lambda: OA("https://e.com", head_bgcolor="#FFBBBB", title="t"),
    lambda: OA("https://e.com", head_bgcolor="0xFFBBBBBB", title="t"),
    lambda: OA("https://e.com", title="t", status_value="x", status_bg="FF78C06E"),
    lambda: OA("https://e.com", title="t", status_bg="0xFF78C06E"),
    lambda: OA("https://e.com", form=[("only key",)]),
    lambda: OA("https://e.com", rich=5),
    lambda: OA("https://e.com", title="t", file_count=-1),
    lambda: OA("not a url", title="t"),
    lambda: FeedCard([]), lambda: FeedCard([("t", "https://e.com")]), lambda: FeedCard("x"),
])
def test_builder_validation(build):
    with pytest.raises(ParameterError):
        build()


# -- coerce_msg: every accepted form of async_send_msg / send_chat_message ----------------------------------
def test_coerce_forms():
    expected = {"msgtype": "text", "text": {"content": "x"}}
    assert coerce_msg(Text("x")) == expected
    assert coerce_msg("text", {"content": "x"}) == expected
    assert coerce_msg("text", '{"content": "x"}') == expected
    assert coerce_msg("text", b'{"content": "x"}') == expected
    assert coerce_msg("text", "x") == expected
    assert coerce_msg("text", Text("x")) == expected
    assert coerce_msg({"msgtype": "text", "text": {"content": "x"}}) == expected
    assert coerce_msg("text", "123") == {"msgtype": "text", "text": {"content": "123"}}


@pytest.mark.parametrize("args", [
    (Text("x"), {"content": "y"}), ("markdown", Text("x")), ({"msgtype": "text"},), ({"text": {}},),
    ("text", None), ("text", {}), ("image", "media"), ("Bad Type", {"content": "x"}), (42, {"content": "x"}),
    (FeedCard([("t", "https://e.com", "https://e.com/p")]),),
])
def test_coerce_rejects(args):
    with pytest.raises(ParameterError):
        coerce_msg(*args)


# -- robots -----------------------------------------------------------------------------------------------
def test_robot_sign_matches_dingtalk_formula():
    secret, stamp = "SEC" + "ab" * 32, 1577836800000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert robot_sign(secret, stamp) == expected
    robot = Robot("tok", secret)
    assert robot.query(stamp) == {"access_token": "tok", "timestamp": stamp, "sign": expected}
    assert Robot("tok").query(stamp) == {"access_token": "tok"}


def test_robot_from_webhook_and_masking():
    robot = Robot.from_webhook("https://oapi.dingtalk.com/robot/send?access_token=abc123def", "SECsecret")
    assert robot.access_token == "abc123def" and robot.secret == "SECsecret" and robot.signed
    assert robot == Robot("abc123def", "SECsecret") and robot != Robot("abc123def")
    for text in (repr(robot), str(robot), f"{robot}", repr([robot])):
        assert "abc123def" not in text and "SECsecret" not in text
    assert repr(robot) == "Robot(access_token='***', signed=True)"
    assert pickle.loads(pickle.dumps(robot)) == robot


@pytest.mark.parametrize("build", [
    lambda: Robot(""), lambda: Robot(None), lambda: Robot("https://oapi.dingtalk.com/robot/send?access_token=x"),
    lambda: Robot("tok", secret=""), lambda: Robot.from_webhook("https://oapi.dingtalk.com/robot/send"),
    lambda: Robot.from_webhook(None),
])
def test_robot_validation(build):
    with pytest.raises(ParameterError) as info:
        build()
    assert "access_token=x" not in str(info.value)
