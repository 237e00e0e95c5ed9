"""Work notices: topapi ``message/corpconversation/*`` (and the TOP-era names).

A send creates a task that is finished at once (progress 100 %, status 2); its result lists
the recipients as unread, unknown userids as invalid.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List

from .base import Ctx, Router, TopList, bool_param, int_param, json_param, list_param

MSG_TYPES = frozenset({"text", "image", "voice", "file", "link", "oa", "markdown", "action_card"})


def _check_agent(ctx: Ctx, params: Dict[str, Any], required: bool = True) -> None:
    agent_id = int_param(ctx, params, "agent_id", required=required)
    if agent_id is not None and str(agent_id) != ctx.state.credentials.agent_id:
        raise ctx.error(40056, "不合法的agentid")


def _check_msg(ctx: Ctx, msg: Any, msgtype: Any = None) -> Dict[str, Any]:
    """Validate a message object; ``msgtype`` given separately by the TOP-era API."""
    if not isinstance(msg, dict):
        raise ctx.invalid("msg", "消息内容不合法")
    kind = msgtype if msgtype is not None else msg.get("msgtype")
    if kind not in MSG_TYPES:
        raise ctx.error(40008, "不合法的消息类型")
    if msgtype is None and not isinstance(msg.get(kind), dict):
        raise ctx.invalid("msg", f"缺少 {kind} 消息内容")
    return msg


def _send(ctx: Ctx, params: Dict[str, Any], msg: Dict[str, Any]) -> int:
    userids = list_param(ctx, params, "userid_list", max_items=5000)
    dept_ids = list_param(ctx, params, "dept_id_list", max_items=500)
    to_all = bool_param(ctx, params, "to_all_user", False)
    if not userids and not dept_ids and not to_all:
        raise ctx.invalid("userid_list", "userid_list、dept_id_list、to_all_user 不能同时为空")
    try:
        depts = [int(d) for d in dept_ids]
    except ValueError:
        raise ctx.invalid("dept_id_list") from None
    with ctx.lock:
        state = ctx.state
        task_id = state.new_task_id()
        state.tasks[task_id] = {"agent_id": state.credentials.agent_id, "userids": userids,
                                "dept_ids": depts, "to_all_user": bool(to_all), "msg": msg,
                                "created": time.time()}
    return task_id


def _task(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    task_id = int_param(ctx, params, "task_id", required=True)
    task = ctx.state.tasks.get(task_id)
    if task is None:
        raise ctx.invalid("task_id", "任务不存在")
    return task


def _send_result(ctx: Ctx, task: Dict[str, Any]) -> Dict[str, List[str]]:
    state = ctx.state
    invalid = [u for u in task["userids"] if u not in state.users]
    recipients: List[str] = []
    if task["to_all_user"]:
        recipients.extend(u["userid"] for u in state.users.values() if u["active"])
    invalid_depts: List[str] = []
    for dept_id in task["dept_ids"]:
        if dept_id not in state.departments:
            invalid_depts.append(str(dept_id))
            continue
        scope = {dept_id, *state.dept_descendants(dept_id)}
        recipients.extend(u["userid"] for u in state.users.values()
                          if u["active"] and scope.intersection(u["department"]))
    recipients.extend(u for u in task["userids"] if u in state.users)
    unique = list(dict.fromkeys(recipients))
    return {"invalid_user_id_list": invalid, "forbidden_user_id_list": [],
            "failed_user_id_list": [], "read_user_id_list": [], "unread_user_id_list": unique,
            "invalid_dept_id_list": invalid_depts}


def asyncsend_v2(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/asyncsend_v2`` → ``task_id``."""
    _check_agent(ctx, params)
    msg = _check_msg(ctx, json_param(ctx, params, "msg", required=True))
    return {"task_id": _send(ctx, params, msg)}


def getsendprogress(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/getsendprogress`` → ``progress``."""
    _check_agent(ctx, params)
    with ctx.lock:
        _task(ctx, params)
    return {"progress": {"progress_in_percent": 100, "status": 2}}


def getsendresult(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/getsendresult`` → ``send_result``."""
    _check_agent(ctx, params, required=False)
    with ctx.lock:
        result = _send_result(ctx, _task(ctx, params))
    result["forbidden_list"] = []
    return {"send_result": result}


# -- TOP-era names (the seed SDK's dingtalk.corp.message.corpconversation.*) ---------------------
def top_asyncsend(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    _check_agent(ctx, params)
    msgtype = params.get("msgtype")
    content = json_param(ctx, params, "msgcontent", required=True)
    _check_msg(ctx, content, msgtype if msgtype is not None else "")
    task_id = _send(ctx, params, {"msgtype": msgtype, msgtype: content})
    return {"result": {"ding_open_errcode": 0, "success": True, "task_id": task_id}}


def top_getsendprogress(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    _check_agent(ctx, params)
    with ctx.lock:
        _task(ctx, params)
    return {"result": {"ding_open_errcode": 0, "success": True,
                       "progress": {"progress_in_percent": 100, "status": 2}}}


def top_getsendresult(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    _check_agent(ctx, params, required=False)
    with ctx.lock:
        result = _send_result(ctx, _task(ctx, params))
    wrapped = {name: TopList("string", values) for name, values in result.items()}
    return {"result": {"ding_open_errcode": 0, "success": True, "send_result": wrapped}}


def register(router: Router) -> None:
    router.post("/topapi/message/corpconversation/asyncsend_v2")(asyncsend_v2)
    router.post("/topapi/message/corpconversation/getsendprogress")(getsendprogress)
    router.post("/topapi/message/corpconversation/getsendresult")(getsendresult)
    router.top("dingtalk.corp.message.corpconversation.asyncsend")(top_asyncsend)
    router.top("dingtalk.corp.message.corpconversation.getsendprogress")(top_getsendprogress)
    router.top("dingtalk.corp.message.corpconversation.getsendresult")(top_getsendresult)
