"""What every framework adapter shares: run the handler, map failures to HTTP 400."""
from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Tuple, Union

from ..callback import Body, CallbackHandler
from ..errors import CallbackError

logger = logging.getLogger("dingtalk")

Target = Union[CallbackHandler, Any]  # a CallbackHandler or a DingTalkApp (its .callbacks)


def handler_of(target: Target) -> CallbackHandler:
    if isinstance(target, CallbackHandler):
        return target
    handler = getattr(target, "callbacks", None)
    if not isinstance(handler, CallbackHandler):
        raise TypeError("pass a DingTalkApp or a dingtalk.callback.CallbackHandler")
    return handler


def respond(handler: CallbackHandler, query: Mapping[str, Any], body: Body) -> Tuple[int, Dict[str, Any]]:
    """``(status, json_body)`` for one callback request."""
    try:
        return 200, handler.handle(query, body)
    except CallbackError as exc:
        logger.warning("rejected a DingTalk callback: %s: %s", type(exc).__name__, exc)
        return 400, {"errcode": 400, "errmsg": f"invalid callback: {type(exc).__name__}"}
