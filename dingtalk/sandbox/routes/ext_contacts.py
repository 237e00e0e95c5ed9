"""External contacts and their labels (topapi ``extcontact/*`` and TOP ``dingtalk.corp.ext.*``)."""
from __future__ import annotations

import copy
import json
from typing import Any, Dict, List

from .base import Ctx, Router, int_param, page


def _paging(ctx: Ctx, params: Dict[str, Any]) -> Any:
    size = int_param(ctx, params, "size", 20, minimum=1, maximum=100)
    offset = int_param(ctx, params, "offset", 0, minimum=0)
    return offset, size


def _top_contact(contact: Dict[str, Any]) -> Dict[str, Any]:
    """A contact under the TOP-era field names."""
    out = dict(contact)
    out["follower_userid"] = out.pop("follower_user_id")
    out["share_deptids"] = out.pop("share_dept_ids")
    out["share_userids"] = out.pop("share_user_ids")
    return out


def _groups(ctx: Ctx, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    offset, size = _paging(ctx, params)
    with ctx.lock:
        return copy.deepcopy(page(ctx.state.label_groups, offset, size)[0])


def _contacts(ctx: Ctx, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    offset, size = _paging(ctx, params)
    with ctx.lock:
        return copy.deepcopy(page(ctx.state.ext_contacts, offset, size)[0])


def topapi_listlabelgroups(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/listlabelgroups`` {size, offset} → ``results``."""
    return {"results": _groups(ctx, params)}


def topapi_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/list`` {size, offset} → ``results``."""
    return {"results": _contacts(ctx, params)}


def top_listlabelgroups(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.ext.listlabelgroups`` → ``result`` is a JSON *string*."""
    return {"result": json.dumps(_groups(ctx, params), ensure_ascii=False)}


def top_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.ext.list`` → ``result`` is a JSON *string*."""
    contacts = [_top_contact(c) for c in _contacts(ctx, params)]
    return {"result": json.dumps(contacts, ensure_ascii=False)}


def register(router: Router) -> None:
    router.post("/topapi/extcontact/listlabelgroups")(topapi_listlabelgroups)
    router.post("/topapi/extcontact/list")(topapi_list)
    router.top("dingtalk.corp.ext.listlabelgroups")(top_listlabelgroups)
    router.top("dingtalk.corp.ext.list")(top_list)
