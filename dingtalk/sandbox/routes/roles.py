"""Roles: TOP ``dingtalk.corp.role.list`` and topapi ``/topapi/role/list``."""
from __future__ import annotations

from typing import Any, Dict

from .base import Ctx, Router, TopList, int_param, page


def corp_role_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.role.list`` (size, offset) → ``result{has_more, list{role_groups}}``."""
    size = int_param(ctx, params, "size", 20, minimum=1, maximum=200)
    offset = int_param(ctx, params, "offset", 0, minimum=0)
    with ctx.lock:
        groups, more = page(ctx.state.role_groups, offset, size)
        rendered = [{"group_name": g["group_name"],
                     "roles": TopList("roles", [dict(r) for r in g["roles"]])} for g in groups]
    return {"result": {"has_more": more, "list": TopList("role_groups", rendered)}}


def topapi_role_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/list`` {size, offset} → ``result{hasMore, list[{groupId, name, roles}]}``."""
    size = int_param(ctx, params, "size", 20, minimum=1, maximum=200)
    offset = int_param(ctx, params, "offset", 0, minimum=0)
    with ctx.lock:
        groups = ctx.state.role_groups
        indexed = [(n, g) for n, g in enumerate(groups, start=1)]
        chunk, more = page(indexed, offset, size)
        rendered = [{"groupId": 1000 + n, "name": g["group_name"],
                     "roles": [{"id": r["id"], "name": r["role_name"]} for r in g["roles"]]}
                    for n, g in chunk]
    return {"result": {"hasMore": more, "list": rendered}}


def register(router: Router) -> None:
    router.top("dingtalk.corp.role.list")(corp_role_list)
    router.post("/topapi/role/list")(topapi_role_list)
