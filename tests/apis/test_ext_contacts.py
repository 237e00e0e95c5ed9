"""External contacts and label groups over real HTTP against the sandbox."""
from __future__ import annotations

import threading

import pytest

from dingtalk.errors import APIError, ParameterError, SystemBusyError
from dingtalk.sandbox.routes.ext_contacts import ExtContactsState
from tests.apis.samples_ext_files import READ_SAMPLES

LABELS = "/topapi/extcontact/listlabelgroups"
LIST = "/topapi/extcontact/list"
CREATE = "/topapi/extcontact/create"

NEW = {"name": "周立", "follower_user_id": "user0009", "label_ids": [1001, 2002], "state_code": "86",
       "mobile": "13911112222", "title": "采购", "company_name": "温州远景机电有限公司",
       "share_dept_ids": [4], "share_user_ids": ["user0008"], "address": "温州市鹿城区", "remark": "新客户"}


def sent(sb, key):
    return [r for r in sb.requests if r["key"] == key]


def ext_state(sb) -> ExtContactsState:
    return sb.state.domain("ext_contacts", ExtContactsState)


# -- label groups -------------------------------------------------------------------------------
def test_get_label_groups_sends_json_page_and_returns_groups(fresh_app, fresh_sandbox):
    groups = fresh_app.get_label_groups(size=2, offset=1)
    assert [g["name"] for g in groups] == ["客户来源", "客户级别"]
    assert groups[0]["labels"][0] == {"name": "展会", "id": 2001}
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"], req["json"]) == (LABELS, "POST", {"size": 2, "offset": 1})
    assert "access_token" in req["query"]


def test_fresh_sandbox_has_more_groups_than_a_default_page(fresh_app):
    assert len(fresh_app.get_label_groups()) == 20
    assert len(fresh_app.get_label_groups(size=100)) == 25


def test_iter_label_groups_walks_every_page(fresh_app, fresh_sandbox):
    groups = list(fresh_app.iter_label_groups(size=10))
    assert len(groups) == 25 and groups[-1]["name"] == "自定义分组20"
    assert [r["json"]["offset"] for r in sent(fresh_sandbox, LABELS)] == [0, 10, 20]


def test_get_all_label_groups_is_flat_and_complete(fresh_app, fresh_sandbox):
    labels = fresh_app.get_all_label_groups()
    assert labels[0] == {"color": -15220075, "group": "客户类型", "name": "潜在客户", "id": 1001}
    assert len(labels) == 17 + 20 * 2
    assert len({label["id"] for label in labels}) == len(labels)
    assert labels[-1]["group"] == "自定义分组20"
    assert [r["json"] for r in sent(fresh_sandbox, LABELS)] == [{"size": 100, "offset": 0}]


def test_walk_stops_when_dingtalk_repeats_data_past_the_end(fresh_app, fresh_sandbox):
    with fresh_sandbox.state.lock:
        ext_state(fresh_sandbox).repeat_past_end = True
    groups: list = []                                        # 25 groups: five full pages
    walker = threading.Thread(target=lambda: groups.extend(fresh_app.iter_label_groups(size=5)), daemon=True)
    walker.start()
    walker.join(10)
    assert not walker.is_alive(), "the walk never ended"
    assert len(groups) == 25 and len({g["name"] for g in groups}) == 25
    offsets = [r["json"]["offset"] for r in sent(fresh_sandbox, LABELS)]
    assert offsets == [0, 5, 10, 15, 20, 25]                 # the repeated page ended the walk


@pytest.mark.parametrize("kwargs", [{"size": 101}, {"size": 0}, {"size": True}, {"offset": -1},
                                    {"size": "20"}])
def test_label_group_limits_are_checked_before_sending(fresh_app, fresh_sandbox, kwargs):
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        fresh_app.get_label_groups(**kwargs)
    with pytest.raises(ParameterError):
        list(fresh_app.iter_label_groups(size=kwargs.get("size", 101)))
    assert len(fresh_sandbox.requests) == before


def test_seed_and_catalogue_names_run_the_same_methods(fresh_app):
    for name in ("dingtalk.corp.ext.listlabelgroups", "dingtalk.oapi.extcontact.listlabelgroups",
                 "dingtalk.corp.extcontact.listlabelgroups"):
        assert fresh_app.methods.python_name(name) == "get_label_groups"
    assert fresh_app.run("dingtalk.corp.ext.listlabelgroups", size=20, offset=0) == \
        fresh_app.get_label_groups(size=20, offset=0)
    names = {"dingtalk.corp.ext.list": "get_ext_list", "dingtalk.corp.ext.all": "get_all_ext_list",
             "dingtalk.oapi.extcontact.get": "get_ext_contact", "dingtalk.corp.ext.add": "add_corp_ext",
             "dingtalk.oapi.extcontact.create": "create_ext_contact",
             "dingtalk.corp.extcontact.update": "update_corp_ext", "dingtalk.corp.ext.update": "update_corp_ext",
             "dingtalk.oapi.extcontact.delete": "delete_corp_ext",
             "dingtalk.corp.extcontact.delete": "delete_corp_ext"}
    for name, attr in names.items():
        assert fresh_app.methods.python_name(name) == attr


def test_read_samples_cover_every_read_name_here(fresh_app):
    for name, kwargs in READ_SAMPLES.items():
        method = getattr(fresh_app, fresh_app.methods.python_name(name))
        assert fresh_app.run(name, **kwargs) == method(**kwargs)


# -- contacts: list and get ---------------------------------------------------------------------------
def test_get_ext_list_page(fresh_app, fresh_sandbox):
    page = fresh_app.get_ext_list(size=3, offset=2)
    assert [c["userid"] for c in page] == ["ext0003", "ext0004", "ext0005"]
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"], req["json"]) == (LIST, "POST", {"size": 3, "offset": 2})
    with pytest.raises(ParameterError):
        fresh_app.get_ext_list(size=500)


def test_iter_and_get_all_ext_list_reach_the_end(fresh_app, fresh_sandbox):
    assert [c["userid"] for c in fresh_app.iter_ext_list(size=3)] == [f"ext{i:04d}" for i in range(1, 8)]
    assert [r["json"]["offset"] for r in sent(fresh_sandbox, LIST)] == [0, 3, 6]
    everything = fresh_app.get_all_ext_list()
    assert len(everything) == 7 and sent(fresh_sandbox, LIST)[-1]["json"] == {"size": 100, "offset": 0}
    assert fresh_app.run("dingtalk.corp.ext.all") == everything


def test_get_ext_contact(fresh_app, fresh_sandbox):
    contact = fresh_app.get_ext_contact("ext0002")
    assert contact["name"] == "林小红" and contact["follower_user_id"] == "user0009"
    assert contact["share_user_ids"] == ["user0008"]
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["json"]) == ("/topapi/extcontact/get", {"user_id": "ext0002"})
    with pytest.raises(APIError) as info:
        fresh_app.get_ext_contact("ext9999")
    assert (info.value.errcode, info.value.errmsg) == (60202, "外部联系人不存在")
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        fresh_app.get_ext_contact("")
    assert len(fresh_sandbox.requests) == before


# -- contacts: create / update / delete ---------------------------------------------------------------
def test_create_then_get_list_update_delete(fresh_app, fresh_sandbox):
    userid = fresh_app.create_ext_contact(NEW)
    assert userid == "ext0008"
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == (CREATE, "POST")
    assert req["json"] == {"contact": NEW}
    got = fresh_app.get_ext_contact(userid)
    assert {k: got[k] for k in NEW} == NEW
    assert fresh_app.get_all_ext_list()[-1]["userid"] == userid

    change = dict(NEW, user_id=userid, name="周立新", label_ids=[1003], remark="已成交")
    del change["mobile"], change["state_code"]
    answer = fresh_app.update_corp_ext(change)
    assert answer["errcode"] == 0 and answer["request_id"]
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["json"]["contact"]["user_id"]) == ("/topapi/extcontact/update", userid)
    got = fresh_app.get_ext_contact(userid)
    assert (got["name"], got["label_ids"], got["remark"], got["mobile"]) == ("周立新", [1003], "已成交", "13911112222")

    answer = fresh_app.delete_corp_ext(userid)
    assert answer["errcode"] == 0
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["json"]) == ("/topapi/extcontact/delete", {"user_id": userid})
    for call in (lambda: fresh_app.get_ext_contact(userid), lambda: fresh_app.delete_corp_ext(userid),
                 lambda: fresh_app.update_corp_ext(change)):
        with pytest.raises(APIError) as info:
            call()
        assert info.value.errcode == 60202
    assert len(fresh_app.get_all_ext_list()) == 7


def test_duplicate_mobile_is_dingtalks_error(fresh_app):
    fresh_app.create_ext_contact(NEW)
    with pytest.raises(APIError) as info:
        fresh_app.create_ext_contact(dict(NEW, name="另一个人"))
    assert (info.value.errcode, info.value.errmsg) == (60201, "外部联系人已存在")
    assert "外部联系人已存在" in str(info.value)
    with pytest.raises(APIError) as info:                     # an employee's mobile
        fresh_app.create_ext_contact(dict(NEW, mobile="13800000002"))
    assert info.value.errcode == 60200
    with pytest.raises(APIError) as info:                     # an unknown follower
        fresh_app.create_ext_contact(dict(NEW, mobile="13911113333", follower_user_id="nobody"))
    assert (info.value.errcode, info.value.errmsg) == (60121, "找不到该用户")
    with pytest.raises(APIError) as info:
        fresh_app.create_ext_contact(dict(NEW, mobile="12345"))
    assert info.value.errcode == 60103


def test_add_corp_ext_keeps_the_seed_shape_and_top_field_names(fresh_app, fresh_sandbox):
    legacy = {"name": "许诺", "follower_userid": "user0010", "label_ids": [1002], "state_code": "86",
              "mobile": "13911114444", "share_userids": ["user0009"], "share_deptids": [4]}
    out = fresh_app.add_corp_ext(legacy)
    inner = out["dingtalk_corp_ext_add_response"]
    assert set(out) == {"dingtalk_corp_ext_add_response"} and inner["userid"] == "ext0008" and inner["request_id"]
    sent_contact = fresh_sandbox.requests[-1]["json"]["contact"]
    assert fresh_sandbox.requests[-1]["key"] == CREATE
    assert sent_contact == {"name": "许诺", "follower_user_id": "user0010", "label_ids": [1002],
                            "state_code": "86", "mobile": "13911114444", "share_user_ids": ["user0009"],
                            "share_dept_ids": [4]}
    got = fresh_app.get_ext_contact(inner["userid"])
    assert got["follower_user_id"] == "user0010" and got["share_dept_ids"] == [4]
    # the early keyword name, a JSON text, and run() with the seed's TOP name
    second = fresh_app.add_corp_ext(contact=dict(legacy, mobile="13911115555"))
    assert second["dingtalk_corp_ext_add_response"]["userid"] == "ext0009"
    third = fresh_app.run("dingtalk.corp.ext.add", '{"name": "甲", "follower_userid": "user0010", '
                          '"label_ids": "1001,1002", "state_code": "86", "mobile": "13911116666"}')
    assert third["dingtalk_corp_ext_add_response"]["userid"] == "ext0010"
    assert fresh_sandbox.requests[-1]["json"]["contact"]["label_ids"] == [1001, 1002]


@pytest.mark.parametrize("contact", [
    dict(NEW, label_ids=[]), {k: v for k, v in NEW.items() if k != "mobile"},
    {k: v for k, v in NEW.items() if k != "follower_user_id"}, "not json", ["a list"],
    dict(NEW, label_ids=["abc"]),
])
def test_create_checks_required_fields_before_sending(fresh_app, fresh_sandbox, contact):
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        fresh_app.create_ext_contact(contact)
    with pytest.raises(ParameterError):
        fresh_app.add_corp_ext(contact)
    assert len(fresh_sandbox.requests) == before


def test_update_and_delete_check_arguments_before_sending(fresh_app, fresh_sandbox):
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        fresh_app.update_corp_ext({"name": "x", "follower_user_id": "user0009", "label_ids": [1001]})
    with pytest.raises(ParameterError):
        fresh_app.update_corp_ext({"user_id": "ext0001", "name": "x", "follower_user_id": "user0009"})
    with pytest.raises(ParameterError):
        fresh_app.delete_corp_ext(None)
    with pytest.raises(ParameterError):
        fresh_app.add_corp_ext(NEW, contact=NEW)
    assert len(fresh_sandbox.requests) == before


def test_writes_are_not_retried_but_reads_are(fresh_app, fresh_sandbox):
    fresh_app.get_access_token()
    fresh_sandbox.inject(CREATE, errcode=-1)
    with pytest.raises(SystemBusyError):
        fresh_app.create_ext_contact(NEW)
    assert fresh_sandbox.calls[CREATE] == 1
    fresh_sandbox.inject(LIST, errcode=-1)
    assert len(fresh_app.get_ext_list()) == 7
    assert fresh_sandbox.calls[LIST] == 2


def test_top_gateway_add_and_list_agree_with_topapi(fresh_app):
    """The TOP-era methods the original SDK called answer from the same data."""
    import json

    added = fresh_app.call_top("dingtalk.corp.ext.add", contact={
        "name": "韩梅", "follower_userid": "user0009", "label_ids": [1001], "state_code": "86",
        "mobile": "13911117777"})
    assert added["userid"] == "ext0008"
    listed = json.loads(fresh_app.call_top("dingtalk.corp.ext.list", size=100, offset=0)["result"])
    assert listed[-1]["userid"] == "ext0008" and listed[-1]["follower_userid"] == "user0009"
    assert fresh_app.get_ext_contact("ext0008")["name"] == "韩梅"
