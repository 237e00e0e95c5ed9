"""The pytest plugin ``dingtalk.testing``: the example user project passes with it, and its
fixtures, scope option and markers behave as documented (inner pytest runs through ``pytester``)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from dingtalk.cache import MemoryCache
from dingtalk.contrib.wsgi import CallbackWSGIApp
from dingtalk.crypto import CallbackCrypto
from dingtalk.testing import CALLBACK_AES_KEY, CALLBACK_TOKEN, sandbox_app_kwargs

# "dingtalk.testing" is auto-loaded through the entry point once the package is installed;
# naming it keeps this module working without the entry point as well.
pytest_plugins = ["pytester", "dingtalk.testing"]

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "examples" / "user_project"
EXAMPLE_TESTS = 6


# -- the example project, as a user runs it ---------------------------------------------------------
@pytest.mark.parametrize("autoload", [True, False], ids=["entry-point-and-conftest", "conftest-only"])
def test_example_user_project_passes(autoload):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=str(PROJECT),
                          env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert re.search(rf"^{EXAMPLE_TESTS} passed\b", output, re.MULTILINE), output


# -- the fixtures, used directly ------------------------------------------------------------------
def test_dingtalk_sandbox_is_an_app_on_the_sandbox(dingtalk_sandbox, dingtalk_sandbox_server):
    creds = dingtalk_sandbox_server.credentials
    assert (dingtalk_sandbox.corp_id, dingtalk_sandbox.app_key, dingtalk_sandbox.agent_id) == \
        (creds["corp_id"], None, creds["agent_id"])
    assert dingtalk_sandbox.get_user("user0002")["name"] == "李娜"
    assert dingtalk_sandbox.get_jsapi_config("https://example.com/page")["agentId"] == creds["agent_id"]
    gettoken = [r for r in dingtalk_sandbox_server.requests if r["path"] == "/gettoken"]
    assert len(gettoken) == 1 and gettoken[0]["query"]["corpid"] == creds["corp_id"]
    # callback crypto: what DingTalk encrypts for the corp, the app decrypts
    crypto = CallbackCrypto(CALLBACK_TOKEN, CALLBACK_AES_KEY, creds["corp_id"])
    envelope = crypto.encrypt(json.dumps({"EventType": "check_url"}))
    event = dingtalk_sandbox.decrypt_callback(envelope["msg_signature"], envelope["timeStamp"],
                                              envelope["nonce"], envelope["encrypt"])
    assert event == {"EventType": "check_url"}


def test_faults_are_absorbed_with_a_short_backoff(dingtalk_sandbox, dingtalk_sandbox_server):
    dingtalk_sandbox_server.inject("/user/get", errcode=-1, times=2)
    assert dingtalk_sandbox.get_user("user0003")["name"] == "张伟"
    assert [r["faulted"] for r in dingtalk_sandbox_server.requests if r["path"] == "/user/get"] == \
        ["errcode", "errcode", None]
    assert dingtalk_sandbox.retry.backoff == 0.01


def test_factory_apps_share_the_sandbox(dingtalk_app_factory, dingtalk_sandbox_server):
    cache = MemoryCache()
    first, second = dingtalk_app_factory(cache=cache), dingtalk_app_factory(cache=cache)
    assert first.access_token == second.access_token
    modern = dingtalk_app_factory(credentials="app_key", max_attempts=1)
    assert modern.app_key == dingtalk_sandbox_server.credentials["app_key"]
    assert modern.get_user("user0004")["name"] == "刘洋"
    assert [r["query"].get("appkey") for r in dingtalk_sandbox_server.requests if r["path"] == "/gettoken"] == \
        [None, dingtalk_sandbox_server.credentials["app_key"]]
    with pytest.raises(ValueError):
        dingtalk_app_factory(credentials="suite")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.parametrize("credentials", ["corp", "app_key"])
def test_sandbox_pushes_reach_a_handler_of_the_fixture_app(credentials, dingtalk_app_factory,
                                                          dingtalk_sandbox_server):
    app = dingtalk_app_factory(credentials=credentials)
    seen = []
    app.callbacks.on("user_add_org")(seen.append)
    server = make_server("127.0.0.1", 0, CallbackWSGIApp(app), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        app.register_callback(["user_add_org"], url=f"http://127.0.0.1:{server.server_port}/callback")
        userid = app.create_user(name="回调", mobile="13900001111", department=[1])["userid"]
        assert dingtalk_sandbox_server.wait_for_pushes(10)
    finally:
        server.shutdown()
        server.server_close()
    assert [(e.type, e.user_ids) for e in seen] == [("user_add_org", [userid])]


def test_sandbox_app_kwargs_outside_pytest_fixtures():
    from dingtalk import DingTalkApp
    from dingtalk.sandbox import Sandbox

    with Sandbox() as sb:
        with DingTalkApp(**sandbox_app_kwargs(sb, credentials="app_key", name="mine")) as app:
            assert app.name == "mine" and app.callback_key_id == sb.credentials["corp_id"]
            assert app.get_org_user_count() > 0


# -- inner pytest runs --------------------------------------------------------------------------------
USES_ALL_FIXTURES = """
    def test_fixtures(dingtalk_sandbox, dingtalk_sandbox_server, dingtalk_app_factory):
        assert dingtalk_sandbox.get_user("user0002")["name"] == "李娜"
        assert dingtalk_sandbox_server.calls["/user/get"] == 1
        assert dingtalk_app_factory(credentials="app_key").get_user("user0003")["name"] == "张伟"
"""


def test_plugin_loads_through_the_entry_point(pytester):
    """Installed (``pip install -e .``), the fixtures need no conftest at all."""
    pytester.makepyfile(USES_ALL_FIXTURES)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize("autoload", [True, False])
def test_plugin_loads_through_pytest_plugins(pytester, monkeypatch, autoload):
    if autoload:
        monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    else:
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest('pytest_plugins = ["dingtalk.testing"]')
    pytester.makepyfile(USES_ALL_FIXTURES)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def _without_autoload(monkeypatch):
    """Inner runs load only this plugin (named in their conftest): third-party plugins cost ~1 s."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


RECORDING_CONFTEST = """
    import json
    import pytest

    pytest_plugins = ["dingtalk.testing"]
    SEEN = {}

    @pytest.fixture
    def record(request, dingtalk_sandbox_server):
        SEEN[id(dingtalk_sandbox_server)] = dingtalk_sandbox_server
        with open("seen.txt", "a") as out:
            out.write(f"{request.node.name} {id(dingtalk_sandbox_server)}\\n")
        return dingtalk_sandbox_server

    def pytest_sessionfinish(session):
        with open("running.json", "w") as out:
            json.dump([sb.running for sb in SEEN.values()], out)
"""

SCOPE_TESTS = """
    import pytest
    from dingtalk.errors import SystemBusyError

    def test_{m}_faulty(record, dingtalk_sandbox):
        record.inject("/user/get", errcode=-1, times=None)   # until cleared
        with pytest.raises(SystemBusyError):
            dingtalk_sandbox.get_user("user0002")

    def test_{m}_clean(record, dingtalk_sandbox):
        assert record.faults() == [] and sum(record.calls.values()) == 0
        assert dingtalk_sandbox.get_user("user0002")["name"] == "李娜"
"""


def _sandboxes(pytester):
    """{test name: sandbox identity}, and whether any sandbox was still running at the end."""
    seen = dict(line.split() for line in (pytester.path / "seen.txt").read_text().splitlines())
    running = json.loads((pytester.path / "running.json").read_text())
    return seen, any(running)


@pytest.mark.parametrize("how", ["default", "option-session", "ini-module", "ini-session-option-function"])
def test_sandbox_scope(pytester, monkeypatch, how):
    _without_autoload(monkeypatch)
    pytester.makeconftest(RECORDING_CONFTEST)
    pytester.makepyfile(test_a=SCOPE_TESTS.format(m="a"), test_b=SCOPE_TESTS.format(m="b"))
    args = ["-p", "no:cacheprovider"]
    if how == "option-session":
        args.append("--dingtalk-sandbox-scope=session")
    elif how == "ini-module":
        pytester.makeini("[pytest]\ndingtalk_sandbox_scope = module\n")
    elif how == "ini-session-option-function":  # the command line wins over the ini file
        pytester.makeini("[pytest]\ndingtalk_sandbox_scope = session\n")
        args.append("--dingtalk-sandbox-scope=function")
    pytester.runpytest(*args).assert_outcomes(passed=4)
    seen, still_running = _sandboxes(pytester)
    each_own = [{"test_a_faulty"}, {"test_a_clean"}, {"test_b_faulty"}, {"test_b_clean"}]
    groups = {
        "default": each_own,
        "option-session": [{"test_a_faulty", "test_a_clean", "test_b_faulty", "test_b_clean"}],
        "ini-module": [{"test_a_faulty", "test_a_clean"}, {"test_b_faulty", "test_b_clean"}],
        "ini-session-option-function": each_own,
    }[how]
    by_sandbox = {}
    for test, sandbox in seen.items():
        by_sandbox.setdefault(sandbox, set()).add(test)
    assert sorted(map(sorted, by_sandbox.values())) == sorted(map(sorted, groups))
    assert not still_running


def test_a_bad_scope_is_a_usage_error(pytester, monkeypatch):
    _without_autoload(monkeypatch)
    pytester.makeconftest('pytest_plugins = ["dingtalk.testing"]')
    pytester.makepyfile(USES_ALL_FIXTURES)
    pytester.makeini("[pytest]\ndingtalk_sandbox_scope = weekly\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*dingtalk_sandbox_scope must be one of function, class, module, package, session*"])
    result = pytester.runpytest("-p", "no:cacheprovider", "--dingtalk-sandbox-scope=forever")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_markers(pytester, monkeypatch):
    _without_autoload(monkeypatch)
    pytester.makeconftest('pytest_plugins = ["dingtalk.testing"]')
    pytester.makepyfile("""
        import pytest
        from dingtalk.errors import SystemBusyError

        @pytest.mark.dingtalk_app(credentials="app_key", max_attempts=1)
        def test_app_overrides(dingtalk_sandbox, dingtalk_sandbox_server):
            assert dingtalk_sandbox.app_key == dingtalk_sandbox_server.credentials["app_key"]
            dingtalk_sandbox_server.inject("/user/get", errcode=-1)
            with pytest.raises(SystemBusyError):
                dingtalk_sandbox.get_user("user0002")          # one attempt: no retry
            assert dingtalk_sandbox_server.calls["/user/get"] == 1

        SHARED = []

        def test_shared(dingtalk_sandbox_server):
            SHARED.append(dingtalk_sandbox_server)

        @pytest.mark.dingtalk_sandbox_options(corp_id="dingmyowncorp", token_ttl=60)
        def test_own_sandbox(dingtalk_sandbox, dingtalk_sandbox_server):
            assert dingtalk_sandbox_server is not SHARED[0]
            assert dingtalk_sandbox.corp_id == "dingmyowncorp"
            assert dingtalk_sandbox.get_user("user0002")["name"] == "李娜"

        def test_shared_again(dingtalk_sandbox_server):
            assert dingtalk_sandbox_server is SHARED[0]
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", "--dingtalk-sandbox-scope=session")
    result.assert_outcomes(passed=4)
