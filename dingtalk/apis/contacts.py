"""Contacts (通讯录): users and departments.

The original SDK's names keep their signatures and return shapes (``get_user``,
``get_dept_user_list``, ``get_all_org_users``, ``create_department``, ...); their defects are
fixed: walkers page by 100 to the very end, departments without ``autoAddUser`` do not break
``get_all_org_users``, ``get_all_users`` dedupes in one pass, ``update_department`` without ``id``
is a :class:`~dingtalk.errors.ParameterError`, and ``get_all_department_id_list`` is ordered and
includes the root. Its early names (``get_user_info``, ``get_dempartment_list``,
``get_dempartment``, ``get_user_list``) remain as thin aliases.
"""
from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .._time import CHINA_TZ, to_china
from ..errors import InvalidResponseError, ParameterError
from ..registry import dingtalk
from . import _limits, _paging
from ._base import ApiMixin

Ids = Union[str, int, Iterable[Any]]

#: ``order`` values of the department member lists
USER_ORDERS = ("entry_asc", "entry_desc", "modify_asc", "modify_desc", "custom")

#: user fields with DingTalk's documented maximum length (characters)
_USER_LENGTHS = {"userid": 64, "name": 64, "position": 64, "jobnumber": 64, "email": 64,
                 "orgEmail": 64, "tel": 50, "workPlace": 50, "remark": 1000}
_DEPT_FORBIDDEN = ("-", ",", "，")
_DEPT_PERMIT_FIELDS = ("deptPermits", "userPermits", "outerPermitDepts", "outerPermitUsers",
                       "deptPerimits", "userPerimits")
#: keys of a ``/department/list`` entry that ``get_all_org_users`` leaves out (as the original did)
_ORG_DROP = ("autoAddUser", "createDeptGroup")


def _int_field(data: Dict[str, Any], key: str, name: str) -> int:
    """``int(data[key])``, or InvalidResponseError when DingTalk's answer lacks it."""
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise InvalidResponseError(f"{name}: the answer has no {key!r}", method=name) from None


def _bool_text(value: Optional[bool]) -> Optional[str]:
    return None if value is None else ("true" if value else "false")


def _order(order: Optional[str]) -> Optional[str]:
    if order is not None and order not in USER_ORDERS:
        raise ParameterError(f"order must be one of {', '.join(USER_ORDERS)}, got {order!r}")
    return order


def _dept_ids(name: str, value: Any) -> List[int]:
    """Department ids from a list/tuple, one id, ``"1,2"`` or ``"[1,2]"``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ParameterError(f"{name} must be a list of department ids, got {value!r}") from None
        else:
            value = [v for v in text.split(",") if v.strip()]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple, set)):
        raise ParameterError(f"{name} must be a list of department ids, got {value!r}")
    ids = []
    for item in value:
        try:
            if isinstance(item, bool):
                raise ValueError
            ids.append(int(str(item).strip()))
        except ValueError:
            raise ParameterError(f"{name} must hold department ids (integers), got {item!r}") from None
    return ids


def _check_lengths(info: Dict[str, Any]) -> None:
    for field, maximum in _USER_LENGTHS.items():
        value = info.get(field)
        if value is not None and len(str(value)) > maximum:
            raise ParameterError(f"{field} takes at most {maximum} characters (DingTalk's limit), "
                                 f"got {len(str(value))}")
    if "name" in info and not str(info["name"] or "").strip():
        raise ParameterError("name must not be empty")


def _dept_name(name: Any) -> str:
    text = str(_limits.required("name", name))
    if len(text) > 64:
        raise ParameterError(f"a department name takes 1 to 64 characters, got {len(text)}")
    if any(ch in text for ch in _DEPT_FORBIDDEN):
        raise ParameterError(f"a department name may not contain '-', ',' or '，': {text!r}")
    return text


def _check_dept_info(info: Dict[str, Any]) -> None:
    if "name" in info:
        _dept_name(info["name"])
    for field in _DEPT_PERMIT_FIELDS:
        value = info.get(field)
        if value:
            items = value if isinstance(value, (list, tuple)) else str(value).split("|")
            if len(items) > 200:
                raise ParameterError(f"{field} takes at most 200 ids (DingTalk's limit), got {len(items)}")
            if isinstance(value, (list, tuple)):
                info[field] = "|".join(str(v) for v in value)


class ContactsMixin(ApiMixin):
    """通讯录: users and departments."""

    # -- one user ----------------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.user.get")
    def get_user(self, user_id: str, lang: Optional[str] = None) -> Dict[str, Any]:
        """A user's details (the whole answer, as the original SDK returned it).

        Doc: https://open.dingtalk.com/document/orgapp/query-user-details

        >>> app.get_user("manager4220")["name"]  # doctest: +SKIP
        """
        return self._oapi_get("/user/get", {"userid": _limits.required("user_id", user_id), "lang": lang},
                              name="dingtalk.oapi.user.get")

    def get_user_info(self, user_id: str, lang: Optional[str] = None) -> Dict[str, Any]:
        """Early name of :meth:`get_user`.

        Doc: https://open.dingtalk.com/document/orgapp/query-user-details

        >>> app.get_user_info("manager4220")  # doctest: +SKIP
        """
        return self.get_user(user_id, lang)

    @dingtalk("dingtalk.oapi.user.create")
    def create_user(self, **user_info: Any) -> Dict[str, Any]:
        """Create a user; returns the whole answer (``userid`` inside).

        ``name`` (1-64 characters), ``mobile`` and ``department`` (list of ids) are required;
        other fields as DingTalk names them (``userid``, ``position``, ``email``, ``jobnumber``,
        ``extattr`` as a dict, ...). Doc: https://open.dingtalk.com/document/development/create-user

        >>> app.create_user(name="张三", mobile="13800000000", department=[1])["userid"]  # doctest: +SKIP
        """
        body = {k: v for k, v in user_info.items() if v is not None}
        _limits.required("name", body.get("name"))
        _limits.required("mobile", body.get("mobile"))
        body["department"] = _dept_ids("department", _limits.required("department", body.get("department")))
        if not body["department"]:
            raise ParameterError("department is required")
        _check_lengths(body)
        return self._oapi_post("/user/create", body, name="dingtalk.oapi.user.create")

    @dingtalk("dingtalk.oapi.user.update")
    def update_user(self, **user_info: Any) -> Dict[str, Any]:
        """Update a user (``userid`` required; fields left out keep their value); whole answer.

        Doc: https://open.dingtalk.com/document/development/update-user-details

        >>> app.update_user(userid="zhangsan", position="经理")  # doctest: +SKIP
        """
        body = {k: v for k, v in user_info.items() if v is not None}
        _limits.required("userid", body.get("userid"))
        body.setdefault("lang", "zh_CN")
        if "department" in body:
            body["department"] = _dept_ids("department", body["department"])
        _check_lengths(body)
        return self._oapi_post("/user/update", body, name="dingtalk.oapi.user.update")

    @dingtalk("dingtalk.oapi.user.delete")
    def delete_user(self, userid: str) -> Dict[str, Any]:
        """Delete a user; whole answer.

        Doc: https://open.dingtalk.com/document/development/delete-a-member

        >>> app.delete_user("zhangsan")  # doctest: +SKIP
        """
        return self._oapi_get("/user/delete", {"userid": _limits.required("userid", userid)},
                              name="dingtalk.oapi.user.delete")

    @dingtalk("dingtalk.oapi.user.batchdelete")
    def batch_delete_users(self, useridlist: Ids) -> Dict[str, Any]:
        """Delete 1 to 20 users in one call; whole answer.

        Doc: https://open.dingtalk.com/document/orgapp-server/delete-users-in-batches

        >>> app.batch_delete_users(["zhangsan", "lisi"])  # doctest: +SKIP
        """
        users = _limits.id_list("useridlist", useridlist, 20)
        _limits.required("useridlist", users)
        return self._oapi_post("/user/batchdelete", {"useridlist": users},
                               name="dingtalk.oapi.user.batchdelete")

    @dingtalk("dingtalk.oapi.user.get_by_mobile")
    def get_userid_by_mobile(self, mobile: str) -> str:
        """The userid of the employee with this mobile number.

        Doc: https://open.dingtalk.com/document/development/retrieve-userid-from-mobile-phone-number

        >>> app.get_userid_by_mobile("13800000000")  # doctest: +SKIP
        'zhangsan'
        """
        data = self._oapi_get("/user/get_by_mobile", {"mobile": _limits.required("mobile", mobile)},
                              name="dingtalk.oapi.user.get_by_mobile")
        return str(data.get("userid") or "")

    @dingtalk("dingtalk.oapi.user.getUseridByUnionid")
    def get_userid_by_unionid(self, unionid: str) -> str:
        """The userid of the user with this unionid.

        Doc: https://open.dingtalk.com/document/development/you-can-call-this-operation-to-retrieve-the-userids-of

        >>> app.get_userid_by_unionid("xTaYmiSxxxxxxiE")  # doctest: +SKIP
        """
        data = self._oapi_get("/user/getUseridByUnionid", {"unionid": _limits.required("unionid", unionid)},
                              name="dingtalk.oapi.user.getUseridByUnionid")
        return str(data.get("userid") or "")

    @dingtalk("dingtalk.oapi.user.getuserinfo")
    def get_user_by_code(self, code: str) -> Dict[str, Any]:
        """Who is logged in to the H5 micro-app, from its login code (免登码); whole answer
        (``userid``, ``sys_level``, ``is_sys``, ``deviceId``).

        Doc: https://open.dingtalk.com/document/development/get-user-userid-through-login-free-code

        >>> app.get_user_by_code(code)["userid"]  # doctest: +SKIP
        """
        return self._oapi_get("/user/getuserinfo", {"code": _limits.required("code", code)},
                              name="dingtalk.oapi.user.getuserinfo")

    @dingtalk("dingtalk.oapi.user.get_admin")
    def get_admin_list(self) -> List[Dict[str, Any]]:
        """The administrators: ``[{userid, sys_level}]`` (1 主管理员, 2 子管理员).

        Doc: https://open.dingtalk.com/document/development/obtains-a-list-of-administrators

        >>> app.get_admin_list()  # doctest: +SKIP
        """
        data = self._oapi_get("/user/get_admin", name="dingtalk.oapi.user.get_admin")
        return list(data.get("admin_list") or data.get("adminList") or [])

    @dingtalk("dingtalk.oapi.user.get_admin_scope")
    def get_admin_scope(self, userid: str) -> List[int]:
        """Ids of the departments an administrator manages.

        Doc: https://open.dingtalk.com/document/development/query-permissions-of-the-administrator-address-book

        >>> app.get_admin_scope("manager4220")  # doctest: +SKIP
        """
        data = self._topapi("user/get_admin_scope", {"userid": _limits.required("userid", userid)},
                            name="dingtalk.oapi.user.get_admin_scope")
        return list(data.get("dept_ids") or [])

    @dingtalk("dingtalk.oapi.user.get_org_user_count")
    def get_org_user_count(self, only_active: Any = 0) -> int:
        """Number of employees (``only_active=1``: only those who activated DingTalk).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-number-of-employees

        >>> app.get_org_user_count(1)  # doctest: +SKIP
        """
        data = self._oapi_get("/user/get_org_user_count", {"onlyActive": 1 if only_active else 0},
                              name="dingtalk.oapi.user.get_org_user_count")
        return int(data.get("count", 0))

    # -- users who have not logged in --------------------------------------------------------------
    def _contacts_query_date(self, query_date: Any) -> str:
        """``yyyyMMdd`` (China date) within the last month, as DingTalk only keeps a month."""
        day: Optional[date] = None
        if isinstance(query_date, (datetime, date)):
            day = to_china(query_date).date()
        elif isinstance(query_date, str):
            text = query_date.strip().replace("-", "")
            try:
                day = datetime.strptime(text, "%Y%m%d").date() if len(text) == 8 else None
            except ValueError:
                day = None
        if day is None:
            raise ParameterError(f"query_date must be a date or 'yyyyMMdd', got {query_date!r}")
        now = getattr(self, "timestamp", None)
        today = datetime.fromtimestamp(now if isinstance(now, (int, float)) else time.time(), CHINA_TZ).date()
        if day > today or day < today - timedelta(days=31):
            raise ParameterError(f"query_date must be within the last month (China time), got {day:%Y-%m-%d}")
        return day.strftime("%Y%m%d")

    def _contacts_inactive_page(self, query_date: str, offset: int, size: int) -> Tuple[List[str], Optional[bool]]:
        body = {"query_date": query_date, "offset": offset, "size": size}
        result = self._topapi("inactive/user/get", body, name="dingtalk.oapi.inactive.user.get").get("result") or {}
        return list(result.get("list") or []), result.get("has_more")

    @dingtalk("dingtalk.oapi.inactive.user.get")
    def get_inactive_users(self, query_date: Any, size: int = 100, offset: int = 0) -> List[str]:
        """One page of userids of employees who had not logged in to DingTalk on ``query_date``
        (a ``date`` or ``'yyyyMMdd'``, within the last month).

        Doc: https://open.dingtalk.com/document/development/query-data-of-inactive-users

        >>> app.get_inactive_users(date.today())  # doctest: +SKIP
        """
        day = self._contacts_query_date(query_date)
        return self._contacts_inactive_page(day, _limits.offset("offset", offset), _limits.page_size("size", size, 100))[0]

    def iter_inactive_users(self, query_date: Any, size: int = 100) -> Iterator[str]:
        """Every userid :meth:`get_inactive_users` pages through.

        Doc: https://open.dingtalk.com/document/development/query-data-of-inactive-users

        >>> for userid in app.iter_inactive_users(date.today()): ...  # doctest: +SKIP
        """
        day = self._contacts_query_date(query_date)
        size = _limits.page_size("size", size, 100)
        return _paging.iter_offset(lambda off, sz: self._contacts_inactive_page(day, off, sz), size)

    def get_all_inactive_users(self, query_date: Any) -> List[str]:
        """All of :meth:`iter_inactive_users` as a list.

        Doc: https://open.dingtalk.com/document/development/query-data-of-inactive-users

        >>> app.get_all_inactive_users("20240105")  # doctest: +SKIP
        """
        return list(self.iter_inactive_users(query_date))

    # -- users of a department ------------------------------------------------------------------
    def _contacts_simplelist_page(self, department_id: Any, offset: int, size: int, order: Optional[str],
                         lang: Optional[str]) -> Tuple[List[Dict[str, Any]], Optional[bool]]:
        params = {"department_id": department_id, "offset": offset, "size": size,
                  "order": order, "lang": lang}
        data = self._oapi_get("/user/simplelist", params, name="dingtalk.oapi.user.simplelist")
        return list(data.get("userlist") or []), data.get("hasMore")

    @dingtalk("dingtalk.oapi.user.simplelist")
    def get_dept_user_list(self, department_id: Any, size: int = 100, offset: int = 0, *,
                           order: Optional[str] = None, lang: Optional[str] = None) -> List[Dict[str, Any]]:
        """One page of ``[{userid, name}]`` in a department (not its sub-departments).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-list-of-users-in-a-department

        >>> app.get_dept_user_list(1)  # doctest: +SKIP
        """
        return self._contacts_simplelist_page(_limits.required("department_id", department_id),
                                     _limits.offset("offset", offset), _limits.page_size("size", size, 100),
                                     _order(order), lang)[0]

    def iter_dept_user_list(self, department_id: Any, size: int = 100, offset: int = 0, *,
                            order: Optional[str] = None, lang: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """Every ``{userid, name}`` of a department, page after page (``size`` per request).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-list-of-users-in-a-department

        >>> for user in app.iter_dept_user_list(1): ...  # doctest: +SKIP
        """
        dept = _limits.required("department_id", department_id)
        size, order = _limits.page_size("size", size, 100), _order(order)
        return _paging.iter_offset(lambda off, sz: self._contacts_simplelist_page(dept, off, sz, order, lang),
                                   size, _limits.offset("offset", offset))

    def get_all_dept_user_list(self, department_id: Any) -> List[Dict[str, Any]]:
        """Every ``{userid, name}`` of a department (pages of 100, to the end).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-list-of-users-in-a-department

        >>> app.get_all_dept_user_list(1)  # doctest: +SKIP
        """
        return list(self.iter_dept_user_list(department_id))

    def get_user_list(self, department_id: Any, lang: str = "zh_CN", offset: int = 0, size: int = 20,
                      order: str = "entry_asc") -> List[Dict[str, Any]]:
        """Early name: every ``{userid, name}`` of a department from ``offset`` on (the original
        read only the first page).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-list-of-users-in-a-department

        >>> app.get_user_list(1)  # doctest: +SKIP
        """
        return list(self.iter_dept_user_list(department_id, size, offset, order=order, lang=lang))

    def _contacts_listbypage_page(self, department_id: Any, offset: int, size: int, order: Optional[str],
                         lang: Optional[str]) -> Tuple[List[Dict[str, Any]], Optional[bool]]:
        params = {"department_id": department_id, "offset": offset, "size": size,
                  "order": order, "lang": lang}
        data = self._oapi_get("/user/listbypage", params, name="dingtalk.oapi.user.listbypage")
        return list(data.get("userlist") or []), data.get("hasMore")

    @dingtalk("dingtalk.oapi.user.listbypage", "dingtalk.oapi.user.list")
    def get_dept_user_details(self, department_id: Any, size: int = 100, offset: int = 0, *,
                              order: Optional[str] = None, lang: Optional[str] = None) -> List[Dict[str, Any]]:
        """One page of the detailed users of a department (``user/listbypage``; the older
        ``user/list`` name is served by it too).

        Doc: https://open.dingtalk.com/document/development/obtain-department-members-details

        >>> app.get_dept_user_details(1, size=50)  # doctest: +SKIP
        """
        return self._contacts_listbypage_page(_limits.required("department_id", department_id),
                                     _limits.offset("offset", offset), _limits.page_size("size", size, 100),
                                     _order(order), lang)[0]

    def iter_dept_user_details(self, department_id: Any, size: int = 100, *, order: Optional[str] = None,
                               lang: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """Every detailed user of a department, page after page.

        Doc: https://open.dingtalk.com/document/development/obtain-department-members-details

        >>> for user in app.iter_dept_user_details(1): ...  # doctest: +SKIP
        """
        dept = _limits.required("department_id", department_id)
        size, order = _limits.page_size("size", size, 100), _order(order)
        return _paging.iter_offset(lambda off, sz: self._contacts_listbypage_page(dept, off, sz, order, lang), size)

    def get_all_dept_user_details(self, department_id: Any) -> List[Dict[str, Any]]:
        """All of :meth:`iter_dept_user_details` as a list.

        Doc: https://open.dingtalk.com/document/development/obtain-department-members-details

        >>> app.get_all_dept_user_details(1)  # doctest: +SKIP
        """
        return list(self.iter_dept_user_details(department_id))

    @dingtalk("dingtalk.oapi.user.getDeptMember")
    def get_dept_member_ids(self, department_id: Any) -> List[str]:
        """Userids of a department's own members.

        Doc: https://open.dingtalk.com/document/development/obtain-the-list-of-employee-ids-by-department-id

        >>> app.get_dept_member_ids(1)  # doctest: +SKIP
        """
        data = self._oapi_get("/user/getDeptMember", {"deptId": _limits.required("department_id", department_id)},
                              name="dingtalk.oapi.user.getDeptMember")
        return list(data.get("userIds") or [])

    # -- the whole company ------------------------------------------------------------------------
    def get_all_org_users(self) -> List[Dict[str, Any]]:
        """Every department (without ``autoAddUser``/``createDeptGroup``) with its ``employees``
        (``[{userid, name}]``, all pages).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-department-list

        >>> [(d["name"], len(d["employees"])) for d in app.get_all_org_users()]  # doctest: +SKIP
        """
        out = []
        for dept in self.get_department_list(fetch_child=True):
            entry = {k: v for k, v in dept.items() if k not in _ORG_DROP}
            entry["employees"] = self.get_all_dept_user_list(dept["id"])
            out.append(entry)
        return out

    def get_all_users(self) -> List[Dict[str, Any]]:
        """Every user of the company once (``{userid, name}``), department by department from the
        root (:meth:`get_all_department_id_list` order).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-list-of-users-in-a-department

        >>> len(app.get_all_users())  # doctest: +SKIP
        """
        seen: Dict[str, Dict[str, Any]] = {}
        for dept_id in self.get_all_department_id_list():
            for user in self.iter_dept_user_list(dept_id):
                seen.setdefault(str(user.get("userid")), user)
        return list(seen.values())

    # -- departments -------------------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.department.list")
    def get_department_list(self, id_: Optional[Any] = None, fetch_child: Optional[bool] = None,
                            lang: str = "zh_CN") -> List[Dict[str, Any]]:
        """Departments under ``id_`` (the root when omitted): ``[{id, name, parentid, ...}]``.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-department-list

        >>> app.get_department_list()  # doctest: +SKIP
        """
        params = {"id": id_ if id_ not in (None, "") else None, "lang": lang,
                  "fetch_child": _bool_text(fetch_child)}
        return self._oapi_get("/department/list", params, name="dingtalk.oapi.department.list").get("department") or []

    def get_dempartment_list(self, id_: Optional[Any] = None) -> List[Dict[str, Any]]:
        """Early (misspelt) name of :meth:`get_department_list`.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-department-list

        >>> app.get_dempartment_list()  # doctest: +SKIP
        """
        return self.get_department_list(id_)

    @dingtalk("dingtalk.oapi.department.get")
    def get_department(self, id_: Any, lang: Optional[str] = None) -> Dict[str, Any]:
        """A department's details (the whole answer).

        Doc: https://open.dingtalk.com/document/development/queries-department-details

        >>> app.get_department(2)["name"]  # doctest: +SKIP
        """
        return self._oapi_get("/department/get", {"id": _limits.required("id_", id_), "lang": lang},
                              name="dingtalk.oapi.department.get")

    def get_dempartment(self, id_: Any) -> Dict[str, Any]:
        """Early (misspelt) name of :meth:`get_department`.

        Doc: https://open.dingtalk.com/document/development/queries-department-details

        >>> app.get_dempartment(2)  # doctest: +SKIP
        """
        return self.get_department(id_)

    @dingtalk("dingtalk.oapi.department.create")
    def create_department(self, **dept_info: Any) -> int:
        """Create a department; returns its id. ``name`` (1-64 characters, no ``-``, ``,``,
        ``，``) and ``parentid`` are required; other fields as DingTalk names them.

        Doc: https://open.dingtalk.com/document/development/create-a-department

        >>> app.create_department(name="研发部", parentid=1)  # doctest: +SKIP
        """
        body = {k: v for k, v in dept_info.items() if v is not None}
        _dept_name(body.get("name"))
        _limits.required("parentid", body.get("parentid"))
        _check_dept_info(body)
        data = self._oapi_post("/department/create", body, name="dingtalk.oapi.department.create")
        return _int_field(data, "id", "dingtalk.oapi.department.create")

    @dingtalk("dingtalk.oapi.department.update")
    def update_department(self, **dept_info: Any) -> int:
        """Update a department (``id`` required; fields left out keep their value); returns its id.

        Doc: https://open.dingtalk.com/document/development/update-a-department

        >>> app.update_department(id=2, name="研发中心")  # doctest: +SKIP
        """
        body = {k: v for k, v in dept_info.items() if v is not None}
        dept_id = _limits.required("id", body.get("id"))
        _check_dept_info(body)
        data = self._oapi_post("/department/update", body, name="dingtalk.oapi.department.update")
        return int(data.get("id") or dept_id)

    @dingtalk("dingtalk.oapi.department.delete")
    def delete_department(self, id_: Any) -> Dict[str, Any]:
        """Delete a department without members or sub-departments (never the root); whole answer.

        Doc: https://open.dingtalk.com/document/development/delete-a-department

        >>> app.delete_department(12)  # doctest: +SKIP
        """
        return self._oapi_get("/department/delete", {"id": _limits.required("id_", id_)},
                              name="dingtalk.oapi.department.delete")

    @dingtalk("dingtalk.oapi.department.list_ids")
    def get_department_id_list(self, dept_id: Any = 1) -> List[int]:
        """Ids of the direct sub-departments of ``dept_id``.

        Doc: https://open.dingtalk.com/document/development/obtain-a-sub-department-id-list

        >>> app.get_department_id_list(1)  # doctest: +SKIP
        """
        data = self._oapi_get("/department/list_ids", {"id": _limits.required("dept_id", dept_id)},
                              name="dingtalk.oapi.department.list_ids")
        return list(data.get("sub_dept_id_list") or [])

    def get_all_department_id_list(self, dept_id: Any = 1) -> Tuple[int, ...]:
        """``dept_id`` (the root by default) and every department below it, depth first in
        DingTalk's order: ``(1, 2, 6, 7, 3, ...)`` (the original returned an unordered set
        without the root).

        Doc: https://open.dingtalk.com/document/development/obtain-a-sub-department-id-list

        >>> app.get_all_department_id_list()  # doctest: +SKIP
        """
        root = int(_limits.required("dept_id", dept_id))
        out: List[int] = []
        seen = set()
        stack = [root]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            stack.extend(reversed([int(c) for c in self.get_department_id_list(current)]))
        return tuple(out)

    @dingtalk("dingtalk.oapi.department.list_parent_depts_by_dept")
    def get_dept_parent_ids(self, id_: Any) -> List[int]:
        """The department and its parents up to the root: ``[id_, parent, ..., 1]``.

        Doc: https://open.dingtalk.com/document/development/queries-all-parent-departments-of-a-department

        >>> app.get_dept_parent_ids(6)  # doctest: +SKIP
        [6, 2, 1]
        """
        data = self._oapi_get("/department/list_parent_depts_by_dept", {"id": _limits.required("id_", id_)},
                              name="dingtalk.oapi.department.list_parent_depts_by_dept")
        return list(data.get("parentIds") or [])

    @dingtalk("dingtalk.oapi.department.list_parent_depts")
    def get_user_departments(self, userid: str) -> Dict[str, Any]:
        """For each department of a user, its path to the root (the whole answer:
        ``{"department": [[6, 2, 1], [3, 1]], ...}``).

        Doc: https://open.dingtalk.com/document/development/query-the-list-of-all-parent-departments-of-a-user

        >>> app.get_user_departments("zhangsan")["department"]  # doctest: +SKIP
        """
        return self._oapi_get("/department/list_parent_depts", {"userId": _limits.required("userid", userid)},
                              name="dingtalk.oapi.department.list_parent_depts")
