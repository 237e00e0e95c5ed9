"""External contacts (外部联系人) and their label groups (标签组).

DingTalk serves these under topapi ``extcontact/*`` today; the original SDK called the TOP
gateway (``dingtalk.corp.ext.*``). Both generations of names are registered for ``run()``.
Contacts may be given with either generation's field names: the TOP-era ``follower_userid``,
``share_userids``, ``share_deptids`` are sent as ``follower_user_id``, ``share_user_ids``,
``share_dept_ids``.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, Hashable, Iterator, List, Mapping, Optional, Set, Tuple, TypeVar

from ..errors import ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin
from ._paging import iter_offset

T = TypeVar("T")

#: Largest page DingTalk serves for label groups and contacts.
MAX_PAGE = 100

#: TOP-era field names of a contact → topapi names.
_LEGACY_FIELDS = {"follower_userid": "follower_user_id", "share_userids": "share_user_ids",
                  "share_deptids": "share_dept_ids", "userid": "user_id"}
#: Fields DingTalk requires to create / update a contact.
_CREATE_REQUIRED = ("name", "follower_user_id", "label_ids", "state_code", "mobile")
_UPDATE_REQUIRED = ("user_id", "name", "follower_user_id", "label_ids")


def iter_unique(fetch: Callable[[int, int], List[T]], size: int, key: Callable[[T], Hashable]) -> Iterator[T]:
    """Offset paging that also survives a server repeating data past the end.

    DingTalk has been seen answering label-group pages past the end with data again (the
    original SDK's comment), so a full page could come back forever. The walk stops on an
    empty or short page, and on a page that adds nothing new; items already yielded are not
    yielded twice.
    """
    seen: Set[Hashable] = set()

    def page(offset: int, count: int) -> Tuple[List[T], Optional[bool]]:
        raw = fetch(offset, count)
        keys = [key(item) for item in raw]
        if raw and all(k in seen for k in keys):
            return [], False
        seen.update(keys)
        return raw, len(raw) >= count

    yielded: Set[Hashable] = set()
    for item in iter_offset(page, size):
        k = key(item)
        if k not in yielded:
            yielded.add(k)
            yield item


def _group_key(group: Mapping[str, Any]) -> Hashable:
    return json.dumps(group, sort_keys=True, ensure_ascii=False)


def _contact_key(contact: Mapping[str, Any]) -> Hashable:
    uid = contact.get("userid") or contact.get("user_id")
    return uid if uid is not None else _group_key(contact)


def _contact_body(contact_info: Any, required: Tuple[str, ...]) -> Dict[str, Any]:
    """A contact dict (or its JSON text) with topapi field names, checked for DingTalk's
    required fields."""
    if isinstance(contact_info, str):
        try:
            contact_info = json.loads(contact_info)
        except ValueError:
            raise ParameterError("contact_info must be a dict or a JSON object text") from None
    if not isinstance(contact_info, Mapping):
        raise ParameterError(f"contact_info must be a dict, not {type(contact_info).__name__}")
    contact: Dict[str, Any] = {}
    for name, value in contact_info.items():
        if value is None:
            continue
        modern: str = _LEGACY_FIELDS.get(str(name), str(name))
        if modern != name and modern in contact_info and contact_info[modern] is not None:
            continue  # both spellings given: the topapi one wins
        contact[modern] = value
    for name in ("label_ids", "share_dept_ids", "share_user_ids"):
        if name in contact:
            ids = _limits.id_list(name, contact[name]) or []
            contact[name] = ids if name == "share_user_ids" else [_int_id(name, v) for v in ids]
    missing = [name for name in required if contact.get(name) in (None, "", [])]
    if missing:
        raise ParameterError(f"the contact needs {', '.join(missing)} (DingTalk requires "
                             f"{', '.join(required)}; at least one label)")
    return contact


def _int_id(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must hold numeric ids, got {value!r}") from None


class ExtContactsMixin(ApiMixin):
    """外部联系人: label groups and contacts (list, get, create, update, delete)."""

    # -- label groups ------------------------------------------------------------------------
    @dingtalk("dingtalk.corp.ext.listlabelgroups", "dingtalk.oapi.extcontact.listlabelgroups",
              "dingtalk.corp.extcontact.listlabelgroups")
    def get_label_groups(self, size: int = 20, offset: int = 0) -> List[Dict[str, Any]]:
        """One page of external-contact label groups: ``[{name, color, labels: [{name, id}]}]``.

        ``size`` is at most 100 (DingTalk's limit).
        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-label-list

        >>> app.get_label_groups(size=20, offset=0)  # doctest: +SKIP
        """
        body = {"size": _limits.page_size("size", size, MAX_PAGE), "offset": _limits.offset("offset", offset)}
        return self._topapi("extcontact/listlabelgroups", body,
                            name="dingtalk.oapi.extcontact.listlabelgroups").get("results") or []

    def iter_label_groups(self, size: int = MAX_PAGE) -> Iterator[Dict[str, Any]]:
        """Every label group, page by page (stops even if DingTalk repeats data past the end).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-label-list

        >>> for group in app.iter_label_groups(): print(group["name"])  # doctest: +SKIP
        """
        _limits.page_size("size", size, MAX_PAGE)
        return iter_unique(lambda offset, count: self.get_label_groups(size=count, offset=offset),
                           size, _group_key)

    def get_all_label_groups(self) -> List[Dict[str, Any]]:
        """Every label, flattened: ``[{color, group, name, id}]`` (``group`` = the group's name).

        Walks all pages of 100 groups (the original SDK read only the first page).
        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-label-list

        >>> [label["id"] for label in app.get_all_label_groups()]  # doctest: +SKIP
        """
        labels: List[Dict[str, Any]] = []
        for group in self.iter_label_groups(MAX_PAGE):
            for label in group.get("labels") or []:
                labels.append({"color": group.get("color"), "group": group.get("name"),
                               "name": label.get("name"), "id": label.get("id")})
        return labels

    # -- contacts ------------------------------------------------------------------------------
    @dingtalk("dingtalk.corp.ext.list", "dingtalk.oapi.extcontact.list", "dingtalk.corp.extcontact.list")
    def get_ext_list(self, size: int = 20, offset: int = 0) -> List[Dict[str, Any]]:
        """One page of external contacts (``size`` at most 100).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-list

        >>> app.get_ext_list(size=100)  # doctest: +SKIP
        """
        body = {"size": _limits.page_size("size", size, MAX_PAGE), "offset": _limits.offset("offset", offset)}
        return self._topapi("extcontact/list", body, name="dingtalk.oapi.extcontact.list").get("results") or []

    def iter_ext_list(self, size: int = MAX_PAGE) -> Iterator[Dict[str, Any]]:
        """Every external contact, page by page.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-list

        >>> sum(1 for _ in app.iter_ext_list())  # doctest: +SKIP
        """
        _limits.page_size("size", size, MAX_PAGE)
        return iter_unique(lambda offset, count: self.get_ext_list(size=count, offset=offset),
                           size, _contact_key)

    @dingtalk("dingtalk.corp.ext.all")
    def get_all_ext_list(self) -> List[Dict[str, Any]]:
        """Every external contact (pages of 100). ``dingtalk.corp.ext.all`` is the original SDK's
        own ``run()`` name for it, kept for compatibility.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-list

        >>> len(app.get_all_ext_list())  # doctest: +SKIP
        """
        return list(self.iter_ext_list(MAX_PAGE))

    @dingtalk("dingtalk.oapi.extcontact.get", "dingtalk.corp.extcontact.get")
    def get_ext_contact(self, user_id: str) -> Dict[str, Any]:
        """One external contact's details (``userid``, ``name``, ``mobile``, ``label_ids``, ...).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-external-contact-details

        >>> app.get_ext_contact("ext0001")["name"]  # doctest: +SKIP
        """
        data = self._topapi("extcontact/get", {"user_id": _limits.required("user_id", user_id)},
                            name="dingtalk.oapi.extcontact.get")
        return data.get("result") or {}

    @dingtalk("dingtalk.oapi.extcontact.create", "dingtalk.corp.extcontact.create")
    def create_ext_contact(self, contact: Mapping[str, Any]) -> str:
        """Add an external contact; returns its ``userid``.

        Required: ``name``, ``follower_user_id``, ``label_ids`` (at least one), ``state_code``,
        ``mobile``. Doc: https://open.dingtalk.com/document/orgapp/add-an-external-contact

        >>> app.create_ext_contact({"name": "张三", "follower_user_id": "manager01", "label_ids": [1001],
        ...                         "state_code": "86", "mobile": "13900001234"})  # doctest: +SKIP
        """
        body = {"contact": _contact_body(contact, _CREATE_REQUIRED)}
        data = self._topapi("extcontact/create", body, name="dingtalk.oapi.extcontact.create", write=True)
        return str(data.get("userid") or "")

    @dingtalk("dingtalk.corp.ext.add")
    def add_corp_ext(self, contact_info: Any = None, *, contact: Any = None) -> Dict[str, Any]:
        """Add an external contact, the original SDK's way (TOP-era field names accepted).

        Sent to topapi ``extcontact/create``; returns the original's shape:
        ``{"dingtalk_corp_ext_add_response": {"userid", "request_id"}}``. ``contact=`` is the
        original's early name of the argument.
        Doc: https://open.dingtalk.com/document/orgapp/add-an-external-contact

        >>> app.add_corp_ext({"name": "张三", "follower_userid": "manager01", "label_ids": [1001],
        ...                   "state_code": "86", "mobile": "13900001234"})  # doctest: +SKIP
        """
        if contact_info is not None and contact is not None:
            raise ParameterError("give contact_info or contact, not both")
        info = contact_info if contact_info is not None else contact
        body = {"contact": _contact_body(info if info is not None else {}, _CREATE_REQUIRED)}
        data = self._topapi("extcontact/create", body, name="dingtalk.oapi.extcontact.create", write=True)
        return {"dingtalk_corp_ext_add_response": {"userid": data.get("userid"),
                                                   "request_id": data.get("request_id")}}

    @dingtalk("dingtalk.oapi.extcontact.update", "dingtalk.corp.ext.update", "dingtalk.corp.extcontact.update")
    def update_corp_ext(self, contact_info: Any) -> Dict[str, Any]:
        """Update an external contact; returns DingTalk's whole answer (``{errcode: 0, ...}``).

        Required: ``user_id``, ``name``, ``follower_user_id``, ``label_ids``; the mobile number
        cannot be changed. Doc: https://open.dingtalk.com/document/orgapp/update-external-contacts

        >>> app.update_corp_ext({"user_id": "ext0001", "name": "马晓东", "follower_user_id": "user0009",
        ...                      "label_ids": [1003]})  # doctest: +SKIP
        """
        body = {"contact": _contact_body(contact_info, _UPDATE_REQUIRED)}
        return self._topapi("extcontact/update", body, name="dingtalk.oapi.extcontact.update", write=True)

    @dingtalk("dingtalk.oapi.extcontact.delete", "dingtalk.corp.extcontact.delete")
    def delete_corp_ext(self, user_id: str) -> Dict[str, Any]:
        """Delete an external contact; returns DingTalk's whole answer (``{errcode: 0, ...}``).

        Doc: https://open.dingtalk.com/document/orgapp/delete-external-contacts

        >>> app.delete_corp_ext("ext0001")  # doctest: +SKIP
        """
        return self._topapi("extcontact/delete", {"user_id": _limits.required("user_id", user_id)},
                            name="dingtalk.oapi.extcontact.delete", write=True)
