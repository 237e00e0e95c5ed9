"""Approvals (审批, bpms / processinstance)."""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, Optional, Union

from .._time import to_millis
from ..errors import ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin

TimeArg = Union[date, int, float]


class BpmsMixin(ApiMixin):
    """审批: approval process instances."""

    @dingtalk("dingtalk.smartwork.bpms.processinstance.list")
    def get_bpms_instance_list(self, process_code: str, start_time: TimeArg, end_time: Optional[TimeArg] = None,
                               size: int = 10, cursor: int = 0) -> Dict[str, Any]:
        """One page of approval instances of a process, started in ``[start_time, end_time]``.

        Datetimes may be naive (taken as China time) or aware; numbers are epoch milliseconds.
        Returns ``{request_id, success, instance_list, next_cursor}`` (``next_cursor`` 0 at the end).
        Doc: https://open.dingtalk.com/document/orgapp/obtain-an-approval-list-of-instances

        >>> app.get_bpms_instance_list("PROC-XXX", start_time=datetime(2017, 6, 1))  # doctest: +SKIP
        """
        start = to_millis(_limits.required("start_time", start_time))
        end = to_millis(end_time) if end_time is not None else None
        if end is not None and end < start:
            raise ParameterError("end_time must not be before start_time")
        params = {"process_code": _limits.required("process_code", process_code), "start_time": start,
                  "end_time": end, "size": _limits.page_size("size", size, 10),
                  "cursor": _limits.offset("cursor", cursor)}
        data = self._top("dingtalk.smartwork.bpms.processinstance.list", params)
        result = data.get("result") or {}
        page = result.get("result") or {}
        instances = (page.get("list") or {}).get("process_instance_top_vo") or []
        return {"request_id": data.get("request_id"), "success": result.get("success"),
                "instance_list": instances, "next_cursor": page.get("next_cursor") or 0}
