"""Roles and role groups over real HTTP against a fresh sandbox: requests, answers, limits,
errors, membership visible in ``role/simplelist`` and ``/user/get``, walkers to the end."""
from __future__ import annotations

import pytest

from dingtalk.errors import APIError, ParameterError


def calls(sb, path):
    return [r for r in sb.requests if r["path"] == path]


def last(sb):
    return sb.requests[-1]


@pytest.fixture
def app(fresh_app):
    fresh_app.access_token
    return fresh_app


def nothing_sent(sb, call, *args, **kwargs):
    before = len(sb.requests)
    with pytest.raises(ParameterError):
        call(*args, **kwargs)
    assert len(sb.requests) == before


def role_names(user):
    return {r["name"] for r in user["roles"]}


# -- role groups -------------------------------------------------------------------------------
def test_corp_role_list_page(app, fresh_sandbox):
    groups = app.get_corp_role_list()
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/topapi/role/list", {"size": 20, "offset": 0})
    assert [g["group_name"] for g in groups] == ["默认", "职务", "岗位"]
    assert groups[1]["groupId"] == 1002 and groups[1]["name"] == "职务"
    assert groups[1]["roles"][2] == {"id": 13, "name": "财务", "role_name": "财务"}
    assert app.run("dingtalk.corp.role.list") == groups == app.run("dingtalk.oapi.role.list")
    assert app.get_corp_role_list(size=2, offset=1)[0]["group_name"] == "职务"
    assert app.get_corp_role_list(offset=3) == []        # [] past the end, never None
    nothing_sent(fresh_sandbox, app.get_corp_role_list, size=201)
    nothing_sent(fresh_sandbox, app.get_corp_role_list, offset=-1)


def test_all_role_groups_page_to_the_end(app, fresh_sandbox):
    for name in ("生产", "财务部门", "外包"):
        app.add_role_group(name)
    before = len(calls(fresh_sandbox, "/topapi/role/list"))
    walked = list(app.iter_corp_role_list(size=4))
    pages = calls(fresh_sandbox, "/topapi/role/list")[before:]
    assert [g["group_name"] for g in walked] == ["默认", "职务", "岗位", "生产", "财务部门", "外包"]
    assert [p["json"]["offset"] for p in pages] == [0, 4]
    everything = app.get_all_corp_role_list()
    assert everything == walked and calls(fresh_sandbox, "/topapi/role/list")[-1]["json"]["size"] == 200
    assert app.run("dingtalk.corp.role.all") == everything


def test_get_role_and_role_group(app, fresh_sandbox):
    assert app.get_role(21) == {"name": "研发", "groupId": 1003}
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/topapi/role/getrole", {"roleId": 21})
    with pytest.raises(APIError) as info:
        app.get_role(999)
    assert info.value.errcode == 33011

    group = app.get_role_group(1002)
    req = last(fresh_sandbox)   # the original sent removerolesforemps here (D12)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/topapi/role/getrolegroup", {"group_id": 1002})
    assert group["errcode"] == 0 and "request_id" not in group
    assert group["role_group"] == {"group_name": "职务", "roles": [
        {"role_id": 11, "role_name": "总经理"}, {"role_id": 12, "role_name": "部门经理"},
        {"role_id": 13, "role_name": "财务"}, {"role_id": 14, "role_name": "出纳"}]}
    assert app.run("dingtalk.corp.role.getrolegroup", group_id=1002) == group
    with pytest.raises(APIError) as info:
        app.get_role_group(4242)
    assert info.value.errcode == 400002
    nothing_sent(fresh_sandbox, app.get_role_group, None)


# -- who holds a role ----------------------------------------------------------------------------
def test_role_simple_list_pages(app, fresh_sandbox):
    first = app.get_role_simple_list(21, size=3)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/topapi/role/simplelist",
                                                          {"role_id": 21, "size": 3, "offset": 0})
    assert [e["userid"] for e in first] == ["user0002", "user0003", "user0004"]
    bosses = app.get_role_simple_list(4)
    assert bosses[0] == {"userid": "user0002", "name": "李娜", "manageScopes": [{"dept_id": 2, "name": "研发中心"}]}
    assert app.get_role_simple_list(14) == []            # nobody holds it: [] (the original gave None)
    assert app.run("dingtalk.corp.role.simplelist", role_id=21, size=3) == first

    before = len(calls(fresh_sandbox, "/topapi/role/simplelist"))
    walked = list(app.iter_role_simple_list(21, size=3))
    pages = calls(fresh_sandbox, "/topapi/role/simplelist")[before:]
    assert len(walked) == 7 and [p["json"]["offset"] for p in pages] == [0, 3, 6]
    assert app.get_all_role_simple_list(21) == walked
    nothing_sent(fresh_sandbox, app.get_role_simple_list, 21, size=101)
    nothing_sent(fresh_sandbox, app.get_role_simple_list, None)
    with pytest.raises(APIError) as info:
        app.get_role_simple_list(999)
    assert info.value.errcode == 33011


def test_add_and_remove_roles_for_employees(app, fresh_sandbox):
    out = app.add_roles_for_emps([13, 14], ["user0003", "user0004"])
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("POST", "/topapi/role/addrolesforemps")
    assert req["json"] == {"roleIds": "13,14", "userIds": "user0003,user0004"}
    assert out["errcode"] == 0
    assert [e["userid"] for e in app.get_role_simple_list(14)] == ["user0003", "user0004"]
    assert {"财务", "出纳", "研发"} <= role_names(app.get_user("user0004"))

    app.remove_roles_for_emps("13", "user0004")
    req = last(fresh_sandbox)
    assert (req["path"], req["json"]) == ("/topapi/role/removerolesforemps", {"roleIds": "13", "userIds": "user0004"})
    assert "财务" not in role_names(app.get_user("user0004"))
    assert "出纳" in role_names(app.get_user("user0004"))
    assert [e["userid"] for e in app.get_role_simple_list(13)] == ["user0011", "user0003"]

    # the TOP-era parameter names, through run()
    app.run("dingtalk.corp.role.addrolesforemps", rolelid_list=[24], userid_list=("user0012",))
    assert last(fresh_sandbox)["json"] == {"roleIds": "24", "userIds": "user0012"}
    assert "人事" in role_names(app.get_user("user0012"))
    app.run("dingtalk.corp.role.removerolesforemps", roleid_list=[24], userid_list=["user0012"])
    assert "人事" not in role_names(app.get_user("user0012"))


def test_roles_for_employees_limits(app, fresh_sandbox):
    users = [f"u{i}" for i in range(21)]
    nothing_sent(fresh_sandbox, app.add_roles_for_emps, list(range(21)), ["user0003"])
    nothing_sent(fresh_sandbox, app.add_roles_for_emps, [13], users)                 # add: 20 users
    nothing_sent(fresh_sandbox, app.remove_roles_for_emps, [13], [f"u{i}" for i in range(101)])
    nothing_sent(fresh_sandbox, app.add_roles_for_emps, [], ["user0003"])
    nothing_sent(fresh_sandbox, app.add_roles_for_emps, [13], None)
    nothing_sent(fresh_sandbox, app.add_roles_for_emps, [13], ["a"], userid_list=["b"])
    with pytest.raises(APIError) as info:     # 100 users may be removed at once: sent, then refused
        app.remove_roles_for_emps([13], [f"u{i}" for i in range(100)])
    assert info.value.errcode == 33012


@pytest.mark.parametrize("call, code", [
    (lambda app: app.add_roles_for_emps([1], ["user0003"]), 23004),     # "默认" group: system roles
    (lambda app: app.remove_roles_for_emps([2], ["user0002"]), 23004),
    (lambda app: app.add_roles_for_emps([999], ["user0003"]), 33011),
    (lambda app: app.add_roles_for_emps([13], ["ghost"]), 33012),
])
def test_roles_for_employees_errors(app, fresh_sandbox, call, code):
    with pytest.raises(APIError) as info:
        call(app)
    assert info.value.errcode == code
    assert [e["userid"] for e in app.get_role_simple_list(13)] == ["user0011"]


def test_deleted_user_leaves_every_role(app, fresh_sandbox):
    app.delete_user("user0004")
    assert "user0004" not in [e["userid"] for e in app.get_all_role_simple_list(21)]


# -- managing roles and groups ----------------------------------------------------------------------
def test_role_lifecycle(app, fresh_sandbox):
    group_id = app.add_role_group("生产")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/role/add_role_group", {"name": "生产"})
    assert app.get_role_group(group_id)["role_group"] == {"group_name": "生产", "roles": []}

    role_id = app.add_role("质检", group_id)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/role/add_role",
                                                          {"roleName": "质检", "groupId": group_id})
    assert app.get_role(role_id) == {"name": "质检", "groupId": group_id}
    assert {"id": role_id, "name": "质检", "role_name": "质检"} in app.get_corp_role_list()[-1]["roles"]

    app.add_roles_for_emps([role_id], ["user0007"])
    out = app.update_role(role_id, "质量检验")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/role/update_role",
                                                          {"roleId": role_id, "roleName": "质量检验"})
    assert out["errcode"] == 0
    assert {"id": role_id, "name": "质量检验", "groupName": "生产"} in app.get_user("user0007")["roles"]

    with pytest.raises(APIError) as info:      # still held by user0007
        app.delete_role(role_id)
    assert info.value.errcode == 34024
    app.remove_roles_for_emps([role_id], ["user0007"])
    assert app.delete_role(role_id)["errcode"] == 0
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/topapi/role/deleterole", {"role_id": role_id})
    with pytest.raises(APIError) as info:
        app.get_role(role_id)
    assert info.value.errcode == 33011
    assert app.get_role_group(group_id)["role_group"]["roles"] == []


@pytest.mark.parametrize("call, code", [
    (lambda app: app.add_role("财务", 1002), 34021),          # name taken in the group
    (lambda app: app.add_role("新角色", 4242), 34020),
    (lambda app: app.add_role("新角色", 1001), 23004),        # "默认" group
    (lambda app: app.update_role(1, "超级管理员"), 23004),
    (lambda app: app.update_role(999, "x"), 33011),
    (lambda app: app.update_role(13, "出纳"), 34021),
    (lambda app: app.delete_role(3), 23004),
    (lambda app: app.delete_role(999), 33011),
    (lambda app: app.add_role_group("职务"), 34021),
])
def test_role_management_errors(app, call, code):
    with pytest.raises(APIError) as info:
        call(app)
    assert info.value.errcode == code


def test_role_management_limits(app, fresh_sandbox):
    nothing_sent(fresh_sandbox, app.add_role, "", 1002)
    nothing_sent(fresh_sandbox, app.add_role, "x", None)
    nothing_sent(fresh_sandbox, app.update_role, 13, "")
    nothing_sent(fresh_sandbox, app.delete_role, None)
    nothing_sent(fresh_sandbox, app.add_role_group, "")


ROLE_NAMES = {
    "dingtalk.corp.role.list": "get_corp_role_list", "dingtalk.oapi.role.list": "get_corp_role_list",
    "dingtalk.corp.role.all": "get_all_corp_role_list",
    "dingtalk.corp.role.simplelist": "get_role_simple_list", "dingtalk.oapi.role.simplelist": "get_role_simple_list",
    "dingtalk.oapi.role.getrole": "get_role",
    "dingtalk.corp.role.getrolegroup": "get_role_group", "dingtalk.oapi.role.getrolegroup": "get_role_group",
    "dingtalk.corp.role.addrolesforemps": "add_roles_for_emps",
    "dingtalk.oapi.role.addrolesforemps": "add_roles_for_emps",
    "dingtalk.corp.role.removerolesforemps": "remove_roles_for_emps",
    "dingtalk.oapi.role.removerolesforemps": "remove_roles_for_emps",
    "dingtalk.corp.role.deleterole": "delete_role", "dingtalk.oapi.role.deleterole": "delete_role",
    "dingtalk.oapi.role.addrole": "add_role", "dingtalk.oapi.role.updaterole": "update_role",
    "dingtalk.oapi.role.addrolegroup": "add_role_group",
}


def test_registered_names(fresh_app):
    for name, attr in ROLE_NAMES.items():
        assert fresh_app.methods.python_name(name) == attr
