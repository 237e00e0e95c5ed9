"""Work notices (工作通知)."""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Optional, Union

from ..errors import ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin

Ids = Union[str, int, Iterable[Any], None]


class MessagesMixin(ApiMixin):
    """工作通知: asynchronous work notices and their progress."""

    def _agent(self, agent_id: Any) -> int:
        value = agent_id if agent_id is not None else self.agent_id
        if value in (None, ""):
            raise ParameterError("agent_id is required: pass it here or to DingTalkApp(agent_id=...)")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ParameterError(f"agent_id must be a number, got {value!r}") from None

    @dingtalk("dingtalk.corp.message.corpconversation.asyncsend",
              "dingtalk.oapi.message.corpconversation.asyncsend_v2")
    def async_send_msg(self, msgtype: str, msgcontent: Union[Dict[str, Any], str], userid_list: Ids = None,
                       dept_id_list: Ids = None, to_all_user: bool = False,
                       agent_id: Any = None) -> Dict[str, Any]:
        """Send a work notice; returns ``{request_id, task_id, success}``.

        ``msgcontent`` is the body of the ``msgtype`` message (``{"content": "..."}`` for text).
        Give users, departments (lists or comma-separated strings) or ``to_all_user=True``.
        Doc: https://open.dingtalk.com/document/orgapp/asynchronous-sending-of-enterprise-session-messages

        >>> app.async_send_msg("text", {"content": "你好"}, userid_list=["manager01"])  # doctest: +SKIP
        """
        users = _limits.id_list("userid_list", userid_list, 5000)
        depts = _limits.id_list("dept_id_list", dept_id_list, 500)
        if not (users or depts or to_all_user):
            raise ParameterError("give userid_list, dept_id_list or to_all_user=True")
        if isinstance(msgcontent, str):
            try:
                msgcontent = json.loads(msgcontent)
            except ValueError:
                raise ParameterError("msgcontent must be a dict or a JSON object text") from None
        body = {"agent_id": self._agent(agent_id), "to_all_user": bool(to_all_user),
                "userid_list": ",".join(users) if users else None,
                "dept_id_list": ",".join(depts) if depts else None,
                "msg": {"msgtype": _limits.required("msgtype", msgtype), msgtype: msgcontent}}
        data = self._topapi("message/corpconversation/asyncsend_v2", body, write=True,
                            name="dingtalk.oapi.message.corpconversation.asyncsend_v2")
        return {"request_id": data.get("request_id"), "task_id": data.get("task_id"), "success": True}

    @dingtalk("dingtalk.corp.message.corpconversation.getsendprogress",
              "dingtalk.oapi.message.corpconversation.getsendprogress")
    def get_msg_send_progress(self, task_id: Any, agent_id: Any = None) -> Dict[str, Any]:
        """Progress of a work notice: ``{request_id, progress: {progress_in_percent, status}, success}``.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-sending-progress-of-asynchronous-sending-of-enterprise-session-messages

        >>> app.get_msg_send_progress(task_id)  # doctest: +SKIP
        """
        data = self._topapi("message/corpconversation/getsendprogress",
                            {"agent_id": self._agent(agent_id), "task_id": _limits.required("task_id", task_id)},
                            name="dingtalk.oapi.message.corpconversation.getsendprogress")
        return {"request_id": data.get("request_id"), "progress": data.get("progress"), "success": True}

    @dingtalk("dingtalk.corp.message.corpconversation.getsendresult",
              "dingtalk.oapi.message.corpconversation.getsendresult")
    def get_msg_send_result(self, task_id: Any, agent_id: Any = None) -> Dict[str, Any]:
        """Who received / read / failed a work notice: ``{request_id, send_result, success}``.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-result-of-sending-asynchronous-messages

        >>> app.get_msg_send_result(task_id)  # doctest: +SKIP
        """
        data = self._topapi("message/corpconversation/getsendresult",
                            {"agent_id": self._agent(agent_id), "task_id": _limits.required("task_id", task_id)},
                            name="dingtalk.oapi.message.corpconversation.getsendresult")
        return {"request_id": data.get("request_id"), "send_result": data.get("send_result"), "success": True}
