"""Wire envelopes of the four route families, and the :class:`Reply` they produce.

Shapes follow docs/protocol.md §3–§4:

* oapi    ``{"errcode": 0, "errmsg": "ok", ...}``; errors with HTTP 200;
* topapi  the same plus ``"request_id"``;
* TOP     ``{"<method>_response": {..., "request_id"}}``; errors
  ``{"error_response": {"code", "msg", "sub_code", "sub_msg", "request_id"}}``;
* v1.0    the payload itself; errors: non-2xx, ``{"code", "message", "requestid"}`` and the
  header ``x-acs-request-id``.
"""
from __future__ import annotations

import html
import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .base import OAPI, TOP, TOPAPI, V1, RouteError, TopList

JSON_TYPE = "application/json;charset=utf-8"
HTML_TYPE = "text/html;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"

#: errmsg used when a fault or handler gives an oapi errcode without a message.
OAPI_MESSAGES: Dict[int, str] = {
    -1: "系统繁忙",
    88: "鉴权异常",
    404: "请求的URI地址不存在",
    33001: "无效的企业ID",
    40001: "Secret错误，或者access_token无效",
    40008: "不合法的消息类型",
    40014: "不合法的access_token",
    40035: "不合法的参数",
    40089: "不合法的corpid或corpsecret",
    42001: "access_token超时",
    43001: "需要GET请求",
    43002: "需要POST请求",
    43009: "post参数需要json类型",
    45009: "接口调用超过限制",
    60011: "没有调用该接口的权限",
    60020: "访问ip不在白名单之中",
    60121: "找不到该用户",
    90002: "接口调用超过全局流控限制",
    90005: "企业调用该接口超过每分钟频率限制",
    90006: "应用调用该接口超过每分钟频率限制",
    90018: "应用调用该接口超过每秒频率限制",
    90019: "应用调用该接口超过每秒频率限制",
    90020: "企业调用接口总量超过限制",
}

#: Top-level ``code`` values of the TOP gateway itself (anything else is sent as code 15
#: "Remote service error" with the value as ``sub_code``).
TOP_MESSAGES: Dict[int, str] = {
    7: "App Call Limited",
    15: "Remote service error",
    21: "Missing method",
    22: "Invalid method",
    23: "Invalid format",
    26: "Missing session",
    27: "Invalid session",
    30: "Missing timestamp",
    31: "Invalid timestamp",
    32: "Missing version",
    33: "Invalid version",
    34: "Unsupported version",
    40: "Missing required arguments",
    41: "Invalid arguments",
    42: "Forbidden request",
    43: "Parameter error",
}

_RATE_LIMIT_CODES = {45009, 90002, 90005, 90006, 90018, 90019, 90020}


class Reply:
    """An HTTP answer: status, body bytes, content type and extra headers."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, status: int, body: bytes, content_type: str = JSON_TYPE,
                 headers: Optional[List[Tuple[str, str]]] = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or []


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, Chinese kept as is (as DingTalk sends it)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_reply(obj: Any, status: int = 200, headers: Optional[List[Tuple[str, str]]] = None) -> Reply:
    return Reply(status, dumps(obj), JSON_TYPE, headers)


# -- oapi / topapi --------------------------------------------------------------------
def oapi_success(family: str, payload: Optional[Mapping[str, Any]], request_id: str) -> Reply:
    body: Dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
    if payload:
        body.update(payload)
    if family == TOPAPI:
        body.setdefault("request_id", request_id)
    return json_reply(body)


def oapi_error_body(family: str, errcode: Any, errmsg: Optional[str], request_id: str, *,
                    sub_code: Any = None, sub_msg: Optional[str] = None,
                    extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    if errmsg is None:
        errmsg = OAPI_MESSAGES.get(errcode, "ding talk error") if isinstance(errcode, int) else "ding talk error"
    if errcode == 88 and sub_code is not None:
        errmsg = f"ding talk error[subcode={sub_code},submsg={sub_msg or errmsg}]"
    body: Dict[str, Any] = {"errcode": errcode, "errmsg": errmsg}
    if sub_code is not None:
        body["sub_code"] = str(sub_code)
        body["sub_msg"] = sub_msg if sub_msg is not None else errmsg
    if extra:
        body.update(extra)
    if family == TOPAPI:
        body["request_id"] = request_id
    return body


def oapi_error(family: str, errcode: Any, errmsg: Optional[str], request_id: str, *,
               status: int = 200, **kwargs: Any) -> Reply:
    return json_reply(oapi_error_body(family, errcode, errmsg, request_id, **kwargs), status)


# -- TOP gateway ----------------------------------------------------------------------
def response_key(method: str) -> str:
    """``dingtalk.corp.ext.list`` → ``dingtalk_corp_ext_list_response``."""
    return method.replace(".", "_") + "_response"


def render_top(value: Any, simplify: bool) -> Any:
    """Expand :class:`TopList` markers: ``{"<item>": [...]}``, or plain arrays if simplified."""
    if isinstance(value, TopList):
        items = [render_top(v, simplify) for v in value]
        return items if simplify else {value.item: items}
    if isinstance(value, dict):
        return {k: render_top(v, simplify) for k, v in value.items()}
    if isinstance(value, list):
        return [render_top(v, simplify) for v in value]
    return value


def top_success(method: str, payload: Optional[Mapping[str, Any]], request_id: str,
                simplify: bool = False) -> Reply:
    inner = render_top(dict(payload or {}), simplify)
    inner["request_id"] = request_id
    return json_reply(inner if simplify else {response_key(method): inner})


def top_error_body(code: Any, msg: Optional[str], request_id: str, *, sub_code: Any = None,
                   sub_msg: Optional[str] = None) -> Dict[str, Any]:
    """The ``error_response`` object; a non-gateway code becomes code 15 + ``sub_code``."""
    if isinstance(code, int) and not isinstance(code, bool) and code in TOP_MESSAGES:
        error: Dict[str, Any] = {"code": code, "msg": msg or TOP_MESSAGES[code]}
        if sub_code is not None:
            error["sub_code"] = str(sub_code)
        if sub_msg is not None or sub_code is not None:
            error["sub_msg"] = sub_msg if sub_msg is not None else (msg or TOP_MESSAGES[code])
    else:
        error = {"code": 15, "msg": "Remote service error",
                 "sub_code": str(sub_code if sub_code is not None else code),
                 "sub_msg": sub_msg or msg or (OAPI_MESSAGES.get(code, "服务调用失败")
                                               if isinstance(code, int) else "服务调用失败")}
    error["request_id"] = request_id
    return {"error_response": error}


def top_error(code: Any, msg: Optional[str], request_id: str, *, status: int = 200,
              **kwargs: Any) -> Reply:
    return json_reply(top_error_body(code, msg, request_id, **kwargs), status)


def top_xml_error(code: int, msg: str, sub_msg: str, request_id: str) -> Reply:
    """An XML ``error_response`` (the gateway's answer when ``format`` is not json)."""
    text = ('<?xml version="1.0" encoding="utf-8" ?><error_response>'
            f"<code>{code}</code><msg>{html.escape(msg)}</msg>"
            f"<sub_msg>{html.escape(sub_msg)}</sub_msg>"
            f"<request_id>{request_id}</request_id></error_response>")
    return Reply(200, text.encode("utf-8"), XML_TYPE)


# -- v1.0 -------------------------------------------------------------------------------
def v1_headers(request_id: str) -> List[Tuple[str, str]]:
    return [("x-acs-request-id", request_id)]


def v1_success(payload: Any, request_id: str, status: int = 200) -> Reply:
    return json_reply(payload if payload is not None else {}, status, v1_headers(request_id))


def v1_status_for(code: Any) -> int:
    """Default HTTP status of a v1.0 error code."""
    text = str(code)
    if text == "InvalidAuthentication":
        return 401
    if "QpsLimit" in text or "QpmLimit" in text or "ApiCountLimit" in text or \
            (isinstance(code, int) and code in _RATE_LIMIT_CODES):
        return 429
    return 400


def v1_error(code: Any, message: Optional[str], request_id: str, status: Optional[int] = None,
             extra: Optional[Mapping[str, Any]] = None) -> Reply:
    body: Dict[str, Any] = {"code": str(code), "message": message or str(code),
                            "requestid": request_id}
    if extra:
        body.update(extra)
    return json_reply(body, status or v1_status_for(code), v1_headers(request_id))


# -- dispatch on family -------------------------------------------------------------------
def route_error(family: str, err: RouteError, request_id: str) -> Reply:
    """Render a :class:`RouteError` raised by a handler of ``family``."""
    if family == TOP:
        return top_error(err.code, err.message, request_id, sub_code=err.sub_code,
                         sub_msg=err.sub_msg, status=err.status or 200)
    if family == V1:
        return v1_error(err.code, err.message, request_id, err.status, err.extra)
    return oapi_error(family, err.code, err.message, request_id, status=err.status or 200,
                      sub_code=err.sub_code, sub_msg=err.sub_msg, extra=err.extra)


def busy_body(family: str, request_id: str) -> Dict[str, Any]:
    """A short "system busy" body for an HTTP 5xx fault."""
    if family == V1:
        return {"code": "ServiceUnavailable", "message": "系统繁忙", "requestid": request_id}
    body: Dict[str, Any] = {"errcode": -1, "errmsg": "系统繁忙"}
    if family in (TOPAPI, TOP):
        body["request_id"] = request_id
    return body


# -- HTML pages -------------------------------------------------------------------------
def ban_page(request_id: str) -> bytes:
    """The HTML "access denied" page an IP ban answers with (HTTP 200)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<title>访问被拒绝</title></head>\n<body>"
        "<h1>访问被拒绝 / Access denied</h1>"
        "<p>您的请求过于频繁，当前 IP 已被暂时限制访问，请 5 分钟后再试。</p>"
        "<p>Too many requests from your IP address; access is blocked for a while.</p>"
        f"<p><small>request id: {request_id}</small></p>"
        "</body></html>\n").encode("utf-8")


def error_page(status: int, reason: str, request_id: str) -> bytes:
    """A gateway-style HTML error page for an HTTP error status."""
    title = f"{status} {html.escape(reason)}"
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n"
        f"<body><center><h1>{title}</h1></center><hr><center>sandbox-gateway</center>"
        f"<p><small>request id: {request_id}</small></p></body></html>\n").encode("utf-8")


__all__ = [
    "Reply", "dumps", "json_reply", "oapi_success", "oapi_error", "oapi_error_body",
    "top_success", "top_error", "top_error_body", "top_xml_error", "render_top",
    "response_key", "v1_success", "v1_error", "v1_status_for", "route_error", "busy_body",
    "ban_page", "error_page", "OAPI_MESSAGES", "TOP_MESSAGES", "OAPI", "TOPAPI", "TOP", "V1",
]
