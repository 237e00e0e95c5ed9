"""Contacts (users, departments) over real HTTP against a fresh sandbox: the request each
method sends, what it returns, DingTalk's limits (ParameterError, nothing sent), the sandbox's
errors, consistent state, and walkers that page to the end."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dingtalk.errors import APIError, ParameterError
from dingtalk.sandbox.state import CST, SANDBOX_AUTH_CODE, make_user, unionid_for

from tests.apis.samples_contacts import READ_SAMPLES


def calls(sb, path):
    return [r for r in sb.requests if r["path"] == path]


def last(sb):
    return sb.requests[-1]


def today():
    return datetime.now(CST).date()


@pytest.fixture
def app(fresh_app):
    fresh_app.access_token  # the token call first, so requests[-1] is the call under test
    return fresh_app


def nothing_sent(sb, call, *args, **kwargs):
    before = len(sb.requests)
    with pytest.raises(ParameterError):
        call(*args, **kwargs)
    assert len(sb.requests) == before


def add_users(sb, dept_id, count, prefix="bulk"):
    """Extra employees straight into the sandbox state (setup for paging tests)."""
    with sb.state.lock:
        for n in range(count):
            uid = f"{prefix}{n:04d}"
            sb.state.users[uid] = make_user(uid, f"员工{n}", f"139{n:08d}", [dept_id], active=False)


# -- users -----------------------------------------------------------------------------------
def test_get_user_and_its_early_name(app, fresh_sandbox):
    user = app.get_user("user0003")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("GET", "/user/get")
    assert req["query"]["userid"] == "user0003" and "lang" not in req["query"]
    assert user["errcode"] == 0 and user["name"] == "张伟" and user["department"] == [6]
    assert {"id": 21, "name": "研发", "groupName": "岗位"} in user["roles"]
    assert app.get_user_info("user0003") == user
    app.get_user("user0003", lang="en_US")
    assert last(fresh_sandbox)["query"]["lang"] == "en_US"
    with pytest.raises(APIError) as info:
        app.get_user("ghost")
    assert info.value.errcode == 60121 and info.value.errmsg == "找不到该用户"
    nothing_sent(fresh_sandbox, app.get_user, "")


def test_user_lifecycle_create_list_update_delete(app, fresh_sandbox):
    created = app.create_user(name="新同事", mobile="13912345678", department=[6], position="工程师",
                              extattr={"爱好": "跑步"}, userid="newbie01")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("POST", "/user/create")
    assert req["json"] == {"name": "新同事", "mobile": "13912345678", "department": [6],
                           "position": "工程师", "extattr": {"爱好": "跑步"}, "userid": "newbie01"}
    assert created["userid"] == "newbie01" and created["errmsg"] == "created"
    assert {"userid": "newbie01", "name": "新同事"} in app.get_all_dept_user_list(6)
    user = app.get_user("newbie01")
    assert user["position"] == "工程师" and user["extattr"] == {"爱好": "跑步"} and user["active"] is False

    updated = app.update_user(userid="newbie01", position="高级工程师", department="6,7")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("POST", "/user/update")
    assert req["json"] == {"userid": "newbie01", "position": "高级工程师", "department": [6, 7],
                           "lang": "zh_CN"}
    assert updated["errcode"] == 0
    user = app.get_user("newbie01")
    assert user["position"] == "高级工程师" and user["department"] == [6, 7]
    assert {"userid": "newbie01", "name": "新同事"} in app.get_dept_user_list(7)

    deleted = app.delete_user("newbie01")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["userid"]) == ("GET", "/user/delete", "newbie01")
    assert deleted == {"errcode": 0, "errmsg": "deleted"}
    with pytest.raises(APIError) as info:
        app.get_user("newbie01")
    assert info.value.errcode == 60121
    assert all(u["userid"] != "newbie01" for u in app.get_all_dept_user_list(6))
    with pytest.raises(APIError) as info:
        app.delete_user("newbie01")
    assert info.value.errcode == 60121


def test_create_user_limits_and_sandbox_errors(app, fresh_sandbox):
    nothing_sent(fresh_sandbox, app.create_user, mobile="13900000000", department=[1])
    nothing_sent(fresh_sandbox, app.create_user, name="a", department=[1])
    nothing_sent(fresh_sandbox, app.create_user, name="a", mobile="13900000000")
    nothing_sent(fresh_sandbox, app.create_user, name="a" * 65, mobile="13900000000", department=[1])
    nothing_sent(fresh_sandbox, app.create_user, name="a", mobile="13900000000", department=[1],
                 position="p" * 65)
    nothing_sent(fresh_sandbox, app.create_user, name="a", mobile="13900000000", department=["x"])
    with pytest.raises(APIError) as info:
        app.create_user(name="重复", mobile="13800000003", department=[1])
    assert (info.value.errcode, info.value.errmsg) == (60104, "手机号码在公司中已存在")
    with pytest.raises(APIError) as info:
        app.create_user(userid="user0003", name="重复", mobile="13911111111", department=[1])
    assert info.value.errcode == 60102
    with pytest.raises(APIError) as info:
        app.create_user(name="无部门", mobile="13911111112", department=[999])
    assert (info.value.errcode, info.value.errmsg) == (60003, "部门不存在")
    with pytest.raises(APIError) as info:
        app.create_user(name="坏号码", mobile="12345", department=[1])
    assert info.value.errcode == 60103


def test_update_user_needs_userid(app, fresh_sandbox):
    nothing_sent(fresh_sandbox, app.update_user, name="x")
    nothing_sent(fresh_sandbox, app.update_user, userid="user0003", jobnumber="9" * 65)
    with pytest.raises(APIError) as info:
        app.update_user(userid="ghost", name="x")
    assert info.value.errcode == 60121
    with pytest.raises(APIError) as info:
        app.update_user(userid="user0004", mobile="13800000003")
    assert info.value.errcode == 60104


def test_batch_delete_users(app, fresh_sandbox):
    nothing_sent(fresh_sandbox, app.batch_delete_users, [])
    nothing_sent(fresh_sandbox, app.batch_delete_users, [f"u{i}" for i in range(21)])
    for n in (1, 2):
        app.create_user(userid=f"temp{n}", name=f"临时{n}", mobile=f"1391000000{n}", department=[8])
    with pytest.raises(APIError) as info:   # all or nothing
        app.batch_delete_users(["temp1", "ghost"])
    assert info.value.errcode == 60121
    assert app.get_user("temp1")["userid"] == "temp1"
    out = app.batch_delete_users(("temp1", "temp2"))
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/user/batchdelete",
                                                          {"useridlist": ["temp1", "temp2"]})
    assert out["errcode"] == 0
    for uid in ("temp1", "temp2"):
        with pytest.raises(APIError):
            app.get_user(uid)


def test_dept_user_list_one_page_and_walkers(app, fresh_sandbox):
    page = app.get_dept_user_list(6, size=2, offset=1)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("GET", "/user/simplelist")
    assert {k: req["query"][k] for k in ("department_id", "size", "offset")} == \
        {"department_id": "6", "size": "2", "offset": "1"}
    assert page == [{"userid": "user0004", "name": "刘洋"}, {"userid": "user0012", "name": "孙浩"}]
    assert app.get_dept_user_list(6, order="entry_desc")[0]["userid"] == "user0012"
    nothing_sent(fresh_sandbox, app.get_dept_user_list, 6, size=101)
    nothing_sent(fresh_sandbox, app.get_dept_user_list, 6, order="random")
    with pytest.raises(APIError) as info:
        app.get_dept_user_list(999)
    assert info.value.errcode == 60003

    before = len(calls(fresh_sandbox, "/user/simplelist"))
    walked = list(app.iter_dept_user_list(6, size=2))
    pages = calls(fresh_sandbox, "/user/simplelist")[before:]
    assert [u["userid"] for u in walked] == ["user0003", "user0004", "user0012"]
    assert [p["query"]["offset"] for p in pages] == ["0", "2"]


def test_get_all_dept_user_list_pages_by_100_to_the_end(app, fresh_sandbox):
    add_users(fresh_sandbox, 8, 150)
    before = len(calls(fresh_sandbox, "/user/simplelist"))
    everyone = app.get_all_dept_user_list(8)
    pages = calls(fresh_sandbox, "/user/simplelist")[before:]
    assert len(everyone) == 151 and len({u["userid"] for u in everyone}) == 151
    assert [(p["query"]["offset"], p["query"]["size"]) for p in pages] == [("0", "100"), ("100", "100")]
    # early name: pages of 20 from the offset on (the original read the first page only)
    before = len(calls(fresh_sandbox, "/user/simplelist"))
    early = app.get_user_list(8)
    assert len(early) == 151 and len(calls(fresh_sandbox, "/user/simplelist")) - before == 8
    assert calls(fresh_sandbox, "/user/simplelist")[-1]["query"]["order"] == "entry_asc"


def test_dept_user_details_listbypage(app, fresh_sandbox):
    rows = app.get_dept_user_details(6, size=2)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("GET", "/user/listbypage")
    assert (req["query"]["department_id"], req["query"]["offset"], req["query"]["size"]) == ("6", "0", "2")
    assert [r["userid"] for r in rows] == ["user0003", "user0004"]
    assert rows[0]["isLeader"] is True and rows[0]["mobile"] == "13800000003" and "order" in rows[0]
    assert app.run("dingtalk.oapi.user.list", department_id=6, size=2) == rows
    add_users(fresh_sandbox, 5, 120)
    before = len(calls(fresh_sandbox, "/user/listbypage"))
    everyone = app.get_all_dept_user_details(5)
    assert len(everyone) == 121 and len(calls(fresh_sandbox, "/user/listbypage")) - before == 2
    assert [u["userid"] for u in app.iter_dept_user_details(6, size=1)] == ["user0003", "user0004", "user0012"]
    nothing_sent(fresh_sandbox, app.get_dept_user_details, 6, size=0)
    # the legacy /user/list route of the sandbox (paging optional)
    legacy = app.oapi_get("/user/list", department_id=6)
    assert [u["userid"] for u in legacy["userlist"]] == ["user0003", "user0004", "user0012"]


def test_dept_member_ids(app, fresh_sandbox):
    assert app.get_dept_member_ids(7) == ["user0005", "user0006"]
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["deptId"]) == ("GET", "/user/getDeptMember", "7")
    with pytest.raises(APIError) as info:
        app.get_dept_member_ids(999)
    assert info.value.errcode == 60003


def test_userid_by_mobile_and_unionid(app, fresh_sandbox):
    assert app.get_userid_by_mobile("13800000003") == "user0003"
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["mobile"]) == ("GET", "/user/get_by_mobile", "13800000003")
    assert app.get_userid_by_unionid(unionid_for("user0005")) == "user0005"
    req = last(fresh_sandbox)
    assert (req["path"], req["query"]["unionid"]) == ("/user/getUseridByUnionid", unionid_for("user0005"))
    for call, arg in ((app.get_userid_by_mobile, "13999999999"), (app.get_userid_by_unionid, "nobody")):
        with pytest.raises(APIError) as info:
            call(arg)
        assert info.value.errcode == 60121
    nothing_sent(fresh_sandbox, app.get_userid_by_mobile, "")


def test_user_by_code(app, fresh_sandbox):
    code = fresh_sandbox.state.issue_auth_code("user0003")
    who = app.get_user_by_code(code)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["code"]) == ("GET", "/user/getuserinfo", code)
    assert who["userid"] == "user0003" and who["sys_level"] == 0 and who["is_sys"] is False
    with pytest.raises(APIError) as info:   # a code works once
        app.get_user_by_code(code)
    assert info.value.errcode == 40078
    assert app.get_user_by_code(SANDBOX_AUTH_CODE)["sys_level"] == 2


def test_admins_and_scope(app, fresh_sandbox):
    assert app.get_admin_list() == [{"sys_level": 1, "userid": "manager0001"},
                                    {"sys_level": 2, "userid": "user0002"}]
    assert (last(fresh_sandbox)["method"], last(fresh_sandbox)["path"]) == ("GET", "/user/get_admin")
    assert app.get_admin_scope("user0002") == [2]
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/topapi/user/get_admin_scope",
                                                          {"userid": "user0002"})
    assert app.get_admin_scope("manager0001") == [1]
    assert app.get_admin_scope("user0004") == []
    with pytest.raises(APIError) as info:
        app.get_admin_scope("ghost")
    assert info.value.errcode == 60121


def test_org_user_count_follows_state(app, fresh_sandbox):
    assert (app.get_org_user_count(), app.get_org_user_count(1)) == (12, 11)
    assert last(fresh_sandbox)["query"]["onlyActive"] == "1"
    app.create_user(name="未激活", mobile="13912000000", department=[1])
    assert (app.get_org_user_count(0), app.get_org_user_count(1)) == (13, 11)


def test_inactive_users(app, fresh_sandbox):
    day = today()
    assert app.get_inactive_users(day) == ["user0010"]
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("POST", "/topapi/inactive/user/get")
    assert req["json"] == {"query_date": day.strftime("%Y%m%d"), "offset": 0, "size": 100}
    add_users(fresh_sandbox, 1, 4)
    before = len(calls(fresh_sandbox, "/topapi/inactive/user/get"))
    walked = list(app.iter_inactive_users(day.strftime("%Y-%m-%d"), size=2))
    assert walked == ["user0010", "bulk0000", "bulk0001", "bulk0002", "bulk0003"]
    assert len(calls(fresh_sandbox, "/topapi/inactive/user/get")) - before == 3
    assert app.get_all_inactive_users(day.strftime("%Y%m%d")) == walked
    assert app.get_inactive_users(day, size=2, offset=4) == ["bulk0003"]
    nothing_sent(fresh_sandbox, app.get_inactive_users, day, size=101)
    nothing_sent(fresh_sandbox, app.get_inactive_users, "2024/01/01")
    nothing_sent(fresh_sandbox, app.get_inactive_users, day - timedelta(days=40))
    nothing_sent(fresh_sandbox, app.get_inactive_users, day + timedelta(days=2))


# -- the whole company -------------------------------------------------------------------------
def test_get_all_users_once_each_root_included(app, fresh_sandbox):
    everyone = app.get_all_users()
    ids = [u["userid"] for u in everyone]
    assert ids[0] == "manager0001"          # the root's own member (the original skipped the root)
    assert sorted(ids) == sorted(fresh_sandbox.state.users) and len(ids) == len(set(ids)) == 12
    listed = [r["query"]["department_id"] for r in calls(fresh_sandbox, "/user/simplelist")]
    assert listed == ["1", "2", "6", "7", "8", "3", "4", "5"]


def test_get_all_org_users(app, fresh_sandbox):
    with fresh_sandbox.state.lock:   # a department lacking the two keys broke the original (KeyError)
        fresh_sandbox.state.departments[50] = {"id": 50, "name": "外包组", "parentid": 1, "order": 50}
        fresh_sandbox.state.users["user0004"]["department"] = [6, 50]
    org = app.get_all_org_users()
    by_id = {d["id"]: d for d in org}
    assert set(by_id) == {1, 2, 3, 4, 5, 6, 7, 8, 50}
    assert all("autoAddUser" not in d and "createDeptGroup" not in d for d in org)
    assert by_id[7]["employees"] == [{"userid": "user0005", "name": "陈静"}, {"userid": "user0006", "name": "杨帆"}]
    assert by_id[50]["employees"] == [{"userid": "user0004", "name": "刘洋"}]
    assert by_id[6]["name"] == "后端组" and by_id[6]["parentid"] == 2


# -- departments -------------------------------------------------------------------------------
def test_department_list_and_get(app, fresh_sandbox):
    depts = app.get_department_list()
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["lang"]) == ("GET", "/department/list", "zh_CN")
    assert "fetch_child" not in req["query"] and "id" not in req["query"]
    assert [d["id"] for d in depts] == [1, 2, 6, 7, 8, 3, 4, 5]
    children = app.get_department_list(2, fetch_child=False)
    assert last(fresh_sandbox)["query"]["fetch_child"] == "false"
    assert [d["id"] for d in children] == [2, 6, 7, 8]
    assert app.get_dempartment_list(2) == app.get_department_list(2)

    dept = app.get_department(6)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["id"]) == ("GET", "/department/get", "6")
    assert dept["errcode"] == 0 and dept["name"] == "后端组" and dept["parentid"] == 2
    assert dept["deptManagerUseridList"] == "user0003" and dept["deptHiding"] is False
    assert app.get_dempartment(6) == dept
    with pytest.raises(APIError) as info:
        app.get_department(999)
    assert (info.value.errcode, info.value.errmsg) == (60003, "部门不存在")


def test_department_lifecycle(app, fresh_sandbox):
    new_id = app.create_department(name="运维组", parentid=2, order="5", deptHiding=False)
    req = last(fresh_sandbox)
    assert (req["method"], req["path"]) == ("POST", "/department/create")
    assert req["json"] == {"name": "运维组", "parentid": 2, "order": "5", "deptHiding": False}
    assert isinstance(new_id, int)
    assert new_id in app.get_department_id_list(2)
    assert app.get_department(new_id)["name"] == "运维组"
    assert app.get_all_department_id_list() == (1, 2, new_id, 6, 7, 8, 3, 4, 5)   # order 5 < 6

    assert app.update_department(id=new_id, name="运维与安全组", parentid=3) == new_id
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["json"]) == ("POST", "/department/update",
                                                          {"id": new_id, "name": "运维与安全组", "parentid": 3})
    assert app.get_dept_parent_ids(new_id) == [new_id, 3, 1]
    assert app.get_department(new_id)["name"] == "运维与安全组"

    assert app.delete_department(new_id) == {"errcode": 0, "errmsg": "deleted"}
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["id"]) == ("GET", "/department/delete", str(new_id))
    with pytest.raises(APIError) as info:
        app.get_department(new_id)
    assert info.value.errcode == 60003
    assert new_id not in app.get_all_department_id_list()


def test_department_limits(app, fresh_sandbox):
    nothing_sent(fresh_sandbox, app.update_department, name="无id")          # D20
    nothing_sent(fresh_sandbox, app.create_department, name="研发-二部", parentid=1)
    nothing_sent(fresh_sandbox, app.create_department, name="a,b", parentid=1)
    nothing_sent(fresh_sandbox, app.create_department, name="x" * 65, parentid=1)
    nothing_sent(fresh_sandbox, app.create_department, name="无父部门")
    nothing_sent(fresh_sandbox, app.create_department, name="隐藏", parentid=1,
                 deptPermits="|".join(str(i) for i in range(201)))
    nothing_sent(fresh_sandbox, app.delete_department, None)


@pytest.mark.parametrize("call, code, message", [
    (lambda app: app.create_department(name="后端组", parentid=2), 60008, "父部门下该部门名称已存在"),
    (lambda app: app.create_department(name="新部门", parentid=999), 60004, "父亲部门不存在"),
    (lambda app: app.update_department(id=2, parentid=6), 60010, "部门存在循环关系"),
    (lambda app: app.update_department(id=999, name="x"), 60003, "部门不存在"),
    (lambda app: app.delete_department(1), 60007, "不允许删除根部门"),
    (lambda app: app.delete_department(6), 60005, "不允许删除有成员的部门"),
    (lambda app: app.delete_department(999), 60003, "部门不存在"),
])
def test_department_sandbox_errors(app, call, code, message):
    with pytest.raises(APIError) as info:
        call(app)
    assert (info.value.errcode, info.value.errmsg) == (code, message)


def test_department_with_sub_departments_cannot_be_deleted(app, fresh_sandbox):
    parent = app.create_department(name="父", parentid=1)
    app.create_department(name="子", parentid=parent)
    with pytest.raises(APIError) as info:
        app.delete_department(parent)
    assert info.value.errcode == 60006


def test_department_ids_ordered_with_root(app, fresh_sandbox):
    assert app.get_department_id_list() == [2, 3, 4, 5]
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["id"]) == ("GET", "/department/list_ids", "1")
    assert app.get_department_id_list(2) == [6, 7, 8]
    assert app.get_all_department_id_list() == (1, 2, 6, 7, 8, 3, 4, 5)
    assert app.get_all_department_id_list(2) == (2, 6, 7, 8)
    with pytest.raises(APIError) as info:
        app.get_department_id_list(999)
    assert info.value.errcode == 60003


def test_parent_departments(app, fresh_sandbox):
    assert app.get_dept_parent_ids(8) == [8, 2, 1]
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["id"]) == \
        ("GET", "/department/list_parent_depts_by_dept", "8")
    paths = app.get_user_departments("user0006")
    req = last(fresh_sandbox)
    assert (req["method"], req["path"], req["query"]["userId"]) == \
        ("GET", "/department/list_parent_depts", "user0006")
    assert paths["department"] == [[7, 2, 1], [3, 1]]
    with pytest.raises(APIError) as info:
        app.get_user_departments("ghost")
    assert info.value.errcode == 60121


# -- names -----------------------------------------------------------------------------------
CONTACT_NAMES = {
    "dingtalk.oapi.user.get": "get_user", "dingtalk.oapi.user.create": "create_user",
    "dingtalk.oapi.user.update": "update_user", "dingtalk.oapi.user.delete": "delete_user",
    "dingtalk.oapi.user.batchdelete": "batch_delete_users",
    "dingtalk.oapi.user.simplelist": "get_dept_user_list",
    "dingtalk.oapi.user.listbypage": "get_dept_user_details", "dingtalk.oapi.user.list": "get_dept_user_details",
    "dingtalk.oapi.user.getDeptMember": "get_dept_member_ids",
    "dingtalk.oapi.user.get_by_mobile": "get_userid_by_mobile",
    "dingtalk.oapi.user.getUseridByUnionid": "get_userid_by_unionid",
    "dingtalk.oapi.user.getuserinfo": "get_user_by_code", "dingtalk.oapi.user.get_admin": "get_admin_list",
    "dingtalk.oapi.user.get_admin_scope": "get_admin_scope",
    "dingtalk.oapi.user.get_org_user_count": "get_org_user_count",
    "dingtalk.oapi.inactive.user.get": "get_inactive_users",
    "dingtalk.oapi.department.list": "get_department_list", "dingtalk.oapi.department.get": "get_department",
    "dingtalk.oapi.department.create": "create_department",
    "dingtalk.oapi.department.update": "update_department",
    "dingtalk.oapi.department.delete": "delete_department",
    "dingtalk.oapi.department.list_ids": "get_department_id_list",
    "dingtalk.oapi.department.list_parent_depts_by_dept": "get_dept_parent_ids",
    "dingtalk.oapi.department.list_parent_depts": "get_user_departments",
}


def test_registered_names(fresh_app):
    for name, attr in CONTACT_NAMES.items():
        assert fresh_app.methods.python_name(name) == attr


def test_read_samples_cover_every_read_name_and_run_agrees(app):
    writes = {"dingtalk.oapi.user.create", "dingtalk.oapi.user.update", "dingtalk.oapi.user.delete",
              "dingtalk.oapi.user.batchdelete", "dingtalk.oapi.department.create",
              "dingtalk.oapi.department.update", "dingtalk.oapi.department.delete",
              "dingtalk.corp.role.addrolesforemps", "dingtalk.oapi.role.addrolesforemps",
              "dingtalk.corp.role.removerolesforemps", "dingtalk.oapi.role.removerolesforemps",
              "dingtalk.corp.role.deleterole", "dingtalk.oapi.role.deleterole", "dingtalk.oapi.role.addrole",
              "dingtalk.oapi.role.updaterole", "dingtalk.oapi.role.addrolegroup"}
    mine = {n for n in app.methods if n.startswith(("dingtalk.oapi.user.", "dingtalk.oapi.department.",
                                                    "dingtalk.oapi.inactive.", "dingtalk.oapi.role.",
                                                    "dingtalk.corp.role."))}
    assert set(READ_SAMPLES) == mine - writes
    for name, kwargs in READ_SAMPLES.items():
        method = getattr(app, app.methods.python_name(name))
        result = app.run(name, **kwargs)
        assert result == method(**kwargs), name
        assert result not in (None, [], {}, ""), name
