"""Approvals (bpms / processinstance) over real HTTP against a fresh sandbox."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from dingtalk.errors import APIError
from tests.helpers import assert_refused_before_sending

LEAVE = "PROC-SANDBOX-LEAVE"
CST = dt.timezone(dt.timedelta(hours=8))
UTC = dt.timezone.utc
RID = re.compile(r"^[0-9a-z]{13}$")
BAD_INSTANCE = "审批实例参数错误，具体可能为:发起人、审批人、抄送人的userid错误，发起部门id错误，发起人不在发起部门中"


def sent(sb, path):
    return [r for r in sb.requests if r["path"] == path]


def create(app, originator="user0003", dept=6, approvers=("user0002", "manager0001"), form=None, **kw):
    form = form if form is not None else {"请假类型": "年假", "开始时间": "2026-01-05", "结束时间": "2026-01-05",
                                          "请假天数": "1", "请假事由": "测试"}
    return app.create_bpms_instance(LEAVE, originator, dept, list(approvers) if approvers else None, form,
                                    **kw)["process_instance_id"]


def running_task(app, pid, userid):
    return next(t["taskid"] for t in app.get_process_instance(pid)["tasks"]
                if t["userid"] == userid and t["task_status"] == "RUNNING")


def millis(moment):
    return int(moment.timestamp() * 1000)


# -- create / get ----------------------------------------------------------------------------------
def test_create_sends_topapi_json_and_get_returns_the_running_instance(fresh_app, fresh_sandbox):
    form = [{"name": "请假类型", "value": "年假"}, {"name": "请假天数", "value": 2},
            {"name": "明细", "value": [{"日期": "2026-01-05"}], "ext_value": {"unit": "day"}}]
    out = fresh_app.create_bpms_instance(LEAVE, "user0003", 6, ["user0002", "manager0001"], form,
                                         cc_list=["user0011", "user0008"], cc_position="start")
    req = sent(fresh_sandbox, "/topapi/processinstance/create")[-1]
    assert req["method"] == "POST" and "access_token" in req["query"]
    assert req["json"] == {
        "process_code": LEAVE, "originator_user_id": "user0003", "dept_id": 6,
        "agent_id": int(fresh_sandbox.credentials["agent_id"]),
        "approvers": "user0002,manager0001", "cc_list": "user0011,user0008", "cc_position": "START",
        "form_component_values": [{"name": "请假类型", "value": "年假"}, {"name": "请假天数", "value": "2"},
                                  {"name": "明细", "value": '[{"日期": "2026-01-05"}]', "ext_value": '{"unit": "day"}'}]}
    assert set(out) == {"request_id", "success", "process_instance_id"}
    assert out["success"] is True and RID.match(out["request_id"]) and out["process_instance_id"]

    inst = fresh_app.get_process_instance(out["process_instance_id"])
    assert sent(fresh_sandbox, "/topapi/processinstance/get")[-1]["json"] == {
        "process_instance_id": out["process_instance_id"]}
    assert inst["status"] == "RUNNING" and inst["result"] == "" and "finish_time" not in inst
    assert inst["title"] == "张伟提交的请假" and inst["originator_userid"] == "user0003"
    assert inst["originator_dept_id"] == "6" and inst["originator_dept_name"] == "后端组"
    assert inst["approver_userids"] == ["user0002", "manager0001"]
    assert inst["cc_userids"] == ["user0011", "user0008"]
    assert inst["form_component_values"][1] == {"name": "请假天数", "value": "2"}
    assert [(t["userid"], t["task_status"]) for t in inst["tasks"]] == [("user0002", "RUNNING")]
    assert [r["operation_type"] for r in inst["operation_records"]] == ["START_PROCESS_INSTANCE"]
    created = dt.datetime.strptime(inst["create_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
    assert abs(created.timestamp() - dt.datetime.now(UTC).timestamp()) < 120  # China time, not host time


def test_create_without_cc_or_approvers_sends_neither_and_uses_the_template_flow(fresh_app, fresh_sandbox):
    pid = create(fresh_app, "user0009", 4, approvers=None, form={"请假类型": "事假"})
    body = sent(fresh_sandbox, "/topapi/processinstance/create")[-1]["json"]
    assert "approvers" not in body and "cc_list" not in body and "cc_position" not in body
    assert fresh_app.get_process_instance(pid)["approver_userids"] == ["user0002", "manager0001"]


def test_seed_create_name_and_dept_minus_one(fresh_app):
    out = fresh_app.run("dingtalk.smartwork.bpms.processinstance.create", process_code=LEAVE,
                        originator_user_id="user0006", dept_id=-1, approvers="manager0001",
                        form_component_values='[{"name": "请假类型", "value": "病假"}]')
    inst = fresh_app.run("dingtalk.oapi.processinstance.get", process_instance_id=out["process_instance_id"])
    assert inst == fresh_app.get_process_instance(out["process_instance_id"])
    assert inst["originator_dept_id"] == "7" and inst["approver_userids"] == ["manager0001"]


def test_seeded_completed_instance_has_its_history(fresh_app, fresh_sandbox):
    seeded = fresh_sandbox.state.process_instances[2]  # refused by the first approver
    inst = fresh_app.get_process_instance(seeded["process_instance_id"])
    assert (inst["status"], inst["result"], inst["finish_time"]) == ("COMPLETED", "refuse", seeded["finish_time"])
    assert [(r["operation_type"], r["operation_result"]) for r in inst["operation_records"]] == [
        ("START_PROCESS_INSTANCE", "NONE"), ("EXECUTE_TASK_NORMAL", "REFUSE")]


# -- comments, terminate, execute -----------------------------------------------------------------
def test_comment_is_visible_on_get(fresh_app, fresh_sandbox):
    pid = create(fresh_app)
    attachment = {"space_id": "2061", "file_id": "F1", "file_name": "发票.pdf", "file_size": "1024", "file_type": "pdf"}
    assert fresh_app.add_process_instance_comment(pid, "manager0001", "请补充证明", photos=["https://img/1.png"],
                                                  attachments=[attachment]) is True
    assert sent(fresh_sandbox, "/topapi/process/instance/comment/add")[-1]["json"] == {"request": {
        "process_instance_id": pid, "comment_userid": "manager0001", "text": "请补充证明",
        "file": {"photos": ["https://img/1.png"], "attachments": [attachment]}}}
    record = fresh_app.get_process_instance(pid)["operation_records"][-1]
    assert (record["operation_type"], record["userid"], record["remark"]) == ("ADD_REMARK", "manager0001", "请补充证明")
    assert record["attachments"][0]["file_name"] == "发票.pdf"


def test_terminate_then_status_terminated_and_second_terminate_fails(fresh_app, fresh_sandbox):
    pid = create(fresh_app)
    assert fresh_app.terminate_process_instance(pid, operating_userid="user0003", remark="重复提交") is True
    assert sent(fresh_sandbox, "/topapi/process/instance/terminate")[-1]["json"] == {"request": {
        "process_instance_id": pid, "is_system": False, "operating_userid": "user0003", "remark": "重复提交"}}
    inst = fresh_app.get_process_instance(pid)
    assert inst["status"] == "TERMINATED" and inst["finish_time"]
    assert [t["task_status"] for t in inst["tasks"]] == ["CANCELED"]
    assert inst["operation_records"][-1]["operation_type"] == "TERMINATE_PROCESS_INSTANCE"
    with pytest.raises(APIError) as info:
        fresh_app.terminate_process_instance(pid, is_system=True)
    assert info.value.errcode == 400002 and "状态异常" in info.value.errmsg

    other = create(fresh_app)
    fresh_app.terminate_process_instance(other)
    assert sent(fresh_sandbox, "/topapi/process/instance/terminate")[-1]["json"] == {"request": {
        "process_instance_id": other, "is_system": True}}
    assert fresh_app.get_process_instance(other)["status"] == "TERMINATED"


def test_execute_agree_moves_node_by_node_to_completed(fresh_app, fresh_sandbox):
    pid = create(fresh_app)
    assert fresh_app.get_process_todo_count("user0002") == 3  # two seeded running instances + this one
    task = running_task(fresh_app, pid, "user0002")
    assert fresh_app.execute_process_instance(pid, "user0002", task, "agree", remark="同意") is True
    assert sent(fresh_sandbox, "/topapi/process/instance/execute")[-1]["json"] == {"request": {
        "process_instance_id": pid, "actioner_userid": "user0002", "task_id": int(task), "result": "agree",
        "remark": "同意"}}
    inst = fresh_app.get_process_instance(pid)
    assert inst["status"] == "RUNNING"
    assert [(t["userid"], t["task_status"], t["task_result"]) for t in inst["tasks"]] == [
        ("user0002", "COMPLETED", "AGREE"), ("manager0001", "RUNNING", "NONE")]
    assert fresh_app.get_process_todo_count("user0002") == 2
    fresh_app.execute_process_instance(pid, "manager0001", running_task(fresh_app, pid, "manager0001"), "AGREE")
    inst = fresh_app.get_process_instance(pid)
    assert (inst["status"], inst["result"]) == ("COMPLETED", "agree") and inst["finish_time"]
    with pytest.raises(APIError) as info:  # finished: nothing left to execute
        fresh_app.execute_process_instance(pid, "manager0001", task, "agree")
    assert info.value.errcode == 400002


def test_execute_refuse_ends_and_wrong_actioner_is_refused(fresh_app):
    pid = create(fresh_app)
    task = running_task(fresh_app, pid, "user0002")
    with pytest.raises(APIError) as info:
        fresh_app.execute_process_instance(pid, "manager0001", task, "agree")
    assert info.value.errcode == 400002 and info.value.errmsg == "审批任务不存在或已处理"
    fresh_app.execute_process_instance(pid, "user0002", task, "refuse", remark="时间冲突")
    inst = fresh_app.get_process_instance(pid)
    assert (inst["status"], inst["result"]) == ("COMPLETED", "refuse")
    assert [t["userid"] for t in inst["tasks"]] == ["user0002"]
    assert inst["operation_records"][-1]["remark"] == "时间冲突"


def test_countersign_node_waits_for_every_approver(fresh_app, fresh_sandbox):
    pid = create(fresh_app, approvers=None,
                 approvers_v2=[{"task_action_type": "and", "user_ids": ["user0002", "user0008"]},
                               {"task_action_type": "OR", "user_ids": "manager0001,user0011"}])
    assert sent(fresh_sandbox, "/topapi/processinstance/create")[-1]["json"]["approvers_v2"] == [
        {"task_action_type": "AND", "user_ids": ["user0002", "user0008"]},
        {"task_action_type": "OR", "user_ids": ["manager0001", "user0011"]}]
    fresh_app.execute_process_instance(pid, "user0008", running_task(fresh_app, pid, "user0008"), "agree")
    assert [t["userid"] for t in fresh_app.get_process_instance(pid)["tasks"] if t["task_status"] == "RUNNING"] \
        == ["user0002"]
    fresh_app.execute_process_instance(pid, "user0002", running_task(fresh_app, pid, "user0002"), "agree")
    fresh_app.execute_process_instance(pid, "user0011", running_task(fresh_app, pid, "user0011"), "agree")
    inst = fresh_app.get_process_instance(pid)
    assert (inst["status"], inst["result"]) == ("COMPLETED", "agree")
    assert {t["userid"]: t["task_status"] for t in inst["tasks"]}["manager0001"] == "CANCELED"


# -- errors from the sandbox ----------------------------------------------------------------------------
def test_not_found_and_bad_parameters_are_api_errors(fresh_app):
    with pytest.raises(APIError) as info:
        fresh_app.get_process_instance("00000000-0000-0000-0000-000000000000")
    assert (info.value.errcode, info.value.errmsg) == (400002, "审批实例不存在") and info.value.request_id
    with pytest.raises(APIError) as info:
        fresh_app.add_process_instance_comment("nope", "user0002", "hi")
    assert info.value.errcode == 400002
    with pytest.raises(APIError) as info:
        create(fresh_app, originator="nobody")
    assert (info.value.errcode, info.value.errmsg) == (400002, BAD_INSTANCE)
    with pytest.raises(APIError) as info:  # user0003 is not in department 7
        create(fresh_app, dept=7)
    assert info.value.errmsg == BAD_INSTANCE
    with pytest.raises(APIError) as info:
        create(fresh_app, cc_list=["ghost"])
    assert info.value.errmsg == BAD_INSTANCE
    with pytest.raises(APIError) as info:
        fresh_app.create_bpms_instance("PROC-NOPE", "user0003", 6, None, [])
    assert info.value.errmsg == "获取审批模板失败或者模板已被删除"
    with pytest.raises(APIError) as info:
        fresh_app.get_process_todo_count("ghost")
    assert info.value.errcode == 60121
    with pytest.raises(APIError) as info:
        fresh_app.get_user_visible_processes("ghost")
    assert info.value.errcode == 60121


def test_sandbox_enforces_limits_itself(fresh_app):
    with pytest.raises(APIError) as info:
        fresh_app.topapi_post("processinstance/listids", {"process_code": LEAVE, "start_time": 0, "size": 21})
    assert info.value.errcode == 40035
    with pytest.raises(APIError):
        fresh_app.topapi_post("processinstance/listids", {"process_code": LEAVE, "start_time": 0,
                                                          "userid_list": ",".join(f"u{i}" for i in range(11))})
    with pytest.raises(APIError):
        fresh_app.topapi_post("process/listbyuserid", {"offset": 0, "size": 101})
    with pytest.raises(APIError):
        fresh_app.topapi_post("processinstance/create", {
            "process_code": LEAVE, "originator_user_id": "user0003", "dept_id": 6,
            "approvers": ",".join(["user0002"] * 21)}, idempotent=False)


# -- limits checked before sending ------------------------------------------------------------------------
def _now():
    return dt.datetime.now(UTC)


@pytest.mark.parametrize("call", [
    lambda app: app.create_bpms_instance(LEAVE, "user0003", 6, [f"u{i}" for i in range(21)], {}),
    lambda app: app.create_bpms_instance(LEAVE, "user0003", 6, None, {}, cc_list=[f"u{i}" for i in range(21)]),
    lambda app: app.create_bpms_instance(LEAVE, "user0003", 6, None, [{"name": f"f{i}", "value": "x"} for i in range(41)]),
    lambda app: app.create_bpms_instance(LEAVE, "user0003", 6, None, [{"value": "no name"}]),
    lambda app: app.create_bpms_instance(LEAVE, "user0003", 6, None, {}, cc_list=["user0011"], cc_position="END"),
    lambda app: app.create_bpms_instance(LEAVE, "user0003", "six", None, {}),
    lambda app: app.create_bpms_instance("", "user0003", 6, None, {}),
    lambda app: app.create_bpms_instance(LEAVE, "user0003", 6, None, {},
                                         approvers_v2=[{"task_action_type": "XOR", "user_ids": ["a"]}]),
    lambda app: app.get_bpms_instance_list(LEAVE, 0, size=11),
    lambda app: app.get_bpms_instance_list(LEAVE, dt.datetime(2020, 1, 2), dt.datetime(2020, 1, 1)),
    lambda app: app.get_bpms_instance_list(LEAVE, None),
    lambda app: app.get_all_bpms_instance_list(LEAVE, _now() + dt.timedelta(days=1)),
    lambda app: app.get_all_bpms_instance_list(LEAVE, dt.datetime(2020, 1, 2), dt.datetime(2020, 1, 1)),
    lambda app: app.get_process_instance_ids(LEAVE, _now() - dt.timedelta(days=1), size=21),
    lambda app: app.get_process_instance_ids(LEAVE, _now() - dt.timedelta(days=1),
                                             userid_list=[f"u{i}" for i in range(11)]),
    lambda app: app.get_process_instance_ids(LEAVE, _now() - dt.timedelta(days=121)),
    lambda app: app.get_process_instance_ids(LEAVE, _now() - dt.timedelta(days=200), _now() - dt.timedelta(days=79)),
    lambda app: app.get_process_instance_ids(LEAVE, _now() - dt.timedelta(days=366), _now() - dt.timedelta(days=300)),
    lambda app: app.get_process_instance_ids(LEAVE, _now(), _now() - dt.timedelta(days=1)),
    lambda app: app.get_process_instance(""),
    lambda app: app.terminate_process_instance("pid", is_system=False),
    lambda app: app.add_process_instance_comment("pid", "user0002", ""),
    lambda app: app.execute_process_instance("pid", "user0002", 1, "maybe"),
    lambda app: app.execute_process_instance("pid", "user0002", "x1", "agree"),
    lambda app: app.execute_process_instance("pid", "user0002", 1, "agree", remark="字" * 2001),
    lambda app: app.get_user_visible_processes("user0002", size=101),
    lambda app: app.get_user_visible_processes("user0002", offset=-1),
    lambda app: app.get_process_todo_count(""),
    lambda app: app.get_process_instance_space(""),
])
def test_limits_raise_before_anything_is_sent(fresh_app, fresh_sandbox, call):
    assert_refused_before_sending(fresh_app, fresh_sandbox, call)


def test_listids_window_near_the_limits_is_accepted(fresh_app):
    now = _now()
    assert fresh_app.get_process_instance_ids(LEAVE, now - dt.timedelta(days=119))["list"] == []
    assert fresh_app.get_process_instance_ids(LEAVE, now - dt.timedelta(days=364),
                                              now - dt.timedelta(days=250))["next_cursor"] is None


# -- paging ------------------------------------------------------------------------------------------------
def test_listids_pages_with_next_cursor_and_the_walker_reaches_the_end(fresh_app, fresh_sandbox):
    start = _now() - dt.timedelta(minutes=10)
    made = [create(fresh_app, *(("user0005", 7) if i % 4 == 0 else ("user0003", 6))) for i in range(23)]
    first = fresh_app.get_process_instance_ids(LEAVE, start)
    assert first == {"list": made[:20], "next_cursor": 20}
    body = sent(fresh_sandbox, "/topapi/processinstance/listids")[-1]["json"]
    assert body == {"process_code": LEAVE, "start_time": millis(start), "size": 20, "cursor": 0}
    assert fresh_app.get_process_instance_ids(LEAVE, start, cursor=20) == {"list": made[20:], "next_cursor": None}

    before = len(sent(fresh_sandbox, "/topapi/processinstance/listids"))
    assert list(fresh_app.iter_process_instance_ids(LEAVE, start, size=7)) == made
    walked = sent(fresh_sandbox, "/topapi/processinstance/listids")[before:]
    assert [r["json"]["cursor"] for r in walked] == [0, 7, 14, 21]

    end = _now() + dt.timedelta(minutes=1)
    mine = list(fresh_app.iter_process_instance_ids(LEAVE, start, end, userid_list=["user0005"]))
    assert mine == made[::4]
    body = sent(fresh_sandbox, "/topapi/processinstance/listids")[-1]["json"]
    assert body["userid_list"] == "user0005" and body["end_time"] == millis(end)


def test_top_list_pages_and_get_all_collects_every_page(fresh_app, fresh_sandbox):
    made = [create(fresh_app), create(fresh_app, "user0009", 4)]
    page = fresh_app.get_bpms_instance_list(LEAVE, dt.datetime(2017, 1, 1))
    form = fresh_sandbox.requests[-1]["form"]
    assert form["method"] == "dingtalk.smartwork.bpms.processinstance.list"
    assert form["start_time"] == str(millis(dt.datetime(2017, 1, 1, tzinfo=CST)))
    assert (form["size"], form["cursor"]) == ("10", "0") and "end_time" not in form
    assert page["success"] is True and RID.match(page["request_id"]) and page["next_cursor"] == 10
    assert len(page["instance_list"]) == 10
    assert page["instance_list"][0]["form_component_values"]["form_component_value_vo"][0]["name"] == "请假类型"

    everything = fresh_app.get_all_bpms_instance_list(LEAVE, dt.datetime(2017, 1, 1))
    ids = [i["process_instance_id"] for i in everything["bpms_instance_list"]]
    assert len(ids) == 12 and ids[-2:] == made
    assert len(everything["request_id"]) == 2
    assert all(v == {"success": True} for v in everything["request_id"].values())
    assert [i["process_instance_id"] for i in fresh_app.iter_bpms_instances(LEAVE, dt.datetime(2017, 1, 1))] == ids
    by_user = fresh_app.get_bpms_instance_list(LEAVE, 0, userid_list=["user0009"])
    assert [i["originator_userid"] for i in by_user["instance_list"]] == ["user0009", "user0009"]
    assert fresh_sandbox.requests[-1]["form"]["userid_list"] == "user0009"
    assert fresh_app.get_bpms_instance_list("PROC-NOPE", 0)["instance_list"] == []


# -- space, templates, todo ----------------------------------------------------------------------------------
def test_cspace_info(fresh_app, fresh_sandbox):
    space = fresh_app.get_process_instance_space("user0003")
    assert sent(fresh_sandbox, "/topapi/processinstance/cspace/info")[-1]["json"] == {
        "user_id": "user0003", "agent_id": int(fresh_sandbox.credentials["agent_id"])}
    assert isinstance(space["space_id"], int) and space == fresh_app.get_process_instance_space("user0009")
    with pytest.raises(APIError) as info:
        fresh_app.get_process_instance_space("ghost")
    assert info.value.errcode == 60121


def test_visible_processes_page_by_user(fresh_app, fresh_sandbox):
    first = fresh_app.get_user_visible_processes("user0003", size=2)
    assert [p["process_code"] for p in first["process_list"]] == [LEAVE, "PROC-SANDBOX-EXPENSE"]
    assert first["next_cursor"] == 2 and set(first["process_list"][0]) == {"name", "process_code", "icon_url", "url"}
    assert sent(fresh_sandbox, "/topapi/process/listbyuserid")[-1]["json"] == {"userid": "user0003", "offset": 0, "size": 2}
    before = len(sent(fresh_sandbox, "/topapi/process/listbyuserid"))
    codes = [p["process_code"] for p in fresh_app.iter_user_visible_processes("user0003", size=2)]
    assert codes == [LEAVE, "PROC-SANDBOX-EXPENSE", "PROC-SANDBOX-TRIP", "PROC-SANDBOX-OVERTIME"]
    assert [r["json"]["offset"] for r in sent(fresh_sandbox, "/topapi/process/listbyuserid")[before:]] == [0, 2]
    hr = [p["name"] for p in fresh_app.iter_user_visible_processes("user0011")]
    assert hr == ["请假", "报销", "出差", "采购", "用印"]
    assert len(list(fresh_app.iter_user_visible_processes(size=4))) == 6
    assert "userid" not in sent(fresh_sandbox, "/topapi/process/listbyuserid")[-1]["json"]


def test_todo_count_request(fresh_app, fresh_sandbox):
    assert fresh_app.get_process_todo_count("manager0001") == 0
    assert sent(fresh_sandbox, "/topapi/process/gettodonum")[-1]["json"] == {"userid": "manager0001"}
    pid = create(fresh_app, approvers=("manager0001",))
    assert fresh_app.get_process_todo_count("manager0001") == 1
    fresh_app.terminate_process_instance(pid)
    assert fresh_app.get_process_todo_count("manager0001") == 0


# -- the read samples of this domain (approvals + attendance) ------------------------------------------------
def _without_request_ids(value):
    if isinstance(value, dict):
        return {k: _without_request_ids(v) for k, v in value.items() if k != "request_id"}
    if isinstance(value, list):
        return [_without_request_ids(v) for v in value]
    return value


def test_read_samples_cover_every_read_name_and_agree_with_the_methods(fresh_app, fresh_sandbox):
    from tests.apis.samples_bpms import READ_SAMPLES

    writes = {"dingtalk.smartwork.bpms.processinstance.create", "dingtalk.oapi.processinstance.create",
              "dingtalk.oapi.process.instance.terminate", "dingtalk.oapi.process.instance.comment.add",
              "dingtalk.oapi.process.instance.execute", "dingtalk.oapi.processinstance.execute",
              "dingtalk.smartwork.bpms.processinstance.execute"}
    mine = {n for n in fresh_app.methods if fresh_app.methods.python_name(n) in _domain_names()}
    assert mine - writes == set(READ_SAMPLES)
    for name, kwargs in READ_SAMPLES.items():
        before = len(fresh_sandbox.requests)
        by_name = fresh_app.run(name, **kwargs)
        assert not any(r["method"] == "POST" and r["path"].endswith(("create", "terminate", "add", "execute"))
                       for r in fresh_sandbox.requests[before:])
        direct = getattr(fresh_app, fresh_app.methods.python_name(name))(**kwargs)
        assert _without_request_ids(by_name) == _without_request_ids(direct), name
        assert by_name not in (None, [], {}), name


def _domain_names():
    from dingtalk.apis.attendance import AttendanceMixin
    from dingtalk.apis.bpms import BpmsMixin

    return set(vars(BpmsMixin)) | set(vars(AttendanceMixin))
