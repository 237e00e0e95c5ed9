"""External contacts (外部联系人) and their labels."""
from __future__ import annotations

from typing import Any, Dict, List

from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin


class ExtContactsMixin(ApiMixin):
    """外部联系人: label groups and contacts."""

    @dingtalk("dingtalk.corp.ext.listlabelgroups", "dingtalk.oapi.extcontact.listlabelgroups")
    def get_label_groups(self, size: int = 20, offset: int = 0) -> List[Dict[str, Any]]:
        """External-contact label groups: ``[{name, color, labels: [{name, id}]}]``.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-label-list

        >>> app.get_label_groups(size=20, offset=0)  # doctest: +SKIP
        """
        body = {"size": _limits.page_size("size", size, 100), "offset": _limits.offset("offset", offset)}
        return self._topapi("extcontact/listlabelgroups", body,
                            name="dingtalk.oapi.extcontact.listlabelgroups").get("results") or []

    @dingtalk("dingtalk.corp.ext.list", "dingtalk.oapi.extcontact.list")
    def get_ext_list(self, size: int = 20, offset: int = 0) -> List[Dict[str, Any]]:
        """One page of external contacts.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-external-contact-list

        >>> app.get_ext_list(size=100)  # doctest: +SKIP
        """
        body = {"size": _limits.page_size("size", size, 100), "offset": _limits.offset("offset", offset)}
        return self._topapi("extcontact/list", body, name="dingtalk.oapi.extcontact.list").get("results") or []
