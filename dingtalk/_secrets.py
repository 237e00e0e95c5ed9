"""Keeping secrets out of logs, exception messages and reprs.

:class:`Secret` holds a credential; its ``str``/``repr`` are masked and only ``reveal()``
gives the value. :func:`redact_url` masks credential query parameters in a URL or log line.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Optional

#: Query parameters that carry credentials somewhere in DingTalk's protocol.
SECRET_PARAMS = ("access_token", "corpsecret", "appsecret", "session", "ticket", "jsapi_ticket",
                 "signature", "msg_signature", "sign")

_PARAM_RE = re.compile(r"(?i)\b(" + "|".join(SECRET_PARAMS) + r")=([^&\s\"']+)")


class Secret:
    """A credential whose text never shows in ``str``, ``repr`` or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


def reveal(value: Optional[Secret]) -> Optional[str]:
    return None if value is None else value.reveal()


def redact_url(text: str) -> str:
    """``/gettoken?corpid=x&corpsecret=y`` → ``/gettoken?corpid=x&corpsecret=***``."""
    return _PARAM_RE.sub(lambda m: f"{m.group(1)}=***", text)


class RedactingFilter(logging.Filter):
    """Masks credential query parameters in records of loggers we do not own (urllib3)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact_url(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        return True


def protect_third_party_loggers() -> None:
    """urllib3 logs each request line, query string included, at DEBUG: mask credentials."""
    log = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, RedactingFilter) for f in log.filters):
        log.addFilter(RedactingFilter())
