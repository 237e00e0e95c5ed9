"""Shared fixtures: a real sandbox server on 127.0.0.1, real redis-server and memcached."""
from __future__ import annotations

import uuid

import pytest

from tests.fixtures_servers import *  # noqa: F401,F403  (redis_server, memcached_server, ...)


@pytest.fixture(scope="session")
def sandbox_server():
    from dingtalk.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server):
    """The session's sandbox with clean counters and no faults."""
    sandbox_server.clear_faults()
    sandbox_server.reset_counters()
    yield sandbox_server
    sandbox_server.clear_faults()


@pytest.fixture
def fresh_sandbox():
    """A sandbox of this test's own: fresh seeded state, counters and tokens."""
    from dingtalk.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


@pytest.fixture
def fresh_app(fresh_sandbox):
    """A DingTalkApp (app_key style, agent_id set) on :func:`fresh_sandbox`."""
    from dingtalk import DingTalkApp

    creds = fresh_sandbox.credentials
    app = DingTalkApp(name="fresh", app_key=creds["app_key"], app_secret=creds["app_secret"],
                      corp_id=creds["corp_id"], agent_id=creds["agent_id"], oapi_url=fresh_sandbox.url,
                      top_url=fresh_sandbox.top_url, api_url=fresh_sandbox.url, timeout=5.0, backoff=0.01)
    yield app
    app.close()


@pytest.fixture
def make_app(sandbox):
    """Build a DingTalkApp pointed at the sandbox; each test gets its own token namespace."""
    from dingtalk import DingTalkApp

    apps = []
    default_name = f"test-{uuid.uuid4().hex[:8]}"

    def factory(style: str = "app_key", **kwargs):
        creds = sandbox.credentials
        if style == "app_key":
            base = dict(app_key=creds["app_key"], app_secret=creds["app_secret"], corp_id=creds["corp_id"])
        else:
            base = dict(corp_id=creds["corp_id"], corp_secret=creds["corp_secret"])
        base.update(name=default_name, agent_id=creds["agent_id"], oapi_url=sandbox.url,
                    top_url=sandbox.top_url, api_url=sandbox.url, timeout=5.0, backoff=0.01)
        base.update(kwargs)
        app = DingTalkApp(**base)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.close()
