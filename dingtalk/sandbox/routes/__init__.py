"""Route modules of the sandbox, one per DingTalk domain.

Each module exposes ``register(router)``, which registers its handlers on the
:class:`~dingtalk.sandbox.routes.base.Router` of one sandbox::

    def register(router: Router) -> None:
        router.get("/user/get")(user_get)
        router.top("dingtalk.corp.role.list")(corp_role_list)

A handler is ``handler(ctx, params) -> payload``; it raises
:class:`~dingtalk.sandbox.routes.base.RouteError` (``ctx.error(...)``, ``ctx.missing(name)``,
``ctx.invalid(name)``) to answer with its family's error envelope. To add a domain, write a
module here and add its name to :data:`DOMAINS`.
"""
from __future__ import annotations

import importlib
from typing import Iterable

from .base import (FAMILIES, OAPI, TOP, TOPAPI, V1, Ctx, Route, RouteError, Router, TopList,
                   bool_param, int_param, json_param, list_param, page, str_param)

#: Route modules registered on every sandbox, in order.
DOMAINS = ("auth", "contacts", "roles", "ext_contacts", "bpms", "messages", "chats", "attendance",
           "files", "callbacks")


def build_router(domains: Iterable[str] = DOMAINS) -> Router:
    """A new :class:`Router` with the routes of ``domains`` (module names in this package)."""
    router = Router()
    for name in domains:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(router)
    return router


__all__ = [
    "build_router", "DOMAINS", "Router", "Route", "Ctx", "RouteError", "TopList",
    "str_param", "int_param", "bool_param", "list_param", "json_param", "page",
    "FAMILIES", "OAPI", "TOPAPI", "TOP", "V1",
]
