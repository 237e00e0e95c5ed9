"""考勤 attendance: check-in records and results, schedules, groups, leave.

Times: a naive ``datetime`` is China time (UTC+8), an aware one is converted; a
``'yyyy-MM-dd HH:mm:ss'`` (or ``'yyyy-MM-dd'``) string is taken as China time; numbers are epoch
milliseconds. DingTalk receives ``yyyy-MM-dd HH:mm:ss`` text or epoch milliseconds, as each API wants.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterable, Iterator, List, Union

from .._time import CHINA_TZ, to_china
from ..errors import ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin
from ._paging import iter_offset

DateArg = Union[datetime, date, str, int, float]
Ids = Union[str, int, Iterable[Any], None]

#: attendance/listRecord and attendance/list: ≤ 50 users, from..to ≤ 7 days.
MAX_RECORD_USERS = 50
MAX_RECORD_SPAN = timedelta(days=7)
#: topapi/attendance/getleavestatus: ≤ 100 users, ≤ 180 days, pages of ≤ 20.
MAX_LEAVE_USERS = 100
MAX_LEAVE_SPAN = timedelta(days=180)


def _china(name: str, value: Any) -> datetime:
    """An aware datetime in China time from the accepted argument types."""
    _limits.required(name, value)
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a datetime, a date, 'yyyy-MM-dd HH:mm:ss' or epoch ms, got {value!r}")
    if isinstance(value, (datetime, date)):
        return to_china(value)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000.0, CHINA_TZ)
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                return datetime.strptime(value.strip(), fmt).replace(tzinfo=CHINA_TZ)
            except ValueError:
                continue
    raise ParameterError(f"{name} must be a datetime, a date, 'yyyy-MM-dd HH:mm:ss' or epoch ms, got {value!r}")


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _window(names: str, start: datetime, end: datetime, span: timedelta, days: int) -> None:
    if end < start:
        raise ParameterError(f"{names}: the end must not be before the start")
    if end - start > span:
        raise ParameterError(f"{names}: 时间跨度不能超过{days}天 (DingTalk allows at most {days} days, "
                             f"got {end - start})")


def _users(name: str, value: Ids, maximum: int) -> List[str]:
    users = _limits.id_list(name, value, maximum) or []
    if not users:
        raise ParameterError(f"{name} is required")
    return users


class AttendanceMixin(ApiMixin):
    """考勤 attendance."""

    # -- seed operations --------------------------------------------------------------------
    @dingtalk("dingtalk.smartwork.attends.listschedule", "dingtalk.oapi.attendance.listschedule")
    def get_schedule_list(self, work_date: DateArg, offset: int = 0, size: int = 200) -> Dict[str, Any]:
        """One page of the company's shifts on a day: ``{request_id, schedules, has_more}``.

        Each schedule: ``plan_id, userid, group_id, class_id, class_setting_id, check_type
        (OnDuty/OffDuty), plan_check_time``. ``size`` ≤ 200.
        Doc: https://open.dingtalk.com/document/orgapp/query-scheduling-information-by-day

        >>> app.get_schedule_list(datetime(2026, 11, 30))["schedules"]  # doctest: +SKIP
        """
        body = {"workDate": _text(_china("work_date", work_date)), "offset": _limits.offset("offset", offset),
                "size": _limits.page_size("size", size, 200)}
        data = self._topapi("attendance/listschedule", body, name="dingtalk.oapi.attendance.listschedule")
        result = data.get("result") or {}
        return {"request_id": data.get("request_id"), "schedules": list(result.get("schedules") or []),
                "has_more": bool(result.get("has_more"))}

    def iter_schedules(self, work_date: DateArg, size: int = 200) -> Iterator[Dict[str, Any]]:
        """Every shift of the day, page after page.
        Doc: https://open.dingtalk.com/document/orgapp/query-scheduling-information-by-day

        >>> plans = list(app.iter_schedules(date(2026, 11, 30)))  # doctest: +SKIP
        """
        def fetch(offset: int, count: int) -> Any:
            page = self.get_schedule_list(work_date, offset, count)
            return page["schedules"], page["has_more"]
        return iter_offset(fetch, size)

    @dingtalk("dingtalk.smartwork.attends.getsimplegroups", "dingtalk.oapi.attendance.getsimplegroups")
    def get_simple_groups(self, offset: int = 0, size: int = 10) -> Dict[str, Any]:
        """One page of attendance groups (考勤组): ``{request_id, has_more, groups}``; ``size`` ≤ 10.

        Doc: https://open.dingtalk.com/document/orgapp/queries-attendance-group-list-details

        >>> app.get_simple_groups()["groups"][0]["group_name"]  # doctest: +SKIP
        """
        body = {"offset": _limits.offset("offset", offset), "size": _limits.page_size("size", size, 10)}
        data = self._topapi("attendance/getsimplegroups", body, name="dingtalk.oapi.attendance.getsimplegroups")
        result = data.get("result") or {}
        return {"request_id": data.get("request_id"), "has_more": bool(result.get("has_more")),
                "groups": list(result.get("groups") or [])}

    def iter_simple_groups(self, size: int = 10) -> Iterator[Dict[str, Any]]:
        """Every attendance group, page after page.
        Doc: https://open.dingtalk.com/document/orgapp/queries-attendance-group-list-details

        >>> names = [g["group_name"] for g in app.iter_simple_groups()]  # doctest: +SKIP
        """
        def fetch(offset: int, count: int) -> Any:
            page = self.get_simple_groups(offset, count)
            return page["groups"], page["has_more"]
        return iter_offset(fetch, size)

    @dingtalk("dingtalk.oapi.attendance.listRecord")
    def get_attendance_record_list(self, user_ids: Ids, check_data_from: DateArg,
                                   check_data_to: DateArg) -> Dict[str, Any]:
        """Check-in details (打卡详情) of ≤ 50 users over ≤ 7 days: the whole answer,
        ``{errcode, errmsg, recordresult: [...]}``.

        Doc: https://open.dingtalk.com/document/orgapp/attendance-clock-in-record-is-open

        >>> app.get_attendance_record_list(["user01"], datetime(2026, 11, 23), datetime(2026, 11, 27))  # doctest: +SKIP
        """
        users = _users("user_ids", user_ids, MAX_RECORD_USERS)
        start, end = _china("check_data_from", check_data_from), _china("check_data_to", check_data_to)
        _window("check_data_from..check_data_to", start, end, MAX_RECORD_SPAN, 7)
        body = {"userIds": users, "checkDateFrom": _text(start), "checkDateTo": _text(end)}
        return self._oapi_post("/attendance/listRecord", body, write=False, name="dingtalk.oapi.attendance.listRecord")

    # -- results, leave, user group ----------------------------------------------------------
    @dingtalk("dingtalk.oapi.attendance.list")
    def get_attendance_list(self, work_date_from: DateArg, work_date_to: DateArg, user_ids: Ids,
                            offset: int = 0, limit: int = 50) -> Dict[str, Any]:
        """One page of check-in results (打卡结果: Normal/Late/Early/NotSigned ...) of ≤ 50 users
        over ≤ 7 days: ``{"recordresult": [...], "hasMore": bool}``; ``limit`` ≤ 50.

        Doc: https://open.dingtalk.com/document/orgapp/open-attendance-clock-in-data

        >>> app.get_attendance_list(date(2026, 11, 23), date(2026, 11, 27), ["user01"])  # doctest: +SKIP
        """
        users = _users("user_ids", user_ids, MAX_RECORD_USERS)
        start, end = _china("work_date_from", work_date_from), _china("work_date_to", work_date_to)
        _window("work_date_from..work_date_to", start, end, MAX_RECORD_SPAN, 7)
        body = {"workDateFrom": _text(start), "workDateTo": _text(end), "userIdList": users,
                "offset": _limits.offset("offset", offset), "limit": _limits.page_size("limit", limit, 50)}
        data = self._oapi_post("/attendance/list", body, write=False, name="dingtalk.oapi.attendance.list")
        return {"recordresult": list(data.get("recordresult") or []), "hasMore": bool(data.get("hasMore"))}

    def iter_attendance_list(self, work_date_from: DateArg, work_date_to: DateArg, user_ids: Ids,
                             limit: int = 50) -> Iterator[Dict[str, Any]]:
        """Every check-in result of :meth:`get_attendance_list`, page after page.
        Doc: https://open.dingtalk.com/document/orgapp/open-attendance-clock-in-data

        >>> late = [r for r in app.iter_attendance_list(d1, d2, users) if r["timeResult"] == "Late"]  # doctest: +SKIP
        """
        def fetch(offset: int, count: int) -> Any:
            page = self.get_attendance_list(work_date_from, work_date_to, user_ids, offset, count)
            return page["recordresult"], page["hasMore"]
        return iter_offset(fetch, limit)

    @dingtalk("dingtalk.oapi.attendance.getleavestatus")
    def get_leave_status(self, userid_list: Ids, start_time: DateArg, end_time: DateArg,
                         offset: int = 0, size: int = 20) -> Dict[str, Any]:
        """One page of approved leaves of ≤ 100 users within ≤ 180 days:
        ``{"leave_status": [{userid, start_time, end_time, duration_unit, duration_percent}], "has_more"}``.

        ``size`` ≤ 20. Doc: https://open.dingtalk.com/document/orgapp/query-status-of-leave

        >>> app.get_leave_status(["user01"], datetime(2026, 6, 1), datetime(2026, 11, 1))  # doctest: +SKIP
        """
        users = _users("userid_list", userid_list, MAX_LEAVE_USERS)
        start, end = _china("start_time", start_time), _china("end_time", end_time)
        _window("start_time..end_time", start, end, MAX_LEAVE_SPAN, 180)
        body = {"userid_list": ",".join(users), "start_time": _millis(start), "end_time": _millis(end),
                "offset": _limits.offset("offset", offset), "size": _limits.page_size("size", size, 20)}
        result = self._topapi("attendance/getleavestatus", body,
                              name="dingtalk.oapi.attendance.getleavestatus").get("result") or {}
        return {"leave_status": list(result.get("leave_status") or []), "has_more": bool(result.get("has_more"))}

    def iter_leave_status(self, userid_list: Ids, start_time: DateArg, end_time: DateArg,
                          size: int = 20) -> Iterator[Dict[str, Any]]:
        """Every leave :meth:`get_leave_status` finds, page after page.
        Doc: https://open.dingtalk.com/document/orgapp/query-status-of-leave

        >>> leaves = list(app.iter_leave_status(users, datetime(2026, 6, 1), datetime(2026, 11, 1)))  # doctest: +SKIP
        """
        def fetch(offset: int, count: int) -> Any:
            page = self.get_leave_status(userid_list, start_time, end_time, offset, count)
            return page["leave_status"], page["has_more"]
        return iter_offset(fetch, size)

    @dingtalk("dingtalk.oapi.attendance.getusergroup", "dingtalk.smartwork.attends.getusergroup")
    def get_user_attendance_group(self, userid: str) -> Dict[str, Any]:
        """The attendance group of a user: ``{group_id, name, type, classes: [...]}``.

        Doc: https://open.dingtalk.com/document/orgapp/queries-the-attendance-group-of-a-user

        >>> app.get_user_attendance_group("user01")["name"]  # doctest: +SKIP
        """
        data = self._topapi("attendance/getusergroup", {"userid": _limits.required("userid", userid)},
                            name="dingtalk.oapi.attendance.getusergroup")
        return data.get("result") or {}

    @dingtalk("dingtalk.oapi.attendance.getleaveapproveduration", "dingtalk.smartwork.attends.getleaveapproveduration")
    def get_leave_approve_duration(self, userid: str, from_date: DateArg, to_date: DateArg) -> int:
        """Minutes of work a leave from ``from_date`` to ``to_date`` takes, by the user's shifts.

        Doc: https://open.dingtalk.com/document/orgapp/calculate-the-leave-duration-based-on-the-schedule

        >>> app.get_leave_approve_duration("user01", datetime(2026, 11, 30, 9), datetime(2026, 11, 30, 18))  # doctest: +SKIP
        """
        start, end = _china("from_date", from_date), _china("to_date", to_date)
        if end < start:
            raise ParameterError("to_date must not be before from_date")
        body = {"userid": _limits.required("userid", userid), "from_date": _text(start), "to_date": _text(end)}
        result = self._topapi("attendance/getleaveapproveduration", body,
                              name="dingtalk.oapi.attendance.getleaveapproveduration").get("result") or {}
        return int(result.get("duration_in_minutes") or 0)
