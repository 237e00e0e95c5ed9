"""Request dispatch: count, record, apply faults, check the token, call the handler, wrap.

:class:`Request` is the parsed HTTP request; :class:`Dispatcher` turns it into a
:class:`~dingtalk.sandbox.routes.envelopes.Reply` following the rules of its route family
(see :mod:`dingtalk.sandbox.routes.base`). The HTTP layer (:mod:`dingtalk.sandbox.server`)
only parses and writes bytes.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import time
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import parse_qsl

from ..faults import Fault, FaultSet
from ..state import CST, TOKEN_EXPIRED, TOKEN_OK, SandboxState, Traffic
from .base import OAPI, TOP, TOPAPI, V1, Ctx, Route, RouteError, Router
from .envelopes import (Reply, busy_body, json_reply, oapi_error, oapi_success, route_error,
                        top_error, top_success, top_xml_error, v1_error, v1_headers, v1_success)

logger = logging.getLogger("dingtalk.sandbox")

TOP_PATH = "/router/rest"
#: TOP system parameters (never passed to a handler)
TOP_SYSTEM_PARAMS = frozenset({
    "method", "session", "timestamp", "v", "format", "simplify", "partner_id", "sign_method",
    "sign", "app_key", "target_app_key", "access_token",
})
V1_TOKEN_HEADER = "x-acs-dingtalk-access-token"


class Request:
    """A parsed HTTP request (header names lower-cased)."""

    __slots__ = ("verb", "path", "query", "headers", "body", "_json", "_form", "_parsed")

    def __init__(self, verb: str, path: str, query: Dict[str, str], headers: Dict[str, str],
                 body: bytes) -> None:
        self.verb = verb
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self._json: Any = None
        self._form: Optional[Dict[str, str]] = None
        self._parsed = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").lower()

    def _parse(self) -> None:
        if self._parsed:
            return
        self._parsed = True
        body = self.body
        if not body:
            return
        ctype = self.content_type
        if "application/x-www-form-urlencoded" in ctype:
            try:
                self._form = _first_values(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                self._form = None
            return
        if "json" in ctype or body.lstrip()[:1] in (b"{", b"["):
            try:
                self._json = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                self._json = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None."""
        self._parse()
        return self._json

    @property
    def form(self) -> Optional[Dict[str, str]]:
        """The body parsed as a url-encoded form, or None."""
        self._parse()
        return self._form


def _first_values(pairs: Any) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


def parse_query(text: str) -> Dict[str, str]:
    """Query string → dict (first value of a repeated name wins)."""
    return _first_values(parse_qsl(text, keep_blank_values=True)) if text else {}


def family_of(path: str) -> str:
    if path.startswith(("/v1.0/", "/v2.0/")):
        return V1
    if path.startswith("/topapi/"):
        return TOPAPI
    return OAPI


class Dispatcher:
    """Answers every non-control request of one sandbox."""

    def __init__(self, state: SandboxState, router: Router, faults: FaultSet, traffic: Traffic,
                 *, top_timestamp_skew: Optional[float] = 600.0, log_requests: bool = False) -> None:
        self.state = state
        self.router = router
        self.faults = faults
        self.traffic = traffic
        self.top_timestamp_skew = top_timestamp_skew
        self.log_requests = log_requests

    # -- entry point ---------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        if req.path == TOP_PATH:
            reply = self._handle_top(req)
        else:
            reply = self._handle_http(req)
        return reply

    # -- bookkeeping -------------------------------------------------------------------------
    def _admit(self, req: Request, key: str, family: str) -> Optional[Fault]:
        """Count and record the request, and take the fault that applies to it (if any)."""
        with self.state.lock:
            fault = self.faults.take(key, req.path) if len(self.faults) else None
            self.traffic.record(key, {
                "key": key, "family": family, "method": req.verb, "path": req.path,
                "query": req.query, "headers": req.headers, "body": req.body,
                "json": req.json, "form": req.form,
                "faulted": fault.kind if fault is not None else None,
            })
        if self.log_requests:
            logger.debug("sandbox %s %s%s", req.verb, key,
                         f" (fault: {fault.kind})" if fault is not None else "")
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        return fault

    def _call(self, route: Route, ctx: Ctx, params: Dict[str, Any]) -> Tuple[bool, Any]:
        """Run a handler: ``(True, payload)`` or ``(False, reply)`` on a RouteError/crash."""
        try:
            return True, route.handler(ctx, params)
        except RouteError as err:
            return False, route_error(ctx.family, err, ctx.request_id)
        except Exception:  # a sandbox bug: answer 500 and keep serving
            logger.exception("sandbox handler for %s failed", route.key)
            headers = v1_headers(ctx.request_id) if ctx.family == V1 else None
            return False, json_reply(busy_body(ctx.family, ctx.request_id), 500, headers)

    # -- oapi / topapi / v1.0 ------------------------------------------------------------------
    def _handle_http(self, req: Request) -> Reply:
        family = family_of(req.path)
        route, path_params, others = self.router.match(req.verb, req.path)
        key = route.key if route is not None else (others[0].key if others else req.path)
        rid = self.state.v1_request_id() if family == V1 else self.state.request_id()
        fault = self._admit(req, key, family)
        if fault is not None and fault.answers:
            return fault.render(family, rid)
        if route is None:
            return self._not_found(family, req, others, rid)
        ctx = Ctx(self.state, route, verb=req.verb, path=req.path, query=req.query,
                  headers=req.headers, body=req.body, request_id=rid, path_params=path_params)
        if family == V1:
            return self._v1(route, ctx, req, path_params)
        return self._oapi(route, ctx, req)

    def _not_found(self, family: str, req: Request, others: Tuple[Route, ...], rid: str) -> Reply:
        if family == V1:
            return v1_error("InvalidAction.NotFound",
                            "Specified api is not found, please check your url and method.", rid, 404)
        if others:  # the path exists with another verb
            code = 43002 if any(r.verb == "POST" for r in others) else 43001
            return oapi_error(family, code, None, rid)
        return oapi_error(family, 404, "请求的URI地址不存在", rid, status=404)

    def _oapi(self, route: Route, ctx: Ctx, req: Request) -> Reply:
        family = route.family
        if route.auth:
            status, app = self.state.check_token(req.query.get("access_token"))
            if status != TOKEN_OK:
                if status == TOKEN_EXPIRED:
                    return oapi_error(family, 42001, "access_token超时", ctx.request_id)
                return oapi_error(family, 40014, "不合法的access_token", ctx.request_id)
            ctx.token, ctx.app = req.query.get("access_token"), app
        params: Dict[str, Any] = dict(req.query)
        params.pop("access_token", None)
        multipart = getattr(route.handler, "multipart", False) and "multipart/form-data" in req.content_type
        if req.verb == "POST" and req.body.strip() and not multipart:  # multipart: the handler reads ctx.body
            body = req.json
            if not isinstance(body, dict):
                return oapi_error(family, 43009, "post参数需要json类型", ctx.request_id)
            params.update(body)
        ok, result = self._call(route, ctx, params)
        if not ok:
            return result
        return oapi_success(family, result, ctx.request_id)

    def _v1(self, route: Route, ctx: Ctx, req: Request, path_params: Mapping[str, str]) -> Reply:
        rid = ctx.request_id
        if route.auth:
            token = req.headers.get(V1_TOKEN_HEADER)
            status, app = self.state.check_token(token)
            if status != TOKEN_OK:
                return v1_error("InvalidAuthentication", "不合法的access_token", rid, 401)
            ctx.token, ctx.app = token, app
        params: Dict[str, Any] = dict(req.query)
        if req.body.strip():
            body = req.json
            if not isinstance(body, dict):
                return v1_error("InvalidParameter.Body", "The request body is not valid JSON.", rid, 400)
            params.update(body)
        params.update(path_params)
        ok, result = self._call(route, ctx, params)
        if not ok:
            return result
        return v1_success(result, rid)

    # -- TOP gateway -------------------------------------------------------------------------------
    def _handle_top(self, req: Request) -> Reply:
        params: Dict[str, Any] = dict(req.query)
        if req.form:
            params.update(req.form)
        method = str(params.get("method") or "")
        key = method or TOP_PATH
        rid = self.state.request_id()
        fault = self._admit(req, key, TOP)
        if fault is not None and fault.answers:
            return fault.render(TOP, rid, method)
        if not method:
            return top_error(21, "Missing method", rid)
        route = self.router.top_method(method)
        if route is None:
            return top_error(22, "Invalid method", rid, sub_code="isv.invalid-method",
                             sub_msg=f"不合法的方法名 {method}")
        fmt = str(params.get("format") or "xml").lower()
        if fmt != "json":
            return top_xml_error(23, "Invalid format", "the sandbox answers format=json only", rid)
        error = self._check_top_system(params, rid)
        if error is not None:
            return error
        ctx = Ctx(self.state, route, verb=req.verb, path=req.path, query=req.query,
                  headers=req.headers, body=req.body, request_id=rid, key=method)
        if route.auth:
            session = params.get("session")
            if not session:
                return top_error(26, "Missing session", rid)
            status, app = self.state.check_token(session)
            if status != TOKEN_OK:
                detail = "SessionKey已过期" if status == TOKEN_EXPIRED else "SessionKey非法"
                return top_error(27, "Invalid session", rid, sub_code="invalid-sessionkey",
                                 sub_msg=detail)
            ctx.token, ctx.app = session, app
        app_params = {k: v for k, v in params.items() if k not in TOP_SYSTEM_PARAMS}
        ok, result = self._call(route, ctx, app_params)
        if not ok:
            return result
        simplify = str(params.get("simplify") or "false").lower() == "true"
        return top_success(method, result, rid, simplify)

    def _check_top_system(self, params: Mapping[str, Any], rid: str) -> Optional[Reply]:
        version = params.get("v")
        if not version:
            return top_error(32, "Missing version", rid)
        if version != "2.0":
            return top_error(34, "Unsupported version", rid, sub_msg=f"不支持的版本号 {version}")
        stamp = params.get("timestamp")
        if not stamp:
            return top_error(30, "Missing timestamp", rid)
        when = parse_top_timestamp(str(stamp))
        if when is None:
            return top_error(31, "Invalid timestamp", rid,
                             sub_msg="时间戳格式应为 yyyy-MM-dd HH:mm:ss (GMT+8)")
        if self.top_timestamp_skew is not None and abs(when - time.time()) > self.top_timestamp_skew:
            return top_error(31, "Invalid timestamp", rid,
                             sub_msg="时间戳与服务器时间相差超过允许范围 (GMT+8)")
        return None


def parse_top_timestamp(text: str) -> Optional[float]:
    """``yyyy-MM-dd HH:mm:ss`` in GMT+8 (or epoch milliseconds) → epoch seconds, else None."""
    text = text.strip()
    if text.isdigit() and len(text) >= 12:
        return int(text) / 1000.0
    try:
        moment = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    if len(text) != 19:
        return None
    return moment.replace(tzinfo=CST).timestamp()


__all__ = ["Dispatcher", "Request", "parse_query", "family_of", "parse_top_timestamp",
           "TOP_PATH", "TOP_SYSTEM_PARAMS", "V1_TOKEN_HEADER"]
