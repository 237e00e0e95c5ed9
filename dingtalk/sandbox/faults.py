"""Injected faults: error codes, HTTP errors, HTML pages, delays, connection resets, raw bodies.

A :class:`Fault` applies to the next ``times`` requests whose route key matches (``"*"``
matches every route; ``times=None`` keeps it until cleared). Faults are checked after a
request is counted and before any normal handling (token checks included).
"""
from __future__ import annotations

import threading
from http import HTTPStatus
from typing import Any, Dict, List, Mapping, Optional

from .routes.base import OAPI, TOP, TOPAPI, V1
from .routes.envelopes import (HTML_TYPE, Reply, ban_page, busy_body, error_page, json_reply,
                               oapi_error_body, top_error_body, v1_error, v1_headers,
                               v1_status_for)

#: Marker reply: abort the TCP connection without answering.
RESET = Reply(0, b"")

_FIELDS = ("errcode", "errmsg", "sub_code", "status", "html", "delay", "reset", "body", "times")


class Fault:
    """One injected fault (see :meth:`dingtalk.sandbox.Sandbox.inject`)."""

    __slots__ = ("key", "errcode", "errmsg", "sub_code", "status", "html", "delay", "reset",
                 "body", "remaining")

    def __init__(self, key: str, *, errcode: Any = None, errmsg: Optional[str] = None,
                 sub_code: Any = None, status: Optional[int] = None, html: bool = False,
                 delay: Optional[float] = None, reset: bool = False,
                 body: Optional[Any] = None, times: Optional[int] = 1) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError("fault key must be a route key or '*'")
        if times is not None and (isinstance(times, bool) or int(times) < 1):
            raise ValueError("times must be >= 1 or None")
        if status is not None and not 100 <= int(status) <= 599:
            raise ValueError("status must be an HTTP status code")
        if delay is not None and float(delay) < 0:
            raise ValueError("delay must be >= 0")
        if body is not None and not isinstance(body, (dict, list)):
            raise ValueError("body must be a JSON object or array")
        if errcode is None and status is None and not html and delay is None and not reset \
                and body is None and sub_code is None:
            raise ValueError("a fault needs one of errcode, sub_code, status, html, delay, reset, body")
        self.key = key
        self.errcode = errcode
        self.errmsg = errmsg
        self.sub_code = sub_code
        self.status = int(status) if status is not None else None
        self.html = bool(html)
        self.delay = float(delay) if delay is not None else None
        self.reset = bool(reset)
        self.body = body
        self.remaining = int(times) if times is not None else None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Fault":
        """Build from a JSON object (the control endpoint ``/_sandbox/inject``)."""
        unknown = set(data) - set(_FIELDS) - {"key"}
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        if "key" not in data:
            raise ValueError("missing fault field: key")
        kwargs = {k: data[k] for k in _FIELDS if k in data}
        return cls(data["key"], **kwargs)

    @property
    def kind(self) -> str:
        """What the fault does, for the request log: reset, body, html, status, errcode or delay."""
        for name in ("reset", "body", "html"):
            if getattr(self, name):
                return name
        if self.status is not None:
            return "status"
        if self.errcode is not None or self.sub_code is not None:
            return "errcode"
        return "delay"

    @property
    def answers(self) -> bool:
        """False for a pure delay (the request is then handled normally)."""
        return self.kind != "delay"

    def matches(self, key: str, path: str) -> bool:
        return self.key == "*" or self.key == key or self.key == path

    def as_dict(self) -> Dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__ if name != "remaining"}
        out["times"] = self.remaining
        return out

    def render(self, family: str, request_id: str, method: Optional[str] = None) -> Reply:
        """The reply this fault answers with for a request of ``family``."""
        if self.reset:
            return RESET
        status = self.status or 200
        if self.body is not None:
            return json_reply(self.body, status)
        if self.html:
            if status == 200:
                return Reply(200, ban_page(request_id), HTML_TYPE)
            reason = _reason(status)
            return Reply(status, error_page(status, reason, request_id), HTML_TYPE)
        if self.errcode is None and self.sub_code is None:
            # status only: a short "system busy" body with that status
            headers = v1_headers(request_id) if family == V1 else None
            return json_reply(busy_body(family, request_id), status, headers)
        code = self.errcode if self.errcode is not None else 88
        if family == V1:
            return v1_error(code, self.errmsg, request_id, self.status or v1_status_for(code))
        if family == TOP:
            body = top_error_body(code, self.errmsg, request_id, sub_code=self.sub_code,
                                  sub_msg=self.errmsg if self.sub_code is not None else None)
            return json_reply(body, status)
        fam = TOPAPI if family == TOPAPI else OAPI
        return json_reply(oapi_error_body(fam, code, self.errmsg, request_id,
                                          sub_code=self.sub_code), status)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class FaultSet:
    """The active faults of one sandbox (thread-safe with the sandbox lock)."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._faults: List[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, key: str, path: str) -> Optional[Fault]:
        """The first fault matching this request, consuming one of its ``times``."""
        if not self._faults:
            return None
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(key, path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            del self._faults[index]
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> List[Dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def __len__(self) -> int:
        return len(self._faults)


__all__ = ["Fault", "FaultSet", "RESET"]
