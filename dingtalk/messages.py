"""Message builders for work notices (工作通知), group chats (群会话) and robots (机器人).

Each class is a small, validated constructor of one DingTalk message type; a bad argument
raises :class:`~dingtalk.errors.ParameterError` at once, before anything is sent::

    from dingtalk.messages import Text, Markdown, ActionCard, Robot

    app.send_work_notice(Text("你好"), userid_list=["user0002"])
    app.async_send_msg(Markdown("周报", "## 本周\\n- 完成 A"), userid_list=["user0002"])
    app.send_chat_message(chatid, ActionCard.single("审批", "请处理", "查看", "https://example.com"))
    app.send_robot_message(Robot(token, secret="SEC..."), Text("构建失败"), at_mobiles=["138..."])

:meth:`Message.to_msg` gives the ``msg`` object of work notices and group chats
(``{"msgtype": "text", "text": {...}}``); :meth:`Message.to_robot` the body of a robot
webhook message, whose field names differ (``actionCard``/``singleURL``/``btns``). Types that
only one channel knows raise ParameterError on the other: ``image``/``voice``/``file``/``oa``
are not robot messages, ``FeedCard`` is a robot-only message.

:class:`Robot` holds a custom robot's webhook ``access_token`` and its signing secret
(加签); neither shows in ``repr``/``str``.

Doc: https://open.dingtalk.com/document/orgapp/message-types-and-data-format and
https://open.dingtalk.com/document/robots/custom-robot-access
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qs, urlsplit

from ._secrets import Secret
from .errors import ParameterError

__all__ = ["Message", "Text", "Image", "Voice", "File", "Link", "OA", "Markdown", "ActionCard",
           "FeedCard", "Robot", "robot_sign", "coerce_msg", "check_status_bg", "WORK_NOTICE_TYPES",
           "ROBOT_TYPES"]

#: ``msgtype`` values of work notices and group-chat messages.
WORK_NOTICE_TYPES = ("text", "image", "voice", "file", "link", "oa", "markdown", "action_card")
#: ``msgtype`` values of robot webhook messages.
ROBOT_TYPES = ("text", "link", "markdown", "actionCard", "feedCard")

#: A voice message plays at most 60 seconds (DingTalk's limit).
MAX_VOICE_SECONDS = 60
_ARGB = re.compile(r"^[0-9A-Fa-f]{8}$")

Button = Union[Tuple[str, str], Mapping[str, Any]]


def _text(name: str, value: Any, *, required: bool = True, max_chars: Optional[int] = None) -> Optional[str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ParameterError(f"{name} is required and must be a non-empty string")
        return None
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a string, got {type(value).__name__}")
    if max_chars is not None and len(value) > max_chars:
        raise ParameterError(f"{name} takes at most {max_chars} characters (DingTalk's limit), got {len(value)}")
    return value


def _url(name: str, value: Any, *, required: bool = True) -> Optional[str]:
    text = _text(name, value, required=required)
    if text is not None and not re.match(r"^(https?|dingtalk|eapp)://", text.strip(), re.I):
        raise ParameterError(f"{name} must be an http(s):// or dingtalk:// URL, got {text!r}")
    return text


class Message:
    """One message. ``msgtype`` is the work-notice/group-chat type (``None`` for robot-only
    types), ``robot_type`` the robot webhook type (``None`` when robots cannot send it)."""

    msgtype: Optional[str] = None
    robot_type: Optional[str] = None
    __slots__ = ("_body", "_robot_body")

    def __init__(self, body: Optional[Dict[str, Any]], robot_body: Optional[Dict[str, Any]] = None) -> None:
        self._body = body
        self._robot_body = robot_body

    @property
    def content(self) -> Dict[str, Any]:
        """The body under ``msg[msgtype]`` (work notices, group chats)."""
        return dict(self.to_msg()[self.msgtype])  # type: ignore[index]

    def to_msg(self) -> Dict[str, Any]:
        """``{"msgtype": t, t: {...}}`` as work notices and group chats take it."""
        if self.msgtype is None or self._body is None:
            raise ParameterError(f"{type(self).__name__} is a robot-only message: work notices and "
                                 f"group chats cannot send it")
        return {"msgtype": self.msgtype, self.msgtype: _copy(self._body)}

    def to_robot(self) -> Dict[str, Any]:
        """``{"msgtype": t, t: {...}}`` as a robot webhook takes it (without ``at``)."""
        if self.robot_type is None or self._robot_body is None:
            raise ParameterError(f"a custom robot cannot send {self.msgtype!r} messages; robots send "
                                 f"{', '.join(ROBOT_TYPES)}")
        return {"msgtype": self.robot_type, self.robot_type: _copy(self._robot_body)}

    def __eq__(self, other: Any) -> bool:
        return (type(other) is type(self) and other._body == self._body
                and other._robot_body == self._robot_body)

    def __hash__(self) -> int:  # pragma: no cover - messages are not meant as keys
        return hash((type(self).__name__, repr(self._body), repr(self._robot_body)))

    def __repr__(self) -> str:
        body = self._body if self._body is not None else self._robot_body
        return f"{type(self).__name__}({body!r})"


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class Text(Message):
    """A text message: ``Text("你好")``."""

    msgtype = "text"
    robot_type = "text"
    __slots__ = ()

    def __init__(self, content: str) -> None:
        body = {"content": _text("content", content)}
        super().__init__(body, dict(body))


class Image(Message):
    """An image by ``media_id`` (from media upload): ``Image("@lADOxxx")``. Not for robots."""

    msgtype = "image"
    __slots__ = ()

    def __init__(self, media_id: str) -> None:
        super().__init__({"media_id": _text("media_id", media_id)})


class Voice(Message):
    """A voice message (AMR, at most 60 s): ``Voice("@lATOxxx", duration=10)``. Not for robots."""

    msgtype = "voice"
    __slots__ = ()

    def __init__(self, media_id: str, duration: int) -> None:
        if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= MAX_VOICE_SECONDS:
            raise ParameterError(f"duration must be whole seconds from 1 to {MAX_VOICE_SECONDS} "
                                 f"(DingTalk's limit), got {duration!r}")
        super().__init__({"media_id": _text("media_id", media_id), "duration": str(duration)})


class File(Message):
    """A file by ``media_id``: ``File("#iAEHAqRmaWxlA6h6aXA")``. Not for robots."""

    msgtype = "file"
    __slots__ = ()

    def __init__(self, media_id: str) -> None:
        super().__init__({"media_id": _text("media_id", media_id)})


class Link(Message):
    """A link card: ``Link("标题", "描述", "https://example.com", pic_url="@lADOxxx")``.

    Work notices and group chats need ``pic_url`` (a media_id or image URL); robots do not.
    """

    msgtype = "link"
    robot_type = "link"
    __slots__ = ()

    def __init__(self, title: str, text: str, message_url: str, pic_url: Optional[str] = None) -> None:
        body = {"title": _text("title", title), "text": _text("text", text),
                "messageUrl": _url("message_url", message_url)}
        pic = _text("pic_url", pic_url, required=False)
        robot = dict(body)
        if pic is not None:
            body["picUrl"] = robot["picUrl"] = pic
        super().__init__(body, robot)

    def to_msg(self) -> Dict[str, Any]:
        if not (self._body or {}).get("picUrl"):
            raise ParameterError("a link work notice / group-chat message needs pic_url")
        return super().to_msg()


class Markdown(Message):
    """Markdown: ``Markdown("周报", "## 本周\\n- 完成 A")`` (``title`` shows in the chat list)."""

    msgtype = "markdown"
    robot_type = "markdown"
    __slots__ = ()

    def __init__(self, title: str, text: str) -> None:
        body = {"title": _text("title", title), "text": _text("text", text)}
        super().__init__(body, dict(body))


def _buttons(buttons: Iterable[Button]) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    if isinstance(buttons, (str, bytes, Mapping)):
        raise ParameterError("buttons must be a list of (title, url) pairs")
    for i, button in enumerate(buttons):
        if isinstance(button, Mapping):
            title = button.get("title")
            url = button.get("action_url", button.get("actionURL", button.get("url")))
        elif isinstance(button, (tuple, list)) and len(button) == 2:
            title, url = button
        else:
            raise ParameterError(f"buttons[{i}] must be a (title, url) pair or a dict, got {button!r}")
        out.append((_text(f"buttons[{i}].title", title) or "", _url(f"buttons[{i}].url", url) or ""))
    if not out:
        raise ParameterError("buttons must hold at least one (title, url) pair")
    return out


class ActionCard(Message):
    """An action card (卡片消息), with one whole-card button or a list of buttons.

    ``ActionCard(title, markdown, single_title=..., single_url=...)`` or
    ``ActionCard(title, markdown, buttons=[("同意", url1), ("拒绝", url2)], btn_orientation="1")``;
    :meth:`single` and :meth:`multi` say the same. ``btn_orientation``: "0" vertical, "1"
    horizontal. ``hide_avatar`` applies to robots only.
    """

    msgtype = "action_card"
    robot_type = "actionCard"
    __slots__ = ()

    def __init__(self, title: str, markdown: str, single_title: Optional[str] = None,
                 single_url: Optional[str] = None, buttons: Optional[Sequence[Button]] = None,
                 btn_orientation: Union[str, int] = "0", hide_avatar: Optional[bool] = None) -> None:
        heading = _text("title", title)
        text = _text("markdown", markdown)
        orientation = str(btn_orientation)
        if orientation not in ("0", "1"):
            raise ParameterError(f"btn_orientation must be '0' (vertical) or '1' (horizontal), got {btn_orientation!r}")
        single = single_title is not None or single_url is not None
        if single and buttons is not None:
            raise ParameterError("give either single_title/single_url or buttons, not both")
        if not single and buttons is None:
            raise ParameterError("an action card needs single_title and single_url, or buttons")
        body: Dict[str, Any] = {"title": heading, "markdown": text}
        robot: Dict[str, Any] = {"title": heading, "text": text}
        if single:
            body["single_title"] = robot["singleTitle"] = _text("single_title", single_title)
            body["single_url"] = robot["singleURL"] = _url("single_url", single_url)
        else:
            pairs = _buttons(buttons or ())
            body["btn_orientation"] = robot["btnOrientation"] = orientation
            body["btn_json_list"] = [{"title": t, "action_url": u} for t, u in pairs]
            robot["btns"] = [{"title": t, "actionURL": u} for t, u in pairs]
        if hide_avatar is not None:
            robot["hideAvatar"] = "1" if hide_avatar else "0"
        super().__init__(body, robot)

    @classmethod
    def single(cls, title: str, markdown: str, single_title: str, single_url: str) -> "ActionCard":
        """A card that opens ``single_url`` as a whole (整体跳转)."""
        return cls(title, markdown, single_title=single_title, single_url=single_url)

    @classmethod
    def multi(cls, title: str, markdown: str, buttons: Sequence[Button],
              btn_orientation: Union[str, int] = "0") -> "ActionCard":
        """A card with its own button per link (独立跳转)."""
        return cls(title, markdown, buttons=buttons, btn_orientation=btn_orientation)


class OA(Message):
    """An OA message (工作通知的 OA 卡片). Not for robots.

    ``OA("https://example.com/detail", head_text="审批", title="请假申请",
    form=[("姓名", "张三"), ("天数", "2")], content="家中有事")``. ``head_bgcolor`` is 8 hex
    digits, alpha first (``"FFBBBBBB"``); ``status_value``/``status_bg`` fill the status bar
    that :meth:`update_work_notice_status_bar` changes later. The body needs at least one of
    ``title``, ``content``, ``form``, ``rich``, ``image``.
    """

    msgtype = "oa"
    __slots__ = ()

    def __init__(self, message_url: str, head_text: str = "", head_bgcolor: str = "FFBBBBBB", *,
                 title: Optional[str] = None, content: Optional[str] = None,
                 form: Union[None, Mapping[str, Any], Sequence[Tuple[str, Any]]] = None,
                 rich: Optional[Tuple[Any, str]] = None, image: Optional[str] = None,
                 file_count: Optional[int] = None, author: Optional[str] = None,
                 pc_message_url: Optional[str] = None, status_value: Optional[str] = None,
                 status_bg: Optional[str] = None) -> None:
        if not isinstance(head_bgcolor, str) or not _ARGB.match(head_bgcolor):
            raise ParameterError("head_bgcolor must be 8 hex digits, alpha first, without 0x "
                                 f"(e.g. 'FFBBBBBB'), got {head_bgcolor!r}")
        if not isinstance(head_text, str):
            raise ParameterError(f"head_text must be a string, got {type(head_text).__name__}")
        body: Dict[str, Any] = {}
        if title is not None:
            body["title"] = _text("title", title)
        if content is not None:
            body["content"] = _text("content", content)
        if form is not None:
            pairs = list(form.items()) if isinstance(form, Mapping) else list(form)
            rows = []
            for i, pair in enumerate(pairs):
                if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                    raise ParameterError(f"form[{i}] must be a (key, value) pair, got {pair!r}")
                rows.append({"key": _text(f"form[{i}].key", pair[0]), "value": str(pair[1])})
            if rows:
                body["form"] = rows
        if rich is not None:
            if not (isinstance(rich, (tuple, list)) and len(rich) == 2):
                raise ParameterError("rich must be a (num, unit) pair, e.g. (15.6, '元')")
            body["rich"] = {"num": str(rich[0]), "unit": str(rich[1])}
        if image is not None:
            body["image"] = _text("image", image)
        if file_count is not None:
            if isinstance(file_count, bool) or not isinstance(file_count, int) or file_count < 0:
                raise ParameterError(f"file_count must be an integer >= 0, got {file_count!r}")
            body["file_count"] = str(file_count)
        if author is not None:
            body["author"] = _text("author", author)
        if not set(body) & {"title", "content", "form", "rich", "image"}:
            raise ParameterError("an OA message body needs at least one of title, content, form, rich, image")
        oa: Dict[str, Any] = {"message_url": _url("message_url", message_url),
                              "head": {"bgcolor": head_bgcolor, "text": head_text}, "body": body}
        if pc_message_url is not None:
            oa["pc_message_url"] = _url("pc_message_url", pc_message_url)
        if status_value is not None or status_bg is not None:
            bar: Dict[str, Any] = {"status_value": _text("status_value", status_value)}
            if status_bg is not None:
                bar["status_bg"] = check_status_bg(status_bg)
            oa["status_bar"] = bar
        super().__init__(oa)


def check_status_bg(value: Any) -> str:
    """A status-bar colour: ``0x`` + 8 hex digits, alpha first (``"0xFF78C06E"``)."""
    if not isinstance(value, str) or not re.match(r"^0x[0-9A-Fa-f]{8}$", value):
        raise ParameterError(f"status_bg must be '0x' + 8 hex digits, alpha first (e.g. '0xFF78C06E'), got {value!r}")
    return value


class FeedCard(Message):
    """A robot-only feed card: ``FeedCard([("标题", "https://example.com/1", "https://example.com/1.png")])``."""

    robot_type = "feedCard"
    __slots__ = ()

    def __init__(self, links: Sequence[Union[Tuple[str, str, str], Mapping[str, Any]]]) -> None:
        if isinstance(links, (str, bytes, Mapping)):
            raise ParameterError("links must be a list of (title, message_url, pic_url)")
        rows = []
        for i, link in enumerate(links):
            if isinstance(link, Mapping):
                title = link.get("title")
                url = link.get("messageURL", link.get("message_url"))
                pic = link.get("picURL", link.get("pic_url"))
            elif isinstance(link, (tuple, list)) and len(link) == 3:
                title, url, pic = link
            else:
                raise ParameterError(f"links[{i}] must be (title, message_url, pic_url), got {link!r}")
            rows.append({"title": _text(f"links[{i}].title", title),
                         "messageURL": _url(f"links[{i}].message_url", url),
                         "picURL": _url(f"links[{i}].pic_url", pic)})
        if not rows:
            raise ParameterError("a feed card needs at least one link")
        super().__init__(None, {"links": rows})


def coerce_msg(msgtype: Any, msgcontent: Any = None) -> Dict[str, Any]:
    """The ``msg`` object from any accepted form (used by work notices and group chats).

    Forms: a :class:`Message`; a whole ``{"msgtype": ..., <type>: {...}}`` dict; or a
    ``msgtype`` string with its content as a dict, JSON object text, a :class:`Message`
    of that type, or (for ``text``) plain text.
    """
    if isinstance(msgtype, Message):
        if msgcontent is not None:
            raise ParameterError("give a Message object alone, without msgcontent")
        return msgtype.to_msg()
    if isinstance(msgtype, Mapping) and msgcontent is None:
        kind = msgtype.get("msgtype")
        if not isinstance(kind, str) or not isinstance(msgtype.get(kind), Mapping):
            raise ParameterError('a msg dict must look like {"msgtype": "text", "text": {"content": "..."}}')
        return {"msgtype": kind, kind: _copy(dict(msgtype[kind]))}
    if not isinstance(msgtype, str) or not re.match(r"^[a-z_]+$", msgtype):
        raise ParameterError(f"msgtype must be a message type such as 'text' or a Message object, got {msgtype!r}")
    content = msgcontent
    if isinstance(content, Message):
        if content.msgtype != msgtype:
            raise ParameterError(f"msgtype {msgtype!r} does not match the {type(content).__name__} given")
        return content.to_msg()
    if isinstance(content, (bytes, bytearray)):
        content = content.decode("utf-8")
    if isinstance(content, str):
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            content = parsed
        elif msgtype == "text":
            content = {"content": content}
        else:
            raise ParameterError("msgcontent must be a dict or JSON object text")
    if not isinstance(content, Mapping):
        raise ParameterError(f"msgcontent must be a dict, got {type(content).__name__}")
    if not content:
        raise ParameterError("msgcontent must not be empty")
    return {"msgtype": msgtype, msgtype: _copy(dict(content))}


# -- robots -------------------------------------------------------------------------------------
def robot_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")): the robot's ``sign`` parameter
    before URL encoding (the HTTP client encodes ``+``, ``/`` and ``=``)."""
    message = f"{int(timestamp_ms)}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class Robot:
    """A custom group robot (自定义机器人): its webhook ``access_token`` and optional signing
    secret (加签, ``SEC...``). Both stay out of ``repr``, ``str`` and error messages.

    >>> Robot("abc123", secret="SECxyz")
    Robot(access_token='***', signed=True)
    """

    __slots__ = ("_token", "_secret")

    def __init__(self, access_token: str, secret: Optional[str] = None) -> None:
        if not isinstance(access_token, str) or not access_token.strip():
            raise ParameterError("the robot's access_token is required (the value after "
                                 "access_token= in its webhook URL)")
        if "://" in access_token:
            raise ParameterError("pass a webhook URL to Robot.from_webhook(), not as the access_token")
        if secret is not None and (not isinstance(secret, str) or not secret.strip()):
            raise ParameterError("the robot's secret must be a non-empty string (or None when unsigned)")
        self._token = Secret(access_token.strip())
        self._secret = Secret(secret.strip()) if secret is not None else None

    @classmethod
    def from_webhook(cls, url: str, secret: Optional[str] = None) -> "Robot":
        """``Robot.from_webhook("https://oapi.dingtalk.com/robot/send?access_token=...", "SEC...")``."""
        if not isinstance(url, str):
            raise ParameterError("the webhook must be a URL string")
        tokens = parse_qs(urlsplit(url).query).get("access_token") or []
        if not tokens or not tokens[0].strip():
            raise ParameterError("the webhook URL has no access_token parameter")
        return cls(tokens[0], secret)

    @property
    def access_token(self) -> str:
        return self._token.reveal()

    @property
    def secret(self) -> Optional[str]:
        return None if self._secret is None else self._secret.reveal()

    @property
    def signed(self) -> bool:
        return self._secret is not None

    def query(self, timestamp_ms: int) -> Dict[str, Any]:
        """The webhook's query parameters: ``access_token`` and, when signed, ``timestamp`` and ``sign``."""
        params: Dict[str, Any] = {"access_token": self._token.reveal()}
        if self._secret is not None:
            params["timestamp"] = int(timestamp_ms)
            params["sign"] = robot_sign(self._secret.reveal(), timestamp_ms)
        return params

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Robot) and other._token == self._token and other._secret == self._secret

    def __hash__(self) -> int:
        return hash((self._token, self._secret))

    def __repr__(self) -> str:
        return f"Robot(access_token='***', signed={self.signed})"

    __str__ = __repr__
