"""Approvals (BPMS): topapi ``processinstance/*``, ``process/*`` and TOP ``dingtalk.smartwork.bpms.processinstance.list``.

Data: the instances are the seeded ``state.process_instances`` (plus those created here, appended
to the same list); :class:`BpmsState` (``state.domain("bpms", ...)``) keeps what only this
domain needs: templates and who may see them, each instance's approval nodes, tasks and
operation records (comments included), the task-id counter.

Listing: instances are filtered by ``create_time`` (GMT+8) within ``[start_time, end_time]``
(epoch ms; ``end_time`` defaults to now) and ordered by creation; ``cursor`` is an offset and
``next_cursor`` is omitted on the last page. An unknown process code gives an empty list.
``listids`` does not enforce DingTalk's 120/365-day window (the client does), so that the
seeded history stays reachable.

Life cycle: create → ``RUNNING`` with the first approval node's tasks ``RUNNING``; execute
(agree) moves node by node (``AND`` = every user of the node, ``OR`` = any one, ``NONE`` = a
single user) to ``COMPLETED``/``agree``; one refuse ends it ``COMPLETED``/``refuse``; terminate
→ ``TERMINATED`` with the open tasks ``CANCELED``. DingTalk's "no revoke within 15 s of
creation" rule is not emulated.

Errors: DingTalk documents the messages of these failures, not numbers; the sandbox answers
them with errcode 400002 (``ERR_BPMS``) and DingTalk's Chinese message; unknown users in
plain user lookups give 60121 "找不到该用户".
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

from ..state import CST, ms
from .callbacks import emit
from .base import Ctx, Router, TopList, bool_param, int_param, json_param, list_param, page, str_param

ERR_BPMS = 400002
MSG_BAD_INSTANCE = ("审批实例参数错误，具体可能为:发起人、审批人、抄送人的userid错误，发起部门id错误，"
                    "发起人不在发起部门中")
MSG_NO_INSTANCE = "审批实例不存在"
MSG_NO_PROCESS = "获取审批模板失败或者模板已被删除"
MSG_STATUS = "审批单状态异常，具体可能为：审批单已结束、已撤销等"
MSG_NO_TASK = "审批任务不存在或已处理"
MSG_BAD_AGENT = "无效的微应用ID"

#: code, name, departments that may start it (None: everyone), default approvers
TEMPLATES: Tuple[Tuple[str, str, Optional[Tuple[int, ...]], Tuple[str, ...]], ...] = (
    ("PROC-SANDBOX-LEAVE", "请假", None, ("user0002", "manager0001")),
    ("PROC-SANDBOX-EXPENSE", "报销", None, ("user0002", "manager0001")),
    ("PROC-SANDBOX-TRIP", "出差", None, ("manager0001",)),
    ("PROC-SANDBOX-OVERTIME", "加班", (2,), ("user0002",)),
    ("PROC-SANDBOX-PURCHASE", "采购", (3, 4, 5), ("user0011", "manager0001")),
    ("PROC-SANDBOX-SEAL", "用印", (5,), ("manager0001",)),
)
CC_POSITIONS = ("START", "FINISH", "START_FINISH")


def _now_text() -> str:
    return _dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")


def _between(start: str, end: str) -> str:
    """The moment halfway between two ``yyyy-MM-dd HH:mm:ss`` times."""
    mid = (ms(start) + ms(end)) // 2
    return _dt.datetime.fromtimestamp(mid / 1000, CST).strftime("%Y-%m-%d %H:%M:%S")


class BpmsState:
    """Templates, approval nodes, tasks and operation records (seeded from the instances)."""

    def __init__(self, state: Any) -> None:
        self.templates: Dict[str, Dict[str, Any]] = {}
        for code, name, depts, approvers in TEMPLATES:
            self.templates[code] = {"process_code": code, "name": name, "visible_depts": depts,
                                    "approvers": list(approvers)}
        for code in sorted(getattr(state, "process_codes", ())):
            self.templates.setdefault(code, {"process_code": code, "name": code, "visible_depts": None,
                                             "approvers": ["manager0001"]})
        self.flows: Dict[str, Dict[str, Any]] = {}
        self._next_task = 61000000001
        self._next_business = 1
        self.space_id = 20610000 + int(hashlib.sha1(state.credentials.corp_id.encode("utf-8")).hexdigest()[:6], 16)
        for inst in state.process_instances:
            self.flows[inst["process_instance_id"]] = self._seed_flow(inst)

    # -- building -------------------------------------------------------------------------
    def new_task_id(self) -> int:
        task_id = self._next_task
        self._next_task += 1
        return task_id

    def new_business_id(self) -> str:
        number = self._next_business
        self._next_business += 1
        return _dt.datetime.now(CST).strftime("%Y%m%d%H%M") + f"{number:06d}"

    def _task(self, userid: str, created: str, status: str = "RUNNING") -> Dict[str, Any]:
        return {"taskid": str(self.new_task_id()), "userid": userid, "task_status": status,
                "task_result": "NONE", "create_time": created}

    def _seed_flow(self, inst: Dict[str, Any]) -> Dict[str, Any]:
        """A plausible history for a seeded instance: its approvers one after the other."""
        created, finished = inst["create_time"], inst["finish_time"]
        nodes = [{"action": "NONE", "users": [u]} for u in inst["approver_userid_list"]]
        flow: Dict[str, Any] = {"nodes": nodes, "node": 0, "tasks": [], "records": [],
                                "cc_position": "FINISH"}
        flow["records"].append({"userid": inst["originator_userid"], "date": created,
                                "operation_type": "START_PROCESS_INSTANCE", "operation_result": "NONE"})
        if not finished:
            flow["tasks"].append(self._task(nodes[0]["users"][0], created))
            return flow
        moments = [_between(created, finished), finished] if len(nodes) > 1 else [finished]
        for index, node in enumerate(nodes):
            when = moments[min(index, len(moments) - 1)]
            refused = inst["process_instance_result"] == "refuse" and index == 0
            task = self._task(node["users"][0], created if index == 0 else moments[0], "COMPLETED")
            task.update(task_result="REFUSE" if refused else "AGREE", finish_time=when)
            flow["tasks"].append(task)
            flow["records"].append({"userid": node["users"][0], "date": when,
                                    "operation_type": "EXECUTE_TASK_NORMAL",
                                    "operation_result": "REFUSE" if refused else "AGREE"})
            if refused:
                break
        flow["node"] = len(nodes)
        return flow

    def start_flow(self, inst: Dict[str, Any], nodes: List[Dict[str, Any]], cc_position: str) -> None:
        created = inst["create_time"]
        flow: Dict[str, Any] = {"nodes": nodes, "node": 0, "tasks": [], "cc_position": cc_position,
                                "records": [{"userid": inst["originator_userid"], "date": created,
                                             "operation_type": "START_PROCESS_INSTANCE",
                                             "operation_result": "NONE"}]}
        flow["tasks"].extend(self._task(u, created) for u in nodes[0]["users"])
        self.flows[inst["process_instance_id"]] = flow

    def flow(self, inst: Dict[str, Any]) -> Dict[str, Any]:
        found = self.flows.get(inst["process_instance_id"])
        if found is None:
            found = self.flows[inst["process_instance_id"]] = self._seed_flow(inst)
        return found

    # -- actions ----------------------------------------------------------------------------
    def execute(self, inst: Dict[str, Any], task: Dict[str, Any], verdict: str, remark: Optional[str]) -> None:
        flow, now = self.flow(inst), _now_text()
        task.update(task_status="COMPLETED", task_result=verdict.upper(), finish_time=now)
        record = {"userid": task["userid"], "date": now, "operation_type": "EXECUTE_TASK_NORMAL",
                  "operation_result": verdict.upper()}
        if remark:
            record["remark"] = remark
        flow["records"].append(record)
        node = flow["nodes"][flow["node"]]
        running = [t for t in flow["tasks"] if t["task_status"] == "RUNNING"]
        if verdict == "agree" and node["action"] == "AND" and running:
            return  # a 会签 node waits for everyone
        for other in running:
            other.update(task_status="CANCELED", finish_time=now)
        if verdict == "refuse":
            self.finish(inst, "refuse", now)
            return
        flow["node"] += 1
        if flow["node"] >= len(flow["nodes"]):
            self.finish(inst, "agree", now)
            return
        flow["tasks"].extend(self._task(u, now) for u in flow["nodes"][flow["node"]]["users"])

    def finish(self, inst: Dict[str, Any], result: str, when: str) -> None:
        inst.update(status="COMPLETED", process_instance_result=result, finish_time=when)

    def terminate(self, inst: Dict[str, Any], userid: Optional[str], remark: Optional[str]) -> None:
        flow, now = self.flow(inst), _now_text()
        for task in flow["tasks"]:
            if task["task_status"] in ("RUNNING", "NEW"):
                task.update(task_status="CANCELED", finish_time=now)
        record = {"userid": userid or "", "date": now, "operation_type": "TERMINATE_PROCESS_INSTANCE",
                  "operation_result": "NONE"}
        if remark:
            record["remark"] = remark
        flow["records"].append(record)
        inst.update(status="TERMINATED", finish_time=now)


def _push(ctx: Ctx, inst: Dict[str, Any], event_type: str, change: str, **extra: Any) -> None:
    """Tell the registered callback (if any) about an instance or task change."""
    created = inst.get("create_time")
    emit(ctx.state, event_type, processInstanceId=inst["process_instance_id"],
         corpId=ctx.state.credentials.corp_id, processCode=inst["process_code"], title=inst["title"],
         type=change, staffId=extra.pop("staffId", inst["originator_userid"]),
         createTime=ms(created) if created else None,
         url=f"https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm#/approval?procInstId={inst['process_instance_id']}",
         **extra)


def _bpms(ctx: Ctx) -> BpmsState:
    return ctx.state.domain("bpms", BpmsState)


def _instance(ctx: Ctx, instance_id: str) -> Dict[str, Any]:
    """The instance with that id (call with the lock held)."""
    for inst in ctx.state.process_instances:
        if inst["process_instance_id"] == instance_id:
            return inst
    raise ctx.error(ERR_BPMS, MSG_NO_INSTANCE)


def _user(ctx: Ctx, userid: Optional[str]) -> Dict[str, Any]:
    user = ctx.state.users.get(userid) if userid else None
    if user is None:
        raise ctx.error(60121, "找不到该用户")
    return user


def _request(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """The ``request`` object the newer topapi calls wrap their parameters in."""
    request = json_param(ctx, params, "request", required=True)
    if not isinstance(request, dict):
        raise ctx.invalid("request")
    return request


def _check_agent(ctx: Ctx, params: Dict[str, Any]) -> None:
    agent = int_param(ctx, params, "agent_id")
    if agent is not None and str(agent) != ctx.state.credentials.agent_id:
        raise ctx.error(ERR_BPMS, MSG_BAD_AGENT)


# -- listing -----------------------------------------------------------------------------------
def _select(ctx: Ctx, params: Dict[str, Any], max_size: int, max_users: int) -> Tuple[List[Dict[str, Any]], Any]:
    code = str_param(ctx, params, "process_code", required=True) or ""
    start = int_param(ctx, params, "start_time", required=True, minimum=0) or 0
    end = int_param(ctx, params, "end_time", None, minimum=0)
    if end is None:
        end = int(time.time() * 1000)
    if end < start:
        raise ctx.invalid("end_time", "结束时间不能早于开始时间")
    size = int_param(ctx, params, "size", 10, minimum=1, maximum=max_size) or 10
    cursor = int_param(ctx, params, "cursor", 0, minimum=0) or 0
    originators = set(list_param(ctx, params, "userid_list", max_items=max_users))
    with ctx.lock:
        found = [dict(i) for i in ctx.state.process_instances
                 if i["process_code"] == code and start <= ms(i["create_time"]) <= end
                 and (not originators or i["originator_userid"] in originators)]
    found.sort(key=lambda i: i["create_time"])  # stable: same-second instances keep creation order
    chunk, more = page(found, cursor, size)
    return chunk, (cursor + size if more else None)


def topapi_listids(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/processinstance/listids`` → ``result{list:[ids], next_cursor?}`` (size ≤ 20)."""
    chunk, next_cursor = _select(ctx, params, max_size=20, max_users=10)
    result: Dict[str, Any] = {"list": [i["process_instance_id"] for i in chunk]}
    if next_cursor is not None:
        result["next_cursor"] = next_cursor
    return {"result": result}


def _top_vo(inst: Dict[str, Any]) -> Dict[str, Any]:
    vo = {
        "process_instance_id": inst["process_instance_id"],
        "business_id": inst["business_id"],
        "title": inst["title"],
        "create_time": inst["create_time"],
        "originator_userid": inst["originator_userid"],
        "originator_dept_id": inst["originator_dept_id"],
        "status": inst["status"],
        "process_instance_result": inst["process_instance_result"],
        "approver_userid_list": TopList("string", inst["approver_userid_list"]),
        "cc_userid_list": TopList("string", inst["cc_userid_list"]),
        "form_component_values": TopList("form_component_value_vo",
                                         [dict(v) for v in inst["form_component_values"]]),
    }
    if inst["finish_time"]:
        vo["finish_time"] = inst["finish_time"]
    return vo


def top_processinstance_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.smartwork.bpms.processinstance.list`` (size ≤ 10)."""
    chunk, next_cursor = _select(ctx, params, max_size=10, max_users=20)
    page_result: Dict[str, Any] = {"list": TopList("process_instance_top_vo",
                                                   [_top_vo(i) for i in chunk])}
    if next_cursor is not None:
        page_result["next_cursor"] = next_cursor
    return {"result": {"ding_open_errcode": 0, "success": True, "result": page_result}}


# -- one instance ----------------------------------------------------------------------------------
def topapi_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/processinstance/get`` {process_instance_id} → ``process_instance``."""
    wanted = str_param(ctx, params, "process_instance_id", required=True) or ""
    with ctx.lock:
        inst = _instance(ctx, wanted)
        flow = _bpms(ctx).flow(inst)
        dept = ctx.state.departments.get(int(inst["originator_dept_id"])) if \
            str(inst["originator_dept_id"]).lstrip("-").isdigit() else None
        out = {
            "title": inst["title"], "create_time": inst["create_time"],
            "originator_userid": inst["originator_userid"],
            "originator_dept_id": inst["originator_dept_id"],
            "originator_dept_name": dept["name"] if dept else "",
            "status": inst["status"], "result": inst["process_instance_result"],
            "business_id": inst["business_id"], "biz_action": "NONE",
            "approver_userids": list(inst["approver_userid_list"]),
            "cc_userids": list(inst["cc_userid_list"]),
            "form_component_values": [dict(v) for v in inst["form_component_values"]],
            "operation_records": [dict(r) for r in flow["records"]],
            "tasks": [dict(t) for t in flow["tasks"]],
            "attached_process_instance_ids": [],
        }
        if inst["finish_time"]:
            out["finish_time"] = inst["finish_time"]
    return {"process_instance": out}


def _nodes(ctx: Ctx, params: Dict[str, Any], template: Dict[str, Any], originator: str) -> List[Dict[str, Any]]:
    v2 = json_param(ctx, params, "approvers_v2")
    if v2:
        if not isinstance(v2, list):
            raise ctx.invalid("approvers_v2")
        nodes = []
        for node in v2:
            if not isinstance(node, dict):
                raise ctx.invalid("approvers_v2")
            action = str(node.get("task_action_type") or "NONE").upper()
            users = list_param(ctx, node, "user_ids", required=True, max_items=20)
            if action not in ("AND", "OR", "NONE") or (action == "NONE" and len(users) != 1):
                raise ctx.invalid("approvers_v2", "审批人节点参数错误")
            nodes.append({"action": action, "users": users})
        return nodes
    approvers = list_param(ctx, params, "approvers", max_items=20)
    if not approvers:
        approvers = [u for u in template["approvers"] if u != originator] or ["manager0001"]
    return [{"action": "NONE", "users": [u]} for u in approvers]


def topapi_create(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/processinstance/create`` → ``process_instance_id``."""
    code = str_param(ctx, params, "process_code", required=True) or ""
    originator = str_param(ctx, params, "originator_user_id", required=True) or ""
    dept_id = int_param(ctx, params, "dept_id", required=True)
    _check_agent(ctx, params)
    cc = list_param(ctx, params, "cc_list", max_items=20)
    position = (str_param(ctx, params, "cc_position", "FINISH") or "FINISH").upper()
    if position not in CC_POSITIONS:
        raise ctx.invalid("cc_position", "抄送时间只能为START、FINISH或START_FINISH")
    values = json_param(ctx, params, "form_component_values") or []
    if not isinstance(values, list) or len(values) > 40:
        raise ctx.invalid("form_component_values", "表单参数最多40个")
    form = []
    for item in values:
        if not isinstance(item, dict) or not item.get("name"):
            raise ctx.invalid("form_component_values", "表单参数缺少name")
        entry = {"name": str(item["name"]), "value": "" if item.get("value") is None else str(item["value"])}
        if item.get("ext_value") is not None:
            entry["ext_value"] = str(item["ext_value"])
        form.append(entry)
    with ctx.lock:
        bpms = _bpms(ctx)
        template = bpms.templates.get(code)
        if template is None:
            raise ctx.error(ERR_BPMS, MSG_NO_PROCESS)
        nodes = _nodes(ctx, params, template, originator)
        users = ctx.state.users
        user = users.get(originator)
        if user is None:
            raise ctx.error(ERR_BPMS, MSG_BAD_INSTANCE)
        if dept_id == -1:
            dept_id = user["department"][0]
        people = [u for n in nodes for u in n["users"]] + cc
        if dept_id not in user["department"] or any(u not in users for u in people):
            raise ctx.error(ERR_BPMS, MSG_BAD_INSTANCE)
        inst = {
            "process_code": code,
            "process_instance_id": str(uuid.uuid4()),
            "business_id": bpms.new_business_id(),
            "title": f"{user['name']}提交的{template['name']}",
            "originator_userid": originator,
            "originator_dept_id": str(dept_id),
            "approver_userid_list": list(dict.fromkeys(u for n in nodes for u in n["users"])),
            "cc_userid_list": list(cc),
            "status": "RUNNING",
            "process_instance_result": "",
            "create_time": _now_text(),
            "finish_time": None,
            "form_component_values": form,
        }
        ctx.state.process_instances.append(inst)
        bpms.start_flow(inst, nodes, position)
    _push(ctx, inst, "bpms_instance_change", "start")
    return {"process_instance_id": inst["process_instance_id"]}


def topapi_execute(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/process/instance/execute`` {request{process_instance_id, actioner_userid, task_id, result, remark}}."""
    request = _request(ctx, params)
    wanted = str_param(ctx, request, "process_instance_id", required=True) or ""
    actioner = str_param(ctx, request, "actioner_userid", required=True)
    task_id = int_param(ctx, request, "task_id", required=True)
    verdict = (str_param(ctx, request, "result", required=True) or "").lower()
    if verdict not in ("agree", "refuse"):
        raise ctx.invalid("result", "审批操作只能为agree或refuse")
    remark = str_param(ctx, request, "remark")
    if remark is not None and len(remark) > 2000:
        raise ctx.invalid("remark", "评论最多2000个字符")
    with ctx.lock:
        inst = _instance(ctx, wanted)
        bpms = _bpms(ctx)
        if inst["status"] != "RUNNING":
            raise ctx.error(ERR_BPMS, MSG_STATUS)
        task = next((t for t in bpms.flow(inst)["tasks"] if t["taskid"] == str(task_id)), None)
        if task is None or task["task_status"] != "RUNNING" or task["userid"] != actioner:
            raise ctx.error(ERR_BPMS, MSG_NO_TASK)
        bpms.execute(inst, task, verdict, remark)
        finished = inst["status"] == "COMPLETED"
    _push(ctx, inst, "bpms_task_change", "finish", staffId=task["userid"], result=verdict,
          taskId=task["taskid"], remark=remark or "")
    if finished:
        _push(ctx, inst, "bpms_instance_change", "finish", result=inst["process_instance_result"],
              finishTime=ms(inst["finish_time"]))
    return {"result": True, "success": True}


def topapi_terminate(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/process/instance/terminate`` {request{process_instance_id, is_system, operating_userid?, remark?}}."""
    request = _request(ctx, params)
    wanted = str_param(ctx, request, "process_instance_id", required=True) or ""
    system = bool_param(ctx, request, "is_system")
    if system is None:
        raise ctx.missing("is_system")
    operator = str_param(ctx, request, "operating_userid")
    if not system and operator is None:
        raise ctx.missing("operating_userid")
    remark = str_param(ctx, request, "remark")
    with ctx.lock:
        inst = _instance(ctx, wanted)
        if operator is not None and operator not in ctx.state.users:
            raise ctx.error(ERR_BPMS, "操作人不存在")
        if inst["status"] != "RUNNING":
            raise ctx.error(ERR_BPMS, MSG_STATUS)
        _bpms(ctx).terminate(inst, operator, remark)
    _push(ctx, inst, "bpms_instance_change", "terminate", finishTime=ms(inst["finish_time"]))
    return {"result": True, "success": True}


def topapi_comment_add(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/process/instance/comment/add`` {request{process_instance_id, comment_userid, text, file?}}."""
    request = _request(ctx, params)
    wanted = str_param(ctx, request, "process_instance_id", required=True) or ""
    commenter = str_param(ctx, request, "comment_userid", required=True)
    text = str_param(ctx, request, "text", required=True)
    files = request.get("file") or {}
    if not isinstance(files, dict):
        raise ctx.invalid("file")
    attachments = files.get("attachments") or []
    photos = files.get("photos") or []
    if not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments):
        raise ctx.invalid("attachments")
    if not isinstance(photos, list) or not all(isinstance(p, str) for p in photos):
        raise ctx.invalid("photos")
    with ctx.lock:
        inst = _instance(ctx, wanted)
        if commenter not in ctx.state.users:
            raise ctx.error(ERR_BPMS, "评论人不存在")
        record: Dict[str, Any] = {"userid": commenter, "date": _now_text(), "operation_type": "ADD_REMARK",
                                  "operation_result": "NONE", "remark": text}
        if attachments:
            record["attachments"] = [{k: str(a.get(k, "")) for k in ("file_id", "file_name", "file_size", "file_type")}
                                     for a in attachments]
        if photos:
            record["images"] = list(photos)
        _bpms(ctx).flow(inst)["records"].append(record)
    return {"result": True, "success": True}


# -- space, templates, todo ----------------------------------------------------------------------------
def topapi_cspace_info(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/processinstance/cspace/info`` {user_id, agent_id?} → ``result{space_id}``."""
    userid = str_param(ctx, params, "user_id", required=True)
    _check_agent(ctx, params)
    with ctx.lock:
        _user(ctx, userid)
        space = _bpms(ctx).space_id
    return {"result": {"space_id": space}, "success": True}


def _visible(ctx: Ctx, template: Dict[str, Any], user: Optional[Dict[str, Any]]) -> bool:
    depts = template["visible_depts"]
    if user is None or depts is None:
        return True
    mine = set()
    for dept_id in user["department"]:
        while dept_id is not None and dept_id not in mine:
            mine.add(dept_id)
            dept_id = (ctx.state.departments.get(dept_id) or {}).get("parentid")
    return bool(mine & set(depts))


def topapi_listbyuserid(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/process/listbyuserid`` {userid?, offset, size ≤ 100} → ``result{process_list, next_cursor?}``."""
    userid = str_param(ctx, params, "userid")
    offset = int_param(ctx, params, "offset", required=True, minimum=0) or 0
    size = int_param(ctx, params, "size", required=True, minimum=1, maximum=100) or 100
    with ctx.lock:
        user = _user(ctx, userid) if userid is not None else None
        visible = [t for t in _bpms(ctx).templates.values() if _visible(ctx, t, user)]
    rows = [{"name": t["name"], "process_code": t["process_code"],
             "icon_url": f"https://static.dingtalk.com/media/sandbox/{t['process_code'].lower()}.png",
             "url": f"https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm#/custom?processCode={t['process_code']}"}
            for t in visible]
    chunk, more = page(rows, offset, size)
    result: Dict[str, Any] = {"process_list": chunk}
    if more:
        result["next_cursor"] = offset + size
    return {"result": result}


def topapi_gettodonum(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/process/gettodonum`` {userid} → ``count`` of the user's running tasks."""
    userid = str_param(ctx, params, "userid", required=True)
    with ctx.lock:
        _user(ctx, userid)
        bpms = _bpms(ctx)
        count = sum(1 for inst in ctx.state.process_instances if inst["status"] == "RUNNING"
                    for t in bpms.flow(inst)["tasks"] if t["userid"] == userid and t["task_status"] == "RUNNING")
    return {"count": count}


def register(router: Router) -> None:
    router.post("/topapi/processinstance/create")(topapi_create)
    router.post("/topapi/processinstance/listids")(topapi_listids)
    router.post("/topapi/processinstance/get")(topapi_get)
    router.post("/topapi/processinstance/cspace/info")(topapi_cspace_info)
    router.post("/topapi/process/instance/execute")(topapi_execute)
    router.post("/topapi/process/instance/terminate")(topapi_terminate)
    router.post("/topapi/process/instance/comment/add")(topapi_comment_add)
    router.post("/topapi/process/listbyuserid")(topapi_listbyuserid)
    router.post("/topapi/process/gettodonum")(topapi_gettodonum)
    router.top("dingtalk.smartwork.bpms.processinstance.list")(top_processinstance_list)


__all__ = ["BpmsState", "register", "ERR_BPMS"]
