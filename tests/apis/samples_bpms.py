"""Keyword arguments that succeed on a fresh sandbox, for every registered name whose method only
reads: approvals (bpms / processinstance) and attendance (this developer's whole domain).

Note: the seed-shaped results of ``get_bpms_instance_list``, ``get_all_bpms_instance_list``,
``get_schedule_list`` and ``get_simple_groups`` carry DingTalk's per-call ``request_id``; two
calls agree on everything else.
"""
from __future__ import annotations

import datetime as _dt
import hashlib

_CST = _dt.timezone(_dt.timedelta(hours=8))
_TODAY = _dt.datetime.now(_CST).date()
_MONDAY = _TODAY - _dt.timedelta(days=_TODAY.weekday() + 7)  # last week's Monday: check-ins exist
_FRIDAY = _MONDAY + _dt.timedelta(days=4)


def _seeded_instance_id(index: int) -> str:
    """The id of the index-th seeded approval instance (1-based), as the sandbox derives it."""
    digest = hashlib.sha1(f"sandbox-instance-{index}".encode("utf-8")).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


_LEAVE = "PROC-SANDBOX-LEAVE"
_LIST = {"process_code": _LEAVE, "start_time": 0, "size": 5}
_IDS = {"process_code": _LEAVE, "start_time": int((_dt.datetime.now(_CST) - _dt.timedelta(days=30)).timestamp() * 1000)}
_GET = {"process_instance_id": _seeded_instance_id(1)}
_SCHEDULES = {"work_date": f"{_MONDAY} 00:00:00", "size": 5}
_GROUPS = {"size": 2}
_USER_GROUP = {"userid": "user0003"}
_DURATION = {"userid": "user0009", "from_date": "2026-11-02 09:00:00", "to_date": "2026-11-03 18:00:00"}

READ_SAMPLES = {
    # approvals
    "dingtalk.smartwork.bpms.processinstance.list": _LIST,
    "dingtalk.oapi.processinstance.list": _LIST,
    "dingtalk.smartwork.bpms.processinstance.all": {"process_code": _LEAVE, "start_time": 0},
    "dingtalk.oapi.processinstance.listids": _IDS,
    "dingtalk.smartwork.bpms.processinstanceid.list": _IDS,
    "dingtalk.oapi.processinstance.get": _GET,
    "dingtalk.smartwork.bpms.processinstance.get": _GET,
    "dingtalk.oapi.processinstance.cspace.info": {"user_id": "user0003"},
    "dingtalk.oapi.process.listbyuserid": {"userid": "user0003", "size": 2},
    "dingtalk.oapi.process.gettodonum": {"userid": "user0002"},
    # attendance
    "dingtalk.smartwork.attends.listschedule": _SCHEDULES,
    "dingtalk.oapi.attendance.listschedule": _SCHEDULES,
    "dingtalk.smartwork.attends.getsimplegroups": _GROUPS,
    "dingtalk.oapi.attendance.getsimplegroups": _GROUPS,
    "dingtalk.oapi.attendance.listRecord": {"user_ids": ["user0003", "user0009"], "check_data_from": _MONDAY,
                                            "check_data_to": _FRIDAY},
    "dingtalk.oapi.attendance.list": {"work_date_from": _MONDAY, "work_date_to": _FRIDAY,
                                      "user_ids": ["user0003", "user0009"], "limit": 10},
    "dingtalk.oapi.attendance.getleavestatus": {"userid_list": ["user0011"], "start_time": "2025-05-01 00:00:00",
                                                "end_time": "2025-06-01 00:00:00"},
    "dingtalk.oapi.attendance.getusergroup": _USER_GROUP,
    "dingtalk.smartwork.attends.getusergroup": _USER_GROUP,
    "dingtalk.oapi.attendance.getleaveapproveduration": _DURATION,
    "dingtalk.smartwork.attends.getleaveapproveduration": _DURATION,
}
