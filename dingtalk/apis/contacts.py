"""Contacts (通讯录): users and departments."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin


class ContactsMixin(ApiMixin):
    """通讯录: users and departments."""

    @dingtalk("dingtalk.oapi.user.get")
    def get_user(self, user_id: str, lang: Optional[str] = None) -> Dict[str, Any]:
        """A user's details (the whole answer, as the original SDK returned it).

        Doc: https://open.dingtalk.com/document/orgapp/query-user-details

        >>> app.get_user("manager4220")["name"]  # doctest: +SKIP
        """
        return self._oapi_get("/user/get", {"userid": _limits.required("user_id", user_id), "lang": lang},
                              name="dingtalk.oapi.user.get")

    @dingtalk("dingtalk.oapi.department.list")
    def get_department_list(self, id_: Optional[Any] = None, fetch_child: Optional[bool] = None,
                            lang: str = "zh_CN") -> List[Dict[str, Any]]:
        """Departments under ``id_`` (the root when omitted): ``[{id, name, parentid, ...}]``.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-department-list

        >>> app.get_department_list()  # doctest: +SKIP
        """
        params = {"id": id_ if id_ not in (None, "") else None, "lang": lang,
                  "fetch_child": None if fetch_child is None else str(bool(fetch_child)).lower()}
        return self._oapi_get("/department/list", params, name="dingtalk.oapi.department.list").get("department") or []

    @dingtalk("dingtalk.oapi.user.simplelist")
    def get_dept_user_list(self, department_id: Any, size: int = 100, offset: int = 0) -> List[Dict[str, Any]]:
        """One page of ``[{userid, name}]`` in a department.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-list-of-users-in-a-department

        >>> app.get_dept_user_list(1)  # doctest: +SKIP
        """
        params = {"department_id": _limits.required("department_id", department_id),
                  "size": _limits.page_size("size", size, 100), "offset": _limits.offset("offset", offset)}
        return self._oapi_get("/user/simplelist", params, name="dingtalk.oapi.user.simplelist").get("userlist") or []

    @dingtalk("dingtalk.oapi.user.get_org_user_count")
    def get_org_user_count(self, only_active: Any = 0) -> int:
        """Number of employees (``only_active=1``: only those who activated DingTalk).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-number-of-employees

        >>> app.get_org_user_count(1)  # doctest: +SKIP
        """
        data = self._oapi_get("/user/get_org_user_count", {"onlyActive": 1 if only_active else 0},
                              name="dingtalk.oapi.user.get_org_user_count")
        return int(data.get("count", 0))
