"""角色 roles and role groups (DingTalk's contact roles, once called labels 标签).

The original SDK reached these through the TOP gateway (``dingtalk.corp.role.*``); those names stay
registered for ``run()``, and the calls go to the topapi/oapi endpoints DingTalk serves today.
Fixed defects of the original: role lists return ``[]`` (never None), ``get_all_corp_role_list``
pages to the end, ``get_role_group`` asks for the role group (it sent ``removerolesforemps``), and
adding/removing roles of employees are app methods that take Python lists.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ..errors import InvalidResponseError, ParameterError
from ..registry import dingtalk
from . import _limits, _paging
from ._base import ApiMixin

Ids = Union[str, int, Iterable[Any], None]


def _int_field(data: Dict[str, Any], key: str, name: str) -> int:
    """``int(data[key])``, or InvalidResponseError when DingTalk's answer lacks it."""
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise InvalidResponseError(f"{name}: the answer has no {key!r}", method=name) from None


def _group(raw: Dict[str, Any]) -> Dict[str, Any]:
    """A role group of ``role/list`` with the original SDK's keys added (``group_name``,
    ``role_name``): ``{groupId, name, group_name, roles: [{id, name, role_name}]}``."""
    group = dict(raw)
    group["group_name"] = raw.get("name")
    group["roles"] = [dict(r, role_name=r.get("name")) for r in raw.get("roles") or []]
    return group


def _pick(name: str, *values: Ids) -> Ids:
    given = [v for v in values if v is not None]
    if len(given) > 1:
        raise ParameterError(f"{name} was given twice (under two names)")
    return given[0] if given else None


def _emps_lists(role_ids: Ids, user_ids: Ids, max_users: int) -> Tuple[str, str]:
    roles = _limits.id_list("role_ids", role_ids, 20)
    users = _limits.id_list("user_ids", user_ids, max_users)
    _limits.required("role_ids", roles)
    _limits.required("user_ids", users)
    return ",".join(roles or ()), ",".join(users or ())


class RolesMixin(ApiMixin):
    """角色: roles, role groups and who holds which role."""

    # -- role groups and their roles ---------------------------------------------------------------
    def _roles_list_page(self, offset: int, size: int) -> Tuple[List[Dict[str, Any]], Optional[bool]]:
        data = self._topapi("role/list", {"size": size, "offset": offset}, name="dingtalk.oapi.role.list")
        result = data.get("result") or {}
        return [_group(g) for g in result.get("list") or []], result.get("hasMore")

    @dingtalk("dingtalk.corp.role.list", "dingtalk.oapi.role.list")
    def get_corp_role_list(self, size: int = 20, offset: int = 0) -> List[Dict[str, Any]]:
        """One page of role groups with their roles:
        ``[{groupId, name, group_name, roles: [{id, name, role_name}]}]`` (``[]`` past the end).

        Doc: https://open.dingtalk.com/document/development/obtains-a-list-of-enterprise-roles

        >>> app.get_corp_role_list(size=20, offset=0)  # doctest: +SKIP
        """
        return self._roles_list_page(_limits.offset("offset", offset), _limits.page_size("size", size, 200))[0]

    def iter_corp_role_list(self, size: int = 200) -> Iterator[Dict[str, Any]]:
        """Every role group, page after page.

        Doc: https://open.dingtalk.com/document/development/obtains-a-list-of-enterprise-roles

        >>> for group in app.iter_corp_role_list(): ...  # doctest: +SKIP
        """
        return _paging.iter_offset(self._roles_list_page, _limits.page_size("size", size, 200))

    @dingtalk("dingtalk.corp.role.all")
    def get_all_corp_role_list(self) -> List[Dict[str, Any]]:
        """Every role group (pages of 200, to the end).

        Doc: https://open.dingtalk.com/document/development/obtains-a-list-of-enterprise-roles

        >>> app.get_all_corp_role_list()  # doctest: +SKIP
        """
        return list(self.iter_corp_role_list())

    @dingtalk("dingtalk.oapi.role.getrole")
    def get_role(self, role_id: Any) -> Dict[str, Any]:
        """A role: ``{name, groupId}``.

        Doc: https://open.dingtalk.com/document/development/queries-role-details

        >>> app.get_role(1507113584)["name"]  # doctest: +SKIP
        """
        data = self._topapi("role/getrole", {"roleId": _limits.required("role_id", role_id)},
                            name="dingtalk.oapi.role.getrole")
        return dict(data.get("role") or {})

    @dingtalk("dingtalk.corp.role.getrolegroup", "dingtalk.oapi.role.getrolegroup")
    def get_role_group(self, group_id: Any) -> Dict[str, Any]:
        """A role group: the whole answer without its per-call ``request_id``,
        ``{errcode, errmsg, role_group: {group_name, roles: [{role_id, role_name}]}}``.

        Doc: https://open.dingtalk.com/document/development/obtains-the-role-group-information

        >>> app.get_role_group(1507113580)["role_group"]["group_name"]  # doctest: +SKIP
        """
        data = self._topapi("role/getrolegroup", {"group_id": _limits.required("group_id", group_id)},
                            name="dingtalk.oapi.role.getrolegroup")
        return {k: v for k, v in data.items() if k != "request_id"}

    # -- who holds a role ------------------------------------------------------------------------------
    def _roles_members_page(self, role_id: Any, offset: int, size: int) -> Tuple[List[Dict[str, Any]], Optional[bool]]:
        data = self._topapi("role/simplelist", {"role_id": role_id, "size": size, "offset": offset},
                            name="dingtalk.oapi.role.simplelist")
        result = data.get("result") or {}
        return list(result.get("list") or []), result.get("hasMore")

    @dingtalk("dingtalk.corp.role.simplelist", "dingtalk.oapi.role.simplelist")
    def get_role_simple_list(self, role_id: Any, size: int = 20, offset: int = 0) -> List[Dict[str, Any]]:
        """One page of the employees holding a role: ``[{userid, name, manageScopes?}]``
        (``[]`` when nobody does).

        Doc: https://open.dingtalk.com/document/development/obtain-the-list-of-employees-of-a-role

        >>> app.get_role_simple_list(1507113584)  # doctest: +SKIP
        """
        return self._roles_members_page(_limits.required("role_id", role_id), _limits.offset("offset", offset),
                                     _limits.page_size("size", size, 100))[0]

    def iter_role_simple_list(self, role_id: Any, size: int = 100) -> Iterator[Dict[str, Any]]:
        """Every employee holding a role, page after page.

        Doc: https://open.dingtalk.com/document/development/obtain-the-list-of-employees-of-a-role

        >>> for emp in app.iter_role_simple_list(1507113584): ...  # doctest: +SKIP
        """
        role = _limits.required("role_id", role_id)
        return _paging.iter_offset(lambda off, sz: self._roles_members_page(role, off, sz),
                                   _limits.page_size("size", size, 100))

    def get_all_role_simple_list(self, role_id: Any) -> List[Dict[str, Any]]:
        """All of :meth:`iter_role_simple_list` as a list.

        Doc: https://open.dingtalk.com/document/development/obtain-the-list-of-employees-of-a-role

        >>> app.get_all_role_simple_list(1507113584)  # doctest: +SKIP
        """
        return list(self.iter_role_simple_list(role_id))

    @dingtalk("dingtalk.corp.role.addrolesforemps", "dingtalk.oapi.role.addrolesforemps")
    def add_roles_for_emps(self, role_ids: Ids = None, user_ids: Ids = None, *, rolelid_list: Ids = None,
                           roleid_list: Ids = None, userid_list: Ids = None) -> Dict[str, Any]:
        """Give roles (at most 20) to employees (at most 20); whole answer. Lists, tuples or
        comma-separated text; ``rolelid_list``/``roleid_list``/``userid_list`` are the TOP-era
        parameter names. The "默认" group's roles cannot be given.

        Doc: https://open.dingtalk.com/document/development/add-role-information-to-employees-in-batches

        >>> app.add_roles_for_emps([1507113584], ["user1", "user2"])  # doctest: +SKIP
        """
        roles, users = _emps_lists(_pick("role_ids", role_ids, rolelid_list, roleid_list),
                                   _pick("user_ids", user_ids, userid_list), 20)
        return self._topapi("role/addrolesforemps", {"roleIds": roles, "userIds": users}, write=True,
                            name="dingtalk.oapi.role.addrolesforemps")

    @dingtalk("dingtalk.corp.role.removerolesforemps", "dingtalk.oapi.role.removerolesforemps")
    def remove_roles_for_emps(self, role_ids: Ids = None, user_ids: Ids = None, *, rolelid_list: Ids = None,
                              roleid_list: Ids = None, userid_list: Ids = None) -> Dict[str, Any]:
        """Take roles (at most 20) away from employees (at most 100); whole answer.

        Doc: https://open.dingtalk.com/document/development/delete-the-color-information-of-employee-corners-in-batches

        >>> app.remove_roles_for_emps([1507113584], ["user1"])  # doctest: +SKIP
        """
        roles, users = _emps_lists(_pick("role_ids", role_ids, roleid_list, rolelid_list),
                                   _pick("user_ids", user_ids, userid_list), 100)
        return self._topapi("role/removerolesforemps", {"roleIds": roles, "userIds": users}, write=True,
                            name="dingtalk.oapi.role.removerolesforemps")

    # -- managing roles and groups ----------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.role.addrole")
    def add_role(self, role_name: str, group_id: Any) -> int:
        """Create a role in a role group; returns its id.

        Doc: https://open.dingtalk.com/document/development/address-book-add-role

        >>> app.add_role("出纳", group_id=1507113595)  # doctest: +SKIP
        """
        body = {"roleName": _limits.required("role_name", role_name),
                "groupId": _limits.required("group_id", group_id)}
        data = self._oapi_post("/role/add_role", body, name="dingtalk.oapi.role.addrole")
        return _int_field(data, "roleId", "dingtalk.oapi.role.addrole")

    @dingtalk("dingtalk.oapi.role.updaterole")
    def update_role(self, role_id: Any, role_name: str) -> Dict[str, Any]:
        """Rename a role (not one of the "默认" group); whole answer.

        Doc: https://open.dingtalk.com/document/development/update-the-character-name

        >>> app.update_role(1507113584, "财务主管")  # doctest: +SKIP
        """
        body = {"roleId": _limits.required("role_id", role_id),
                "roleName": _limits.required("role_name", role_name)}
        return self._oapi_post("/role/update_role", body, name="dingtalk.oapi.role.updaterole")

    @dingtalk("dingtalk.corp.role.deleterole", "dingtalk.oapi.role.deleterole")
    def delete_role(self, role_id: Any) -> Dict[str, Any]:
        """Delete a role nobody holds any more (not one of the "默认" group); whole answer.

        Doc: https://open.dingtalk.com/document/development/delete-role-information

        >>> app.delete_role(1507113584)  # doctest: +SKIP
        """
        return self._topapi("role/deleterole", {"role_id": _limits.required("role_id", role_id)}, write=True,
                            name="dingtalk.oapi.role.deleterole")

    @dingtalk("dingtalk.oapi.role.addrolegroup")
    def add_role_group(self, name: str) -> int:
        """Create a role group; returns its id.

        Doc: https://open.dingtalk.com/document/development/add-a-role-group

        >>> app.add_role_group("生产")  # doctest: +SKIP
        """
        data = self._oapi_post("/role/add_role_group", {"name": _limits.required("name", name)},
                               name="dingtalk.oapi.role.addrolegroup")
        return _int_field(data, "groupId", "dingtalk.oapi.role.addrolegroup")
