"""pytest plugin: a local DingTalk (the sandbox) and a ``DingTalkApp`` pointed at it, for your tests.

Installed with the package (``pip install dingtalk-python``), pytest loads the plugin by
itself through its entry point. Without the entry point (a vendored copy, or
``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``), list it in your top-level ``conftest.py``::

    pytest_plugins = ["dingtalk.testing"]

Both at once are fine too.

Fixtures
--------
``dingtalk_sandbox``
    A :class:`~dingtalk.DingTalkApp` pointed at the sandbox: the sandbox's corp credentials
    (``corp_id`` / ``corp_secret``, the original SDK's form), ``agent_id``, the callback
    ``token`` :data:`CALLBACK_TOKEN` and ``aes_key`` :data:`CALLBACK_AES_KEY`, the default
    in-memory token cache, a 5 s timeout and a 10 ms retry backoff (fault tests stay fast).
    Closed after the test. ::

        def test_notice(dingtalk_sandbox):
            task = dingtalk_sandbox.async_send_msg("text", {"content": "你好"}, userid_list=["user0003"])
            assert task["task_id"]

``dingtalk_sandbox_server``
    The running :class:`dingtalk.sandbox.Sandbox` the app talks to: inspect what it received
    (``calls``, ``requests``, ``connections``), inject faults (``inject(...)``), force token
    expiry (``expire_tokens()``), push events (``emit(...)``) ... Each test starts with no
    faults and zeroed counters. ::

        def test_retry(dingtalk_sandbox, dingtalk_sandbox_server):
            dingtalk_sandbox_server.inject("/user/get", errcode=-1, times=2)   # "system busy" twice
            assert dingtalk_sandbox.get_user("user0002")["name"] == "李娜"      # the SDK retried
            assert dingtalk_sandbox_server.calls["/user/get"] == 3

``dingtalk_app_factory``
    Makes more apps on the same sandbox: ``dingtalk_app_factory(credentials="app_key",
    max_attempts=1)``; any ``DingTalkApp`` argument overrides the defaults. Every app it made
    is closed after the test.

Sandbox lifetime
----------------
By default each test gets a sandbox of its own (fresh seeded company, tokens and counters).
To share one per module or per session (faster for big suites)::

    pytest --dingtalk-sandbox-scope=session

or in your ini file (``pytest.ini``, ``[tool.pytest.ini_options]``, ...)::

    dingtalk_sandbox_scope = session

The values are pytest's scopes: ``function`` (default), ``class``, ``module``, ``package``,
``session``. A shared sandbox still clears injected faults and zeroes its counters before each
test, but what the tests *did* stays: users created, notices sent, approvals, a registered
callback, forced token expiry.

Markers
-------
``@pytest.mark.dingtalk_app(**overrides)``
    ``DingTalkApp`` arguments for this test's ``dingtalk_sandbox`` app, plus
    ``credentials="app_key"`` for the app-key credentials::

        @pytest.mark.dingtalk_app(credentials="app_key", max_attempts=1)
        def test_no_retry(dingtalk_sandbox, dingtalk_sandbox_server): ...

``@pytest.mark.dingtalk_sandbox_options(**kwargs)``
    ``Sandbox(...)`` arguments; the test then gets a sandbox of its own, whatever the scope::

        @pytest.mark.dingtalk_sandbox_options(token_ttl=60)
        def test_short_tokens(dingtalk_sandbox, dingtalk_sandbox_server): ...

Outside pytest, :func:`sandbox_app_kwargs` gives the same ``DingTalkApp`` arguments for any
running sandbox (e.g. in a ``unittest.TestCase``).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Literal, Optional, cast

import pytest

from . import DingTalkApp
from .sandbox import Sandbox

__all__ = ["CALLBACK_TOKEN", "CALLBACK_AES_KEY", "SCOPES", "sandbox_app_kwargs",
           "dingtalk_sandbox_server", "dingtalk_sandbox", "dingtalk_app_factory"]

#: The callback ``token`` of the fixtures' apps (pass it to ``register_callback`` if you register
#: with an app of your own).
CALLBACK_TOKEN = "dingtalk-sandbox-callback-token"
#: The callback ``aes_key`` of the fixtures' apps (43 letters and digits).
CALLBACK_AES_KEY = "dingtalkSandboxCallbackAesKey0123456789abcd"
#: The values of ``--dingtalk-sandbox-scope`` / ``dingtalk_sandbox_scope``.
SCOPES = ("function", "class", "module", "package", "session")

_Scope = Literal["function", "class", "module", "package", "session"]
_SCOPE_OPTION = "--dingtalk-sandbox-scope"
_SCOPE_INI = "dingtalk_sandbox_scope"
#: Sandbox arguments of the fixtures (failed pushes retried quickly; the rest as ``Sandbox()``).
_SANDBOX_DEFAULTS: Dict[str, Any] = {"push_retry_delay": 0.05}
_CREDENTIAL_STYLES = ("corp", "app_key")


def sandbox_app_kwargs(sandbox: Sandbox, credentials: str = "corp", **overrides: Any) -> Dict[str, Any]:
    """``DingTalkApp`` keyword arguments for a running ``sandbox``, as the fixtures use them.

    ``credentials``: ``"corp"`` (``corp_id`` + ``corp_secret``, the default) or ``"app_key"``
    (``app_key`` + ``app_secret``, with ``corp_id``). Both carry ``agent_id``, the three base
    URLs, the callback ``token``/``aes_key`` (:data:`CALLBACK_TOKEN`, :data:`CALLBACK_AES_KEY`),
    ``timeout=5.0`` and ``backoff=0.01``. ``overrides`` win::

        with Sandbox() as sb:
            app = DingTalkApp(**sandbox_app_kwargs(sb, credentials="app_key", max_attempts=1))

    The sandbox signs the events it pushes with the corp id (as DingTalk does for callbacks
    registered with ``register_callback``), so an app-key app gets ``callback_key_id=corp_id``.
    """
    creds = sandbox.credentials
    if credentials == "corp":
        kwargs: Dict[str, Any] = {"corp_id": creds["corp_id"], "corp_secret": creds["corp_secret"]}
    elif credentials == "app_key":
        kwargs = {"app_key": creds["app_key"], "app_secret": creds["app_secret"],
                  "corp_id": creds["corp_id"], "callback_key_id": creds["corp_id"]}
    else:
        raise ValueError(f"credentials must be one of {', '.join(map(repr, _CREDENTIAL_STYLES))}, "
                         f"not {credentials!r}")
    kwargs.update(name="dingtalk-sandbox", agent_id=creds["agent_id"], token=CALLBACK_TOKEN,
                  aes_key=CALLBACK_AES_KEY, oapi_url=sandbox.url, top_url=sandbox.top_url,
                  api_url=sandbox.url, timeout=5.0, backoff=0.01)
    kwargs.update(overrides)
    return kwargs


# -- options, markers ---------------------------------------------------------------------------
def pytest_addoption(parser: Any, pluginmanager: Any) -> None:
    group = parser.getgroup("dingtalk", "DingTalk sandbox (dingtalk.testing)")
    group.addoption(_SCOPE_OPTION, dest="dingtalk_sandbox_scope", choices=SCOPES, default=None,
                    help="how long one sandbox DingTalk lives: function (default: a fresh one per "
                         "test), class, module, package or session")
    parser.addini(_SCOPE_INI, default="function",
                  help="default for --dingtalk-sandbox-scope (function, class, module, package, session)")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "dingtalk_app(credentials='corp', **overrides): DingTalkApp "
                                       "arguments for the dingtalk_sandbox app of this test")
    config.addinivalue_line("markers", "dingtalk_sandbox_options(**kwargs): Sandbox arguments; "
                                       "the test gets a sandbox of its own")
    _scope(config)  # a bad ini value is a usage error at start-up, not a fixture error later


def _scope(config: Any) -> str:
    value = config.getoption("dingtalk_sandbox_scope", None) or config.getini(_SCOPE_INI) or "function"
    value = str(value).strip().lower()
    if value not in SCOPES:
        raise pytest.UsageError(f"{_SCOPE_INI} must be one of {', '.join(SCOPES)}, not {value!r}")
    return value


def _dynamic_scope(fixture_name: str, config: Any) -> _Scope:
    return cast(_Scope, _scope(config))


def _marker_kwargs(request: Any, name: str) -> Optional[Dict[str, Any]]:
    """Keyword arguments of the closest ``name`` marker (None without one)."""
    marker = request.node.get_closest_marker(name)
    if marker is None:
        return None
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{name} takes keyword arguments only")
    return dict(marker.kwargs)


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope=_dynamic_scope)
def _dingtalk_sandbox_shared() -> Iterator[Sandbox]:
    """The sandbox for the configured scope (internal: use ``dingtalk_sandbox_server``)."""
    with Sandbox(**_SANDBOX_DEFAULTS) as sandbox:
        yield sandbox


@pytest.fixture
def dingtalk_sandbox_server(request: Any) -> Iterator[Sandbox]:
    """A running :class:`dingtalk.sandbox.Sandbox`: a local, stateful DingTalk.

    ``url`` / ``top_url`` / ``credentials``; ``calls`` (requests per route: the path, e.g.
    ``"/user/get"``, or the TOP method name), ``requests`` (each with ``path``, ``query``,
    ``json``, ``form``, ``faulted``, ...), ``connections``; ``inject(route, errcode=..., status=...,
    times=...)`` and ``clear_faults()``; ``expire_tokens()``, ``issued_tokens()``,
    ``advance_clock(seconds)``; ``emit(...)``, ``pushes``, ``wait_for_pushes()``.

    A fresh one per test unless ``--dingtalk-sandbox-scope`` / ``dingtalk_sandbox_scope`` shares
    it; either way the test starts without faults and with zeroed counters, and faults left
    over are cleared afterwards. ::

        def test_counts(dingtalk_sandbox, dingtalk_sandbox_server):
            dingtalk_sandbox.get_user("user0002")
            dingtalk_sandbox.get_user("user0003")
            assert dingtalk_sandbox_server.calls["/gettoken"] == 1   # the token was cached
            assert [r["query"]["userid"] for r in dingtalk_sandbox_server.requests
                    if r["path"] == "/user/get"] == ["user0002", "user0003"]
    """
    options = _marker_kwargs(request, "dingtalk_sandbox_options")
    if options is not None:
        with Sandbox(**{**_SANDBOX_DEFAULTS, **options}) as own:
            yield own
        return
    sandbox: Sandbox = request.getfixturevalue("_dingtalk_sandbox_shared")
    sandbox.clear_faults()
    sandbox.reset_counters()
    try:
        yield sandbox
    finally:
        sandbox.clear_faults()


@pytest.fixture
def dingtalk_app_factory(dingtalk_sandbox_server: Sandbox) -> Iterator[Callable[..., DingTalkApp]]:
    """Make ``DingTalkApp`` objects pointed at the test's sandbox.

    ``dingtalk_app_factory(credentials="corp", **overrides)``: ``credentials`` is ``"corp"``
    or ``"app_key"``; ``overrides`` are any ``DingTalkApp`` arguments (``cache=``,
    ``max_attempts=``, ``name=`` ...). Each call makes a new app (with its own in-memory token
    cache unless you pass a shared ``cache``); all are closed after the test. ::

        def test_two_processes_share_a_token(dingtalk_app_factory, dingtalk_sandbox_server):
            cache = MemoryCache()
            a, b = dingtalk_app_factory(cache=cache), dingtalk_app_factory(cache=cache)
            assert a.access_token == b.access_token
            assert dingtalk_sandbox_server.calls["/gettoken"] == 1
    """
    apps: List[DingTalkApp] = []

    def make(credentials: str = "corp", **overrides: Any) -> DingTalkApp:
        app = DingTalkApp(**sandbox_app_kwargs(dingtalk_sandbox_server, credentials, **overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def dingtalk_sandbox(request: Any, dingtalk_app_factory: Callable[..., DingTalkApp]) -> DingTalkApp:
    """A :class:`~dingtalk.DingTalkApp` pointed at ``dingtalk_sandbox_server``.

    Corp credentials of the sandbox (``corp_id`` / ``corp_secret``), ``agent_id``, callback
    ``token`` / ``aes_key`` (:data:`CALLBACK_TOKEN`, :data:`CALLBACK_AES_KEY`), in-memory token
    cache, ``timeout=5.0``, ``backoff=0.01``; ``@pytest.mark.dingtalk_app(...)`` changes any of
    them. The seeded company: departments 1 (root) to 8, users ``manager0001`` and
    ``user0002`` ... ``user0012``, the approval process ``PROC-SANDBOX-LEAVE``. ::

        def test_department(dingtalk_sandbox):
            names = [u["name"] for u in dingtalk_sandbox.get_dept_user_list(6)]
            assert "张伟" in names
    """
    overrides = _marker_kwargs(request, "dingtalk_app") or {}
    return dingtalk_app_factory(**overrides)
