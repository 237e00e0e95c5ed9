"""``DingTalkApp``: the per-domain API mixins on top of :class:`AppBase`.

:class:`AppBase` holds the configuration, the transport and the token manager, and offers the
request helpers the mixins describe their calls with, plus the generic calls for endpoints
nobody wrapped yet (``call_top``, ``oapi_get``, ``oapi_post``, ``topapi_post``, ``api_request``).
"""
from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlencode
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import requests

from . import config
from ._secrets import Secret
from ._time import format_china
from .apis.attendance import AttendanceMixin
from .apis.bpms import BpmsMixin
from .apis.callbacks import CallbacksMixin
from .apis.chats import ChatsMixin
from .apis.contacts import ContactsMixin
from .apis.ext_contacts import ExtContactsMixin
from .apis.files import FilesMixin
from .apis.messages import MessagesMixin
from .apis.roles import RolesMixin
from .auth import TokenManager, jsapi_signature
from .cache import Cache, wrap_cache
from .callback import CallbackMixin
from .errors import InvalidResponseError, InvalidTokenError
from .registry import Registered
from .transport import OAPI, TOP, V1, Request, RetryPolicy, Transport, looks_like_read

logger = logging.getLogger("dingtalk")


class AppBase(Registered):
    """Configuration, transport, tokens and the generic calls. See :class:`DingTalkApp`."""

    def __init__(self, name: Optional[str] = None, cache: Any = None, corp_id: Optional[str] = None,
                 corp_secret: Optional[str] = None, agent_id: Optional[Any] = None, *,
                 app_key: Optional[str] = None, app_secret: Optional[str] = None,
                 aes_key: Optional[str] = None, token: Optional[str] = None,
                 callback_key_id: Optional[str] = None, callback_url: Optional[str] = None,
                 domain: Optional[str] = None,
                 oapi_url: str = config.DEFAULT_OAPI_URL, top_url: str = config.DEFAULT_TOP_URL,
                 api_url: str = config.DEFAULT_API_URL, timeout: float = 10.0,
                 max_attempts: int = 3, backoff: float = 0.2, retry_rate_limit: bool = False,
                 session: Optional[requests.Session] = None,
                 token_margin: float = 300.0, lock_wait: float = 40.0,
                 clock: Optional[Callable[[], float]] = None) -> None:
        self.credentials = config.credentials(corp_id, corp_secret, app_key, app_secret)
        self.name = str(name) if name not in (None, "") else "default"
        self.corp_id = self.credentials.corp_id
        self.app_key = self.credentials.app_key
        self.agent_id = None if agent_id in (None, "") else str(agent_id)
        self._aes_key = config.aes_key(aes_key)
        self._callback_token = Secret(str(token)) if token else None
        self.callback_key_id = callback_key_id or self.credentials.identity
        self.callback_url = callback_url
        self.domain = domain
        self.timeout = config.positive_number("timeout", timeout)
        self.retry = RetryPolicy(max_attempts=config.positive_int("max_attempts", max_attempts),
                                 backoff=config.positive_number("backoff", backoff),
                                 retry_rate_limit=bool(retry_rate_limit))
        if session is not None and not isinstance(session, requests.Session):
            raise config.ConfigError(f"session must be a requests.Session, not {type(session).__name__}")
        self._clock = clock or time.time
        self.cache: Cache = wrap_cache(cache)
        self.transport = Transport(oapi_url=config.base_url("oapi_url", oapi_url),
                                   top_url=config.base_url("top_url", top_url),
                                   api_url=config.base_url("api_url", api_url),
                                   timeout=self.timeout, retry=self.retry, session=session,
                                   clock=self._clock)
        self.tokens = TokenManager(self.cache, f"dingtalk:{self.name}:{self.credentials.identity}",
                                   fetch_token=self._fetch_access_token,
                                   fetch_ticket=self._fetch_jsapi_ticket,
                                   clock=self._clock, margin=config.positive_number("token_margin", token_margin),
                                   lock_wait=config.positive_number("lock_wait", lock_wait))

    def __repr__(self) -> str:
        ident = f"app_key={self.app_key!r}" if self.app_key else f"corp_id={self.corp_id!r}"
        return f"{type(self).__name__}(name={self.name!r}, {ident}, agent_id={self.agent_id!r})"

    def close(self) -> None:
        """Close the HTTP session (when the app created it)."""
        self.transport.close()

    def __enter__(self) -> "AppBase":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- tokens ------------------------------------------------------------------------------
    @property
    def access_token(self) -> str:
        """A valid access_token (from the process memo, the shared cache, or DingTalk)."""
        return self.tokens.access_token()

    def get_access_token(self) -> str:
        """Same as :attr:`access_token`. Doc: https://open.dingtalk.com/document/orgapp/obtain-orgapp-token"""
        return self.tokens.access_token()

    def refresh_access_token(self, time_out: Optional[int] = None) -> str:
        """Fetch a new access_token now (unless another process just did). ``time_out`` is
        accepted for compatibility with the original SDK; the lifetime comes from DingTalk."""
        return self.tokens.refresh_access_token()

    @property
    def jsapi_ticket(self) -> str:
        return self.tokens.jsapi_ticket()

    def get_jsapi_ticket(self) -> str:
        """The jsapi ticket for ``dd.config``, shared through the cache.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-jsapi_ticket
        """
        return self.tokens.jsapi_ticket()

    def refresh_jsapi_ticket(self, time_out: Optional[int] = None) -> str:
        """Fetch a new ticket (DingTalk then invalidates the old one everywhere)."""
        return self.tokens.refresh_jsapi_ticket()

    @staticmethod
    def jsapi_signature(jsapi_ticket: str, noncestr: str, timestamp: Any, url: str) -> str:
        """sha1 hex of ``jsapi_ticket=..&noncestr=..&timestamp=..&url=..`` (values as given)."""
        return jsapi_signature(jsapi_ticket, noncestr, timestamp, url)

    def get_jsapi_config(self, url: str, *, nonce_str: Optional[str] = None,
                         timestamp: Optional[int] = None) -> Dict[str, Any]:
        """Everything ``dd.config`` needs for the page at ``url`` (its ``#fragment`` removed).

        >>> cfg = app.get_jsapi_config("https://example.com/page?x=1#top")  # doctest: +SKIP
        >>> sorted(cfg)                                                      # doctest: +SKIP
        ['agentId', 'corpId', 'nonceStr', 'signature', 'timeStamp']
        """
        if not (self.agent_id and self.corp_id):
            raise config.ConfigError("get_jsapi_config needs agent_id and corp_id: pass them to "
                                     "DingTalkApp(agent_id=..., corp_id=...)")
        page = url.split("#", 1)[0]
        nonce = nonce_str or secrets.token_urlsafe(12)
        stamp = int(timestamp if timestamp is not None else self._clock())
        ticket = self.get_jsapi_ticket()
        return {"agentId": self.agent_id, "corpId": self.corp_id, "timeStamp": stamp,
                "nonceStr": nonce, "signature": jsapi_signature(ticket, nonce, stamp, page)}

    sign = jsapi_signature  # the original SDK's early names
    signature = jsapi_signature

    def get_request_url(self, method: str, format_: str = "json", v: str = "2.0", simplify: str = "false",
                        partner_id: Optional[str] = None) -> str:
        """A TOP gateway URL for ``method`` with the system parameters (the original SDK's helper).

        The URL carries the access_token (``session``): treat it as a secret. Parameters are
        URL-encoded and the timestamp is China time, whatever the host's zone.
        """
        params = {"method": method, "session": self.access_token, "timestamp": format_china(self._clock()),
                  "format": format_, "v": v, "simplify": simplify}
        if partner_id:
            params["partner_id"] = partner_id
        return f"{self.transport.top_url}?{urlencode(params)}"

    @property
    def timestamp(self) -> int:
        """Epoch seconds now (the original SDK's helper)."""
        return int(self._clock())

    def _fetch_access_token(self) -> Tuple[str, int]:
        req = Request(OAPI, "GET", "/gettoken", params=self.credentials.gettoken_params(),
                      name="dingtalk.oapi.gettoken", authenticated=False)
        data = self.transport.send(req)
        return _field(data, "access_token", req), int(data.get("expires_in") or 7200)

    def _fetch_jsapi_ticket(self) -> Tuple[str, int]:
        req = Request(OAPI, "GET", "/get_jsapi_ticket", name="dingtalk.oapi.get_jsapi_ticket")
        data = self._send(req)
        return _field(data, "ticket", req), int(data.get("expires_in") or 7200)

    # -- sending -----------------------------------------------------------------------------
    def _send(self, req: Request) -> Dict[str, Any]:
        """Send with the current token; on an invalid-token answer refresh once and resend."""
        token = self.tokens.access_token()
        try:
            return self.transport.send(req, token)
        except InvalidTokenError as exc:
            logger.info("%s: access_token refused (%s); refreshing once", req.label, exc.errcode)
        token = self.tokens.invalidate_access_token(token)
        return self.transport.send(req, token)

    def _dispatch(self, req: Request, authenticated: bool) -> Dict[str, Any]:
        return self._send(req) if authenticated else self.transport.send(req)

    def _oapi_get(self, path: str, params: Optional[Mapping[str, Any]] = None, *,
                  name: Optional[str] = None, authenticated: bool = True, write: bool = False) -> Dict[str, Any]:
        """GET an oapi path; ``authenticated=False`` sends no app access_token (e.g. sns calls);
        ``write=True`` for the legacy GETs that change state (never retried when ambiguous)."""
        return self._dispatch(Request(OAPI, "GET", path, params=_clean(params), name=name, write=write),
                              authenticated)

    def _oapi_post(self, path: str, body: Any = None, *, name: Optional[str] = None,
                   write: bool = True, params: Optional[Mapping[str, Any]] = None,
                   authenticated: bool = True) -> Dict[str, Any]:
        """POST JSON to an oapi path; ``authenticated=False`` for robot webhooks and the like."""
        return self._dispatch(Request(OAPI, "POST", path, params=_clean(params),
                                      body={} if body is None else body, name=name, write=write),
                              authenticated)

    def _oapi_upload(self, path: str, files: Mapping[str, Any], *, params: Optional[Mapping[str, Any]] = None,
                     data: Optional[Mapping[str, Any]] = None, name: Optional[str] = None,
                     write: bool = True) -> Dict[str, Any]:
        """POST multipart/form-data (``files`` as for requests: name → (filename, bytes|file, type))."""
        return self._send(Request(OAPI, "POST", path, params=_clean(params), body=data, files=files,
                                  name=name, write=write))

    def _topapi(self, path: str, body: Any = None, *, name: Optional[str] = None,
                write: bool = False) -> Dict[str, Any]:
        if not path.startswith("/topapi/"):
            path = "/topapi/" + path.lstrip("/")
        return self._send(Request(OAPI, "POST", path, body=_clean(body) if isinstance(body, dict) else body or {},
                                  name=name, write=write))

    def _top(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
             write: bool = False) -> Dict[str, Any]:
        return self._send(Request(TOP, "POST", method, body=_clean(params), name=method, write=write))

    def _v1(self, verb: str, path: str, *, params: Optional[Mapping[str, Any]] = None,
            body: Any = None, name: Optional[str] = None, write: bool = False) -> Dict[str, Any]:
        return self._send(Request(V1, verb.upper(), path, params=_clean(params), body=body,
                                  name=name, write=write))

    # -- generic calls for endpoints nobody wrapped ------------------------------------------
    def call_top(self, method: str, **params: Any) -> Dict[str, Any]:
        """Call any TOP gateway method; returns the content of ``<method>_response``.

        ``request_id`` stays in the result. Values are sent as TOP wants them (lists and dicts
        as JSON text, datetimes as China time)::

            app.call_top("dingtalk.corp.ext.listlabelgroups", size=20, offset=0)
        """
        return self._top(method, params, write=not looks_like_read(method))

    def oapi_get(self, path: str, **params: Any) -> Dict[str, Any]:
        """GET an oapi path, e.g. ``app.oapi_get("/user/get", userid="manager01")``."""
        return self._oapi_get(path, params, name=path)

    def oapi_post(self, path: str, body: Any = None, *, idempotent: bool = False,
                  **params: Any) -> Dict[str, Any]:
        """POST JSON to an oapi path; retried on ambiguous failures only if ``idempotent``."""
        return self._oapi_post(path, body, name=path, write=not idempotent, params=params)

    def topapi_post(self, path: str, body: Any = None, *, idempotent: Optional[bool] = None) -> Dict[str, Any]:
        """POST JSON to ``/topapi/<path>``, e.g. ``app.topapi_post("role/list", {"size": 20})``.

        Whether a failed call may be retried is guessed from the path (``get``/``list``/... are
        reads) unless ``idempotent`` says so.
        """
        read = looks_like_read(path) if idempotent is None else idempotent
        return self._topapi(path, body, name=path, write=not read)

    def api_request(self, verb: str, path: str, *, params: Optional[Mapping[str, Any]] = None,
                    body: Any = None, idempotent: Optional[bool] = None) -> Dict[str, Any]:
        """Call the v1.0 API (``api.dingtalk.com``), e.g. ``app.api_request("GET", "/v1.0/contact/users/me")``."""
        read = verb.upper() in ("GET", "HEAD") if idempotent is None else idempotent
        return self._v1(verb, path, params=params, body=body, name=path, write=not read)


def _clean(values: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    if values is None:
        return None
    return {k: v for k, v in values.items() if v is not None}


def _field(data: Mapping[str, Any], key: str, req: Request) -> str:
    value = data.get(key)
    if not value:
        raise InvalidResponseError(f"{req.label}: the answer has no {key!r}", method=req.label)
    return str(value)


class DingTalkApp(ContactsMixin, RolesMixin, ExtContactsMixin, BpmsMixin, MessagesMixin, ChatsMixin,
                  AttendanceMixin, FilesMixin, CallbacksMixin, CallbackMixin, AppBase):
    """One DingTalk enterprise internal app (企业内部应用).

    >>> import redis                                                   # doctest: +SKIP
    >>> app = DingTalkApp(name="test", cache=redis.Redis(),             # doctest: +SKIP
    ...                   agent_id="152919534", app_key="ding...", app_secret="...")
    >>> app.get_label_groups()                                          # doctest: +SKIP

    Instances that share ``name``, cache and credentials share one access_token and one jsapi
    ticket, whatever their ``agent_id``.
    """
