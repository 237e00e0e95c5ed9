"""Group chats (oapi ``/chat/*``, topapi ``chat/updategroupnick``) and custom robots (``/robot/send``).

State (:class:`ChatsState`, ``state.domain("chats", ...)``): chats by chatid, the messages sent
to them (by the app through ``chat/send`` or by a robot) with who read them, and the custom
robots with their webhook token, security setting and chat.

Seeded, deterministic data:

* chat :data:`SEED_CHAT_ID` "研发中心项目群", owner user0002, members user0002…user0007, with one
  message :data:`SEED_MESSAGE_ID` read by user0003, user0004 and user0005;
* two robots in that chat: ``"sign"`` (加签: a ``SEC...`` secret) and ``"keywords"``
  (自定义关键词 "告警"/"通知"). :func:`robot_credentials` gives a test their token/secret.

The robot endpoint checks what DingTalk checks: the token (300001 "token is not exist"), the
signature (310000 "sign not match"; "invalid timestamp" more than an hour away), the keywords
(310000 "keywords not in content"), the 20-messages-a-minute limit (130101) and the message.
Messages nobody read stay unread until :func:`read_chat_message` marks them read.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import time
from collections import deque
from typing import Any, Deque, Dict, Iterable, List, Optional

from .base import Ctx, RouteError, Router, int_param, json_param, list_param, str_param
from .messages import check_msg

SEED_CHAT_ID = "chat" + hashlib.md5(b"sandbox-chat-1").hexdigest()
SEED_MESSAGE_ID = "msg" + hashlib.md5(b"sandbox-chat-message-1").hexdigest()
MAX_NAME_CHARS = 20
MAX_MEMBERS_PER_CALL = 40
MAX_MEMBERS = 1000
ROBOT_TYPES = ("text", "link", "markdown", "actionCard", "feedCard")
ROBOT_PER_MINUTE = 20
ROBOT_WINDOW_MS = 3600 * 1000

_SWITCHES = ("showHistoryType", "searchable", "validationType", "mentionAllAuthority",
             "managementType", "chatBannedType")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ChatsState:
    """Chats, their messages and the custom robots of one sandbox (see the module docstring)."""

    def __init__(self, state: Any) -> None:
        self.chats: Dict[str, Dict[str, Any]] = {}
        self.messages: Dict[str, Dict[str, Any]] = {}
        self.robots: Dict[str, Dict[str, Any]] = {}
        self._chat_seq = 0
        self._message_seq = 0
        chat = self.new_chat("研发中心项目群", "user0002",
                             ["user0002", "user0003", "user0004", "user0005", "user0006", "user0007"])
        if chat["chatid"] != SEED_CHAT_ID:  # the seed must own the well-known ids
            raise RuntimeError("the sandbox chat seed did not get its fixed chat id")
        message = self.new_message(SEED_CHAT_ID, {"msgtype": "text", "text": {"content": "项目周会改到周五下午"}},
                                   sender="app")
        if message["messageId"] != SEED_MESSAGE_ID:
            raise RuntimeError("the sandbox chat seed did not get its fixed message id")
        message["read"] = ["user0003", "user0004", "user0005"]
        for kind, name, secret, keywords in (
                ("sign", "构建通知", "SEC" + _digest("sandbox-robot-secret-1"), []),
                ("keywords", "告警机器人", None, ["告警", "通知"])):
            token = _digest(f"sandbox-robot-{kind}")
            self.robots[token] = {"kind": kind, "name": name, "secret": secret, "keywords": keywords,
                                  "chatid": SEED_CHAT_ID, "sent": deque()}

    def new_chat(self, name: str, owner: str, members: List[str], **switches: int) -> Dict[str, Any]:
        self._chat_seq += 1
        seed = f"sandbox-chat-{self._chat_seq}"
        chatid = "chat" + hashlib.md5(seed.encode("utf-8")).hexdigest()
        cid = "cid" + base64.b64encode(hashlib.sha1(seed.encode("utf-8")).digest()[:15]).decode("ascii") + "=="
        chat: Dict[str, Any] = {
            "chatid": chatid, "openConversationId": cid, "name": name, "owner": owner,
            "useridlist": list(dict.fromkeys(members)), "icon": "", "status": 1, "conversationTag": 2,
            "group_nicks": {}, **{s: 0 for s in _SWITCHES}}
        chat.update(switches)
        self.chats[chatid] = chat
        return chat

    def new_message(self, chatid: str, msg: Dict[str, Any], *, sender: str,
                    at: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        self._message_seq += 1
        message_id = "msg" + hashlib.md5(f"sandbox-chat-message-{self._message_seq}".encode("utf-8")).hexdigest()
        message: Dict[str, Any] = {"messageId": message_id, "chatid": chatid, "msg": copy.deepcopy(msg), "sender": sender,
                   "at": copy.deepcopy(at), "read": [], "created": time.time()}
        self.messages[message_id] = message
        return message


def _domain(ctx: Ctx) -> ChatsState:
    return ctx.state.domain("chats", ChatsState)


def _chat(ctx: Ctx, chats: ChatsState, chatid: Optional[str]) -> Dict[str, Any]:
    chat = chats.chats.get(chatid or "")
    if chat is None:
        raise ctx.error(34001, "无效的会话id")
    return chat


def _name(ctx: Ctx, params: Dict[str, Any], required: bool) -> Optional[str]:
    name = str_param(ctx, params, "name", required=required)
    if name is not None and len(name) > MAX_NAME_CHARS:
        raise ctx.invalid("name", f"群名称长度不能超过{MAX_NAME_CHARS}个字符")
    return name


def _users(ctx: Ctx, userids: Iterable[str]) -> None:
    for userid in userids:
        if userid not in ctx.state.users:
            raise ctx.error(60121, "找不到该用户")


def _switches(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for name in _SWITCHES:
        value = int_param(ctx, params, name, minimum=0, maximum=1)
        if value is not None:
            out[name] = value
    return out


def _info(chat: Dict[str, Any]) -> Dict[str, Any]:
    info = {k: copy.deepcopy(v) for k, v in chat.items()
            if k not in ("chatid", "openConversationId", "group_nicks")}
    return info


# -- chat/* ------------------------------------------------------------------------------------------
def chat_create(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /chat/create`` {name, owner, useridlist, ...} → ``chatid``, ``openConversationId``."""
    name = _name(ctx, params, True) or ""
    owner = str_param(ctx, params, "owner", required=True) or ""
    members = list_param(ctx, params, "useridlist", required=True, max_items=MAX_MEMBERS_PER_CALL)
    switches = _switches(ctx, params)
    icon = str_param(ctx, params, "icon")
    chats = _domain(ctx)
    with ctx.lock:
        _users(ctx, [owner, *members])
        if owner not in members:
            raise ctx.invalid("owner", "群主必须是群成员之一")
        chat = chats.new_chat(name, owner, members, **switches)
        if icon:
            chat["icon"] = icon
        return {"chatid": chat["chatid"], "openConversationId": chat["openConversationId"],
                "conversationTag": chat["conversationTag"]}


def chat_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /chat/get?chatid=`` → ``chat_info``."""
    chatid = str_param(ctx, params, "chatid", required=True)
    chats = _domain(ctx)
    with ctx.lock:
        return {"chat_info": _info(_chat(ctx, chats, chatid))}


def chat_update(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /chat/update`` {chatid, name, owner, add_useridlist, del_useridlist, ...}."""
    chatid = str_param(ctx, params, "chatid", required=True)
    name = _name(ctx, params, False)
    owner = str_param(ctx, params, "owner")
    adds = list_param(ctx, params, "add_useridlist", max_items=MAX_MEMBERS_PER_CALL)
    dels = list_param(ctx, params, "del_useridlist", max_items=MAX_MEMBERS_PER_CALL)
    switches = _switches(ctx, params)
    icon = str_param(ctx, params, "icon")
    chats = _domain(ctx)
    with ctx.lock:
        chat = _chat(ctx, chats, chatid)
        _users(ctx, adds)
        members = [u for u in dict.fromkeys([*chat["useridlist"], *adds]) if u not in dels]
        new_owner = owner or chat["owner"]
        if owner is not None:
            _users(ctx, [owner])
        if chat["owner"] in dels and owner is None:
            raise ctx.invalid("del_useridlist", "不能移除群主")
        if new_owner not in members:
            raise ctx.invalid("owner", "群主必须是群成员之一")
        if len(members) > MAX_MEMBERS:
            raise ctx.invalid("add_useridlist", f"群人数不能超过{MAX_MEMBERS}")
        chat["useridlist"] = members
        chat["owner"] = new_owner
        if name is not None:
            chat["name"] = name
        if icon is not None:
            chat["icon"] = icon
        chat.update(switches)
        for userid in dels:
            chat["group_nicks"].pop(userid, None)
    return {}


def chat_send(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /chat/send`` {chatid, msg} → ``messageId``."""
    chatid = str_param(ctx, params, "chatid", required=True)
    msg = check_msg(ctx, json_param(ctx, params, "msg", required=True))
    chats = _domain(ctx)
    with ctx.lock:
        _chat(ctx, chats, chatid)
        return {"messageId": chats.new_message(chatid or "", msg, sender="app")["messageId"]}


def chat_read_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /chat/getReadList?messageId=&cursor=&size=`` → ``readUserIdList`` (+ ``next_cursor``)."""
    message_id = str_param(ctx, params, "messageId", required=True)
    cursor = int_param(ctx, params, "cursor", 0, minimum=0) or 0
    size = int_param(ctx, params, "size", 100, minimum=1, maximum=100) or 100
    chats = _domain(ctx)
    with ctx.lock:
        message = chats.messages.get(message_id or "")
        if message is None:
            raise ctx.invalid("messageId", "消息不存在")
        readers = list(message["read"])
    out: Dict[str, Any] = {"readUserIdList": readers[cursor:cursor + size]}
    if cursor + size < len(readers):
        out["next_cursor"] = cursor + size
    return out


def chat_updategroupnick(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/chat/updategroupnick`` {chatid, userid, group_nick} → ``success``."""
    chatid = str_param(ctx, params, "chatid", required=True)
    userid = str_param(ctx, params, "userid", required=True) or ""
    nick = str_param(ctx, params, "group_nick", required=True)
    chats = _domain(ctx)
    with ctx.lock:
        chat = _chat(ctx, chats, chatid)
        if userid not in chat["useridlist"]:
            raise ctx.invalid("userid", "该用户不在群中")
        chat["group_nicks"][userid] = nick
    return {"success": True}


# -- robot/send -------------------------------------------------------------------------------------
def _robot_error(message: str) -> RouteError:
    return RouteError(310000, message)


def _robot_text(value: Any) -> str:
    """Every string in a robot message (for the keyword check)."""
    if isinstance(value, str):
        return value + "\n"
    if isinstance(value, dict):
        return "".join(_robot_text(v) for v in value.values())
    if isinstance(value, list):
        return "".join(_robot_text(v) for v in value)
    return ""


def _check_robot_body(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    kind = str_param(ctx, params, "msgtype", required=True) or ""
    if kind not in ROBOT_TYPES:
        raise ctx.error(40008, "不合法的消息类型")
    body = params.get(kind)
    if not isinstance(body, dict):
        raise ctx.missing(kind)
    required = {"text": ("content",), "link": ("title", "text", "messageUrl"),
                "markdown": ("title", "text"), "actionCard": ("title", "text"), "feedCard": ("links",)}
    for name in required[kind]:
        if not body.get(name):
            raise ctx.missing(f"{kind}.{name}")
    if kind == "actionCard" and not (body.get("singleTitle") and body.get("singleURL")) and not body.get("btns"):
        raise ctx.missing("actionCard.singleTitle/singleURL or actionCard.btns")
    msg = {"msgtype": kind, kind: body}
    at = params.get("at")
    if at is not None and not isinstance(at, dict):
        raise ctx.invalid("at")
    return {"msg": msg, "at": at}


def robot_send(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /robot/send?access_token=<robot token>[&timestamp=&sign=]`` {msgtype, ...}."""
    token = ctx.query.get("access_token") or ""
    chats = _domain(ctx)
    with ctx.lock:
        robot = chats.robots.get(token)
    if robot is None:
        raise ctx.error(300001, "token is not exist")
    if robot["secret"] is not None:
        stamp = ctx.query.get("timestamp") or ""
        now_ms = int(time.time() * 1000)
        if not stamp.isdigit() or abs(now_ms - int(stamp)) > ROBOT_WINDOW_MS:
            raise _robot_error("invalid timestamp")
        expected = base64.b64encode(hmac.new(robot["secret"].encode("utf-8"),
                                             f"{stamp}\n{robot['secret']}".encode("utf-8"),
                                             hashlib.sha256).digest()).decode("ascii")
        if not hmac.compare_digest(expected.encode("ascii"), (ctx.query.get("sign") or "").encode("utf-8")):
            raise _robot_error("sign not match")
    checked = _check_robot_body(ctx, params)
    if robot["keywords"]:
        text = _robot_text(checked["msg"])
        if not any(word in text for word in robot["keywords"]):
            raise _robot_error("keywords not in content")
    with ctx.lock:
        sent: Deque[float] = robot["sent"]
        now = ctx.state.now()
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= ROBOT_PER_MINUTE:
            raise ctx.error(130101, "send too fast, exceed 20 times per minute")
        sent.append(now)
        chats.new_message(robot["chatid"], checked["msg"], sender=f"robot:{robot['name']}", at=checked["at"])
    return {}


# -- helpers for tests (take the Sandbox object) ---------------------------------------------------
def chats_state(sandbox: Any) -> ChatsState:
    """This domain's state of a sandbox (hold ``sandbox.state.lock`` while changing it)."""
    return sandbox.state.domain("chats", ChatsState)


def robot_credentials(sandbox: Any, kind: str = "sign") -> Dict[str, Any]:
    """A seeded robot of the sandbox: ``{access_token, secret, keywords, chatid, webhook}``.

    ``kind`` is ``"sign"`` (加签, ``secret`` set) or ``"keywords"`` (``secret`` None).
    """
    chats = chats_state(sandbox)
    with sandbox.state.lock:
        for token, robot in chats.robots.items():
            if robot["kind"] == kind:
                return {"access_token": token, "secret": robot["secret"], "keywords": list(robot["keywords"]),
                        "chatid": robot["chatid"], "webhook": f"{sandbox.url}/robot/send?access_token={token}"}
    raise KeyError(f"no seeded robot of kind {kind!r} (use 'sign' or 'keywords')")


def chat_messages(sandbox: Any, chatid: str) -> List[Dict[str, Any]]:
    """Copies of the messages of a chat, oldest first (``msg``, ``sender``, ``at``, ``read``)."""
    chats = chats_state(sandbox)
    with sandbox.state.lock:
        return [copy.deepcopy(m) for m in chats.messages.values() if m["chatid"] == chatid]


def read_chat_message(sandbox: Any, message_id: str, userids: Optional[Iterable[str]] = None) -> List[str]:
    """Mark chat members as having read a message (every member when ``userids`` is None)."""
    chats = chats_state(sandbox)
    with sandbox.state.lock:
        message = chats.messages[message_id]
        members = chats.chats[message["chatid"]]["useridlist"]
        wanted = list(members) if userids is None else [u for u in userids if u in members]
        message["read"] = list(dict.fromkeys([*message["read"], *wanted]))
        return wanted


def register(router: Router) -> None:
    """Register this domain's routes."""
    router.post("/chat/create")(chat_create)
    router.get("/chat/get")(chat_get)
    router.post("/chat/update")(chat_update)
    router.post("/chat/send")(chat_send)
    router.get("/chat/getReadList")(chat_read_list)
    router.post("/topapi/chat/updategroupnick")(chat_updategroupnick)
    router.post("/robot/send", auth=False)(robot_send)
