"""Attendance (考勤): oapi ``/attendance/listRecord`` and ``/attendance/list``, topapi ``attendance/*``.

Data (:class:`AttendanceState`, ``state.domain("attendance", ...)``): three attendance groups
(two fixed-shift groups that cover the company by department, one shift-rota group without
members) and their classes (班次). Members are the active users, each in the group of their first
department's nearest listed ancestor.

Check-ins are a pure, deterministic function of (user, day): every workday (Mon–Fri) of the last
35 days before today (China time) has an OnDuty and an OffDuty result per member hired by then,
mostly on time, sometimes late, early or missing (``NotSigned``). Days covered by an approved
leave (a ``PROC-SANDBOX-LEAVE`` instance, ``COMPLETED``/``agree``, see the bpms routes) have
``sourceType`` ``APPROVE`` results and no check-in records; the same leaves feed
``getleavestatus``. Shifts (``listschedule``) exist for any weekday.

Limits answered as DingTalk does (errcode 40035 + message): ≤ 50 users and ≤ 7 days for
``listRecord``/``list`` ("时间跨度不能超过7天"), ``limit`` ≤ 50, ``listschedule`` size ≤ 200,
``getsimplegroups`` size ≤ 10, ``getleavestatus`` ≤ 100 users / ≤ 180 days / size ≤ 20.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from ..state import CST
from .base import Ctx, Router, int_param, list_param, page, str_param

RECENT_DAYS = 35
LEAVE_CODE = "PROC-SANDBOX-LEAVE"
CHECK_TYPES = ("OnDuty", "OffDuty")
_FMT = "%Y-%m-%d %H:%M:%S"

#: class id → name, on-duty, off-duty, rest begin, rest end
CLASSES: Dict[int, Tuple[str, str, str, str, str]] = {
    1001: ("标准班", "09:00", "18:00", "12:00", "13:00"),
    1002: ("弹性班", "10:00", "19:00", "12:30", "13:30"),
    1003: ("早班", "08:00", "17:00", "12:00", "13:00"),
}
#: group id, name, type, class ids (first = default), departments, managers
GROUPS: Tuple[Tuple[int, str, str, Tuple[int, ...], Tuple[int, ...], Tuple[str, ...]], ...] = (
    (10001, "研发考勤组", "FIXED", (1002,), (2,), ("user0002",)),
    (10002, "职能考勤组", "FIXED", (1001,), (1, 3, 4, 5), ("manager0001", "user0011")),
    (10003, "门店排班组", "TURN", (1001, 1003), (), ("user0011",)),
)
ADDRESS = ("浙江省杭州市余杭区文一西路969号", 120.026208, 30.279212)


def _num(*parts: Any, digits: int = 11) -> int:
    """A stable positive id from its parts."""
    text = "|".join(str(p) for p in parts)
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:15], 16) % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1)


def _ms(moment: _dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _at(day: _dt.date, hhmm: str, minutes: int = 0) -> _dt.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return _dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST) + _dt.timedelta(minutes=minutes)


def _days(first: _dt.date, last: _dt.date) -> Iterator[_dt.date]:
    day = first
    while day <= last:
        yield day
        day += _dt.timedelta(days=1)


class AttendanceState:
    """Groups and classes of one sandbox (check-ins are computed, see the module docstring)."""

    def __init__(self, state: Any) -> None:
        self.classes: Dict[int, Dict[str, Any]] = {cid: {"class_id": cid, "class_name": name, "on": on, "off": off,
                              "rest_begin": rb, "rest_end": re, "setting_id": cid * 10 + 1}
                        for cid, (name, on, off, rb, re) in CLASSES.items()}
        self.groups: List[Dict[str, Any]] = [{"group_id": gid, "group_name": name, "type": kind, "class_ids": list(classes),
                        "depts": set(depts), "managers": list(managers)}
                       for gid, name, kind, classes, depts, managers in GROUPS]

    def group_of(self, state: Any, user: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """The group of a user: the nearest listed ancestor of their first department."""
        if not user.get("department"):
            return None
        dept_id: Any = user["department"][0]
        seen: Set[int] = set()
        while dept_id is not None and dept_id not in seen:
            seen.add(dept_id)
            for group in self.groups:
                if dept_id in group["depts"]:
                    return group
            dept_id = (state.departments.get(dept_id) or {}).get("parentid")
        return None

    def members(self, state: Any, group: Dict[str, Any]) -> List[Dict[str, Any]]:
        return [u for u in sorted(state.users.values(), key=lambda u: u["userid"])
                if u.get("active") and self.group_of(state, u) is group]

    def class_of(self, group: Dict[str, Any]) -> Dict[str, Any]:
        return self.classes[group["class_ids"][0]]

    # -- views --------------------------------------------------------------------------------
    def class_view(self, cls: Dict[str, Any]) -> Dict[str, Any]:
        times = [{"check_type": "OnDuty", "check_time": f"1970-01-01 {cls['on']}:00", "across": 0},
                 {"check_type": "OffDuty", "check_time": f"1970-01-01 {cls['off']}:00", "across": 0}]
        return {"class_id": cls["class_id"], "class_name": cls["class_name"], "sections": [{"times": times}],
                "setting": {"class_setting_id": cls["setting_id"], "permit_late_minutes": 0,
                            "rest_begin_time": {"check_time": f"1970-01-01 {cls['rest_begin']}:00"},
                            "rest_end_time": {"check_time": f"1970-01-01 {cls['rest_end']}:00"}}}

    def group_view(self, state: Any, group: Dict[str, Any]) -> Dict[str, Any]:
        classes = [self.classes[c] for c in group["class_ids"]]
        fixed = group["type"] == "FIXED"
        default = classes[0]
        return {
            "group_id": group["group_id"], "group_name": group["group_name"], "type": group["type"],
            "member_count": len(self.members(state, group)),
            "default_class_id": default["class_id"],
            "selected_class": [self.class_view(c) for c in classes],
            "work_day_list": [str(default["class_id"]) if fixed and i < 5 else "0" for i in range(7)],
            "classes_list": [f"周一、二、三、四、五 {default['on']}-{default['off']}"] if fixed else [],
            "manager_list": list(group["managers"]),
            "dept_name_list": [state.departments[d]["name"] for d in sorted(group["depts"]) if d in state.departments],
        }


def _att(ctx: Ctx) -> AttendanceState:
    return ctx.state.domain("attendance", AttendanceState)


def _time(ctx: Ctx, params: Dict[str, Any], name: str) -> _dt.datetime:
    text = str_param(ctx, params, name, required=True) or ""
    for fmt in (_FMT, "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(text.strip(), fmt).replace(tzinfo=CST)
        except ValueError:
            continue
    raise ctx.invalid(name, f"{name}格式错误，应为yyyy-MM-dd HH:mm:ss")


def _span(ctx: Ctx, start: _dt.datetime, end: _dt.datetime, days: int) -> None:
    if end < start:
        raise ctx.invalid("end", "结束时间不能早于开始时间")
    if end - start > _dt.timedelta(days=days):
        raise ctx.invalid("span", f"时间跨度不能超过{days}天")


def _today() -> _dt.date:
    return _dt.datetime.now(CST).date()


# -- leaves (approved leave approvals of the bpms domain) -------------------------------------------
def _leaves(ctx: Ctx, userid: str) -> List[Dict[str, Any]]:
    """The user's approved leaves: ``{instance, first, last, days}`` (call with the lock held)."""
    out = []
    for inst in ctx.state.process_instances:
        if (inst["process_code"] != LEAVE_CODE or inst["originator_userid"] != userid
                or inst["status"] != "COMPLETED" or inst["process_instance_result"] != "agree"):
            continue
        form = {v.get("name"): v.get("value") for v in inst["form_component_values"]}
        try:
            first = _dt.datetime.strptime(str(form.get("开始时间"))[:10], "%Y-%m-%d").date()
            last = _dt.datetime.strptime(str(form.get("结束时间"))[:10], "%Y-%m-%d").date()
        except ValueError:
            continue
        try:
            days = float(form.get("请假天数") or 0) or float(sum(1 for d in _days(first, last) if d.weekday() < 5))
        except ValueError:
            days = float(sum(1 for d in _days(first, last) if d.weekday() < 5))
        out.append({"instance": inst["process_instance_id"], "first": first, "last": last, "days": days})
    return out


def _leave_on(leaves: List[Dict[str, Any]], day: _dt.date) -> Optional[str]:
    for leave in leaves:
        if leave["first"] <= day <= leave["last"]:
            return leave["instance"]
    return None


# -- check-ins -----------------------------------------------------------------------------------------
def _checkins(ctx: Ctx, userid: str, first: _dt.date, last: _dt.date) -> Iterator[Dict[str, Any]]:
    """The user's check-in results on workdays in ``[first, last]`` within the recent weeks
    (call with the lock held). Each: the ``attendance/list`` result plus ``_record`` (the
    ``listRecord`` entry, or None when the user did not check in)."""
    att = _att(ctx)
    user = ctx.state.users.get(userid)
    if user is None or not user.get("active"):
        return
    group = att.group_of(ctx.state, user)
    if group is None or group["type"] != "FIXED":
        return
    cls = att.class_of(group)
    today = _today()
    first = max(first, today - _dt.timedelta(days=RECENT_DAYS))
    last = min(last, today - _dt.timedelta(days=1))
    hired = _dt.datetime.fromtimestamp(user.get("hiredDate", 0) / 1000, CST).date()
    leaves = _leaves(ctx, userid)
    for day in _days(first, last):
        if day.weekday() >= 5 or day < hired:
            continue
        leave = _leave_on(leaves, day)
        for check_type in CHECK_TYPES:
            yield _checkin(userid, group, cls, day, check_type, leave)


def _checkin(userid: str, group: Dict[str, Any], cls: Dict[str, Any], day: _dt.date, check_type: str,
             leave: Optional[str]) -> Dict[str, Any]:
    base = _at(day, cls["on"] if check_type == "OnDuty" else cls["off"])
    roll = _num("roll", userid, day, check_type)
    result: Dict[str, Any] = {
        "id": _num("result", userid, day, check_type), "groupId": group["group_id"],
        "planId": _num("plan", userid, day, check_type), "workDate": _ms(_at(day, "00:00")),
        "userId": userid, "checkType": check_type, "baseCheckTime": _ms(base),
    }
    if leave is not None:
        result.update(timeResult="Normal", locationResult="Normal", sourceType="APPROVE",
                      approveId=_num("approve", leave), procInstId=leave, _record=None)
        return result
    if check_type == "OffDuty" and roll % 25 == 0:
        result.update(timeResult="NotSigned", locationResult="NotSigned", sourceType="SYSTEM", _record=None)
        return result
    if check_type == "OnDuty":
        late = roll % 8 == 0
        minutes = 1 + roll % 40 if late else -(1 + roll % 35)
        verdict = "Normal" if minutes <= 0 else ("SeriousLate" if minutes > 30 else "Late")
    else:
        early = roll % 12 == 0
        minutes = -(1 + roll % 30) if early else roll % 90
        verdict = "Early" if minutes < 0 else "Normal"
    when = base + _dt.timedelta(minutes=minutes, seconds=roll % 60)
    outside = roll % 17 == 0
    source = "ATM" if roll % 5 == 0 else "USER"
    record_id = _num("record", userid, day, check_type)
    result.update(timeResult=verdict, locationResult="Outside" if outside else "Normal",
                  userCheckTime=_ms(when), sourceType=source, recordId=record_id)
    address, longitude, latitude = ADDRESS
    record = {
        "id": record_id, "groupId": group["group_id"], "planId": result["planId"],
        "workDate": result["workDate"], "userId": userid, "checkType": check_type,
        "timeResult": verdict, "locationResult": result["locationResult"],
        "baseCheckTime": result["baseCheckTime"], "userCheckTime": result["userCheckTime"],
        "sourceType": source, "isLegal": "Y", "locationMethod": "MAP" if source == "USER" else "ATM",
        "userAddress": "杭州市西湖区文三路90号" if outside else address,
        "userLongitude": round(longitude + (0.03 if outside else 0.0) + (roll % 100) / 1e6, 6),
        "userLatitude": round(latitude + (roll % 100) / 1e6, 6), "userAccuracy": 30.0,
        "deviceId": f"sandbox-{userid}",
    }
    result["_record"] = record
    return result


def _users(ctx: Ctx, params: Dict[str, Any], name: str, maximum: int) -> List[str]:
    return list_param(ctx, params, name, required=True, max_items=maximum)


# -- handlers -------------------------------------------------------------------------------------------
def attendance_list_record(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /attendance/listRecord`` {userIds ≤ 50, checkDateFrom, checkDateTo (≤ 7 days)} → ``recordresult``."""
    users = _users(ctx, params, "userIds", 50)
    start, end = _time(ctx, params, "checkDateFrom"), _time(ctx, params, "checkDateTo")
    _span(ctx, start, end, 7)
    with ctx.lock:
        rows = [r["_record"] for u in users for r in _checkins(ctx, u, start.date(), end.date())
                if r["_record"] is not None]
    return {"recordresult": rows}


def attendance_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /attendance/list`` {workDateFrom, workDateTo (≤ 7 days), userIdList ≤ 50, offset, limit ≤ 50}."""
    start, end = _time(ctx, params, "workDateFrom"), _time(ctx, params, "workDateTo")
    _span(ctx, start, end, 7)
    users = _users(ctx, params, "userIdList", 50)
    offset = int_param(ctx, params, "offset", 0, minimum=0) or 0
    limit = int_param(ctx, params, "limit", 50, minimum=1, maximum=50) or 50
    with ctx.lock:
        rows = [{k: v for k, v in r.items() if k != "_record"}
                for u in users for r in _checkins(ctx, u, start.date(), end.date())]
    chunk, more = page(rows, offset, limit)
    return {"recordresult": chunk, "hasMore": more}


def topapi_listschedule(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/attendance/listschedule`` {workDate, offset, size ≤ 200} → ``result{schedules, has_more}``."""
    day = _time(ctx, params, "workDate").date()
    offset = int_param(ctx, params, "offset", 0, minimum=0) or 0
    size = int_param(ctx, params, "size", 200, minimum=1, maximum=200) or 200
    plans: List[Dict[str, Any]] = []
    if day.weekday() < 5:
        with ctx.lock:
            att = _att(ctx)
            for group in att.groups:
                if group["type"] != "FIXED":
                    continue
                cls = att.class_of(group)
                for user in att.members(ctx.state, group):
                    for check_type in CHECK_TYPES:
                        when = _at(day, cls["on"] if check_type == "OnDuty" else cls["off"])
                        plans.append({"plan_id": _num("plan", user["userid"], day, check_type),
                                      "check_type": check_type, "userid": user["userid"],
                                      "group_id": group["group_id"], "class_id": cls["class_id"],
                                      "class_setting_id": cls["setting_id"],
                                      "plan_check_time": when.strftime(_FMT)})
    plans.sort(key=lambda p: (p["userid"], p["check_type"] != "OnDuty"))
    chunk, more = page(plans, offset, size)
    return {"result": {"schedules": chunk, "has_more": more}}


def topapi_getsimplegroups(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/attendance/getsimplegroups`` {offset, size ≤ 10} → ``result{groups, has_more}``."""
    offset = int_param(ctx, params, "offset", 0, minimum=0) or 0
    size = int_param(ctx, params, "size", 10, minimum=1, maximum=10) or 10
    with ctx.lock:
        att = _att(ctx)
        groups = [att.group_view(ctx.state, g) for g in att.groups]
    chunk, more = page(groups, offset, size)
    return {"result": {"groups": chunk, "has_more": more}}


def _user(ctx: Ctx, userid: str) -> Dict[str, Any]:
    user = ctx.state.users.get(userid)
    if user is None:
        raise ctx.error(60121, "找不到该用户")
    return user


def topapi_getusergroup(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/attendance/getusergroup`` {userid} → ``result{group_id, name, type, classes}``."""
    userid = str_param(ctx, params, "userid", required=True) or ""
    with ctx.lock:
        att = _att(ctx)
        group = att.group_of(ctx.state, _user(ctx, userid))
        if group is None:
            raise ctx.error(40035, "该员工不在任何考勤组中")
        return {"result": {"group_id": group["group_id"], "name": group["group_name"], "type": group["type"],
                           "classes": [att.class_view(att.classes[c]) for c in group["class_ids"]]}}


def topapi_getleavestatus(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/attendance/getleavestatus`` {userid_list ≤ 100, start_time, end_time (ms, ≤ 180 days), offset, size ≤ 20}."""
    users = _users(ctx, params, "userid_list", 100)
    start = int_param(ctx, params, "start_time", required=True, minimum=0) or 0
    end = int_param(ctx, params, "end_time", required=True, minimum=0) or 0
    _span(ctx, _dt.datetime.fromtimestamp(start / 1000, CST), _dt.datetime.fromtimestamp(end / 1000, CST), 180)
    offset = int_param(ctx, params, "offset", required=True, minimum=0) or 0
    size = int_param(ctx, params, "size", required=True, minimum=1, maximum=20) or 20
    rows = []
    with ctx.lock:
        att = _att(ctx)
        for userid in users:
            user = ctx.state.users.get(userid)
            if user is None:
                continue
            group = att.group_of(ctx.state, user)
            cls = att.class_of(group) if group else att.classes[1001]
            for leave in _leaves(ctx, userid):
                begin, finish = _ms(_at(leave["first"], cls["on"])), _ms(_at(leave["last"], cls["off"]))
                if finish < start or begin > end:
                    continue
                rows.append({"userid": userid, "start_time": begin, "end_time": finish,
                             "duration_unit": "percent_day", "duration_percent": int(round(leave["days"] * 100))})
    chunk, more = page(rows, offset, size)
    return {"result": {"leave_status": chunk, "has_more": more}, "success": True}


def topapi_getleaveapproveduration(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/attendance/getleaveapproveduration`` {userid, from_date, to_date} → ``result{duration_in_minutes}``."""
    userid = str_param(ctx, params, "userid", required=True) or ""
    start, end = _time(ctx, params, "from_date"), _time(ctx, params, "to_date")
    if end < start:
        raise ctx.invalid("to_date", "结束时间不能早于开始时间")
    minutes = 0
    with ctx.lock:
        att = _att(ctx)
        group = att.group_of(ctx.state, _user(ctx, userid))
        if group is not None and group["type"] == "FIXED":
            cls = att.class_of(group)
            for day in _days(start.date(), end.date()):
                if day.weekday() >= 5:
                    continue
                for a, b in ((cls["on"], cls["rest_begin"]), (cls["rest_end"], cls["off"])):
                    lo, hi = max(start, _at(day, a)), min(end, _at(day, b))
                    if hi > lo:
                        minutes += int((hi - lo).total_seconds() // 60)
    return {"result": {"duration_in_minutes": minutes}}


def register(router: Router) -> None:
    """Register this domain's routes."""
    router.post("/attendance/listRecord")(attendance_list_record)
    router.post("/attendance/list")(attendance_list)
    router.post("/topapi/attendance/listschedule")(topapi_listschedule)
    router.post("/topapi/attendance/getsimplegroups")(topapi_getsimplegroups)
    router.post("/topapi/attendance/getusergroup")(topapi_getusergroup)
    router.post("/topapi/attendance/getleavestatus")(topapi_getleavestatus)
    router.post("/topapi/attendance/getleaveapproveduration")(topapi_getleaveapproveduration)


__all__ = ["AttendanceState", "register"]
