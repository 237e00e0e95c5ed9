"""群会话 group chats (``/chat/*``) and 机器人 custom-robot messages (``/robot/send``).

A group chat is created by the app (``create_chat``), which may then read it, change its
members, name and owner, send messages to it and see who read them. A custom robot posts
to the group it was added to through its webhook: that call carries the ROBOT's
``access_token`` (and, when the robot signs, ``timestamp`` + ``sign``), not the app's.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

from ..errors import ParameterError
from ..messages import Message, Robot, coerce_msg
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin
from ._paging import iter_cursor

Ids = Union[str, Iterable[Any], None]

#: DingTalk's limits of chat/create and chat/update.
MAX_NAME_CHARS = 20
MAX_MEMBERS_PER_CALL = 40
#: chat/getReadList pages hold at most 100 userids.
MAX_READ_PAGE = 100

# snake_case keyword → DingTalk's field, for the 0/1 switches of create/update
_SWITCHES = {
    "show_history_type": "showHistoryType",
    "searchable": "searchable",
    "validation_type": "validationType",
    "mention_all_authority": "mentionAllAuthority",
    "management_type": "managementType",
    "chat_banned_type": "chatBannedType",
}


def _chatid(chatid: Any) -> str:
    if not isinstance(chatid, str) or not chatid.strip():
        raise ParameterError(f"chatid must be the chat id returned by create_chat, got {chatid!r}")
    return chatid


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("name must be a non-empty string")
    if len(name) > MAX_NAME_CHARS:
        raise ParameterError(f"a group name takes 1 to {MAX_NAME_CHARS} characters (DingTalk's limit), got {len(name)}")
    return name


def _switches(values: Dict[str, Any]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for key, value in values.items():
        if value is None:
            continue
        if value not in (0, 1) or isinstance(value, float):
            raise ParameterError(f"{key} must be 0 or 1 (or True/False), got {value!r}")
        out[_SWITCHES[key]] = int(value)
    return out


def _members(name: str, value: Ids, *, required: bool = False) -> Optional[List[str]]:
    items = _limits.id_list(name, value, MAX_MEMBERS_PER_CALL)
    if required and not items:
        raise ParameterError(f"{name} is required: give at least one userid")
    return items or None


class ChatsMixin(ApiMixin):
    """群会话 group chats and 机器人 robot messages."""

    # -- group chats ---------------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.chat.create")
    def create_chat(self, name: str, owner: str, useridlist: Ids, *, show_history_type: Optional[int] = None,
                    searchable: Optional[int] = None, validation_type: Optional[int] = None,
                    mention_all_authority: Optional[int] = None, management_type: Optional[int] = None,
                    chat_banned_type: Optional[int] = None, icon: Optional[str] = None) -> Dict[str, Any]:
        """Create a group chat: returns ``{chatid, openConversationId, conversationTag, ...}``.

        ``owner`` must be one of ``useridlist`` (1 to 40 userids per call). The 0/1 switches:
        ``show_history_type`` (new members see the last 100 messages), ``searchable``,
        ``validation_type`` (joining needs approval), ``mention_all_authority`` (only the owner
        may @all), ``management_type`` (only the owner manages), ``chat_banned_type`` (mute all).
        Doc: https://open.dingtalk.com/document/orgapp/create-group-session

        >>> app.create_chat("项目群", "user0002", ["user0002", "user0003"])["chatid"]  # doctest: +SKIP
        """
        members = _members("useridlist", useridlist, required=True) or []
        owner = _limits.required("owner", owner)
        if str(owner) not in members:
            raise ParameterError("owner must be one of useridlist (DingTalk's rule)")
        body: Dict[str, Any] = {"name": _name(name), "owner": str(owner), "useridlist": members,
                                "icon": icon}
        body.update(_switches({"show_history_type": show_history_type, "searchable": searchable,
                               "validation_type": validation_type,
                               "mention_all_authority": mention_all_authority,
                               "management_type": management_type, "chat_banned_type": chat_banned_type}))
        return self._oapi_post("/chat/create", {k: v for k, v in body.items() if v is not None},
                               name="dingtalk.oapi.chat.create")

    @dingtalk("dingtalk.oapi.chat.get")
    def get_chat(self, chatid: str) -> Dict[str, Any]:
        """A group chat's ``chat_info``: ``{name, owner, useridlist, searchable, ...}``.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-a-group-session

        >>> app.get_chat(chatid)["useridlist"]  # doctest: +SKIP
        """
        data = self._oapi_get("/chat/get", {"chatid": _chatid(chatid)}, name="dingtalk.oapi.chat.get")
        return data.get("chat_info") or {}

    @dingtalk("dingtalk.oapi.chat.update")
    def update_chat(self, chatid: str, name: Optional[str] = None, owner: Optional[str] = None,
                    add_useridlist: Ids = None, del_useridlist: Ids = None, icon: Optional[str] = None, *,
                    show_history_type: Optional[int] = None, searchable: Optional[int] = None,
                    validation_type: Optional[int] = None, mention_all_authority: Optional[int] = None,
                    management_type: Optional[int] = None, chat_banned_type: Optional[int] = None) -> Dict[str, Any]:
        """Change a group chat: name, owner, members (at most 40 added and 40 removed per call),
        icon and the 0/1 switches of :meth:`create_chat`. Returns the whole answer.

        Doc: https://open.dingtalk.com/document/orgapp/modify-a-group-session

        >>> app.update_chat(chatid, add_useridlist=["user0004"], name="新群名")  # doctest: +SKIP
        """
        body: Dict[str, Any] = {"chatid": _chatid(chatid)}
        if name is not None:
            body["name"] = _name(name)
        if owner is not None:
            body["owner"] = str(_limits.required("owner", owner))
        adds = _members("add_useridlist", add_useridlist)
        dels = _members("del_useridlist", del_useridlist)
        if adds and dels and set(adds) & set(dels):
            raise ParameterError("a userid cannot be both added and removed in one call")
        if adds:
            body["add_useridlist"] = adds
        if dels:
            body["del_useridlist"] = dels
        if icon is not None:
            body["icon"] = icon
        body.update(_switches({"show_history_type": show_history_type, "searchable": searchable,
                               "validation_type": validation_type,
                               "mention_all_authority": mention_all_authority,
                               "management_type": management_type, "chat_banned_type": chat_banned_type}))
        if len(body) == 1:
            raise ParameterError("nothing to update: give a name, owner, members, icon or a switch")
        return self._oapi_post("/chat/update", body, name="dingtalk.oapi.chat.update")

    def add_chat_members(self, chatid: str, userids: Ids) -> Dict[str, Any]:
        """Add up to 40 members: ``app.add_chat_members(chatid, ["user0004"])``.

        Doc: https://open.dingtalk.com/document/orgapp/modify-a-group-session
        """
        return self.update_chat(chatid, add_useridlist=_members("userids", userids, required=True))

    def remove_chat_members(self, chatid: str, userids: Ids) -> Dict[str, Any]:
        """Remove up to 40 members: ``app.remove_chat_members(chatid, ["user0004"])``.

        Doc: https://open.dingtalk.com/document/orgapp/modify-a-group-session
        """
        return self.update_chat(chatid, del_useridlist=_members("userids", userids, required=True))

    def rename_chat(self, chatid: str, name: str) -> Dict[str, Any]:
        """Rename a group chat: ``app.rename_chat(chatid, "新群名")``.

        Doc: https://open.dingtalk.com/document/orgapp/modify-a-group-session
        """
        return self.update_chat(chatid, name=_name(name))

    def set_chat_owner(self, chatid: str, owner: str) -> Dict[str, Any]:
        """Hand the group to another member: ``app.set_chat_owner(chatid, "user0003")``.

        Doc: https://open.dingtalk.com/document/orgapp/modify-a-group-session
        """
        return self.update_chat(chatid, owner=_limits.required("owner", owner))

    @dingtalk("dingtalk.oapi.chat.updategroupnick")
    def update_chat_group_nick(self, chatid: str, userid: str, group_nick: str) -> Dict[str, Any]:
        """Set a member's nickname in a group (群昵称); returns the whole answer.

        Doc: https://open.dingtalk.com/document/orgapp/set-the-group-nickname

        >>> app.update_chat_group_nick(chatid, "user0003", "小张")  # doctest: +SKIP
        """
        body = {"chatid": _chatid(chatid), "userid": str(_limits.required("userid", userid)),
                "group_nick": _limits.required("group_nick", group_nick)}
        if not isinstance(group_nick, str):
            raise ParameterError("group_nick must be a string")
        return self._topapi("chat/updategroupnick", body, write=True, name="dingtalk.oapi.chat.updategroupnick")

    @dingtalk("dingtalk.oapi.chat.send")
    def send_chat_message(self, chatid: str, msg: Union[Message, Dict[str, Any], str],
                          msgcontent: Union[Dict[str, Any], str, None] = None) -> str:
        """Send a message to a group chat as the app; returns its ``messageId``.

        ``msg`` is a builder (``Text("你好")``), a whole ``{"msgtype": ..., ...}`` dict, or a
        msgtype string with ``msgcontent`` (as :meth:`async_send_msg`).
        Doc: https://open.dingtalk.com/document/orgapp/send-group-messages

        >>> app.send_chat_message(chatid, Text("大家好"))  # doctest: +SKIP
        """
        body = {"chatid": _chatid(chatid), "msg": coerce_msg(msg, msgcontent)}
        return str(self._oapi_post("/chat/send", body, name="dingtalk.oapi.chat.send").get("messageId") or "")

    @dingtalk("dingtalk.oapi.chat.getReadList")
    def get_chat_read_list(self, message_id: str, cursor: int = 0, size: int = MAX_READ_PAGE) -> Dict[str, Any]:
        """One page of who read a group message: ``{"readUserIdList": [...], "next_cursor": n}``;
        ``next_cursor`` is None on the last page.

        Doc: https://open.dingtalk.com/document/orgapp/queries-the-list-of-people-who-have-read-a-group-message

        >>> app.get_chat_read_list(message_id, size=100)["readUserIdList"]  # doctest: +SKIP
        """
        if not isinstance(message_id, str) or not message_id.strip():
            raise ParameterError(f"message_id must be the messageId returned by send_chat_message, got {message_id!r}")
        params = {"messageId": message_id, "cursor": _limits.offset("cursor", cursor),
                  "size": _limits.page_size("size", size, MAX_READ_PAGE)}
        data = self._oapi_get("/chat/getReadList", params, name="dingtalk.oapi.chat.getReadList")
        return {"readUserIdList": data.get("readUserIdList") or [], "next_cursor": data.get("next_cursor")}

    def iter_chat_read_list(self, message_id: str, size: int = MAX_READ_PAGE) -> Iterator[str]:
        """Every userid that read a group message, page after page.

        Doc: https://open.dingtalk.com/document/orgapp/queries-the-list-of-people-who-have-read-a-group-message

        >>> for userid in app.iter_chat_read_list(message_id): ...  # doctest: +SKIP
        """
        _limits.page_size("size", size, MAX_READ_PAGE)

        def fetch(cursor: Any) -> Any:
            page = self.get_chat_read_list(message_id, cursor=int(cursor or 0), size=size)
            return page["readUserIdList"], page["next_cursor"]

        return iter_cursor(fetch, 0)

    def get_all_chat_read_list(self, message_id: str) -> List[str]:
        """All userids that read a group message (every page).

        Doc: https://open.dingtalk.com/document/orgapp/queries-the-list-of-people-who-have-read-a-group-message

        >>> app.get_all_chat_read_list(message_id)  # doctest: +SKIP
        """
        return list(self.iter_chat_read_list(message_id))

    # -- custom robots -------------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.robot.send")
    def send_robot_message(self, robot: Union[Robot, str], message: Union[Message, Dict[str, Any]], *,
                           secret: Optional[str] = None, at_mobiles: Ids = None, at_user_ids: Ids = None,
                           is_at_all: Optional[bool] = None, timestamp: Optional[int] = None) -> Dict[str, Any]:
        """Post to a group through a custom robot's webhook; returns the whole answer.

        ``robot`` is a :class:`~dingtalk.messages.Robot`, the webhook URL or its
        ``access_token``; ``secret`` is the signing secret (加签) when not in the Robot. The
        message is a robot-capable builder (Text, Link, Markdown, ActionCard, FeedCard) or a
        robot body dict. ``at_mobiles``/``at_user_ids``/``is_at_all`` @-mention people (text and
        markdown). ``timestamp`` (epoch ms) defaults to now. The robot's token and secret never
        appear in logs or errors.
        Doc: https://open.dingtalk.com/document/robots/custom-robot-access

        >>> app.send_robot_message(Robot(token, secret="SEC..."), Text("构建失败"))  # doctest: +SKIP
        """
        if isinstance(robot, Robot):
            bot = robot if secret is None else Robot(robot.access_token, secret)
        elif isinstance(robot, str) and "://" in robot:
            bot = Robot.from_webhook(robot, secret)
        else:
            bot = Robot(robot, secret)
        if isinstance(message, Message):
            body = message.to_robot()
        elif isinstance(message, dict) and isinstance(message.get("msgtype"), str) \
                and isinstance(message.get(message["msgtype"]), dict):
            body = json.loads(json.dumps(message))
        else:
            raise ParameterError("message must be a dingtalk.messages builder (Text, Link, Markdown, "
                                 'ActionCard, FeedCard) or a robot body like {"msgtype": "text", "text": {...}}')
        at: Dict[str, Any] = {}
        mobiles = _limits.id_list("at_mobiles", at_mobiles)
        userids = _limits.id_list("at_user_ids", at_user_ids)
        if mobiles:
            at["atMobiles"] = mobiles
        if userids:
            at["atUserIds"] = userids
        if is_at_all is not None:
            at["isAtAll"] = bool(is_at_all)
        if at:
            body["at"] = {**(body.get("at") or {}), **at}
        if timestamp is None:
            timestamp = int(self._clock() * 1000)
        elif isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp <= 0:
            raise ParameterError(f"timestamp must be epoch milliseconds, got {timestamp!r}")
        return self._oapi_post("/robot/send", body, name="dingtalk.oapi.robot.send",
                               params=bot.query(timestamp), authenticated=False)
