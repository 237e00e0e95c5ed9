"""Users and departments (通讯录): oapi ``/user/*``, ``/department/*``, topapi ``user/get_admin_scope``,
``inactive/user/get``, and v1.0 ``contact/users``.

State lives in :class:`~dingtalk.sandbox.state.SandboxState` (``users``, ``departments`` and the
role memberships shown in ``/user/get``'s ``roles``). Rules kept here, as DingTalk applies them:

* a userid, a mobile number and a non-empty email are unique in the company (60102/60104/60106);
  a new user has not activated DingTalk yet (``active: false``);
* a deleted user is gone everywhere (``/user/get`` → 60121, role lists no longer show it);
* a department name is 1-64 characters without ``-``, ``,`` or ``，`` (60001) and unique under
  its parent (60008); the root (id 1) cannot be deleted (60007) or moved (60018); a department
  with members (60005) or sub-departments (60006) cannot be deleted; no cycles (60010);
* list paging (``offset`` + ``size``) applies only when both are given; ``size`` ≤ 100.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from typing import Any, Dict, List, Optional

from ..state import make_user
from .callbacks import emit
from .base import (Ctx, RouteError, Router, bool_param, int_param, list_param, page, required_int,
                   required_str, str_param)


_int = required_int
_str = required_str


_MOBILE = re.compile(r"^(\+?\d{1,4}-)?1\d{10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BAD_DEPT_CHARS = ("-", ",", "，")

#: optional user fields stored as given, with DingTalk's length limit and error
_USER_FIELDS = {
    "position": (64, 60119, "不合法的position"),
    "email": (64, 60105, "邮箱不合法"),
    "orgEmail": (64, 60105, "邮箱不合法"),
    "jobnumber": (64, 60123, "不合法的jobnumber"),
    "tel": (50, 40063, "不合法的分机号"),
    "workPlace": (50, 40064, "不合法的工作地址"),
    "remark": (1000, 40065, "不合法的备注"),
    "isHide": (None, 40035, "不合法的参数 isHide"),
    "isSenior": (None, 40035, "不合法的参数 isSenior"),
    "extattr": (None, 60122, "不合法的extattr"),
    "hiredDate": (None, 40035, "不合法的参数 hiredDate"),
    "managerUserid": (64, 40035, "不合法的参数 managerUserid"),
}

#: fields of a department record as ``/department/get`` shows them, with their defaults
_DEPT_DEFAULTS: Dict[str, Any] = {
    "order": 0, "createDeptGroup": False, "autoAddUser": False, "deptHiding": False,
    "deptPermits": "", "userPermits": "", "outerDept": False, "outerDeptOnlySelf": False,
    "outerPermitDepts": "", "outerPermitUsers": "", "orgDeptOwner": "",
    "deptManagerUseridList": "", "sourceIdentifier": "", "groupContainSubDept": False,
}
_DEPT_LIST_FIELDS = ("id", "name", "parentid", "createDeptGroup", "autoAddUser")
_USER_ORDERS = ("entry_asc", "entry_desc", "modify_asc", "modify_desc", "custom")


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False))


# -- users ---------------------------------------------------------------------------------------
def _user(ctx: Ctx, userid: Optional[str]) -> Dict[str, Any]:
    user = ctx.state.users.get(userid) if userid is not None else None
    if user is None:
        raise ctx.error(60121, "找不到该用户")
    return user


def _parse_map(text: Any) -> Dict[str, str]:
    """``"{6:100,3:101}"`` (DingTalk's map-as-text) → ``{"6": "100", "3": "101"}``."""
    if isinstance(text, dict):
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in text.items()}
    out: Dict[str, str] = {}
    for part in str(text or "").strip("{} ").split(","):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip().strip('"')] = value.strip().strip('"')
    return out


def _format_map(values: Dict[str, str]) -> str:
    return "{%s}" % ",".join(f"{k}:{v}" for k, v in values.items())


def _set_departments(user: Dict[str, Any], departments: List[int]) -> None:
    """Give a user new departments, keeping order/leader flags of the departments kept."""
    orders = _parse_map(user.get("orderInDepts"))
    leaders = _parse_map(user.get("isLeaderInDepts"))
    user["department"] = list(departments)
    user["orderInDepts"] = _format_map({str(d): orders.get(str(d), str(100 + i))
                                        for i, d in enumerate(departments)})
    user["isLeaderInDepts"] = _format_map({str(d): leaders.get(str(d), "false") for d in departments})


def user_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/get?userid=&lang=`` → the user's fields (``roles`` included)."""
    userid = _str(ctx, params, "userid")
    with ctx.lock:
        ctx.state.sync_user_roles(userid)
        return _copy(_user(ctx, userid))


def _members(ctx: Ctx, dept_id: int, order: Optional[str]) -> List[Dict[str, Any]]:
    """Users of one department (not its sub-departments), in the requested order."""
    if order is not None and order not in _USER_ORDERS:
        raise ctx.invalid("order")
    if dept_id not in ctx.state.departments:
        raise ctx.error(60003, "部门不存在")
    members = [u for u in ctx.state.users.values() if dept_id in u["department"]]
    if order in ("entry_asc", "entry_desc"):
        members.sort(key=lambda u: u["hiredDate"], reverse=order == "entry_desc")
    elif order == "modify_desc":
        members.reverse()
    return members


def _paging(ctx: Ctx, params: Dict[str, Any], required: bool = False) -> Any:
    offset = int_param(ctx, params, "offset", None, minimum=0, required=required)
    size = int_param(ctx, params, "size", None, minimum=1, maximum=100, required=required)
    return offset, size


def _page(rows: List[Any], offset: Optional[int], size: Optional[int]) -> Any:
    if offset is not None and size is not None:
        return page(rows, offset, size)
    return rows, False


def user_simplelist(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/simplelist?department_id=&offset=&size=&order=`` → ``hasMore``, ``userlist``."""
    dept_id = _int(ctx, params, "department_id")
    offset, size = _paging(ctx, params)
    order = str_param(ctx, params, "order")
    with ctx.lock:
        rows = [{"userid": u["userid"], "name": u["name"]} for u in _members(ctx, dept_id, order)]
    rows, more = _page(rows, offset, size)
    return {"hasMore": more, "userlist": rows}


_DETAIL_FIELDS = ("userid", "unionid", "name", "mobile", "stateCode", "tel", "workPlace", "remark",
                  "email", "orgEmail", "active", "isAdmin", "isBoss", "isHide", "isSenior",
                  "department", "position", "avatar", "jobnumber", "hiredDate", "extattr")


def _detail(user: Dict[str, Any], dept_id: int) -> Dict[str, Any]:
    row = {k: user.get(k) for k in _DETAIL_FIELDS}
    orders = _parse_map(user.get("orderInDepts"))
    leaders = _parse_map(user.get("isLeaderInDepts"))
    try:
        row["order"] = int(orders.get(str(dept_id), "0"))
    except ValueError:
        row["order"] = 0
    row["isLeader"] = leaders.get(str(dept_id)) == "true"
    return _copy(row)


def _user_details(ctx: Ctx, params: Dict[str, Any], required: bool) -> Dict[str, Any]:
    dept_id = _int(ctx, params, "department_id")
    offset, size = _paging(ctx, params, required=required)
    order = str_param(ctx, params, "order")
    with ctx.lock:
        rows = [_detail(u, dept_id) for u in _members(ctx, dept_id, order)]
    rows, more = _page(rows, offset, size)
    return {"hasMore": more, "userlist": rows}


def user_listbypage(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/listbypage?department_id=&offset=&size=`` (both required) → detailed users."""
    return _user_details(ctx, params, required=True)


def user_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/list?department_id=`` (legacy; ``offset`` + ``size`` optional) → detailed users."""
    return _user_details(ctx, params, required=False)


def user_dept_member(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/getDeptMember?deptId=`` → ``userIds`` of the department's own members."""
    dept_id = _int(ctx, params, "deptId")
    with ctx.lock:
        return {"userIds": [u["userid"] for u in _members(ctx, dept_id, None)]}


def user_org_count(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/get_org_user_count?onlyActive=0|1`` → ``count``."""
    only_active = int_param(ctx, params, "onlyActive", 0, minimum=0, maximum=1)
    with ctx.lock:
        users = ctx.state.users.values()
        count = sum(1 for u in users if u["active"] or not only_active)
    return {"count": count}


def _bare_mobile(mobile: str) -> str:
    return mobile.split("-")[-1]


def user_get_by_mobile(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/get_by_mobile?mobile=`` → ``userid``."""
    mobile = _str(ctx, params, "mobile")
    with ctx.lock:
        for user in ctx.state.users.values():
            if _bare_mobile(user["mobile"]) == _bare_mobile(mobile):
                return {"userid": user["userid"]}
    raise ctx.error(60121, "找不到该用户")


def user_by_unionid(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/getUseridByUnionid?unionid=`` → ``userid``, ``contactType`` (0 = employee)."""
    unionid = _str(ctx, params, "unionid")
    with ctx.lock:
        for user in ctx.state.users.values():
            if user["unionid"] == unionid:
                return {"contactType": 0, "userid": user["userid"]}
    raise ctx.error(60121, "找不到该用户")


def _sys_level(ctx: Ctx, userid: str) -> int:
    """1 主管理员, 2 子管理员, 100 老板, 0 others (the getuserinfo ``sys_level``)."""
    members = ctx.state.role_members
    if userid in members.get(1, {}):
        return 1
    if userid in members.get(2, {}):
        return 2
    return 100 if ctx.state.users[userid].get("isBoss") else 0


def user_getuserinfo(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/getuserinfo?code=`` (H5 login code, 免登码) → ``userid``, ``sys_level``, ..."""
    code = _str(ctx, params, "code")
    userid = ctx.state.take_auth_code(code)
    if userid is None:
        raise ctx.error(40078, "不存在的临时授权码")
    with ctx.lock:
        user = _user(ctx, userid)
        level = _sys_level(ctx, userid)
        device = hashlib.sha1(("sandbox-device:" + userid).encode("utf-8")).hexdigest()[:32]
        return {"userid": userid, "name": user["name"], "deviceId": device,
                "is_sys": level in (1, 2), "sys_level": level}


def user_get_admin(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/get_admin`` → ``admin_list: [{sys_level, userid}]`` (1 主管理员, 2 子管理员)."""
    with ctx.lock:
        members = ctx.state.role_members
        admins = [{"sys_level": 1, "userid": u} for u in members.get(1, {}) if u in ctx.state.users]
        admins += [{"sys_level": 2, "userid": u} for u in members.get(2, {}) if u in ctx.state.users]
    return {"admin_list": admins}


def user_admin_scope(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/user/get_admin_scope`` ``{userid}`` → ``dept_ids`` the admin manages."""
    userid = _str(ctx, params, "userid")
    with ctx.lock:
        _user(ctx, userid)
        members = ctx.state.role_members
        if userid in members.get(1, {}):
            return {"dept_ids": [1]}
        scope = members.get(2, {}).get(userid)
        return {"dept_ids": list(scope or [1]) if scope is not None else []}


def inactive_user_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/inactive/user/get`` ``{query_date: yyyyMMdd, offset, size<=100}``
    → ``result{has_more, list}``: userids of employees who have not logged in to DingTalk."""
    query_date = _str(ctx, params, "query_date")
    try:
        _dt.datetime.strptime(query_date or "", "%Y%m%d")
    except ValueError:
        raise ctx.invalid("query_date", "query_date 格式应为 yyyyMMdd") from None
    if len(query_date or "") != 8:
        raise ctx.invalid("query_date", "query_date 格式应为 yyyyMMdd")
    offset, size = _paging(ctx, params, required=True)
    with ctx.lock:
        ids = [u["userid"] for u in ctx.state.users.values() if not u["active"]]
    chunk, more = page(ids, offset, size)
    return {"result": {"has_more": more, "list": chunk}}


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
    if len(ids) > 20:
        raise ctx.error(60110, "部门个数超出限制")
    for dept_id in ids:
        if dept_id not in ctx.state.departments:
            raise ctx.error(60003, "部门不存在")
    return list(dict.fromkeys(ids))


def _check_name(ctx: Ctx, name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ctx.error(60112, "用户name不合法")
    return name.strip()


def _check_mobile(ctx: Ctx, mobile: Any, userid: Optional[str]) -> str:
    if not isinstance(mobile, str) or not _MOBILE.match(mobile):
        raise ctx.error(60103, "手机号码不合法")
    bare = _bare_mobile(mobile)
    if any(_bare_mobile(u["mobile"]) == bare and u["userid"] != userid for u in ctx.state.users.values()):
        raise ctx.error(60104, "手机号码在公司中已存在")
    return mobile


def _apply_fields(ctx: Ctx, user: Dict[str, Any], params: Dict[str, Any]) -> None:
    """Validate and copy the optional fields of a create/update body."""
    updates: Dict[str, Any] = {}
    for field, (limit, code, message) in _USER_FIELDS.items():
        if field not in params:
            continue
        value = params[field]
        if field == "extattr":
            if isinstance(value, str):
                try:
                    value = json.loads(value) if value.strip() else {}
                except ValueError:
                    raise ctx.error(code, message) from None
            if not isinstance(value, dict):
                raise ctx.error(code, message)
        elif field in ("isHide", "isSenior"):
            value = bool_param(ctx, params, field)
        elif field == "hiredDate":
            value = int_param(ctx, params, field, minimum=0)
        elif value is not None and (not isinstance(value, str) or (limit is not None and len(value) > limit)):
            raise ctx.error(code, message)
        if field == "email" and value:
            if not _EMAIL.match(value):
                raise ctx.error(60105, "邮箱不合法")
            if any(u.get("email") == value and u["userid"] != user["userid"]
                   for u in ctx.state.users.values()):
                raise ctx.error(60106, "邮箱已存在")
        updates[field] = value
    user.update(updates)


def user_create(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /user/create`` ``{name, mobile, department:[ids], userid?, ...}``."""
    name = _check_name(ctx, params.get("name"))
    with ctx.lock:
        state = ctx.state
        mobile = _check_mobile(ctx, params.get("mobile"), None)
        departments = _departments_of(ctx, params.get("department"))
        userid = str_param(ctx, params, "userid")
        if userid is not None:
            if len(userid) > 64:
                raise ctx.invalid("userid")
            if userid in state.users:
                raise ctx.error(60102, "UserID在公司中已存在")
        userid = userid or state.new_userid()
        user = make_user(userid, name, mobile, departments, active=False)
        _apply_fields(ctx, user, params)
        if "orderInDepts" in params:
            orders = _parse_map(params["orderInDepts"])
            user["orderInDepts"] = _format_map({str(d): orders.get(str(d), str(100 + i))
                                                for i, d in enumerate(departments)})
        state.users[userid] = user
    emit(ctx.state, "user_add_org", UserId=[userid])
    return {"errmsg": "created", "userid": userid}


def user_update(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /user/update`` ``{userid, ...fields to change}``; fields not sent stay as they are."""
    userid = _str(ctx, params, "userid")
    with ctx.lock:
        user = _user(ctx, userid)
        draft = _copy(user)
        if "name" in params:
            draft["name"] = _check_name(ctx, params["name"])
        if "mobile" in params:
            draft["mobile"] = _check_mobile(ctx, params["mobile"], userid)
        if "department" in params:
            _set_departments(draft, _departments_of(ctx, params["department"]))
        if "orderInDepts" in params:
            orders = _parse_map(draft["orderInDepts"])
            orders.update({k: v for k, v in _parse_map(params["orderInDepts"]).items() if k in orders})
            draft["orderInDepts"] = _format_map(orders)
        _apply_fields(ctx, draft, params)
        user.clear()
        user.update(draft)
        ctx.state.sync_user_roles(userid)
    emit(ctx.state, "user_modify_org", UserId=[userid])
    return {"errmsg": "updated"}


def _remove_user(ctx: Ctx, userid: str) -> None:
    del ctx.state.users[userid]
    ctx.state.forget_user(userid)


def user_delete(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /user/delete?userid=``: the user leaves the company (and every role)."""
    userid = _str(ctx, params, "userid")
    with ctx.lock:
        _user(ctx, userid)
        _remove_user(ctx, userid)
    emit(ctx.state, "user_leave_org", UserId=[userid])
    return {"errmsg": "deleted"}


def user_batchdelete(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /user/batchdelete`` ``{useridlist: [1..20 userids]}``; all or nothing."""
    raw = params.get("useridlist")
    if raw is not None and not isinstance(raw, (list, str)):
        raise ctx.invalid("useridlist")
    userids = list(dict.fromkeys(list_param(ctx, params, "useridlist")))
    if not 1 <= len(userids) <= 20:
        raise ctx.error(40032, "不合法的UserID列表长度")
    with ctx.lock:
        for userid in userids:
            _user(ctx, userid)
        for userid in userids:
            _remove_user(ctx, userid)
    emit(ctx.state, "user_leave_org", UserId=userids)
    return {"errmsg": "deleted"}


# -- departments -----------------------------------------------------------------------------------
def _dept(ctx: Ctx, dept_id: Optional[int]) -> Dict[str, Any]:
    dept = ctx.state.departments.get(dept_id) if dept_id is not None else None
    if dept is None:
        raise ctx.error(60003, "部门不存在")
    return dept


def department_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/list?id=&fetch_child=`` → the department and its sub-departments."""
    dept_id = _int(ctx, params, "id", 1)
    fetch_child = bool_param(ctx, params, "fetch_child", True)
    with ctx.lock:
        depts = ctx.state.departments
        _dept(ctx, dept_id)
        if fetch_child:
            ids = [dept_id] + ctx.state.dept_descendants(dept_id)
        else:
            ids = [dept_id] + ctx.state.dept_children(dept_id)
        return {"department": [{k: depts[i][k] for k in _DEPT_LIST_FIELDS if k in depts[i]} for i in ids]}


def department_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/get?id=`` → every field of the department."""
    dept_id = _int(ctx, params, "id")
    with ctx.lock:
        dept = _dept(ctx, dept_id)
        out = dict(_DEPT_DEFAULTS)
        out.update(_copy(dept))
        if not dept.get("deptManagerUseridList"):
            leaders = [u["userid"] for u in ctx.state.users.values()
                       if _parse_map(u.get("isLeaderInDepts")).get(str(dept_id)) == "true"]
            out["deptManagerUseridList"] = "|".join(leaders)
        return out


def _check_dept_name(ctx: Ctx, name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 64 or \
            any(ch in name for ch in _BAD_DEPT_CHARS):
        raise ctx.error(60001, "不合法的部门名称")
    return name.strip()


def _check_sibling_name(ctx: Ctx, parent_id: int, name: str, dept_id: Optional[int]) -> None:
    for other in ctx.state.departments.values():
        if other.get("parentid") == parent_id and other["name"] == name and other["id"] != dept_id:
            raise ctx.error(60008, "父部门下该部门名称已存在")


def _dept_options(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """The optional fields of a create/update body, typed as DingTalk stores them."""
    out: Dict[str, Any] = {}
    for field, default in _DEPT_DEFAULTS.items():
        if field not in params:
            continue
        if isinstance(default, bool):
            out[field] = bool_param(ctx, params, field)
        elif field == "order":
            out[field] = int_param(ctx, params, field, minimum=0)
        else:
            value = str_param(ctx, params, field, "")
            if field.endswith(("Permits", "PermitDepts", "PermitUsers")) and value and \
                    len(value.split("|")) > 200:
                raise ctx.invalid(field, f"参数 {field} 最多 200 个")
            out[field] = value
    return out


def department_create(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /department/create`` ``{name, parentid, order?, createDeptGroup?, ...}`` → ``id``."""
    name = _check_dept_name(ctx, params.get("name"))
    parent_id = _int(ctx, params, "parentid")
    with ctx.lock:
        state = ctx.state
        if parent_id not in state.departments:
            raise ctx.error(60004, "父亲部门不存在")
        _check_sibling_name(ctx, parent_id, name, None)
        options = _dept_options(ctx, params)
        dept_id = state.new_dept_id()
        record = {"id": dept_id, "name": name, "parentid": parent_id, "autoAddUser": False,
                  "createDeptGroup": False, "order": dept_id}
        record.update(options)
        state.departments[dept_id] = record
    emit(ctx.state, "org_dept_create", DeptId=[dept_id])
    return {"errmsg": "created", "id": dept_id}


def department_update(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /department/update`` ``{id, ...fields to change}`` → ``id``."""
    dept_id = _int(ctx, params, "id")
    with ctx.lock:
        state = ctx.state
        dept = _dept(ctx, dept_id)
        name = _check_dept_name(ctx, params["name"]) if "name" in params else dept["name"]
        parent_id = dept.get("parentid")
        if params.get("parentid") not in (None, ""):
            new_parent = int_param(ctx, params, "parentid")
            if dept_id == 1 and new_parent is not None:
                raise ctx.error(60018, "不允许更新根部门")
            if new_parent not in state.departments:
                raise ctx.error(60004, "父亲部门不存在")
            if new_parent == dept_id or new_parent in state.dept_descendants(dept_id):
                raise ctx.error(60010, "部门存在循环关系")
            parent_id = new_parent
        if parent_id is not None:
            _check_sibling_name(ctx, parent_id, name, dept_id)
        options = _dept_options(ctx, params)
        dept.update(options)
        dept["name"] = name
        if parent_id is not None:
            dept["parentid"] = parent_id
    emit(ctx.state, "org_dept_modify", DeptId=[dept_id])
    return {"errmsg": "updated", "id": dept_id}


def department_delete(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/delete?id=``: only an empty leaf department, never the root."""
    dept_id = _int(ctx, params, "id")
    with ctx.lock:
        state = ctx.state
        _dept(ctx, dept_id)
        if dept_id == 1:
            raise ctx.error(60007, "不允许删除根部门")
        if any(dept_id in u["department"] for u in state.users.values()):
            raise ctx.error(60005, "不允许删除有成员的部门")
        if state.dept_children(dept_id):
            raise ctx.error(60006, "不允许删除有子部门的部门")
        del state.departments[dept_id]
        for members in state.role_members.values():
            for scope in members.values():
                if dept_id in scope:
                    scope.remove(dept_id)
    emit(ctx.state, "org_dept_remove", DeptId=[dept_id])
    return {"errmsg": "deleted"}


def department_list_ids(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/list_ids?id=`` → ``sub_dept_id_list`` (direct sub-departments)."""
    dept_id = _int(ctx, params, "id")
    with ctx.lock:
        _dept(ctx, dept_id)
        return {"sub_dept_id_list": ctx.state.dept_children(dept_id)}


def department_parents_by_dept(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/list_parent_depts_by_dept?id=`` → ``parentIds: [id, parent, ..., 1]``."""
    dept_id = _int(ctx, params, "id")
    with ctx.lock:
        _dept(ctx, dept_id)
        return {"parentIds": ctx.state.dept_path(dept_id)}


def department_parents_of_user(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /department/list_parent_depts?userId=`` → ``department: [[dept, ..., 1], ...]``."""
    userid = _str(ctx, params, "userId")
    with ctx.lock:
        user = _user(ctx, userid)
        return {"department": [ctx.state.dept_path(d) for d in user["department"]]}


# -- v1.0 --------------------------------------------------------------------------------------
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
    router.get("/user/list")(user_list)
    router.get("/user/listbypage")(user_listbypage)
    router.get("/user/getDeptMember")(user_dept_member)
    router.get("/user/get_org_user_count")(user_org_count)
    router.get("/user/get_by_mobile")(user_get_by_mobile)
    router.get("/user/getUseridByUnionid")(user_by_unionid)
    router.get("/user/getuserinfo")(user_getuserinfo)
    router.get("/user/get_admin")(user_get_admin)
    router.post("/topapi/user/get_admin_scope")(user_admin_scope)
    router.post("/topapi/inactive/user/get")(inactive_user_get)
    router.post("/user/create")(user_create)
    router.post("/user/update")(user_update)
    router.get("/user/delete")(user_delete)
    router.post("/user/batchdelete")(user_batchdelete)
    router.get("/department/list")(department_list)
    router.get("/department/get")(department_get)
    router.post("/department/create")(department_create)
    router.post("/department/update")(department_update)
    router.get("/department/delete")(department_delete)
    router.get("/department/list_ids")(department_list_ids)
    router.get("/department/list_parent_depts_by_dept")(department_parents_by_dept)
    router.get("/department/list_parent_depts")(department_parents_of_user)
    router.v1("GET", "/v1.0/contact/users/{unionId}")(v1_contact_user)


__all__ = ["register"]
