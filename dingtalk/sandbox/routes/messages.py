"""Work notices: topapi ``message/corpconversation/*`` (and the TOP-era names).

Tasks live in ``state.tasks`` (task id → task). A send creates a task that is finished at
once (progress 100 %, status 2). Its result lists the recipients (userids, members of the
departments and their sub-departments, or every active user) as unread until
:func:`read_work_notice` marks them read, unknown userids as invalid, unknown departments as
invalid. A recall empties the read/unread lists and lists the former recipients under
``recalled_user_id_list`` (a sandbox-only field that shows the recall); a second recall or a
status-bar update of a recalled notice is refused. Only OA notices have a status bar.

A fresh sandbox holds one finished notice, :data:`SEED_TASK_ID` (a text to user0002, user0003
and user0004; user0002 has read it), created when this domain is first used.

Message bodies are checked per type (required fields, voice duration, the 2048-byte limit).
"""
from __future__ import annotations

import copy
import json
import time
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .base import Ctx, RouteError, Router, TopList, bool_param, int_param, json_param, list_param, str_param

MSG_TYPES = frozenset({"text", "image", "voice", "file", "link", "oa", "markdown", "action_card"})
MAX_MSG_BYTES = 2048
SEED_TASK_ID = 600000000001


class MessagesState:
    """The seeded work notice; the tasks themselves are kept in ``state.tasks``."""

    def __init__(self, state: Any) -> None:
        state.tasks.setdefault(SEED_TASK_ID, _new_task(
            state.credentials.agent_id, ["user0002", "user0003", "user0004"], [], False,
            {"msgtype": "text", "text": {"content": "欢迎使用钉钉工作通知"}}, read=["user0002"]))


def _new_task(agent_id: str, userids: List[str], dept_ids: List[int], to_all: bool,
              msg: Dict[str, Any], read: Iterable[str] = ()) -> Dict[str, Any]:
    return {"agent_id": agent_id, "userids": userids, "dept_ids": dept_ids, "to_all_user": to_all,
            "msg": msg, "created": time.time(), "read": list(read), "recalled": False}


def _domain(ctx: Ctx) -> MessagesState:
    return ctx.state.domain("messages", MessagesState)


def _check_agent(ctx: Ctx, params: Dict[str, Any], required: bool = True) -> None:
    agent_id = int_param(ctx, params, "agent_id", required=required)
    if agent_id is not None and str(agent_id) != ctx.state.credentials.agent_id:
        raise ctx.error(40056, "不合法的agentid")


# -- message bodies ----------------------------------------------------------------------------
def _bad(ctx: Ctx, detail: str) -> RouteError:
    return ctx.invalid("msg", f"消息内容不合法: {detail}")


def _need(ctx: Ctx, body: Dict[str, Any], kind: str, *names: str) -> None:
    for name in names:
        value = body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise _bad(ctx, f"{kind}.{name} 不能为空")


def check_body(ctx: Ctx, kind: Any, body: Any) -> None:
    """Check the body of a work-notice / group-chat message of type ``kind``."""
    if kind not in MSG_TYPES:
        raise ctx.error(40008, "不合法的消息类型")
    if not isinstance(body, dict):
        raise _bad(ctx, f"缺少 {kind} 消息内容")
    if kind == "text":
        _need(ctx, body, kind, "content")
    elif kind in ("image", "file"):
        _need(ctx, body, kind, "media_id")
    elif kind == "voice":
        _need(ctx, body, kind, "media_id", "duration")
        try:
            seconds = int(body["duration"])
        except (TypeError, ValueError):
            seconds = 0
        if not 1 <= seconds <= 60:
            raise _bad(ctx, "voice.duration 应为不超过60的正整数")
    elif kind == "link":
        _need(ctx, body, kind, "messageUrl", "picUrl", "title", "text")
    elif kind == "markdown":
        _need(ctx, body, kind, "title", "text")
    elif kind == "oa":
        _need(ctx, body, kind, "message_url")
        head = body.get("head")
        if not isinstance(head, dict) or not head.get("bgcolor"):
            raise _bad(ctx, "oa.head.bgcolor 不能为空")
        if not isinstance(body.get("body"), dict):
            raise _bad(ctx, "oa.body 不能为空")
    elif kind == "action_card":
        _need(ctx, body, kind, "title", "markdown")
        if body.get("single_title") or body.get("single_url"):
            _need(ctx, body, kind, "single_title", "single_url")
        else:
            buttons = body.get("btn_json_list")
            if not body.get("btn_orientation") or not isinstance(buttons, list) or not buttons:
                raise _bad(ctx, "action_card 需要 single_title/single_url 或 btn_orientation/btn_json_list")
            for button in buttons:
                if not isinstance(button, dict) or not button.get("title") or not button.get("action_url"):
                    raise _bad(ctx, "btn_json_list 的每个按钮需要 title 和 action_url")


def check_msg(ctx: Ctx, msg: Any) -> Dict[str, Any]:
    """Validate a whole ``{"msgtype": t, t: {...}}`` message object."""
    if not isinstance(msg, dict):
        raise ctx.invalid("msg", "消息内容不合法")
    kind = msg.get("msgtype")
    check_body(ctx, kind, msg.get(kind))
    if len(json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) > MAX_MSG_BYTES:
        raise ctx.invalid("msg", f"消息内容超过{MAX_MSG_BYTES}字节")
    return msg


# -- tasks --------------------------------------------------------------------------------------
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
    _domain(ctx)
    with ctx.lock:
        state = ctx.state
        task_id = state.new_task_id()
        state.tasks[task_id] = _new_task(state.credentials.agent_id, userids, depts, bool(to_all),
                                         copy.deepcopy(msg))
    return task_id


def _task(ctx: Ctx, params: Dict[str, Any], name: str = "task_id") -> Dict[str, Any]:
    """The task named by ``params[name]`` (call with the lock held)."""
    task_id = int_param(ctx, params, name, required=True)
    task = ctx.state.tasks.get(task_id)
    if task is None:
        raise ctx.invalid(name, "任务不存在")
    return task


def _recipients(state: Any, task: Dict[str, Any]) -> Tuple[List[str], List[str], List[str]]:
    """``(recipients, invalid userids, invalid department ids)`` of a task (lock held)."""
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
    return list(dict.fromkeys(recipients)), invalid, invalid_depts


def _send_result(ctx: Ctx, task: Dict[str, Any]) -> Dict[str, Any]:
    recipients, invalid, invalid_depts = _recipients(ctx.state, task)
    read = [u for u in recipients if u in task.get("read", ())]
    unread = [u for u in recipients if u not in read]
    result: Dict[str, Any] = {
        "invalid_user_id_list": invalid, "forbidden_user_id_list": [], "failed_user_id_list": [],
        "read_user_id_list": read, "unread_user_id_list": unread, "invalid_dept_id_list": invalid_depts}
    if task.get("recalled"):
        result["read_user_id_list"] = []
        result["unread_user_id_list"] = []
        result["recalled_user_id_list"] = recipients
    return result


# -- topapi handlers ------------------------------------------------------------------------------
def asyncsend_v2(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/asyncsend_v2`` → ``task_id``."""
    _check_agent(ctx, params)
    msg = check_msg(ctx, json_param(ctx, params, "msg", required=True))
    return {"task_id": _send(ctx, params, msg)}


def getsendprogress(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/getsendprogress`` → ``progress``."""
    _check_agent(ctx, params)
    _domain(ctx)
    with ctx.lock:
        _task(ctx, params)
    return {"progress": {"progress_in_percent": 100, "status": 2}}


def getsendresult(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/getsendresult`` → ``send_result``."""
    _check_agent(ctx, params, required=False)
    _domain(ctx)
    with ctx.lock:
        result = _send_result(ctx, _task(ctx, params))
    result["forbidden_list"] = []
    return {"send_result": result}


def recall(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/recall`` {agent_id, msg_task_id}."""
    _check_agent(ctx, params)
    _domain(ctx)
    with ctx.lock:
        task = _task(ctx, params, "msg_task_id")
        if task.get("recalled"):
            raise ctx.error(40035, "该消息已撤回")
        task["recalled"] = True
    return {}


def status_bar_update(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/message/corpconversation/status_bar/update`` {agent_id, task_id, status_value, status_bg}."""
    _check_agent(ctx, params)
    value = str_param(ctx, params, "status_value", required=True)
    background = str_param(ctx, params, "status_bg")
    _domain(ctx)
    with ctx.lock:
        task = _task(ctx, params)
        if task["msg"].get("msgtype") != "oa":
            raise ctx.invalid("task_id", "只有OA消息可以更新状态栏")
        if task.get("recalled"):
            raise ctx.error(40035, "该消息已撤回")
        bar: Dict[str, Any] = {"status_value": value}
        if background is not None:
            bar["status_bg"] = background
        task["msg"]["oa"]["status_bar"] = bar
    return {}


# -- TOP-era names (the seed SDK's dingtalk.corp.message.corpconversation.*) ---------------------
def top_asyncsend(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    _check_agent(ctx, params)
    msgtype = str_param(ctx, params, "msgtype", required=True) or ""
    content = json_param(ctx, params, "msgcontent", required=True)
    msg = check_msg(ctx, {"msgtype": msgtype, msgtype: content})
    task_id = _send(ctx, params, msg)
    return {"result": {"ding_open_errcode": 0, "success": True, "task_id": task_id}}


def top_getsendprogress(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    _check_agent(ctx, params)
    _domain(ctx)
    with ctx.lock:
        _task(ctx, params)
    return {"result": {"ding_open_errcode": 0, "success": True,
                       "progress": {"progress_in_percent": 100, "status": 2}}}


def top_getsendresult(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    _check_agent(ctx, params, required=False)
    _domain(ctx)
    with ctx.lock:
        result = _send_result(ctx, _task(ctx, params))
    wrapped = {name: TopList("string", values) for name, values in result.items()}
    return {"result": {"ding_open_errcode": 0, "success": True, "send_result": wrapped}}


# -- helpers for tests (take the Sandbox object) ---------------------------------------------------
def read_work_notice(sandbox: Any, task_id: int, userids: Optional[Iterable[str]] = None) -> List[str]:
    """Mark recipients of a work notice as having read it (all of them when ``userids`` is None).

    Returns the userids now marked read; unknown tasks raise KeyError.
    """
    state = sandbox.state
    state.domain("messages", MessagesState)
    with state.lock:
        task = state.tasks[int(task_id)]
        recipients = _recipients(state, task)[0]
        wanted = recipients if userids is None else [u for u in userids if u in recipients]
        task["read"] = list(dict.fromkeys([*task.get("read", []), *wanted]))
        return list(wanted)


def work_notice(sandbox: Any, task_id: int) -> Dict[str, Any]:
    """A copy of the stored task (``msg``, ``userids``, ``dept_ids``, ``read``, ``recalled``, ...)."""
    state = sandbox.state
    state.domain("messages", MessagesState)
    with state.lock:
        return copy.deepcopy(state.tasks[int(task_id)])


def register(router: Router) -> None:
    router.post("/topapi/message/corpconversation/asyncsend_v2")(asyncsend_v2)
    router.post("/topapi/message/corpconversation/getsendprogress")(getsendprogress)
    router.post("/topapi/message/corpconversation/getsendresult")(getsendresult)
    router.post("/topapi/message/corpconversation/recall")(recall)
    router.post("/topapi/message/corpconversation/status_bar/update")(status_bar_update)
    router.top("dingtalk.corp.message.corpconversation.asyncsend")(top_asyncsend)
    router.top("dingtalk.corp.message.corpconversation.getsendprogress")(top_getsendprogress)
    router.top("dingtalk.corp.message.corpconversation.getsendresult")(top_getsendresult)
