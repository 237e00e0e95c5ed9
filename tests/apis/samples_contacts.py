"""Keyword arguments that succeed on a fresh sandbox for every registered DingTalk name of the
contacts and roles domains whose method only reads: ``app.run(name, **kw)`` must equal the
method called directly."""
from __future__ import annotations

from datetime import datetime

from dingtalk.sandbox.state import CST, SANDBOX_AUTH_CODE, unionid_for

_TODAY = datetime.now(CST).strftime("%Y%m%d")

READ_SAMPLES = {
    # users
    "dingtalk.oapi.user.get": {"user_id": "user0003"},
    "dingtalk.oapi.user.simplelist": {"department_id": 6},
    "dingtalk.oapi.user.listbypage": {"department_id": 6, "size": 2},
    "dingtalk.oapi.user.list": {"department_id": 7},
    "dingtalk.oapi.user.getDeptMember": {"department_id": 6},
    "dingtalk.oapi.user.get_by_mobile": {"mobile": "13800000003"},
    "dingtalk.oapi.user.getUseridByUnionid": {"unionid": unionid_for("user0005")},
    "dingtalk.oapi.user.getuserinfo": {"code": SANDBOX_AUTH_CODE},
    "dingtalk.oapi.user.get_admin": {},
    "dingtalk.oapi.user.get_admin_scope": {"userid": "user0002"},
    "dingtalk.oapi.user.get_org_user_count": {"only_active": 1},
    "dingtalk.oapi.inactive.user.get": {"query_date": _TODAY},
    # departments
    "dingtalk.oapi.department.list": {},
    "dingtalk.oapi.department.get": {"id_": 2},
    "dingtalk.oapi.department.list_ids": {"dept_id": 1},
    "dingtalk.oapi.department.list_parent_depts_by_dept": {"id_": 6},
    "dingtalk.oapi.department.list_parent_depts": {"userid": "user0006"},
    # roles and role groups
    "dingtalk.corp.role.list": {"size": 20, "offset": 0},
    "dingtalk.oapi.role.list": {"size": 2, "offset": 1},
    "dingtalk.corp.role.all": {},
    "dingtalk.corp.role.simplelist": {"role_id": 21, "size": 3},
    "dingtalk.oapi.role.simplelist": {"role_id": 4},
    "dingtalk.oapi.role.getrole": {"role_id": 21},
    "dingtalk.corp.role.getrolegroup": {"group_id": 1002},
    "dingtalk.oapi.role.getrolegroup": {"group_id": 1003},
}
