"""Output of the command line: one-line errors, JSON, redaction, progress."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date, datetime
from typing import Any, Iterable, Mapping, NoReturn, Optional, TextIO

from urllib.parse import urlsplit

from ..errors import DingTalkError

PROG = "dingtalk"
#: result fields that hold a secret (e.g. ``get_callback``'s token and aes_key): printed as ***
_SECRET_FIELDS = frozenset({"access_token", "accesstoken", "app_secret", "appsecret", "corp_secret",
                            "corpsecret", "aes_key", "aeskey", "encodingaeskey", "token", "ticket",
                            "jsapi_ticket", "suite_ticket", "secret"})


class CLIError(DingTalkError):
    """A usage or environment problem: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``dingtalk: error: ...``), not usage + message."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')", 2)


# -- output ------------------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, Iterable):
        return list(value)
    return str(value)


def redact(value: Any) -> Any:
    """``value`` with every secret-named field (at any depth) masked."""
    if isinstance(value, Mapping):
        return {k: ("***" if isinstance(k, str) and k.lower() in _SECRET_FIELDS and v not in (None, "")
                    else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def to_json(value: Any, indent: Optional[int] = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)


def _error_line(message: str) -> None:
    text = " ".join(str(message).split())  # one line, whatever the message holds
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


class Progress:
    """Counts the API requests of one ``call`` (a ``requests`` response hook) and reports
    ``fetched N ...`` lines on stderr while a paged API is walked."""

    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.mode: Optional[str] = None  # None: silent; "items": an iterator; "pages": requests only
        self.noun = "items"
        self.pages = 0
        self.items = 0
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._dirty = False

    def on_response(self, resp: Any, *args: Any, **kwargs: Any) -> None:
        path = urlsplit(getattr(resp, "url", "") or "").path
        if path.endswith(("/gettoken", "/get_jsapi_ticket")):
            return
        self.pages += 1
        if self.mode == "pages":
            self._say(f"fetched {self.pages} page{'s' if self.pages != 1 else ''}...")
        elif self.mode == "items" and self.pages > 1:
            # the iterator asks for the next page only after yielding the previous one's items
            self._say(f"fetched {self.items} {self.noun}...")

    def done(self, result: Any = None) -> None:
        pages = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        if self.mode == "items":
            self._say(f"fetched {self.items} {self.noun} in {pages}", final=True)
        elif self.mode == "pages":
            count = f"{len(result)} {self.noun} in " if isinstance(result, (list, tuple, dict)) else ""
            self._say(f"fetched {count}{pages}", final=True)

    def _say(self, text: str, final: bool = False) -> None:
        if not self.enabled:
            return
        if self._tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
            self._dirty = not final
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close_line(self) -> None:
        if self._dirty:
            self.stream.write("\n")
            self._dirty = False
