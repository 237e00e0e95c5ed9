"""A local, stateful fake DingTalk server for tests, benchmarks and demos.

::

    from dingtalk.sandbox import Sandbox

    with Sandbox() as sb:                 # 127.0.0.1, a free port, daemon threads
        sb.url                            # oapi and v1.0 base: "http://127.0.0.1:<port>"
        sb.top_url                        # TOP gateway: sb.url + "/router/rest"
        sb.credentials                    # corp_id, corp_secret, app_key, app_secret, agent_id
        sb.inject("/user/get", errcode=-1, times=2)
        sb.calls["/gettoken"], sb.connections

The sandbox is an independent implementation of DingTalk's side: it imports nothing of
the client (transport, auth, registry, API mixins). Routes live in
:mod:`dingtalk.sandbox.routes`, one module per domain, registered per instance.
"""
from __future__ import annotations

from .faults import Fault
from .routes.base import Ctx, RouteError, Router, TopList
from .server import Sandbox
from .state import SandboxState

__all__ = ["Sandbox", "Fault", "Router", "Ctx", "RouteError", "TopList", "SandboxState"]
