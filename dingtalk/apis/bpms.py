"""Approvals (审批, bpms / processinstance): instances, their tasks and comments, templates.

Times: a naive ``datetime`` is China time (UTC+8), an aware one is converted, and numbers are
epoch **milliseconds** (what DingTalk's approval APIs take).
"""
from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Mapping, Optional, Union

from .._time import to_millis
from ..errors import ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin, drop_none
from ._paging import iter_cursor

TimeArg = Union[date, int, float]
Ids = Union[str, int, Iterable[Any], None]
FormValues = Union[Mapping[str, Any], Iterable[Mapping[str, Any]], str, None]

_DAY_MS = 86400 * 1000
#: topapi/processinstance/listids: at most 120 days per query, start at most 365 days back.
LISTIDS_MAX_SPAN_DAYS = 120
LISTIDS_MAX_AGE_DAYS = 365
CC_POSITIONS = ("START", "FINISH", "START_FINISH")
TASK_ACTIONS = ("AND", "OR", "NONE")


def _millis(name: str, value: Any) -> int:
    _limits.required(name, value)
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a datetime, a date or epoch milliseconds, got {value!r}")
    try:
        return to_millis(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be a datetime, a date or epoch milliseconds, got {value!r}") from None


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be an integer, got {value!r}") from None


def _text(value: Any) -> str:
    """A form value as DingTalk wants it: strings as they are, anything else as JSON text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _form_values(values: FormValues, maximum: int = 40) -> List[Dict[str, str]]:
    """``[{name, value, ext_value?}]`` from a list of dicts, a ``{name: value}`` mapping or JSON text."""
    if values is None:
        return []
    if isinstance(values, str):
        try:
            values = json.loads(values)
        except ValueError:
            raise ParameterError("form_component_values must be a list, a mapping or JSON text of a list") from None
    if isinstance(values, Mapping):
        items: List[Any] = [{"name": k, "value": v} for k, v in values.items()]
    else:
        try:
            items = list(values)  # type: ignore[arg-type]
        except TypeError:
            raise ParameterError("form_component_values must be a list of {name, value} or a mapping") from None
    if len(items) > maximum:
        raise ParameterError(f"form_component_values takes at most {maximum} items (DingTalk's limit), got {len(items)}")
    out = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("name"):
            raise ParameterError(f"each form component value needs a 'name', got {item!r}")
        entry = {"name": str(item["name"]), "value": _text(item.get("value"))}
        if item.get("ext_value") is not None:
            entry["ext_value"] = _text(item["ext_value"])
        out.append(entry)
    return out


def _approvers_v2(nodes: Optional[Iterable[Mapping[str, Any]]]) -> Optional[List[Dict[str, Any]]]:
    """``[{task_action_type: AND|OR|NONE, user_ids: [...]}]`` (会签 / 或签 / single approver nodes)."""
    if nodes is None:
        return None
    out = []
    for node in nodes:
        if not isinstance(node, Mapping):
            raise ParameterError(f"approvers_v2 items are {{task_action_type, user_ids}} dicts, got {node!r}")
        action = str(node.get("task_action_type") or "NONE").upper()
        if action not in TASK_ACTIONS:
            raise ParameterError(f"task_action_type must be one of {', '.join(TASK_ACTIONS)}, got {action!r}")
        users = _limits.id_list("approvers_v2 user_ids", node.get("user_ids"), 20) or []
        if not users or (action == "NONE" and len(users) != 1):
            raise ParameterError("each approvers_v2 node needs user_ids (exactly one for task_action_type NONE)")
        out.append({"task_action_type": action, "user_ids": users})
    return out or None


class BpmsMixin(ApiMixin):
    """审批: approval process instances, tasks, comments and templates."""

    if TYPE_CHECKING:  # pragma: no cover - provided by AppBase
        timestamp: int

    def _bpms_agent(self, agent_id: Any) -> Optional[int]:
        value = agent_id if agent_id is not None else self.agent_id
        return None if value in (None, "") else _int("agent_id", value)

    # -- create ------------------------------------------------------------------------------
    @dingtalk("dingtalk.smartwork.bpms.processinstance.create", "dingtalk.oapi.processinstance.create")
    def create_bpms_instance(self, process_code: str, originator_user_id: str, dept_id: Any, approvers: Ids,
                             form_component_values: FormValues, agent_id: Any = None, cc_list: Ids = None,
                             cc_position: str = "FINISH", *,
                             approvers_v2: Optional[Iterable[Mapping[str, Any]]] = None) -> Dict[str, Any]:
        """Start an approval instance; returns ``{request_id, success, process_instance_id}``.

        ``approvers`` and ``cc_list`` are lists (or comma-separated strings) of at most 20
        userids; ``approvers=None`` lets the template's own flow decide. ``form_component_values``
        is ``[{"name": ..., "value": ...}]`` or a ``{name: value}`` mapping (at most 40 fields;
        non-string values are sent as JSON text). ``cc_position`` is ``START``, ``FINISH`` or
        ``START_FINISH`` (sent only with a ``cc_list``). ``approvers_v2`` gives 会签/或签 nodes:
        ``[{"task_action_type": "AND"|"OR"|"NONE", "user_ids": [...]}]``.
        Doc: https://open.dingtalk.com/document/orgapp/initiate-approval

        >>> app.create_bpms_instance("PROC-XXX", "manager01", 1, ["user02"], {"事由": "出差"})  # doctest: +SKIP
        """
        approver_ids = _limits.id_list("approvers", approvers, 20)
        cc_ids = _limits.id_list("cc_list", cc_list, 20)
        position = str(cc_position or "FINISH").upper()
        if position not in CC_POSITIONS:
            raise ParameterError(f"cc_position must be one of {', '.join(CC_POSITIONS)}, got {cc_position!r}")
        body = {
            "process_code": _limits.required("process_code", process_code),
            "originator_user_id": _limits.required("originator_user_id", originator_user_id),
            "dept_id": _int("dept_id", _limits.required("dept_id", dept_id)),
            "agent_id": self._bpms_agent(agent_id),
            "approvers": ",".join(approver_ids) if approver_ids else None,
            "approvers_v2": _approvers_v2(approvers_v2),
            "cc_list": ",".join(cc_ids) if cc_ids else None,
            "cc_position": position if cc_ids else None,
            "form_component_values": _form_values(form_component_values),
        }
        data = self._topapi("processinstance/create", body, write=True,
                            name="dingtalk.oapi.processinstance.create")
        return {"request_id": data.get("request_id"), "success": True,
                "process_instance_id": data.get("process_instance_id")}

    # -- the TOP list (full instances, seed shape) -------------------------------------------
    @dingtalk("dingtalk.smartwork.bpms.processinstance.list", "dingtalk.oapi.processinstance.list")
    def get_bpms_instance_list(self, process_code: str, start_time: TimeArg, end_time: Optional[TimeArg] = None,
                               size: int = 10, cursor: int = 0, *, userid_list: Ids = None) -> Dict[str, Any]:
        """One page of approval instances of a process, started in ``[start_time, end_time]``.

        Returns ``{request_id, success, instance_list, next_cursor}`` (``next_cursor`` 0 at the
        end). ``size`` ≤ 10; ``userid_list`` (≤ 20) keeps the instances those users started.
        Doc: https://open.dingtalk.com/document/orgapp/obtain-an-approval-list-of-instances

        >>> app.get_bpms_instance_list("PROC-XXX", start_time=datetime(2017, 6, 1))  # doctest: +SKIP
        """
        start = _millis("start_time", start_time)
        end = _millis("end_time", end_time) if end_time is not None else None
        if end is not None and end < start:
            raise ParameterError("end_time must not be before start_time")
        users = _limits.id_list("userid_list", userid_list, 20)
        params = {"process_code": _limits.required("process_code", process_code), "start_time": start,
                  "end_time": end, "size": _limits.page_size("size", size, 10),
                  "cursor": _limits.offset("cursor", cursor), "userid_list": ",".join(users) if users else None}
        data = self._top("dingtalk.smartwork.bpms.processinstance.list", params)
        result = data.get("result") or {}
        page = result.get("result") or {}
        instances = (page.get("list") or {}).get("process_instance_top_vo") or []
        return {"request_id": data.get("request_id"), "success": result.get("success"),
                "instance_list": instances, "next_cursor": page.get("next_cursor") or 0}

    def iter_bpms_instances(self, process_code: str, start_time: TimeArg, end_time: Optional[TimeArg] = None,
                            *, userid_list: Ids = None, size: int = 10) -> Iterator[Dict[str, Any]]:
        """Every instance :meth:`get_bpms_instance_list` finds, page after page.
        Doc: https://open.dingtalk.com/document/orgapp/obtain-an-approval-list-of-instances

        >>> for inst in app.iter_bpms_instances("PROC-XXX", datetime(2017, 6, 1)): ...  # doctest: +SKIP
        """
        def fetch(cursor: Any) -> Any:
            page = self.get_bpms_instance_list(process_code, start_time, end_time, size, cursor,
                                               userid_list=userid_list)
            return page["instance_list"], page["next_cursor"]
        return iter_cursor(fetch, 0)

    @dingtalk("dingtalk.smartwork.bpms.processinstance.all")
    def get_all_bpms_instance_list(self, process_code: str, start_time: TimeArg,
                                   end_time: Optional[TimeArg] = None) -> Dict[str, Any]:
        """All instances of a process: ``{request_id: {<id>: {success}}, bpms_instance_list: [...]}``.

        ``start_time`` must not be in the future nor after ``end_time``.
        Doc: https://open.dingtalk.com/document/orgapp/obtain-an-approval-list-of-instances

        >>> app.get_all_bpms_instance_list("PROC-XXX", datetime(2017, 6, 1))["bpms_instance_list"]  # doctest: +SKIP
        """
        start = _millis("start_time", start_time)
        if start > int(self.timestamp) * 1000:
            raise ParameterError("start_time must not be in the future")
        if end_time is not None and start > _millis("end_time", end_time):
            raise ParameterError("start_time must not be after end_time")
        request_ids: Dict[str, Dict[str, Any]] = {}

        def fetch(cursor: Any) -> Any:
            page = self.get_bpms_instance_list(process_code, start_time, end_time, 10, cursor)
            request_ids[str(page["request_id"])] = {"success": page["success"]}
            return page["instance_list"], page["next_cursor"]

        instances = list(iter_cursor(fetch, 0))
        return {"request_id": request_ids, "bpms_instance_list": instances}

    # -- ids and details -----------------------------------------------------------------------
    def _listids_window(self, start: int, end: Optional[int]) -> None:
        now = int(self.timestamp) * 1000
        if end is None:
            if now - start > LISTIDS_MAX_SPAN_DAYS * _DAY_MS:
                raise ParameterError(f"without end_time, start_time must be within {LISTIDS_MAX_SPAN_DAYS} days "
                                     "of now (DingTalk's limit)")
            return
        if end < start:
            raise ParameterError("end_time must not be before start_time")
        if end - start > LISTIDS_MAX_SPAN_DAYS * _DAY_MS:
            raise ParameterError(f"start_time..end_time may span at most {LISTIDS_MAX_SPAN_DAYS} days (DingTalk's limit)")
        if now - start > LISTIDS_MAX_AGE_DAYS * _DAY_MS:
            raise ParameterError(f"start_time must be within {LISTIDS_MAX_AGE_DAYS} days of now (DingTalk's limit)")

    @dingtalk("dingtalk.oapi.processinstance.listids", "dingtalk.smartwork.bpms.processinstanceid.list")
    def get_process_instance_ids(self, process_code: str, start_time: TimeArg, end_time: Optional[TimeArg] = None,
                                 size: int = 20, cursor: int = 0, userid_list: Ids = None) -> Dict[str, Any]:
        """One page of instance ids: ``{"list": [ids], "next_cursor": int or None}`` (None at the end).

        DingTalk's limits: ``size`` ≤ 20, ``userid_list`` ≤ 10 originators, a window of at most
        120 days (up to now when ``end_time`` is None) starting at most 365 days ago.
        Doc: https://open.dingtalk.com/document/development/operation-to-retrieve-a-list-of

        >>> app.get_process_instance_ids("PROC-XXX", datetime.now() - timedelta(days=7))  # doctest: +SKIP
        """
        start = _millis("start_time", start_time)
        end = _millis("end_time", end_time) if end_time is not None else None
        self._listids_window(start, end)
        users = _limits.id_list("userid_list", userid_list, 10)
        body = {"process_code": _limits.required("process_code", process_code), "start_time": start,
                "end_time": end, "size": _limits.page_size("size", size, 20),
                "cursor": _limits.offset("cursor", cursor), "userid_list": ",".join(users) if users else None}
        result = self._topapi("processinstance/listids", body,
                              name="dingtalk.oapi.processinstance.listids").get("result") or {}
        return {"list": list(result.get("list") or []), "next_cursor": result.get("next_cursor")}

    def iter_process_instance_ids(self, process_code: str, start_time: TimeArg, end_time: Optional[TimeArg] = None,
                                  userid_list: Ids = None, size: int = 20) -> Iterator[str]:
        """Every instance id :meth:`get_process_instance_ids` finds, page after page.
        Doc: https://open.dingtalk.com/document/development/operation-to-retrieve-a-list-of

        >>> ids = list(app.iter_process_instance_ids("PROC-XXX", datetime.now() - timedelta(days=30)))  # doctest: +SKIP
        """
        def fetch(cursor: Any) -> Any:
            page = self.get_process_instance_ids(process_code, start_time, end_time, size, cursor, userid_list)
            return page["list"], page["next_cursor"]
        return iter_cursor(fetch, 0)

    @dingtalk("dingtalk.oapi.processinstance.get", "dingtalk.smartwork.bpms.processinstance.get")
    def get_process_instance(self, process_instance_id: str) -> Dict[str, Any]:
        """One instance: title, status (``RUNNING``/``COMPLETED``/``TERMINATED``...), result,
        ``form_component_values``, ``tasks``, ``operation_records`` (comments included), ...

        Doc: https://open.dingtalk.com/document/development/get-details-single-approval-instance

        >>> app.get_process_instance("a171de6c-8b...")["status"]  # doctest: +SKIP
        """
        data = self._topapi("processinstance/get",
                            {"process_instance_id": _limits.required("process_instance_id", process_instance_id)},
                            name="dingtalk.oapi.processinstance.get")
        return data.get("process_instance") or {}

    # -- actions ------------------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.process.instance.terminate")
    def terminate_process_instance(self, process_instance_id: str, operating_userid: Optional[str] = None,
                                   remark: Optional[str] = None, is_system: Optional[bool] = None) -> bool:
        """Revoke (撤销) a running instance; its status becomes ``TERMINATED``. Returns True.

        ``is_system`` defaults to True without an ``operating_userid``, else False.
        Doc: https://open.dingtalk.com/document/development/terminate-a-workflow-by-using-an-instance-id

        >>> app.terminate_process_instance(instance_id, operating_userid="manager01", remark="重复提交")  # doctest: +SKIP
        """
        system = operating_userid in (None, "") if is_system is None else bool(is_system)
        if not system and operating_userid in (None, ""):
            raise ParameterError("operating_userid is required when is_system is False")
        request = drop_none(process_instance_id=_limits.required("process_instance_id", process_instance_id),
                            is_system=system, operating_userid=operating_userid or None, remark=remark)
        data = self._topapi("process/instance/terminate", {"request": request}, write=True,
                            name="dingtalk.oapi.process.instance.terminate")
        return bool(data.get("result", True))

    @dingtalk("dingtalk.oapi.process.instance.comment.add")
    def add_process_instance_comment(self, process_instance_id: str, comment_userid: str, text: str,
                                     photos: Optional[Iterable[str]] = None,
                                     attachments: Optional[Iterable[Mapping[str, Any]]] = None) -> bool:
        """Comment on an instance (shown in its ``operation_records``). Returns True.

        ``attachments``: ``[{space_id, file_id, file_name, file_size, file_type}]`` of files in
        the approval DingPan space (:meth:`get_process_instance_space`).
        Doc: https://open.dingtalk.com/document/development/add-an-approval-comment

        >>> app.add_process_instance_comment(instance_id, "manager01", "请补充发票")  # doctest: +SKIP
        """
        files: Dict[str, Any] = {}
        if photos is not None:
            files["photos"] = [str(p) for p in photos]
        if attachments is not None:
            files["attachments"] = [dict(a) for a in attachments]
        request = drop_none(process_instance_id=_limits.required("process_instance_id", process_instance_id),
                            comment_userid=_limits.required("comment_userid", comment_userid),
                            text=_limits.required("text", text), file=files or None)
        data = self._topapi("process/instance/comment/add", {"request": request}, write=True,
                            name="dingtalk.oapi.process.instance.comment.add")
        return bool(data.get("result", True))

    @dingtalk("dingtalk.oapi.process.instance.execute", "dingtalk.oapi.processinstance.execute",
              "dingtalk.smartwork.bpms.processinstance.execute")
    def execute_process_instance(self, process_instance_id: str, actioner_userid: str, task_id: Any,
                                 result: str, remark: Optional[str] = None) -> bool:
        """Agree to or refuse a task of an instance (``result`` ``"agree"`` / ``"refuse"``). Returns True.

        The task ids are in :meth:`get_process_instance` ``["tasks"]``; ``remark`` ≤ 2000 chars.
        Doc: https://open.dingtalk.com/document/development/execute-approval-operation-with-attachment

        >>> app.execute_process_instance(instance_id, "user02", task_id, "agree", remark="同意")  # doctest: +SKIP
        """
        verdict = str(result or "").lower()
        if verdict not in ("agree", "refuse"):
            raise ParameterError(f"result must be 'agree' or 'refuse', got {result!r}")
        if remark is not None and len(remark) > 2000:
            raise ParameterError(f"remark takes at most 2000 characters (DingTalk's limit), got {len(remark)}")
        request = drop_none(process_instance_id=_limits.required("process_instance_id", process_instance_id),
                            actioner_userid=_limits.required("actioner_userid", actioner_userid),
                            task_id=_int("task_id", _limits.required("task_id", task_id)),
                            result=verdict, remark=remark)
        data = self._topapi("process/instance/execute", {"request": request}, write=True,
                            name="dingtalk.oapi.process.instance.execute")
        return bool(data.get("result", True))

    # -- DingPan space, templates, todo ---------------------------------------------------------
    @dingtalk("dingtalk.oapi.processinstance.cspace.info")
    def get_process_instance_space(self, user_id: str, agent_id: Any = None) -> Dict[str, Any]:
        """The approval DingPan space a user uploads attachments to: ``{"space_id": ...}``.

        ``agent_id`` defaults to the app's.
        Doc: https://open.dingtalk.com/document/orgapp/obtains-the-information-about-approval-nail-disk

        >>> app.get_process_instance_space("manager01")["space_id"]  # doctest: +SKIP
        """
        body = {"user_id": _limits.required("user_id", user_id), "agent_id": self._bpms_agent(agent_id)}
        return self._topapi("processinstance/cspace/info", body,
                            name="dingtalk.oapi.processinstance.cspace.info").get("result") or {}

    @dingtalk("dingtalk.oapi.process.listbyuserid")
    def get_user_visible_processes(self, userid: Optional[str] = None, offset: int = 0,
                                   size: int = 100) -> Dict[str, Any]:
        """One page of the approval templates a user can start (all of the company's when
        ``userid`` is None): ``{"process_list": [{name, process_code, icon_url, url}], "next_cursor"}``.

        ``size`` ≤ 100; ``next_cursor`` is None on the last page.
        Doc: https://open.dingtalk.com/document/orgapp/obtains-a-list-of-templates-visible-to-the-specified-user

        >>> app.get_user_visible_processes("user01")["process_list"]  # doctest: +SKIP
        """
        body = {"userid": userid or None, "offset": _limits.offset("offset", offset),
                "size": _limits.page_size("size", size, 100)}
        result = self._topapi("process/listbyuserid", body, name="dingtalk.oapi.process.listbyuserid").get("result") or {}
        return {"process_list": list(result.get("process_list") or []), "next_cursor": result.get("next_cursor")}

    def iter_user_visible_processes(self, userid: Optional[str] = None, size: int = 100) -> Iterator[Dict[str, Any]]:
        """Every template :meth:`get_user_visible_processes` lists, page after page.
        Doc: https://open.dingtalk.com/document/orgapp/obtains-a-list-of-templates-visible-to-the-specified-user

        >>> codes = [p["process_code"] for p in app.iter_user_visible_processes("user01")]  # doctest: +SKIP
        """
        def fetch(cursor: Any) -> Any:
            page = self.get_user_visible_processes(userid, cursor, size)
            return page["process_list"], page["next_cursor"]
        return iter_cursor(fetch, 0)

    @dingtalk("dingtalk.oapi.process.gettodonum")
    def get_process_todo_count(self, userid: str) -> int:
        """How many approval tasks wait for ``userid`` (待我审批).

        Doc: https://open.dingtalk.com/document/orgapp/obtains-the-number-of-pending-approvals-for-a-user

        >>> app.get_process_todo_count("manager01")  # doctest: +SKIP
        """
        data = self._topapi("process/gettodonum", {"userid": _limits.required("userid", userid)},
                            name="dingtalk.oapi.process.gettodonum")
        return int(data.get("count") or 0)
