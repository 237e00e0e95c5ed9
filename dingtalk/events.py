"""Typed views of DingTalk callback events (回调事件).

:func:`parse_event` turns the decrypted event dict into a light object: the common events get
their own class with the fields worth having; every object keeps the whole dict as ``raw`` (and
``event["Field"]`` reads from it), so nothing DingTalk sent is ever lost.

>>> e = parse_event({"EventType": "user_add_org", "UserId": ["u1"], "CorpId": "dingc", "TimeStamp": "1"})
>>> type(e).__name__, e.user_ids
('UserEvent', ['u1'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Type

__all__ = ["Event", "UserEvent", "DeptEvent", "LabelEvent", "OrgEvent", "BpmsInstanceEvent",
           "BpmsTaskEvent", "CheckInEvent", "AttendanceEvent", "ChatEvent", "CheckUrlEvent",
           "parse_event", "EVENT_CLASSES"]


def _list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _get(raw: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in raw:
            return raw[name]
    return None


@dataclass
class Event:
    """Any event: ``type`` (EventType), ``corp_id``, ``timestamp`` and the whole ``raw`` dict."""

    type: str
    raw: Dict[str, Any] = field(repr=False)
    corp_id: Optional[str] = None
    timestamp: Optional[str] = None

    @classmethod
    def from_raw(cls, raw: Dict[str, Any]) -> "Event":
        return cls(type=str(raw.get("EventType", "")), raw=raw, **cls._fields(raw))

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        ts = _get(raw, "TimeStamp", "timeStamp", "timestamp", "createTime")
        return {"corp_id": _get(raw, "CorpId", "corpId", "corpid"),
                "timestamp": None if ts is None else str(ts)}

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


@dataclass
class CheckUrlEvent(Event):
    """``check_url`` / ``check_create_suite_url`` / ``check_update_suite_url``: answered by the handler."""

    random: Optional[str] = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "random": raw.get("Random")}


@dataclass
class UserEvent(Event):
    """通讯录用户增加/变更/离职/激活, 管理员变更: ``user_ids``."""

    user_ids: List[str] = field(default_factory=list)

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "user_ids": [str(u) for u in _list(_get(raw, "UserId", "UserIdList", "userId"))]}


@dataclass
class DeptEvent(Event):
    """部门创建/修改/删除: ``dept_ids``."""

    dept_ids: List[int] = field(default_factory=list)

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        ids = []
        for d in _list(_get(raw, "DeptId", "DeptIdList", "deptId")):
            try:
                ids.append(int(d))
            except (TypeError, ValueError):
                ids.append(d)
        return {**super()._fields(raw), "dept_ids": ids}


@dataclass
class LabelEvent(Event):
    """角色/标签变更 (label_user_change, label_conf_*): ``label_ids``, ``user_ids``, ``action``."""

    label_ids: List[Any] = field(default_factory=list)
    user_ids: List[str] = field(default_factory=list)
    action: Optional[str] = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "label_ids": _list(_get(raw, "LabelIdList", "LabelId")),
                "user_ids": [str(u) for u in _list(_get(raw, "UserIdList", "UserId"))],
                "action": _get(raw, "action", "Action")}


@dataclass
class OrgEvent(Event):
    """企业信息变更 / 解散 (org_change, org_remove)."""


@dataclass
class BpmsInstanceEvent(Event):
    """审批实例开始/结束/终止 (bpms_instance_change)."""

    process_instance_id: Optional[str] = None
    process_code: Optional[str] = None
    change: Optional[str] = None          # "start", "finish", "terminate"
    result: Optional[str] = None          # "agree", "refuse" when finished
    staff_id: Optional[str] = None
    title: Optional[str] = None
    url: Optional[str] = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "process_instance_id": raw.get("processInstanceId"),
                "process_code": raw.get("processCode"), "change": raw.get("type"),
                "result": raw.get("result"), "staff_id": raw.get("staffId"),
                "title": raw.get("title"), "url": raw.get("url")}


@dataclass
class BpmsTaskEvent(BpmsInstanceEvent):
    """审批任务开始/结束/转交/评论 (bpms_task_change): also ``task_id``, ``remark``, ``content``."""

    task_id: Optional[str] = None
    remark: Optional[str] = None
    content: Optional[str] = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        task = raw.get("taskId")
        return {**super()._fields(raw), "task_id": None if task is None else str(task),
                "remark": raw.get("remark"), "content": raw.get("content")}


@dataclass
class CheckInEvent(Event):
    """签到 (check_in): ``staff_id``."""

    staff_id: Optional[str] = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "staff_id": _get(raw, "StaffId", "staffId", "userId")}


@dataclass
class AttendanceEvent(Event):
    """考勤打卡/排班/加班 (attendance_*): ``records`` (the event's ``DataList``)."""

    records: List[Dict[str, Any]] = field(default_factory=list)

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "records": _list(_get(raw, "DataList", "dataList"))}


@dataclass
class ChatEvent(Event):
    """群会话事件 (chat_*): ``chat_id``, ``operator``, ``user_ids``."""

    chat_id: Optional[str] = None
    operator: Optional[str] = None
    user_ids: List[str] = field(default_factory=list)

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {**super()._fields(raw), "chat_id": _get(raw, "ChatId", "chatId"),
                "operator": _get(raw, "Operator", "operator"),
                "user_ids": [str(u) for u in _list(_get(raw, "UserId", "UserIdList"))]}


#: EventType → class. Types not listed parse as plain :class:`Event`.
EVENT_CLASSES: Dict[str, Type[Event]] = {
    "check_url": CheckUrlEvent, "check_create_suite_url": CheckUrlEvent,
    "check_update_suite_url": CheckUrlEvent, "check_suite_license_code": CheckUrlEvent,
    **{t: UserEvent for t in ("user_add_org", "user_modify_org", "user_leave_org", "user_active_org",
                              "org_admin_add", "org_admin_remove")},
    **{t: DeptEvent for t in ("org_dept_create", "org_dept_modify", "org_dept_remove")},
    **{t: LabelEvent for t in ("label_user_change", "label_conf_add", "label_conf_del", "label_conf_modify")},
    "org_change": OrgEvent, "org_remove": OrgEvent,
    "bpms_instance_change": BpmsInstanceEvent, "bpms_task_change": BpmsTaskEvent,
    "check_in": CheckInEvent,
    **{t: AttendanceEvent for t in ("attendance_check_record", "attendance_schedule_change",
                                    "attendance_overtime_duration")},
    **{t: ChatEvent for t in ("chat_add_member", "chat_remove_member", "chat_quit", "chat_update_owner",
                              "chat_update_title", "chat_disband")},
}


def parse_event(raw: Dict[str, Any]) -> Event:
    """The typed event for a decrypted event dict."""
    cls = EVENT_CLASSES.get(str(raw.get("EventType", "")), Event)
    return cls.from_raw(raw)
