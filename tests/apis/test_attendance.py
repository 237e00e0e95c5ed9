"""Attendance (考勤) over real HTTP against a fresh sandbox."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from dingtalk.errors import APIError
from tests.helpers import assert_refused_before_sending

CST = dt.timezone(dt.timedelta(hours=8))
UTC = dt.timezone.utc
RID = re.compile(r"^[0-9a-z]{13}$")
FMT = "%Y-%m-%d %H:%M:%S"


def sent(sb, path):
    return [r for r in sb.requests if r["path"] == path]


def last_week():
    """Monday..Sunday of the week before this one (China time): 5 workdays, all in the past."""
    today = dt.datetime.now(CST).date()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return monday, monday + dt.timedelta(days=6)


def day_ms(day):
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=CST).timestamp() * 1000)


def approve_leave(app, userid, dept, first, last, days):
    pid = app.create_bpms_instance("PROC-SANDBOX-LEAVE", userid, dept, ["user0002", "manager0001"], {
        "请假类型": "年假", "开始时间": first.isoformat(), "结束时间": last.isoformat(), "请假天数": str(days)})["process_instance_id"]
    for approver in ("user0002", "manager0001"):
        task = next(t["taskid"] for t in app.get_process_instance(pid)["tasks"] if t["task_status"] == "RUNNING")
        app.execute_process_instance(pid, approver, task, "agree")
    return pid


# -- check-in details and results ---------------------------------------------------------------------------
def test_record_list_sends_china_time_text_and_returns_the_whole_answer(fresh_app, fresh_sandbox):
    monday, sunday = last_week()
    start = dt.datetime(monday.year, monday.month, monday.day)               # naive: China time
    end = dt.datetime(sunday.year, sunday.month, sunday.day, 15, 59, 59, tzinfo=UTC)  # = 23:59:59 China time
    out = fresh_app.get_attendance_record_list(["user0003", "user0009"], start, end)
    req = sent(fresh_sandbox, "/attendance/listRecord")[-1]
    assert req["method"] == "POST" and "access_token" in req["query"]
    assert req["json"] == {"userIds": ["user0003", "user0009"], "checkDateFrom": f"{monday} 00:00:00",
                           "checkDateTo": f"{sunday} 23:59:59"}
    assert out["errcode"] == 0 and "recordresult" in out
    records = out["recordresult"]
    assert 16 <= len(records) <= 20  # 5 workdays x 2 check-ins x 2 users, a few missed
    assert {r["userId"] for r in records} == {"user0003", "user0009"}
    assert all(day_ms(monday) <= r["workDate"] <= day_ms(sunday) for r in records)
    assert all(r["checkType"] in ("OnDuty", "OffDuty") and r["userCheckTime"] and r["isLegal"] == "Y" for r in records)
    monday_on = next(r for r in records if r["userId"] == "user0009" and r["workDate"] == day_ms(monday)
                     and r["checkType"] == "OnDuty")
    assert monday_on["baseCheckTime"] == day_ms(monday) + 9 * 3600 * 1000  # 标准班 09:00 China time


def test_results_cover_every_planned_check_and_page_to_the_end(fresh_app, fresh_sandbox):
    monday, sunday = last_week()
    users = ["user0003", "user0009"]
    whole = fresh_app.get_attendance_list(monday, sunday, users)
    assert sent(fresh_sandbox, "/attendance/list")[-1]["json"] == {
        "workDateFrom": f"{monday} 00:00:00", "workDateTo": f"{sunday} 00:00:00", "userIdList": users,
        "offset": 0, "limit": 50}
    results = whole["recordresult"]
    assert whole["hasMore"] is False and len(results) == 20
    assert [r["checkType"] for r in results[:2]] == ["OnDuty", "OffDuty"]
    assert {r["timeResult"] for r in results} <= {"Normal", "Late", "SeriousLate", "Early", "NotSigned"}

    before = len(sent(fresh_sandbox, "/attendance/list"))
    assert list(fresh_app.iter_attendance_list(monday, sunday, users, limit=7)) == results
    assert [r["json"]["offset"] for r in sent(fresh_sandbox, "/attendance/list")[before:]] == [0, 7, 14]
    page = fresh_app.get_attendance_list(monday, sunday, users, offset=7, limit=7)
    assert page == {"recordresult": results[7:14], "hasMore": True}

    details = fresh_app.get_attendance_record_list(users, monday, sunday)["recordresult"]
    assert sorted(r["recordId"] for r in results if "recordId" in r) == sorted(r["id"] for r in details)
    assert all(r["timeResult"] == "NotSigned" for r in results if "recordId" not in r)


def test_inactive_and_unknown_users_have_no_results(fresh_app):
    monday, sunday = last_week()
    assert fresh_app.get_attendance_list(monday, sunday, ["user0010", "ghost"])["recordresult"] == []


def test_an_approved_leave_shows_in_results_and_leave_status(fresh_app, fresh_sandbox):
    monday, _ = last_week()
    tuesday, wednesday = monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)
    leaves = [approve_leave(fresh_app, "user0004", 6, day, day, 1) for day in (monday, tuesday, wednesday)]
    fresh_app.create_bpms_instance("PROC-SANDBOX-LEAVE", "user0004", 6, ["user0002"], {
        "开始时间": str(monday + dt.timedelta(days=3)), "结束时间": str(monday + dt.timedelta(days=3))})  # not approved
    results = fresh_app.get_attendance_list(monday, monday + dt.timedelta(days=4), ["user0004"])["recordresult"]
    on_leave = [r for r in results if r["sourceType"] == "APPROVE"]
    assert len(results) == 10 and len(on_leave) == 6
    assert {r["procInstId"] for r in on_leave} == set(leaves)
    details = fresh_app.get_attendance_record_list(["user0004"], monday, monday + dt.timedelta(days=4))["recordresult"]
    assert {r["workDate"] for r in details} <= {day_ms(monday + dt.timedelta(days=d)) for d in (3, 4)}

    start = dt.datetime(monday.year, monday.month, monday.day) - dt.timedelta(days=30)
    end = start + dt.timedelta(days=60)
    status = fresh_app.get_leave_status(["user0004", "user0003"], start, end, size=2)
    assert sent(fresh_sandbox, "/topapi/attendance/getleavestatus")[-1]["json"] == {
        "userid_list": "user0004,user0003", "start_time": int(start.replace(tzinfo=CST).timestamp() * 1000),
        "end_time": int(end.replace(tzinfo=CST).timestamp() * 1000), "offset": 0, "size": 2}
    assert status["has_more"] is True and len(status["leave_status"]) == 2
    walked = list(fresh_app.iter_leave_status(["user0004", "user0003"], start, end, size=1))
    assert [w["start_time"] for w in walked] == [day_ms(d) + 10 * 3600 * 1000 for d in (monday, tuesday, wednesday)]
    assert walked[0] == {"userid": "user0004", "start_time": day_ms(monday) + 10 * 3600 * 1000,
                         "end_time": day_ms(monday) + 19 * 3600 * 1000, "duration_unit": "percent_day",
                         "duration_percent": 100}


def test_leave_status_of_the_seeded_history(fresh_app):
    status = fresh_app.get_leave_status("user0011,user0003", dt.date(2025, 5, 1), dt.date(2025, 6, 1))
    assert status == {"has_more": False, "leave_status": [{
        "userid": "user0011", "start_time": day_ms(dt.date(2025, 5, 19)) + 9 * 3600 * 1000,
        "end_time": day_ms(dt.date(2025, 5, 28)) + 18 * 3600 * 1000, "duration_unit": "percent_day",
        "duration_percent": 1000}]}


# -- schedules and groups -----------------------------------------------------------------------------------
def test_schedules_of_a_weekday_page_to_the_end(fresh_app, fresh_sandbox):
    monday, sunday = last_week()
    active = sum(1 for u in fresh_sandbox.state.users.values() if u["active"])
    first = fresh_app.get_schedule_list(dt.datetime(monday.year, monday.month, monday.day), size=5)
    assert sent(fresh_sandbox, "/topapi/attendance/listschedule")[-1]["json"] == {
        "workDate": f"{monday} 00:00:00", "offset": 0, "size": 5}
    assert RID.match(first["request_id"]) and first["has_more"] is True and len(first["schedules"]) == 5
    plan = first["schedules"][0]
    assert set(plan) == {"plan_id", "check_type", "userid", "group_id", "class_id", "class_setting_id",
                         "plan_check_time"}
    assert plan["plan_check_time"].startswith(str(monday))
    before = len(sent(fresh_sandbox, "/topapi/attendance/listschedule"))
    plans = list(fresh_app.iter_schedules(monday, size=5))
    assert len(plans) == 2 * active and len({p["plan_id"] for p in plans}) == len(plans)
    assert len(sent(fresh_sandbox, "/topapi/attendance/listschedule")) - before == -(-2 * active // 5)
    weekend = fresh_app.get_schedule_list(f"{sunday} 00:00:00")
    assert (weekend["schedules"], weekend["has_more"]) == ([], False)


def test_groups_page_and_user_group(fresh_app, fresh_sandbox):
    page = fresh_app.get_simple_groups(size=1)
    assert sent(fresh_sandbox, "/topapi/attendance/getsimplegroups")[-1]["json"] == {"offset": 0, "size": 1}
    assert page["has_more"] is True and RID.match(page["request_id"])
    group = page["groups"][0]
    assert (group["group_name"], group["type"], group["default_class_id"]) == ("研发考勤组", "FIXED", 1002)
    assert group["selected_class"][0]["sections"][0]["times"][0]["check_type"] == "OnDuty"
    before = len(sent(fresh_sandbox, "/topapi/attendance/getsimplegroups"))
    names = [g["group_name"] for g in fresh_app.iter_simple_groups(size=1)]
    assert names == ["研发考勤组", "职能考勤组", "门店排班组"]
    assert len(sent(fresh_sandbox, "/topapi/attendance/getsimplegroups")) - before == 3
    assert fresh_app.run("dingtalk.smartwork.attends.getsimplegroups", size=10)["groups"] == \
        fresh_app.get_simple_groups()["groups"]

    mine = fresh_app.get_user_attendance_group("user0006")
    assert sent(fresh_sandbox, "/topapi/attendance/getusergroup")[-1]["json"] == {"userid": "user0006"}
    assert (mine["group_id"], mine["name"], mine["classes"][0]["class_name"]) == (10001, "研发考勤组", "弹性班")
    assert fresh_app.get_user_attendance_group("user0009")["name"] == "职能考勤组"
    with pytest.raises(APIError) as info:
        fresh_app.get_user_attendance_group("ghost")
    assert info.value.errcode == 60121 and info.value.errmsg == "找不到该用户"


def test_leave_duration_follows_the_users_class(fresh_app, fresh_sandbox):
    # Monday 2026-11-02 09:00 .. Tuesday 18:00
    assert fresh_app.get_leave_approve_duration("user0009", dt.datetime(2026, 11, 2, 9), "2026-11-03 18:00:00") == 960
    assert sent(fresh_sandbox, "/topapi/attendance/getleaveapproveduration")[-1]["json"] == {
        "userid": "user0009", "from_date": "2026-11-02 09:00:00", "to_date": "2026-11-03 18:00:00"}
    assert fresh_app.get_leave_approve_duration("user0003", dt.datetime(2026, 11, 2, 9), dt.datetime(2026, 11, 3, 18)) == 900
    assert fresh_app.get_leave_approve_duration("user0003", dt.datetime(2026, 11, 7), dt.datetime(2026, 11, 8, 23)) == 0


# -- limits -------------------------------------------------------------------------------------------------
USERS_51 = [f"u{i:03d}" for i in range(51)]


@pytest.mark.parametrize("call", [
    lambda app: app.get_attendance_record_list(USERS_51, dt.date(2026, 11, 2), dt.date(2026, 11, 6)),
    lambda app: app.get_attendance_record_list(["user0003"], dt.date(2026, 11, 2), dt.date(2026, 11, 10)),  # 8 days
    lambda app: app.get_attendance_record_list(["user0003"], dt.date(2026, 11, 6), dt.date(2026, 11, 2)),
    lambda app: app.get_attendance_record_list([], dt.date(2026, 11, 2), dt.date(2026, 11, 6)),
    lambda app: app.get_attendance_record_list(["user0003"], "2026/11/02", dt.date(2026, 11, 6)),
    lambda app: app.get_attendance_list(dt.date(2026, 11, 2), dt.date(2026, 11, 6), USERS_51),
    lambda app: app.get_attendance_list(dt.date(2026, 11, 2), dt.datetime(2026, 11, 9, 0, 0, 1), ["user0003"]),
    lambda app: app.get_attendance_list(dt.date(2026, 11, 2), dt.date(2026, 11, 6), ["user0003"], limit=51),
    lambda app: app.get_attendance_list(dt.date(2026, 11, 2), dt.date(2026, 11, 6), ["user0003"], offset=-1),
    lambda app: app.get_schedule_list(dt.date(2026, 11, 2), size=201),
    lambda app: app.get_schedule_list(None),
    lambda app: app.get_simple_groups(size=11),
    lambda app: app.get_leave_status([f"u{i}" for i in range(101)], dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
    lambda app: app.get_leave_status(["user0003"], dt.date(2026, 1, 1), dt.date(2026, 7, 1)),  # 181 days
    lambda app: app.get_leave_status(["user0003"], dt.date(2026, 1, 1), dt.date(2026, 2, 1), size=21),
    lambda app: app.get_user_attendance_group(""),
    lambda app: app.get_leave_approve_duration("user0003", dt.date(2026, 11, 3), dt.date(2026, 11, 2)),
])
def test_limits_raise_before_anything_is_sent(fresh_app, fresh_sandbox, call):
    assert_refused_before_sending(fresh_app, fresh_sandbox, call)


def test_spans_at_the_limit_are_accepted(fresh_app):
    assert fresh_app.get_attendance_record_list(["user0003"], dt.date(2026, 11, 2), dt.date(2026, 11, 9))["errcode"] == 0
    assert fresh_app.get_leave_status(["user0003"], dt.date(2026, 1, 1), dt.date(2026, 6, 30))  # 180 days


def test_the_sandbox_enforces_the_limits_too(fresh_app):
    with pytest.raises(APIError) as info:
        fresh_app.oapi_post("/attendance/listRecord", {"userIds": ["user0003"], "checkDateFrom": "2026-11-02 00:00:00",
                                                       "checkDateTo": "2026-11-10 00:00:00"}, idempotent=True)
    assert (info.value.errcode, info.value.errmsg) == (40035, "时间跨度不能超过7天")
    with pytest.raises(APIError) as info:
        fresh_app.oapi_post("/attendance/list", {"userIdList": USERS_51, "workDateFrom": "2026-11-02 00:00:00",
                                                 "workDateTo": "2026-11-03 00:00:00"}, idempotent=True)
    assert info.value.errcode == 40035
    with pytest.raises(APIError):
        fresh_app.oapi_post("/attendance/list", {"userIdList": ["user0003"], "workDateFrom": "2026-11-02",
                                                 "workDateTo": "2026-11-03", "limit": 51}, idempotent=True)
    with pytest.raises(APIError) as info:
        fresh_app.oapi_post("/attendance/listRecord", {"userIds": ["user0003"], "checkDateFrom": "02/11/2026",
                                                       "checkDateTo": "2026-11-03 00:00:00"}, idempotent=True)
    assert "格式" in info.value.errmsg
    for path, body in (("attendance/getsimplegroups", {"size": 11}),
                       ("attendance/listschedule", {"workDate": "2026-11-02 00:00:00", "size": 201}),
                       ("attendance/getleavestatus", {"userid_list": "user0003", "start_time": 0,
                                                      "end_time": 181 * 86400 * 1000, "offset": 0, "size": 20}),
                       ("attendance/getleavestatus", {"userid_list": "user0003", "start_time": 0,
                                                      "end_time": 1000, "offset": 0, "size": 21})):
        with pytest.raises(APIError) as info:
            fresh_app.topapi_post(path, body)
        assert info.value.errcode == 40035
