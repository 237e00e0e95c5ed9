"""HTTP to DingTalk: one ``requests.Session``, timeouts, bounded retries, envelope decoding.

Four envelopes reach us (see ``docs/protocol.md``):

* oapi ``{"errcode": 0, "errmsg": "ok", ...}`` and topapi ``{"errcode", "result", "request_id"}``;
* the TOP gateway ``{"<method>_response": {...}}`` or ``{"error_response": {"code", "msg",
  "sub_code", "sub_msg", "request_id"}}``;
* v1.0 (api.dingtalk.com): the payload with 2xx, or ``{"code", "message", "requestid"}`` with
  a non-2xx status.

A result that says ``success: false`` (with ``ding_open_errcode``) is an error too, and so is a
body that is not JSON (the per-IP ban page). Every error is mapped to a class through
:func:`dingtalk.errors.error_class_for`.

Retries (bounded by ``RetryPolicy.max_attempts``, exponential backoff with jitter): a request
that surely never reached the server (connect refused / connect timeout) is always retried;
reads are also retried on a dropped connection, a read timeout, "system busy" (-1) and HTTP 5xx;
writes are not, since DingTalk may have acted on them. Rate limits are retried only when
``RetryPolicy.retry_rate_limit`` is set.
"""
from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional

import requests
from requests.adapters import HTTPAdapter

from ._secrets import protect_third_party_loggers
from ._time import format_china
from .errors import (APIError, ConnectionFailed, DingTalkError, InvalidResponseError, IPBannedError,
                     RateLimitError, RequestTimeout, ServerError, SystemBusyError, TransportError,
                     error_class_for)

logger = logging.getLogger("dingtalk")

OAPI, TOP, V1 = "oapi", "top", "v1"

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
_READ_PREFIXES = ("get", "list", "query", "search", "count", "simplelist", "listids", "find")


def looks_like_read(name: str) -> bool:
    """Guess from a DingTalk method name or path whether a call only reads."""
    last = name.replace("/", ".").rstrip(".").rsplit(".", 1)[-1].lower()
    return last.startswith(_READ_PREFIXES)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    ``max_attempts`` counts the first try (3 = at most 2 retries); the n-th retry waits
    ``min(max_backoff, backoff * 2**(n-1))`` seconds, scaled by a random factor in
    ``[1 - jitter, 1]``.
    """

    max_attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 5.0
    jitter: float = 0.5
    retry_rate_limit: bool = False

    def delay(self, retry_number: int, floor: float = 0.0) -> float:
        base = min(self.max_backoff, self.backoff * (2 ** (retry_number - 1)))
        return max(floor, base * (1.0 - self.jitter * random.random()))


@dataclass(repr=False)
class Request:
    """One call, as a mixin describes it. ``family`` is ``oapi`` (topapi too), ``top`` or ``v1``.

    ``path`` is the URL path (oapi, v1) or the TOP method name; ``name`` is the DingTalk method
    name used in errors and logs; ``write`` says the call changes state on DingTalk's side.
    """

    family: str
    verb: str
    path: str
    params: Optional[Mapping[str, Any]] = None
    body: Any = None
    files: Optional[Mapping[str, Any]] = None
    name: Optional[str] = None
    write: bool = False
    authenticated: bool = True
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.path

    def __repr__(self) -> str:  # parameters may hold credentials (gettoken): never shown
        return f"Request({self.family} {self.verb} {self.path}, name={self.name!r}, write={self.write})"


def _top_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if hasattr(value, "strftime"):
        return format_china(value)
    return str(value)


def check_result(result: Any, status: int, label: str, request_id: Optional[str]) -> None:
    """Raise when a result object says ``success: false`` / ``is_success: false``."""
    if not isinstance(result, dict):
        return
    if result.get("success") is False or result.get("is_success") is False:
        err = result.get("error_response")
        inner: Dict[str, Any] = err if isinstance(err, dict) else result
        code = inner.get("ding_open_errcode", inner.get("error_code", inner.get("errcode")))
        msg = inner.get("error_msg") or inner.get("err_msg") or inner.get("errmsg") or "success=false"
        cls = error_class_for(code, status=status)
        raise cls(code, msg, request_id=request_id, method=label, status=status, data=result)


class Transport:
    """Sends :class:`Request` objects and decodes DingTalk's answers.

    ``session`` is the user's own ``requests.Session`` (proxies, certificates, adapters) or
    None for a private one; a private session is closed by :meth:`close`.
    """

    def __init__(self, *, oapi_url: str, top_url: str, api_url: str, timeout: float,
                 retry: RetryPolicy, session: Optional[requests.Session] = None,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.oapi_url = oapi_url
        self.top_url = top_url
        self.api_url = api_url
        self.timeout = timeout
        self.retry = retry
        self._clock = clock
        self._sleep = sleep
        self._own_session = session is None
        self.session = session if session is not None else self._new_session()
        self._pid = os.getpid()
        protect_third_party_loggers()

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=64)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def _after_fork(self) -> None:
        """A forked child (gunicorn --preload, multiprocessing) must not share the parent's
        pooled sockets: it gets a session of its own (a user's session is left as it is)."""
        self._pid = os.getpid()
        if self._own_session:
            self.session = self._new_session()
            logger.debug("new HTTP session after fork (pid %d)", self._pid)
        else:
            logger.warning("this process was forked after its requests.Session was made; pooled "
                           "connections may be shared with the parent process")

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    # -- sending -------------------------------------------------------------------------
    def send(self, req: Request, access_token: Optional[str] = None) -> Dict[str, Any]:
        """Send with retries; return the decoded payload or raise a DingTalkError."""
        policy = self.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send_once(req, access_token)
            except DingTalkError as exc:
                wait = self._retry_delay(req, exc, attempt, policy)
                if wait is None:
                    raise
                logger.warning("%s failed (%s); retry %d/%d in %.2fs", req.label,
                               type(exc).__name__, attempt, policy.max_attempts - 1, wait)
                self._sleep(wait)

    def _retry_delay(self, req: Request, exc: DingTalkError, attempt: int,
                     policy: RetryPolicy) -> Optional[float]:
        if attempt >= policy.max_attempts:
            return None
        if isinstance(exc, TransportError):
            if not exc.sent or (not req.write and not isinstance(exc, InvalidResponseError)):
                return policy.delay(attempt)
            return None
        if isinstance(exc, (SystemBusyError, ServerError)):
            return None if req.write else policy.delay(attempt)
        if isinstance(exc, RateLimitError) and policy.retry_rate_limit and not isinstance(exc, IPBannedError):
            return policy.delay(attempt, floor=1.0)
        return None

    def _send_once(self, req: Request, access_token: Optional[str]) -> Dict[str, Any]:
        if os.getpid() != self._pid:
            self._after_fork()
        family = req.family
        params: Dict[str, Any] = dict(req.params or ())
        headers: Optional[Dict[str, str]] = None
        data: Any = None
        files = None
        if family == TOP:
            url = self.top_url
            form = {"method": req.path, "v": "2.0", "format": "json", "simplify": "false",
                    "timestamp": format_china(self._clock())}
            if access_token is not None:
                form["session"] = access_token
            for key, value in (req.body or {}).items():
                if value is not None:
                    form[key] = _top_value(value)
            data, headers, verb = form, _FORM_HEADERS, "POST"
        else:
            base = self.api_url if family == V1 else self.oapi_url
            url = base + req.path
            verb = req.verb
            if family == V1:
                headers = dict(req.headers)
                if access_token is not None:
                    headers["x-acs-dingtalk-access-token"] = access_token
            elif access_token is not None:
                params["access_token"] = access_token
            if req.files is not None:
                files = req.files
                data = req.body
            elif req.body is not None:
                data = json.dumps(req.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                headers = {**(headers or {}), **_JSON_HEADERS}
            elif headers is not None and not headers:
                headers = None
        started = time.perf_counter()
        failure: Optional[TransportError] = None
        try:
            resp = self.session.request(verb, url, params=params or None, data=data, files=files,
                                        headers=headers, timeout=self.timeout)
        except requests.exceptions.ConnectTimeout:
            failure = RequestTimeout(f"{req.label}: could not connect within {self.timeout}s",
                                     method=req.label, sent=False)
        except requests.exceptions.Timeout:
            failure = RequestTimeout(f"{req.label}: no answer within {self.timeout}s",
                                     method=req.label, sent=True)
        except requests.exceptions.ConnectionError as exc:
            failure = ConnectionFailed(f"{req.label}: {_describe_connection_error(exc)}",
                                       method=req.label, sent=_was_sent(exc))
        except requests.exceptions.RequestException as exc:
            failure = TransportError(f"{req.label}: {type(exc).__name__}", method=req.label)
        if failure is not None:
            # Raised outside the except block: requests' message holds the full URL, with
            # the access_token, and must not travel along as __context__.
            raise failure
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> HTTP %d in %.1f ms", verb, req.label, resp.status_code,
                         (time.perf_counter() - started) * 1000)
        return decode(family, resp, req)


def _was_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """False when the connection was never established (so the server never saw the request)."""
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    name = type(inner).__name__
    return name not in ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError")


def _describe_connection_error(exc: requests.exceptions.ConnectionError) -> str:
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    args = getattr(inner, "args", None)
    if type(inner).__name__ == "ProtocolError" and args:
        inner = args[-1]
    return f"connection failed ({type(inner).__name__})"


def decode(family: str, resp: requests.Response, req: Request) -> Dict[str, Any]:
    """Turn an HTTP response into the payload, or raise the matching error."""
    status = resp.status_code
    label = req.label
    try:
        data = json.loads(resp.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        ctype = resp.headers.get("Content-Type", "?")
        if status >= 500:
            raise ServerError(None, f"HTTP {status} with a non-JSON body ({ctype})",
                              method=label, status=status)
        hint = (" - DingTalk serves an HTML page like this when it bans an IP for calling too often"
                if "html" in ctype.lower() else "")
        raise InvalidResponseError(
            f"{label}: expected JSON from DingTalk, got HTTP {status} {ctype} "
            f"({len(resp.content)} bytes){hint}", method=label, status=status)
    if "punish" in data and "errcode" not in data:
        raise IPBannedError(data.get("status"), f"IP banned by DingTalk for {data.get('wait')} min "
                            f"(punish={data.get('punish')})", method=label, status=status, data=data)
    if family == V1:
        if status >= 300:
            code = data.get("code")
            request_id = data.get("requestid") or data.get("requestId") or resp.headers.get("x-acs-request-id")
            cls = error_class_for(code, status=status)
            raise cls(code, data.get("message") or f"HTTP {status}", request_id=request_id,
                      method=label, status=status, data=data)
        return data
    if family == TOP:
        err = data.get("error_response")
        if isinstance(err, dict):
            code, sub_code = err.get("code"), err.get("sub_code")
            cls = error_class_for(code, sub_code, status=status, top=True)
            raise cls(code, err.get("msg") or "", sub_code=sub_code, sub_msg=err.get("sub_msg"),
                      request_id=err.get("request_id"), method=label, status=status, data=data)
        if status >= 500:
            raise ServerError(None, f"HTTP {status}", method=label, status=status, data=data)
        key = req.path.replace(".", "_") + "_response"
        content = data.get(key, data)
        if not isinstance(content, dict):
            raise InvalidResponseError(f"{label}: unexpected TOP answer", method=label, status=status)
        check_result(content.get("result"), status, label, content.get("request_id"))
        return content
    errcode = data.get("errcode", 0)
    if errcode not in (0, "0", None):
        sub_code = data.get("sub_code")
        cls = ServerError if status >= 500 else error_class_for(errcode, sub_code, status=status)
        raise cls(errcode, data.get("errmsg") or "", sub_code=sub_code, sub_msg=data.get("sub_msg"),
                  request_id=data.get("request_id"), method=label, status=status, data=data)
    if status >= 500:
        raise ServerError(None, f"HTTP {status}", method=label, status=status, data=data)
    check_result(data.get("result"), status, label, data.get("request_id"))
    return data


__all__ = ["Transport", "Request", "RetryPolicy", "decode", "looks_like_read", "OAPI", "TOP", "V1",
           "APIError"]
