"""Tokens and tickets: ``/gettoken``, ``/get_jsapi_ticket``, v1.0 ``oauth2``."""
from __future__ import annotations

from typing import Any, Dict

from .base import Ctx, RouteError, Router


def gettoken(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /gettoken?appkey&appsecret`` or the legacy ``?corpid&corpsecret``."""
    if "appkey" in params or "appsecret" in params:
        app = f"app:{params.get('appkey') or ''}"
        secret = params.get("appsecret")
        message = "不合法的appKey或appSecret"
    else:
        app = f"corp:{params.get('corpid') or ''}"
        secret = params.get("corpsecret")
        message = "不合法的corpid或corpsecret"
    if not ctx.state.authenticate(app, secret):
        raise ctx.error(40089, message)
    token, ttl = ctx.state.issue_token(app)
    return {"access_token": token, "expires_in": ttl}


def get_jsapi_ticket(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /get_jsapi_ticket``: a new ticket every call (the previous one stops working)."""
    ticket, ttl = ctx.state.issue_ticket(ctx.app)
    return {"ticket": ticket, "expires_in": ttl}


def v1_access_token(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /v1.0/oauth2/accessToken`` ``{"appKey", "appSecret"}`` (same token store)."""
    app = f"app:{params.get('appKey') or ''}"
    if not ctx.state.authenticate(app, params.get("appSecret")):
        raise RouteError("invalidClientIdOrSecret", "无效的clientId或者clientSecret", status=400)
    token, ttl = ctx.state.issue_token(app)
    return {"accessToken": token, "expireIn": ttl}


def v1_jsapi_ticket(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /v1.0/oauth2/jsapiTickets``."""
    ticket, ttl = ctx.state.issue_ticket(ctx.app)
    return {"jsapiTicket": ticket, "expireIn": ttl}


def register(router: Router) -> None:
    router.get("/gettoken", auth=False)(gettoken)
    router.get("/get_jsapi_ticket")(get_jsapi_ticket)
    router.v1("POST", "/v1.0/oauth2/accessToken", auth=False)(v1_access_token)
    router.v1("POST", "/v1.0/oauth2/jsapiTickets")(v1_jsapi_ticket)
