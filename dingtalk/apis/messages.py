"""Work notices (工作通知): send, progress, result, recall and the OA status bar.

Every call goes to topapi ``message/corpconversation/*``; the original SDK's TOP names
(``dingtalk.corp.message.corpconversation.*``) are registered too, so ``app.run()`` reaches the
same methods under either name.

Recipients: ``userid_list`` (at most 5000 userids), ``dept_id_list`` (at most 500 departments)
and/or ``to_all_user=True``, as lists or comma-separated strings. More than 5000 userids raise
:class:`~dingtalk.errors.ParameterError` before anything is sent: one call is one DingTalk task
(one ``task_id`` to follow and recall), so the SDK does not split it silently; send several
notices, or address departments, to reach more people.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Optional, Union

from ..errors import ParameterError
from ..messages import Message, check_status_bg, coerce_msg
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin

Ids = Union[str, int, Iterable[Any], None]

#: DingTalk's limits of asyncsend_v2.
MAX_USERS = 5000
MAX_DEPTS = 500
#: A work notice's ``msg`` may be at most 2048 bytes (UTF-8 JSON).
MAX_MSG_BYTES = 2048


def _task_id(task_id: Any) -> int:
    if isinstance(task_id, bool):
        raise ParameterError(f"task_id must be the number returned by the send, got {task_id!r}")
    try:
        value = int(_limits.required("task_id", task_id))
    except (TypeError, ValueError):
        raise ParameterError(f"task_id must be the number returned by the send, got {task_id!r}") from None
    if value <= 0:
        raise ParameterError(f"task_id must be positive, got {task_id!r}")
    return value


class MessagesMixin(ApiMixin):
    """工作通知: asynchronous work notices, their progress, result, recall and status bar."""

    def _agent(self, agent_id: Any) -> int:
        value = agent_id if agent_id is not None else self.agent_id
        if value in (None, ""):
            raise ParameterError("agent_id is required: pass it here or to DingTalkApp(agent_id=...)")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ParameterError(f"agent_id must be a number, got {value!r}") from None

    @dingtalk("dingtalk.corp.message.corpconversation.asyncsend",
              "dingtalk.oapi.message.corpconversation.asyncsend",
              "dingtalk.oapi.message.corpconversation.asyncsend_v2")
    def async_send_msg(self, msgtype: Union[str, Message, Dict[str, Any], None] = None,
                       msgcontent: Union[Dict[str, Any], str, Message, None] = None,
                       userid_list: Ids = None, dept_id_list: Ids = None, to_all_user: bool = False,
                       agent_id: Any = None, *, msg: Union[Message, Dict[str, Any], None] = None) -> Dict[str, Any]:
        """Send a work notice; returns ``{request_id, task_id, success}``.

        The message is a builder from :mod:`dingtalk.messages` (``Text("你好")``), or
        ``msgtype`` with ``msgcontent``, the body of that type as a dict or JSON text
        (``"text", {"content": "你好"}``). Give users, departments (lists or comma-separated
        strings) and/or ``to_all_user=True``. One call is one task: more than 5000 userids or
        500 departments raise ParameterError (see the module docstring). ``msg=`` takes the
        whole message under asyncsend_v2's own parameter name (for ``app.run``).
        Doc: https://open.dingtalk.com/document/orgapp/asynchronous-sending-of-enterprise-session-messages

        >>> app.async_send_msg("text", {"content": "你好"}, userid_list=["manager01"])  # doctest: +SKIP
        """
        if msg is not None:
            if msgtype is not None or msgcontent is not None:
                raise ParameterError("give msg=..., or msgtype and msgcontent, not both")
            msgtype = msg
        if msgtype is None:
            raise ParameterError("msgtype is required (or a Message object, or msg=...)")
        msg = coerce_msg(msgtype, msgcontent)
        size = len(json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        if size > MAX_MSG_BYTES:
            raise ParameterError(f"a work notice may be at most {MAX_MSG_BYTES} bytes of JSON "
                                 f"(DingTalk's limit), this one is {size}")
        users = _limits.id_list("userid_list", userid_list, MAX_USERS)
        depts = _limits.id_list("dept_id_list", dept_id_list, MAX_DEPTS)
        if depts and not all(d.isdigit() for d in depts):
            raise ParameterError(f"dept_id_list must hold department ids (numbers), got {dept_id_list!r}")
        if not (users or depts or to_all_user):
            raise ParameterError("give userid_list, dept_id_list or to_all_user=True")
        body = {"agent_id": self._agent(agent_id), "to_all_user": bool(to_all_user),
                "userid_list": ",".join(users) if users else None,
                "dept_id_list": ",".join(depts) if depts else None,
                "msg": msg}
        data = self._topapi("message/corpconversation/asyncsend_v2", body, write=True,
                            name="dingtalk.oapi.message.corpconversation.asyncsend_v2")
        return {"request_id": data.get("request_id"), "task_id": data.get("task_id"), "success": True}

    def send_work_notice(self, message: Union[Message, Dict[str, Any]], userid_list: Ids = None,
                         dept_id_list: Ids = None, to_all_user: bool = False,
                         agent_id: Any = None) -> Dict[str, Any]:
        """Send a work notice built with :mod:`dingtalk.messages`; same answer as :meth:`async_send_msg`.

        Doc: https://open.dingtalk.com/document/orgapp/asynchronous-sending-of-enterprise-session-messages

        >>> app.send_work_notice(Text("你好"), userid_list=["manager01"])  # doctest: +SKIP
        """
        return self.async_send_msg(message, None, userid_list=userid_list, dept_id_list=dept_id_list,
                                   to_all_user=to_all_user, agent_id=agent_id)

    @dingtalk("dingtalk.corp.message.corpconversation.getsendprogress",
              "dingtalk.oapi.message.corpconversation.getsendprogress")
    def get_msg_send_progress(self, task_id: Any, agent_id: Any = None) -> Dict[str, Any]:
        """Progress of a work notice: ``{request_id, progress: {progress_in_percent, status}, success}``.

        ``status``: 0 not started, 1 sending, 2 done.
        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-sending-progress-of-asynchronous-sending-of-enterprise-session-messages

        >>> app.get_msg_send_progress(task_id)  # doctest: +SKIP
        """
        data = self._topapi("message/corpconversation/getsendprogress",
                            {"agent_id": self._agent(agent_id), "task_id": _task_id(task_id)},
                            name="dingtalk.oapi.message.corpconversation.getsendprogress")
        return {"request_id": data.get("request_id"), "progress": data.get("progress"), "success": True}

    @dingtalk("dingtalk.corp.message.corpconversation.getsendresult",
              "dingtalk.oapi.message.corpconversation.getsendresult")
    def get_msg_send_result(self, task_id: Any, agent_id: Any = None) -> Dict[str, Any]:
        """Who received / read / failed a work notice: ``{request_id, send_result, success}``.

        ``send_result`` holds ``read_user_id_list``, ``unread_user_id_list``,
        ``invalid_user_id_list``, ``forbidden_user_id_list``, ``failed_user_id_list``,
        ``invalid_dept_id_list`` and ``forbidden_list``.
        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-result-of-sending-asynchronous-messages

        >>> app.get_msg_send_result(task_id)["send_result"]["unread_user_id_list"]  # doctest: +SKIP
        """
        data = self._topapi("message/corpconversation/getsendresult",
                            {"agent_id": self._agent(agent_id), "task_id": _task_id(task_id)},
                            name="dingtalk.oapi.message.corpconversation.getsendresult")
        return {"request_id": data.get("request_id"), "send_result": data.get("send_result"), "success": True}

    @dingtalk("dingtalk.oapi.message.corpconversation.recall")
    def recall_work_notice(self, task_id: Any, agent_id: Any = None) -> Dict[str, Any]:
        """Recall (撤回) a work notice sent by this app: ``{request_id, success}``.

        Doc: https://open.dingtalk.com/document/orgapp/notification-of-work-withdrawal

        >>> app.recall_work_notice(task_id)  # doctest: +SKIP
        """
        data = self._topapi("message/corpconversation/recall",
                            {"agent_id": self._agent(agent_id), "msg_task_id": _task_id(task_id)},
                            write=True, name="dingtalk.oapi.message.corpconversation.recall")
        return {"request_id": data.get("request_id"), "success": True}

    @dingtalk("dingtalk.oapi.message.corpconversation.status_bar.update")
    def update_work_notice_status_bar(self, task_id: Any, status_value: str, status_bg: Optional[str] = None,
                                      agent_id: Any = None) -> Dict[str, Any]:
        """Change the status bar of an OA work notice (e.g. "已同意"): ``{request_id, success}``.

        ``status_bg`` is ``0x`` + 8 hex digits, alpha first (``"0xFF78C06E"``).
        Doc: https://open.dingtalk.com/document/orgapp/update-work-notification-status-bar

        >>> app.update_work_notice_status_bar(task_id, "已同意", "0xFF78C06E")  # doctest: +SKIP
        """
        if not isinstance(status_value, str) or not status_value.strip():
            raise ParameterError("status_value is required and must be a non-empty string")
        body = {"agent_id": self._agent(agent_id), "task_id": _task_id(task_id), "status_value": status_value,
                "status_bg": check_status_bg(status_bg) if status_bg is not None else None}
        data = self._topapi("message/corpconversation/status_bar/update", body, write=True,
                            name="dingtalk.oapi.message.corpconversation.status_bar.update")
        return {"request_id": data.get("request_id"), "success": True}
