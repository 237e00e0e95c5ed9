"""Approvals (BPMS): topapi ``processinstance/*`` and TOP ``dingtalk.smartwork.bpms.processinstance.list``.

Instances are filtered by ``create_time`` (GMT+8) within ``[start_time, end_time]`` (epoch
ms; ``end_time`` defaults to now), ordered by creation; ``cursor`` is an offset and
``next_cursor`` is omitted on the last page. An unknown process code gives an empty list.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List, Tuple

from ..state import ms
from .base import Ctx, Router, TopList, int_param, list_param, page, str_param


def _select(ctx: Ctx, params: Dict[str, Any], max_size: int) -> Tuple[List[Dict[str, Any]], Any]:
    code = str_param(ctx, params, "process_code", required=True)
    start = int_param(ctx, params, "start_time", required=True, minimum=0)
    end = int_param(ctx, params, "end_time", None, minimum=0)
    if end is None:
        end = int(time.time() * 1000)
    if end < start:
        raise ctx.invalid("end_time", "结束时间不能早于开始时间")
    size = int_param(ctx, params, "size", 10, minimum=1, maximum=max_size)
    cursor = int_param(ctx, params, "cursor", 0, minimum=0)
    originators = set(list_param(ctx, params, "userid_list", max_items=20))
    with ctx.lock:
        found = [dict(i) for i in ctx.state.process_instances
                 if i["process_code"] == code and start <= ms(i["create_time"]) <= end
                 and (not originators or i["originator_userid"] in originators)]
    found.sort(key=lambda i: (i["create_time"], i["process_instance_id"]))
    chunk, more = page(found, cursor, size)
    return chunk, (cursor + size if more else None)


def topapi_listids(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/processinstance/listids`` → ``result{list:[ids], next_cursor?}``."""
    chunk, next_cursor = _select(ctx, params, max_size=20)
    result: Dict[str, Any] = {"list": [i["process_instance_id"] for i in chunk]}
    if next_cursor is not None:
        result["next_cursor"] = next_cursor
    return {"result": result}


def topapi_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/processinstance/get`` {process_instance_id} → ``process_instance``."""
    wanted = str_param(ctx, params, "process_instance_id", required=True)
    with ctx.lock:
        for inst in ctx.state.process_instances:
            if inst["process_instance_id"] == wanted:
                out = {
                    "title": inst["title"], "create_time": inst["create_time"],
                    "originator_userid": inst["originator_userid"],
                    "originator_dept_id": inst["originator_dept_id"],
                    "status": inst["status"], "result": inst["process_instance_result"],
                    "business_id": inst["business_id"],
                    "approver_userids": list(inst["approver_userid_list"]),
                    "cc_userids": list(inst["cc_userid_list"]),
                    "form_component_values": [dict(v) for v in inst["form_component_values"]],
                    "operation_records": [], "tasks": [],
                }
                if inst["finish_time"]:
                    out["finish_time"] = inst["finish_time"]
                return {"process_instance": out}
    raise ctx.error(40035, "审批实例不存在")


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
    chunk, next_cursor = _select(ctx, params, max_size=10)
    page_result: Dict[str, Any] = {"list": TopList("process_instance_top_vo",
                                                   [_top_vo(i) for i in chunk])}
    if next_cursor is not None:
        page_result["next_cursor"] = next_cursor
    return {"result": {"ding_open_errcode": 0, "success": True, "result": page_result}}


def register(router: Router) -> None:
    router.post("/topapi/processinstance/listids")(topapi_listids)
    router.post("/topapi/processinstance/get")(topapi_get)
    router.top("dingtalk.smartwork.bpms.processinstance.list")(top_processinstance_list)
