"""External contacts and their label groups (topapi ``extcontact/*`` and TOP ``dingtalk.corp.ext.*``).

The data lives in :class:`ExtContactsState` (``state.domain("ext_contacts", ...)``), started from
the company seed (``SandboxState.label_groups`` / ``ext_contacts``) plus generated label groups,
so that a fresh sandbox has more groups than one default page (20).

Errors follow DingTalk's codes: 60201 "外部联系人已存在" (same mobile), 60200 (the mobile belongs
to an employee), 60103 (bad mobile), 60204 (no label), 60121 (unknown follower); an unknown
contact answers 60202 "外部联系人不存在" (the code is the sandbox's choice).
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any, Dict, List, Optional, Set

from .base import Ctx, Router, int_param, json_param, page, str_param

DOMAIN = "ext_contacts"
_MOBILE = re.compile(r"^1\d{10}$")
_EXTRA_GROUPS = 20

#: topapi field name → TOP-era name (the ``dingtalk.corp.ext.*`` structs)
_TOP_NAMES = {"follower_user_id": "follower_userid", "share_dept_ids": "share_deptids",
              "share_user_ids": "share_userids"}
_EDITABLE = ("name", "title", "company_name", "follower_user_id", "label_ids", "share_dept_ids",
             "share_user_ids", "address", "remark")


def _extra_groups() -> List[Dict[str, Any]]:
    """Deterministic label groups 自定义分组01..20, two labels each (ids 6001..)."""
    colors = (-15220075, -5314486, -14643537, -693197, -11048043)
    groups = []
    for n in range(1, _EXTRA_GROUPS + 1):
        base = 6000 + n * 10
        groups.append({"name": f"自定义分组{n:02d}", "color": colors[n % len(colors)],
                       "labels": [{"name": f"标签{n:02d}-A", "id": base + 1},
                                  {"name": f"标签{n:02d}-B", "id": base + 2}]})
    return groups


class ExtContactsState:
    """Label groups and external contacts of one sandbox (hold ``state.lock`` to use).

    ``repeat_past_end``: when True, a label-group page that starts past the end answers the
    last page again, as DingTalk has been seen doing (the SDK's walkers must still stop).
    """

    def __init__(self, state: Any) -> None:
        self.label_groups: List[Dict[str, Any]] = copy.deepcopy(state.label_groups) + _extra_groups()
        self.contacts: List[Dict[str, Any]] = copy.deepcopy(state.ext_contacts)
        self.repeat_past_end = False
        self._next_id = len(self.contacts) + 1

    def label_ids(self) -> Set[int]:
        return {label["id"] for group in self.label_groups for label in group["labels"]}

    def find(self, userid: str) -> Optional[Dict[str, Any]]:
        for contact in self.contacts:
            if contact["userid"] == userid:
                return contact
        return None

    def new_userid(self) -> str:
        while True:
            userid = f"ext{self._next_id:04d}"
            self._next_id += 1
            if self.find(userid) is None:
                return userid

    def group_page(self, offset: int, size: int) -> List[Dict[str, Any]]:
        groups = self.label_groups
        if self.repeat_past_end and groups and offset >= len(groups):
            return copy.deepcopy(groups[-size:])
        return copy.deepcopy(page(groups, offset, size)[0])


def _ext(ctx: Ctx) -> ExtContactsState:
    return ctx.state.domain(DOMAIN, ExtContactsState)


def _paging(ctx: Ctx, params: Dict[str, Any]) -> Any:
    size = int_param(ctx, params, "size", 20, minimum=1, maximum=100)
    offset = int_param(ctx, params, "offset", 0, minimum=0)
    return offset, size


def _top_contact(contact: Dict[str, Any]) -> Dict[str, Any]:
    """A contact under the TOP-era field names."""
    return {_TOP_NAMES.get(k, k): v for k, v in contact.items()}


def _groups(ctx: Ctx, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    offset, size = _paging(ctx, params)
    with ctx.lock:
        return _ext(ctx).group_page(offset, size)


def _contacts(ctx: Ctx, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    offset, size = _paging(ctx, params)
    with ctx.lock:
        return copy.deepcopy(page(_ext(ctx).contacts, offset, size)[0])


# -- reads ----------------------------------------------------------------------------------
def topapi_listlabelgroups(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/listlabelgroups`` {size, offset} → ``results``."""
    return {"results": _groups(ctx, params)}


def topapi_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/list`` {size, offset} → ``results``."""
    return {"results": _contacts(ctx, params)}


def topapi_get(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/get`` {user_id} → ``result`` (the contact)."""
    userid = str_param(ctx, params, "user_id", required=True)
    with ctx.lock:
        return {"result": copy.deepcopy(_existing(ctx, userid))}


def top_listlabelgroups(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.ext.listlabelgroups`` → ``result`` is a JSON *string*."""
    return {"result": json.dumps(_groups(ctx, params), ensure_ascii=False)}


def top_list(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.ext.list`` → ``result`` is a JSON *string*."""
    contacts = [_top_contact(c) for c in _contacts(ctx, params)]
    return {"result": json.dumps(contacts, ensure_ascii=False)}


# -- writes ---------------------------------------------------------------------------------
def _existing(ctx: Ctx, userid: Optional[str]) -> Dict[str, Any]:
    contact = _ext(ctx).find(str(userid))
    if contact is None:
        raise ctx.error(60202, "外部联系人不存在")
    return contact


def _contact_param(ctx: Ctx, params: Dict[str, Any], *, top: bool) -> Dict[str, Any]:
    value = json_param(ctx, params, "contact", required=True)
    if not isinstance(value, dict):
        raise ctx.invalid("contact")
    if top:  # TOP-era names → topapi names
        reverse = {v: k for k, v in _TOP_NAMES.items()}
        value = {reverse.get(k, k): v for k, v in value.items()}
    return value


def _int_list(ctx: Ctx, value: Any, name: str) -> List[int]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v for v in value.strip("[]").split(",") if v.strip()]
    if not isinstance(value, list):
        raise ctx.invalid(name)
    try:
        return [int(str(v).strip().strip('"')) for v in value]
    except ValueError:
        raise ctx.invalid(name) from None


def _str_list(ctx: Ctx, value: Any, name: str) -> List[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v.strip().strip('"') for v in value.strip("[]").split(",") if v.strip()]
    if not isinstance(value, list):
        raise ctx.invalid(name)
    return [str(v) for v in value]


def _checked_fields(ctx: Ctx, contact: Dict[str, Any], ext: ExtContactsState) -> Dict[str, Any]:
    """The editable fields of ``contact``, validated against the company's data."""
    for name in ("name", "follower_user_id"):
        if not contact.get(name):
            raise ctx.missing(name)
    labels = _int_list(ctx, contact.get("label_ids"), "label_ids")
    if not labels:
        raise ctx.error(60204, "必须至少设置一个标签")
    unknown = [i for i in labels if i not in ext.label_ids()]
    if unknown:
        raise ctx.invalid("label_ids", f"标签不存在: {unknown[0]}")
    follower = str(contact["follower_user_id"])
    if follower not in ctx.state.users:
        raise ctx.error(60121, "找不到该用户")
    share_depts = _int_list(ctx, contact.get("share_dept_ids"), "share_dept_ids")
    if any(d not in ctx.state.departments for d in share_depts):
        raise ctx.error(60003, "部门不存在")
    share_users = _str_list(ctx, contact.get("share_user_ids"), "share_user_ids")
    if any(u not in ctx.state.users for u in share_users):
        raise ctx.error(60121, "找不到该用户")
    fields: Dict[str, Any] = {"name": str(contact["name"]), "follower_user_id": follower,
                              "label_ids": labels, "share_dept_ids": share_depts,
                              "share_user_ids": share_users}
    for name in ("title", "company_name", "address", "remark"):
        if contact.get(name) is not None:
            fields[name] = str(contact[name])
    return fields


def _create(ctx: Ctx, contact: Dict[str, Any]) -> str:
    mobile = str(contact.get("mobile") or "")
    state_code = str(contact.get("state_code") or "")
    if not mobile:
        raise ctx.missing("mobile")
    if not state_code:
        raise ctx.missing("state_code")
    if state_code == "86" and not _MOBILE.match(mobile):
        raise ctx.error(60103, "手机号码不合法")
    with ctx.lock:
        ext = _ext(ctx)
        fields = _checked_fields(ctx, contact, ext)
        if any(u.get("mobile") == mobile for u in ctx.state.users.values()):
            raise ctx.error(60200, "该用户是同企业同事, 无法加入外部通讯录")
        if any(c["mobile"] == mobile and c["state_code"] == state_code for c in ext.contacts):
            raise ctx.error(60201, "外部联系人已存在")
        userid = ext.new_userid()
        record: Dict[str, Any] = {"userid": userid, "name": "", "mobile": mobile, "state_code": state_code,
                  "title": "", "company_name": "", "follower_user_id": "", "label_ids": [],
                  "share_dept_ids": [], "share_user_ids": [], "address": "", "remark": ""}
        record.update(fields)
        ext.contacts.append(record)
        return userid


def topapi_create(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/create`` {contact} → ``userid``."""
    return {"userid": _create(ctx, _contact_param(ctx, params, top=False))}


def top_ext_add(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """TOP ``dingtalk.corp.ext.add`` (form ``contact`` = JSON text, TOP-era names) → ``userid``."""
    return {"userid": _create(ctx, _contact_param(ctx, params, top=True))}


def topapi_update(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/update`` {contact: {user_id, ...}}: replaces the editable fields."""
    contact = _contact_param(ctx, params, top=False)
    userid = contact.get("user_id")
    if not userid:
        raise ctx.missing("user_id")
    with ctx.lock:
        ext = _ext(ctx)
        record = _existing(ctx, userid)
        fields = _checked_fields(ctx, contact, ext)
        for name in _EDITABLE:
            if name in fields:
                record[name] = fields[name]
    return {}


def topapi_delete(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /topapi/extcontact/delete`` {user_id}."""
    userid = str_param(ctx, params, "user_id", required=True)
    with ctx.lock:
        ext = _ext(ctx)
        ext.contacts.remove(_existing(ctx, userid))
    return {}


def register(router: Router) -> None:
    router.post("/topapi/extcontact/listlabelgroups")(topapi_listlabelgroups)
    router.post("/topapi/extcontact/list")(topapi_list)
    router.post("/topapi/extcontact/get")(topapi_get)
    router.post("/topapi/extcontact/create")(topapi_create)
    router.post("/topapi/extcontact/update")(topapi_update)
    router.post("/topapi/extcontact/delete")(topapi_delete)
    router.top("dingtalk.corp.ext.listlabelgroups")(top_listlabelgroups)
    router.top("dingtalk.corp.ext.list")(top_list)
    router.top("dingtalk.corp.ext.add")(top_ext_add)
