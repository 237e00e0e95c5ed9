"""Users and departments: oapi ``/user/*``, ``/department/list``, v1.0 ``contact/users``."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List

from ..state import make_user
from .base import Ctx, RouteError, Router, bool_param, int_param, page, str_param

_MOBILE = re.compile(r"^(\+?\d{1,4}-)?1\d{10}$")
_USER_FIELDS = ("position", "email", "orgEmail", "jobnumber", "tel", "workPlace", "remark",
                "isHide", "isSenior", "extattr")


def _user(ctx: Ctx, userid: str) -> Dict[str, Any]:
    user = ctx.state.users.get(userid)
    if user is None:
        raise ctx.error(60121, "找不到该用户")
    return user


def user_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/get?userid=`` → the user's fields."""
    userid = str_param(ctx, params, "userid", required=True)
    with ctx.lock:
        return json.loads(json.dumps(_user(ctx, userid)))


def user_simplelist(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/simplelist?department_id=&offset=&size=&order=`` → ``hasMore``, ``userlist``."""
    dept_id = int_param(ctx, params, "department_id", required=True)
    offset = int_param(ctx, params, "offset", None, minimum=0)
    size = int_param(ctx, params, "size", None, minimum=1, maximum=100)
    order = str_param(ctx, params, "order", "custom")
    with ctx.lock:
        if dept_id not in ctx.state.departments:
            raise ctx.error(60003, "部门不存在")
        members = [u for u in ctx.state.users.values() if dept_id in u["department"]]
        if order in ("entry_asc", "entry_desc"):
            members.sort(key=lambda u: u["hiredDate"], reverse=order == "entry_desc")
        elif order in ("modify_desc",):
            members.reverse()
        rows = [{"userid": u["userid"], "name": u["name"]} for u in members]
    if offset is not None and size is not None:
        rows, more = page(rows, offset, size)
    else:
        more = False
    return {"hasMore": more, "userlist": rows}


def department_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/list?id=&fetch_child=`` → the department and its sub-departments."""
    dept_id = int_param(ctx, params, "id", 1)
    fetch_child = bool_param(ctx, params, "fetch_child", True)
    with ctx.lock:
        depts = ctx.state.departments
        if dept_id not in depts:
            raise ctx.error(60003, "部门不存在")
        if fetch_child:
            ids = [dept_id] + ctx.state.dept_descendants(dept_id)
        else:
            ids = [dept_id] + sorted(d["id"] for d in depts.values() if d.get("parentid") == dept_id)
        return {"department": [dict(depts[i]) for i in ids]}


def user_org_count(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/get_org_user_count?onlyActive=0|1`` → ``count``."""
    only_active = int_param(ctx, params, "onlyActive", 0, minimum=0, maximum=1)
    with ctx.lock:
        users = ctx.state.users.values()
        count = sum(1 for u in users if u["active"] or not only_active)
    return {"count": count}


def _departments_of(ctx: Ctx, value: Any) -> List[int]:
    bad = RouteError(40035, "无效的部门JSONArray对象,合法格式需要用中括号括起来,且如果属于多部门,部门id需要用逗号分隔")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad from None
    if not isinstance(value, list) or not value:
        raise bad
    try:
        ids = [int(v) for v in value if not isinstance(v, bool)]
    except (TypeError, ValueError):
        raise bad from None
    if len(ids) != len(value):
        raise bad
    for dept_id in ids:
        if dept_id not in ctx.state.departments:
            raise ctx.error(60003, "部门不存在")
    return ids


def user_create(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /user/create`` ``{name, mobile, department:[ids], userid?, ...}``."""
    name = params.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ctx.error(60112, "用户姓名不合法")
    mobile = params.get("mobile")
    if not isinstance(mobile, str) or not _MOBILE.match(mobile):
        raise ctx.error(60103, "手机号码不合法")
    with ctx.lock:
        departments = _departments_of(ctx, params.get("department"))
        state = ctx.state
        userid = str_param(ctx, params, "userid")
        if userid is not None:
            if len(userid) > 64:
                raise ctx.invalid("userid")
            if userid in state.users:
                raise ctx.error(60102, "UserID在公司中已存在")
        bare = mobile.split("-")[-1]
        if any(u["mobile"].split("-")[-1] == bare for u in state.users.values()):
            raise ctx.error(60104, "手机号码在公司中已存在")
        userid = userid or state.new_userid()
        user = make_user(userid, name.strip(), mobile, departments)
        for field in _USER_FIELDS:
            if field in params:
                user[field] = params[field]
        state.users[userid] = user
    return {"errmsg": "created", "userid": userid}


def user_delete(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/delete?userid=``."""
    userid = str_param(ctx, params, "userid", required=True)
    with ctx.lock:
        _user(ctx, userid)
        del ctx.state.users[userid]
    return {"errmsg": "deleted"}


def v1_contact_user(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """v1.0 ``GET /v1.0/contact/users/{unionId}`` → the user's address-book profile."""
    union_id = str(params.get("unionId") or "")
    with ctx.lock:
        for user in ctx.state.users.values():
            if user["unionid"] == union_id:
                return {"nick": user["name"], "avatarUrl": user["avatar"], "mobile": user["mobile"],
                        "openId": user["openId"], "unionId": user["unionid"], "email": user["email"],
                        "stateCode": user["stateCode"]}
    raise RouteError("UserNotExist", "用户不存在", status=404)


def register(router: Router) -> None:
    router.get("/user/get")(user_get)
    router.get("/user/simplelist")(user_simplelist)
    router.get("/user/get_org_user_count")(user_org_count)
    router.post("/user/create")(user_create)
    router.get("/user/delete")(user_delete)
    router.get("/department/list")(department_list)
    router.v1("GET", "/v1.0/contact/users/{unionId}")(v1_contact_user)
