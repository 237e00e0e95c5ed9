"""Tokens and tickets against the sandbox over real HTTP: counts, sharing, re-auth, JSAPI."""
from __future__ import annotations

import hashlib

import pytest

from dingtalk.cache import MemoryCache
from dingtalk.errors import AuthenticationError, InvalidTokenError

from tests.helpers import V1_READ, mixed_call


def test_100_mixed_calls_with_warm_cache_cost_one_gettoken(make_app, sandbox):
    app = make_app()
    for i in range(100):
        mixed_call(app, i)
    assert sandbox.calls["/gettoken"] == 1
    assert sum(sandbox.calls.values()) == 101


@pytest.mark.parametrize("style", ["app_key", "corp"])
def test_forced_invalidation_costs_exactly_one_gettoken_and_no_failed_call(make_app, sandbox, style):
    app = make_app(style)
    for i in range(10):
        mixed_call(app, i)
    sandbox.expire_tokens()
    for i in range(40):  # every family meets the dead token first: only one refresh in all
        mixed_call(app, i)
    assert sandbox.calls["/gettoken"] == 2
    assert sandbox.token_valid(app.access_token)


def test_other_process_refreshed_first_no_extra_gettoken(make_app, sandbox):
    """App A holds a dead token in memory; B refreshed already: A reads B's token from the cache."""
    cache = MemoryCache()
    a, b = make_app(cache=cache), make_app(cache=cache)
    a.get_org_user_count()
    sandbox.expire_tokens()
    b.get_org_user_count()          # B meets 42001 and refreshes (gettoken #2)
    a.get_org_user_count()          # A meets 42001 too, finds B's token in the cache
    assert sandbox.calls["/gettoken"] == 2
    assert a.access_token == b.access_token


def test_instances_sharing_name_and_credentials_share_tokens_whatever_agent_id(make_app, sandbox):
    cache = MemoryCache()
    apps = [make_app(cache=cache, agent_id=str(100 + i)) for i in range(3)]
    tokens = {app.access_token for app in apps}
    tickets = {app.get_jsapi_ticket() for app in apps}
    assert len(tokens) == 1 and len(tickets) == 1
    assert sandbox.calls["/gettoken"] == 1 and sandbox.calls["/get_jsapi_ticket"] == 1


def test_two_credentials_under_one_name_never_collide(make_app, sandbox):
    cache = MemoryCache()
    by_key, by_corp = make_app("app_key", cache=cache, name="同名公司"), make_app("corp", cache=cache, name="同名公司")
    assert by_key.tokens.namespace != by_corp.tokens.namespace
    assert by_key.access_token != by_corp.access_token
    assert sandbox.calls["/gettoken"] == 2
    assert by_key.get_org_user_count() > 0 and by_corp.get_org_user_count() > 0


def test_cache_ttl_comes_from_expires_in_minus_margin(make_app, sandbox):
    now = [1_000_000.0]
    app = make_app(clock=lambda: now[0], token_margin=300)
    first = app.access_token
    now[0] += 7200 - 300 - 1
    assert app.access_token == first and sandbox.calls["/gettoken"] == 1
    now[0] += 2  # past expires_in - margin: refreshed early
    app.access_token
    assert sandbox.calls["/gettoken"] == 2


def test_bad_credentials_raise_authentication_error_without_retrying(make_app, sandbox):
    app = make_app(app_secret="wrong-secret")
    with pytest.raises(AuthenticationError) as info:
        app.get_org_user_count()
    assert info.value.errcode == 40089
    assert not isinstance(info.value, InvalidTokenError)
    assert sandbox.calls["/gettoken"] == 1


def test_jsapi_ticket_cached_refresh_invalidates_and_config_signs(make_app, sandbox):
    app = make_app()
    first = app.get_jsapi_ticket()
    assert app.get_jsapi_ticket() == first and app.jsapi_ticket == first
    assert sandbox.calls["/get_jsapi_ticket"] == 1
    second = app.refresh_jsapi_ticket()
    assert second != first and sandbox.ticket_valid(second) and not sandbox.ticket_valid(first)
    assert app.get_jsapi_ticket() == second

    cfg = app.get_jsapi_config("https://example.com/page?a=1&b=中文#section")
    assert set(cfg) == {"agentId", "corpId", "timeStamp", "nonceStr", "signature"}
    assert cfg["agentId"] == sandbox.credentials["agent_id"] and cfg["corpId"] == sandbox.credentials["corp_id"]
    plain = (f"jsapi_ticket={second}&noncestr={cfg['nonceStr']}&timestamp={cfg['timeStamp']}"
             f"&url=https://example.com/page?a=1&b=中文")
    assert cfg["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert app.get_jsapi_config("https://x/y")["nonceStr"] != app.get_jsapi_config("https://x/y")["nonceStr"]


def test_jsapi_signature_official_example(make_app):
    ticket = ("mS5k98fdkdgDKxkXGEs8LORVREiweeWETE40P37wkidkfksDSKDJFD5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcKIDU8l")
    app = make_app()
    assert app.jsapi_signature(ticket, "Zn4zmLFKD0wzilzM", 1414588745, "http://open.dingtalk.com") \
        == "10de2b0a6763ec3685a50272b5b0eb2848098dc2"
    seed = ("raj3X1Z2OIYqxuQ29WVK1uvhIvrsXC4qPwYE1KQ174zx7MfhX2qHKdtFE2XdUxbdp1WfoctcNCmBfbfYEJj5um")
    assert app.jsapi_signature(seed, "abcdefg", "1440678945", "http://调用jsapi页面") \
        == "750d0719eeb810f6fa12b04d87d0d7789c4bc64f"


def test_v1_invalid_authentication_triggers_one_refresh(make_app, sandbox):
    app = make_app()
    app.api_request("GET", V1_READ)
    sandbox.expire_tokens()
    assert app.api_request("GET", V1_READ)
    assert sandbox.calls["/gettoken"] == 2


def test_refresh_access_token_gets_a_new_valid_token(make_app, sandbox):
    app = make_app()
    old = app.access_token
    sandbox.expire_tokens()
    new = app.refresh_access_token()
    assert new != old and sandbox.token_valid(new) and not sandbox.token_valid(old)


@pytest.mark.parametrize("family, call", [
    ("oapi", lambda app: app.get_org_user_count()),
    ("topapi", lambda app: app.get_label_groups()),
    ("top", lambda app: app.get_bpms_instance_list("PROC-SANDBOX-LEAVE", start_time=0)),
    ("v1", lambda app: app.api_request("GET", V1_READ)),
])
def test_each_family_reauths_once_on_a_dead_token(make_app, sandbox, family, call):
    app = make_app()
    call(app)
    sandbox.expire_tokens()
    assert call(app) is not None
    assert sandbox.calls["/gettoken"] == 2


def test_lock_held_elsewhere_gives_token_error_after_bounded_wait(make_app, sandbox):
    from dingtalk.errors import TokenError

    cache = MemoryCache()
    app = make_app(cache=cache, lock_wait=0.3)
    cache.add(app.tokens.key("jsapi_ticket") + ":lock", "another-process", 60)
    with pytest.raises(TokenError) as info:
        app.get_jsapi_ticket()
    assert "waiting for another process" in str(info.value)
    assert sandbox.calls["/get_jsapi_ticket"] == 0


def test_dead_lock_holder_expires_and_refresh_proceeds(make_app, sandbox):
    now = [0.0]
    cache = MemoryCache(clock=lambda: now[0])
    app = make_app(cache=cache)
    cache.add(app.tokens.key("access_token") + ":lock", "crashed-process", 30)
    app.tokens._sleep = lambda s: now.__setitem__(0, now[0] + 31)  # the lock's TTL runs out while we wait
    assert app.access_token
    assert sandbox.calls["/gettoken"] == 1


def test_jsapi_config_needs_agent_and_corp_id(make_app):
    from dingtalk.errors import ConfigError

    with pytest.raises(ConfigError):
        make_app(corp_id=None).get_jsapi_config("https://example.com")
