"""Errors raised by dingtalk-python.

Every failure the SDK reports is a :class:`DingTalkError`. Catch that to catch
everything; catch a subclass to react to one kind of failure::

    DingTalkError (Exception)
     ├── ConfigError (also ValueError)        bad constructor arguments, bad aes_key, ...
     ├── ParameterError (also ValueError)     bad call arguments, found before any request
     ├── UnknownMethodError (also AttributeError)   run() with a name nobody registered
     ├── CacheError                           the shared cache failed
     ├── TokenError                           could not obtain an access_token / jsapi_ticket
     ├── TransportError                       no usable answer from DingTalk
     │    ├── ConnectionFailed                could not connect / connection dropped
     │    ├── RequestTimeout                  no answer within ``timeout`` seconds
     │    └── InvalidResponseError            not JSON (e.g. the per-IP ban page in HTML)
     ├── APIError                             DingTalk answered with an error code
     │    ├── AuthenticationError             bad credentials, bad corp id (40089, 33001, ...)
     │    │    └── InvalidTokenError          access_token invalid or expired (40001/40014/42001)
     │    ├── PermissionDeniedError           the app lacks the permission (60011, 88/60011, ...)
     │    ├── RateLimitError                  90002/90005/90006/90018/90019/90020/45009, QPS codes
     │    │    └── IPBannedError              the per-IP ban (``{"punish": "deny", "wait": 5}``)
     │    ├── SystemBusyError                 -1 / isp.-1 "系统繁忙" (retried automatically)
     │    └── ServerError                     HTTP 5xx
     └── CallbackError                        a callback could not be verified or decrypted
          ├── SignatureError                  signature mismatch or stale timestamp
          └── DecryptError                    bad base64, padding, length, key id or UTF-8

:class:`APIError` carries what DingTalk said: ``errcode``, ``errmsg``, ``sub_code``,
``sub_msg``, ``request_id``, the DingTalk ``method`` name (or path) and the HTTP
``status``. ``ERROR_CLASSES`` is the one table from error code to class.

No message, ``str`` or ``repr`` of these errors contains an access_token, a secret,
an aes_key or a jsapi ticket.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type, Union

Code = Union[int, str, None]

__all__ = [
    "DingTalkError", "ConfigError", "ParameterError", "UnknownMethodError", "CacheError",
    "TokenError", "TransportError", "ConnectionFailed", "RequestTimeout",
    "InvalidResponseError", "APIError", "AuthenticationError", "InvalidTokenError",
    "PermissionDeniedError", "RateLimitError", "IPBannedError", "SystemBusyError",
    "ServerError", "CallbackError", "SignatureError", "DecryptError", "ERROR_CLASSES",
    "error_class_for", "normalize_code",
]


class DingTalkError(Exception):
    """Root of every error raised by this SDK."""


class ConfigError(DingTalkError, ValueError):
    """The app was configured wrongly (missing credentials, bad aes_key, ...)."""


class ParameterError(DingTalkError, ValueError):
    """An argument breaks a documented DingTalk limit; nothing was sent."""


class UnknownMethodError(DingTalkError, AttributeError):
    """``app.run(name)`` was given a DingTalk method name that no method registered."""

    def __init__(self, name: str, suggestions: Any = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no method registered for DingTalk name {name!r}{hint}")


class CacheError(DingTalkError):
    """The cache backend failed (connection refused, timeout, ...)."""


class TokenError(DingTalkError):
    """An access_token or jsapi_ticket could not be obtained (e.g. lock wait timed out)."""


class TransportError(DingTalkError):
    """No usable answer came back from DingTalk.

    ``sent`` is False when the request surely never reached the server.
    """

    def __init__(self, message: str, *, method: Optional[str] = None, sent: bool = True,
                 status: Optional[int] = None) -> None:
        super().__init__(message)
        self.method = method
        self.sent = sent
        self.status = status


class ConnectionFailed(TransportError):
    """The connection could not be made, or broke before an answer arrived."""


class RequestTimeout(TransportError):
    """No answer within the configured timeout."""


class InvalidResponseError(TransportError):
    """The body was not the JSON DingTalk normally sends (an HTML error or ban page, ...)."""


class APIError(DingTalkError):
    """DingTalk answered with an error.

    Attributes: ``errcode`` (int where DingTalk sent a number, else the string code of the
    TOP gateway or the v1.0 API), ``errmsg``, ``sub_code``, ``sub_msg``, ``request_id``,
    ``method`` (DingTalk method name or path), ``status`` (HTTP status) and ``data`` (the
    decoded body).
    """

    def __init__(self, errcode: Code = None, errmsg: str = "", *, sub_code: Code = None,
                 sub_msg: Optional[str] = None, request_id: Optional[str] = None,
                 method: Optional[str] = None, status: Optional[int] = None,
                 data: Optional[Dict[str, Any]] = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg or ""
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.request_id = request_id
        self.method = method
        self.status = status
        self.data = data
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"[{self.errcode}] {self.errmsg}".rstrip()
        if self.sub_code not in (None, "") or self.sub_msg:
            text += f" (sub_code={self.sub_code}: {self.sub_msg or ''})".replace(": )", ")")
        extra = []
        if self.method:
            extra.append(f"method={self.method}")
        if self.status and self.status != 200:
            extra.append(f"http={self.status}")
        if self.request_id:
            extra.append(f"request_id={self.request_id}")
        if extra:
            text += " [" + ", ".join(extra) + "]"
        return text

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(errcode={self.errcode!r}, errmsg={self.errmsg!r}, "
                f"sub_code={self.sub_code!r}, request_id={self.request_id!r}, method={self.method!r})")


class AuthenticationError(APIError):
    """Credentials were refused (bad app key/secret, bad corp id, ...)."""


class InvalidTokenError(AuthenticationError):
    """The access_token is invalid or expired; the SDK refreshes it and retries once."""


class PermissionDeniedError(APIError):
    """The app has no permission for this API or this data."""


class RateLimitError(APIError):
    """A DingTalk rate limit was hit. Retried only when the app sets ``retry_rate_limit``."""


class IPBannedError(RateLimitError):
    """DingTalk banned this IP for a while (``wait`` minutes, usually 5)."""

    @property
    def wait(self) -> Optional[Any]:
        return (self.data or {}).get("wait")


class SystemBusyError(APIError):
    """DingTalk said "系统繁忙" (-1); reads are retried with backoff."""


class ServerError(APIError):
    """DingTalk answered with HTTP 5xx; reads are retried with backoff."""


class CallbackError(DingTalkError):
    """A callback request could not be verified or decrypted."""


class SignatureError(CallbackError):
    """The callback signature does not match, or its timestamp is outside the window."""


class DecryptError(CallbackError):
    """The callback ciphertext is malformed or was made for another key id."""


def normalize_code(code: Code) -> Code:
    """``"-1"`` → ``-1``, ``"isp.-1"`` → ``-1``; other strings are kept as they are."""
    if isinstance(code, bool) or code is None:
        return None if code is None else int(code)
    if isinstance(code, int):
        return code
    text = str(code).strip()
    for prefix in ("isp.", "isv."):
        if text.startswith(prefix) and text[len(prefix):].lstrip("-").isdigit():
            text = text[len(prefix):]
    if text.lstrip("-").isdigit():
        return int(text)
    return text


#: Error code (or sub code) → error class. Numbers are oapi/topapi errcodes (and TOP
#: sub codes), strings are TOP gateway and v1.0 ``code`` values.
ERROR_CLASSES: Dict[Code, Type[APIError]] = {
    -1: SystemBusyError,
    "isp.system-busy": SystemBusyError,
    "ServiceUnavailable": SystemBusyError,
    # access_token invalid / expired
    40001: InvalidTokenError,
    40014: InvalidTokenError,
    42001: InvalidTokenError,
    "InvalidAuthentication": InvalidTokenError,
    "invalid-sessionkey": InvalidTokenError,
    "isv.invalid-sessionkey": InvalidTokenError,
    # credentials
    33001: AuthenticationError,
    40089: AuthenticationError,
    40091: AuthenticationError,
    300001: AuthenticationError,   # custom robot: token does not exist
    "InvalidAppKeyOrSecret": AuthenticationError,
    "invalidClientIdOrSecret": AuthenticationError,
    # permissions
    60011: PermissionDeniedError,
    60020: PermissionDeniedError,
    "Forbidden.AccessDenied.AccessTokenPermissionDenied": PermissionDeniedError,
    "Forbidden.AccessDenied.IpNotInWhiteList": PermissionDeniedError,
    # rate limits
    90002: RateLimitError,
    90005: RateLimitError,
    90006: RateLimitError,
    90018: RateLimitError,
    90019: RateLimitError,
    90020: RateLimitError,
    45009: RateLimitError,
    130101: RateLimitError,   # custom robot: more than 20 messages a minute
    "isv.BUSINESS_LIMIT_CONTROL": RateLimitError,
    "Forbidden.AccessDenied.QpsLimitForApi": RateLimitError,
    "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": RateLimitError,
    "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi": RateLimitError,
    "Forbidden.AccessDenied.ApiCountLimitForOrg": RateLimitError,
}

#: TOP gateway top-level ``code`` values with a meaning of their own.
TOP_CODES: Dict[Code, Type[APIError]] = {
    7: RateLimitError,        # App Call Limited
    26: InvalidTokenError,    # Missing session
    27: InvalidTokenError,    # Invalid session
}


def error_class_for(errcode: Code, sub_code: Code = None, *, status: Optional[int] = None,
                    top: bool = False) -> Type[APIError]:
    """Pick the error class for a DingTalk answer (sub code first, then code, then status)."""
    for code in (normalize_code(sub_code), normalize_code(errcode)):
        if code is None:
            continue
        cls = ERROR_CLASSES.get(code)
        if cls is not None:
            return cls
        if top and code == normalize_code(errcode) and code in TOP_CODES:
            return TOP_CODES[code]
    if status is not None and status >= 500:
        return ServerError
    if status == 429:
        return RateLimitError
    return APIError
