"""Roles (角色, once called labels 标签) and role groups.

topapi ``role/list``, ``role/simplelist``, ``role/getrole``, ``role/getrolegroup``,
``role/addrolesforemps``, ``role/removerolesforemps``, ``role/deleterole``; oapi ``/role/add_role``,
``/role/update_role``, ``/role/add_role_group``; and the TOP gateway's ``dingtalk.corp.role.list``.

State: ``SandboxState.role_groups`` and ``role_members`` (role id → {userid: manage-scope dept
ids}); a user's roles also show in ``/user/get``. Rules kept here, as DingTalk applies them:

* the roles of the "默认" group (主管理员, 子管理员, 负责人, 主管) cannot be renamed, deleted,
  given or taken away through the API (23004);
* ``addrolesforemps``: at most 20 roles and 20 users; ``removerolesforemps``: 20 roles, 100 users;
  unknown role → 33011, unknown user → 33012;
* a role name is unique in its group (34021); a role that still has members cannot be deleted
  (34024: the doc says to remove the role from its members first; the code is the sandbox's);
* ``role/list`` pages by ``size`` ≤ 200, ``role/simplelist`` by ``size`` ≤ 100.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ..state import SYSTEM_ROLE_GROUP
from .base import Ctx, Router, TopList, list_param, page, required_int, required_str, str_param


_int = required_int
_str = required_str


def _role(ctx: Ctx, role_id: Any, message: str = "无效的roleId") -> Tuple[Dict[str, Any], Dict[str, Any]]:
    found = ctx.state.find_role(role_id)
    if found is None:
        raise ctx.error(33011, message)
    return found


def _editable(ctx: Ctx, group: Dict[str, Any]) -> None:
    if group["groupId"] == SYSTEM_ROLE_GROUP:
        raise ctx.error(23004, "不允许编辑系统标签")


def _sync(ctx: Ctx, userids: Any) -> None:
    for userid in list(userids):
        ctx.state.sync_user_roles(userid)


# -- reads -------------------------------------------------------------------------------------------
def corp_role_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.role.list`` (size, offset) → ``result{has_more, list{role_groups}}``."""
    size = _int(ctx, params, "size", 20, minimum=1, maximum=200)
    offset = _int(ctx, params, "offset", 0, minimum=0)
    with ctx.lock:
        groups, more = page(ctx.state.role_groups, offset, size)
        rendered = [{"group_name": g["group_name"],
                     "roles": TopList("roles", [{"id": r["id"], "role_name": r["role_name"]} for r in g["roles"]])}
                    for g in groups]
    return {"result": {"has_more": more, "list": TopList("role_groups", rendered)}}


def topapi_role_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/list`` {size<=200, offset} → ``result{hasMore, list[{groupId, name, roles}]}``."""
    size = _int(ctx, params, "size", 20, minimum=1, maximum=200)
    offset = _int(ctx, params, "offset", 0, minimum=0)
    with ctx.lock:
        chunk, more = page(ctx.state.role_groups, offset, size)
        rendered = [{"groupId": g["groupId"], "name": g["group_name"],
                     "roles": [{"id": r["id"], "name": r["role_name"]} for r in g["roles"]]}
                    for g in chunk]
    return {"result": {"hasMore": more, "list": rendered}}


def topapi_role_simplelist(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/simplelist`` {role_id, size<=100, offset}
    → ``result{hasMore, nextCursor?, list[{userid, name, manageScopes?}]}``."""
    role_id = _int(ctx, params, "role_id")
    size = _int(ctx, params, "size", 20, minimum=1, maximum=100)
    offset = _int(ctx, params, "offset", 0, minimum=0)
    with ctx.lock:
        state = ctx.state
        _, role = _role(ctx, role_id)
        rows: List[Dict[str, Any]] = []
        for userid, scope in state.role_members.get(role["id"], {}).items():
            user = state.users.get(userid)
            if user is None:
                continue
            row: Dict[str, Any] = {"userid": userid, "name": user["name"]}
            scopes = [{"dept_id": d, "name": state.departments[d]["name"]}
                      for d in scope if d in state.departments]
            if scopes:
                row["manageScopes"] = scopes
            rows.append(row)
    chunk, more = page(rows, offset, size)
    result: Dict[str, Any] = {"hasMore": more, "list": chunk}
    if more:
        result["nextCursor"] = offset + size
    return {"result": result}


def topapi_getrole(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/getrole`` {roleId} → ``role{name, groupId}``."""
    role_id = _int(ctx, params, "roleId")
    with ctx.lock:
        group, role = _role(ctx, role_id)
        return {"role": {"name": role["role_name"], "groupId": group["groupId"]}}


def topapi_getrolegroup(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/getrolegroup`` {group_id} → ``role_group{group_name, roles[{role_id, role_name}]}``."""
    group_id = _int(ctx, params, "group_id")
    with ctx.lock:
        group = ctx.state.find_role_group(group_id)
        if group is None:
            raise ctx.error(400002, "无效的参数")
        return {"role_group": {"group_name": group["group_name"],
                               "roles": [{"role_id": r["id"], "role_name": r["role_name"]}
                                         for r in group["roles"]]}}


# -- writes ------------------------------------------------------------------------------------------
def _emps_args(ctx: Ctx, params: Dict[str, Any], max_users: int) -> Tuple[List[Dict[str, Any]], List[str]]:
    role_ids = list(dict.fromkeys(list_param(ctx, params, "roleIds", required=True, max_items=20)))
    userids = list(dict.fromkeys(list_param(ctx, params, "userIds", required=True, max_items=max_users)))
    roles = []
    for role_id in role_ids:
        group, role = _role(ctx, role_id, "无效的roleIds")
        _editable(ctx, group)
        roles.append(role)
    for userid in userids:
        if userid not in ctx.state.users:
            raise ctx.error(33012, "无效的userIds")
    return roles, userids


def topapi_addrolesforemps(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/addrolesforemps`` {roleIds: "1,2", userIds: "a,b"} (≤ 20 each)."""
    with ctx.lock:
        roles, userids = _emps_args(ctx, params, 20)
        for role in roles:
            members = ctx.state.role_members.setdefault(role["id"], {})
            for userid in userids:
                members.setdefault(userid, [])
        _sync(ctx, userids)
    return {}


def topapi_removerolesforemps(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/removerolesforemps`` {roleIds (≤ 20), userIds (≤ 100)}."""
    with ctx.lock:
        roles, userids = _emps_args(ctx, params, 100)
        for role in roles:
            members = ctx.state.role_members.setdefault(role["id"], {})
            for userid in userids:
                members.pop(userid, None)
        _sync(ctx, userids)
    return {}


def _check_unique_name(ctx: Ctx, group: Dict[str, Any], name: str, role_id: Any = None) -> None:
    if any(r["role_name"] == name and r["id"] != role_id for r in group["roles"]):
        raise ctx.error(34021, "角色名称已存在")


def role_add_role(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /role/add_role`` {roleName, groupId} → ``roleId``."""
    name = str_param(ctx, params, "roleName")
    group_id = params.get("groupId")
    if name is None or group_id in (None, ""):
        raise ctx.error(34018, "角色不能为空")
    with ctx.lock:
        group = ctx.state.find_role_group(group_id)
        if group is None:
            raise ctx.error(34020, "无效的groupId")
        _editable(ctx, group)
        _check_unique_name(ctx, group, name)
        role_id = ctx.state.new_role_id()
        group["roles"].append({"id": role_id, "role_name": name})
        ctx.state.role_members[role_id] = {}
    return {"roleId": role_id}


def role_update_role(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /role/update_role`` {roleId, roleName}."""
    name = str_param(ctx, params, "roleName")
    role_id = params.get("roleId")
    if name is None or role_id in (None, ""):
        raise ctx.error(660000, "参数为空")
    with ctx.lock:
        group, role = _role(ctx, role_id)
        _editable(ctx, group)
        _check_unique_name(ctx, group, name, role["id"])
        role["role_name"] = name
        _sync(ctx, ctx.state.role_members.get(role["id"], {}))
    return {}


def topapi_deleterole(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/role/deleterole`` {role_id}: only a role without members."""
    role_id = _int(ctx, params, "role_id")
    with ctx.lock:
        state = ctx.state
        group, role = _role(ctx, role_id)
        _editable(ctx, group)
        if any(u in state.users for u in state.role_members.get(role["id"], {})):
            raise ctx.error(34024, "角色下存在员工，不能删除")
        group["roles"].remove(role)
        state.role_members.pop(role["id"], None)
    return {}


def role_add_role_group(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /role/add_role_group`` {name} → ``groupId``."""
    name = str_param(ctx, params, "name", required=True) or ""
    with ctx.lock:
        state = ctx.state
        if any(g["group_name"] == name for g in state.role_groups):
            raise ctx.error(34021, "角色组名称已存在")
        group_id = state.new_role_group_id()
        state.role_groups.append({"groupId": group_id, "group_name": name, "roles": []})
    return {"groupId": group_id}


def register(router: Router) -> None:
    router.top("dingtalk.corp.role.list")(corp_role_list)
    router.post("/topapi/role/list")(topapi_role_list)
    router.post("/topapi/role/simplelist")(topapi_role_simplelist)
    router.post("/topapi/role/getrole")(topapi_getrole)
    router.post("/topapi/role/getrolegroup")(topapi_getrolegroup)
    router.post("/topapi/role/addrolesforemps")(topapi_addrolesforemps)
    router.post("/topapi/role/removerolesforemps")(topapi_removerolesforemps)
    router.post("/topapi/role/deleterole")(topapi_deleterole)
    router.post("/role/add_role")(role_add_role)
    router.post("/role/update_role")(role_update_role)
    router.post("/role/add_role_group")(role_add_role_group)
