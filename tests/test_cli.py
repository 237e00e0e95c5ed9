"""The command line (``dingtalk`` / ``python -m dingtalk``), against real sandbox servers.

Commands run either in a subprocess or in-process through ``dingtalk.cli.main([...])``; no
mocks. Every test isolates itself from the developer's own DINGTALK_* variables and config file.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime

import pytest
import requests

from dingtalk.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No DINGTALK_* variables and an empty home: no developer's config leaks in."""
    for name in list(os.environ):
        if name.startswith("DINGTALK_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


def run_cli(*args, env=None, timeout=120):
    """``python -m dingtalk ARGS`` in a subprocess with a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DINGTALK_")}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "dingtalk", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=base)


def cli(capsys, *args):
    """``main([...])`` in-process: (exit status, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err):
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dingtalk: error: "), err


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sandbox_env(sb):
    creds = sb.credentials
    return {"DINGTALK_APP_KEY": creds["app_key"], "DINGTALK_APP_SECRET": creds["app_secret"],
            "DINGTALK_CORP_ID": creds["corp_id"], "DINGTALK_AGENT_ID": creds["agent_id"],
            "DINGTALK_OAPI_URL": sb.url}


# -- demo, help, usage -----------------------------------------------------------------------------
def test_demo_runs_end_to_end():
    proc = run_cli("demo")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for step in ("get_label_groups", "get_bpms_instance_list", "app.run(", "async_send_msg",
                 "get_msg_send_progress", "get_jsapi_config", "register_callback", "create_user",
                 "create_bpms_instance", "wait_for_pushes"):
        assert step in proc.stdout
    assert "gettoken calls: 1, get_jsapi_ticket calls: 1" in proc.stdout
    # the callback round trip: the handler registered with @app.callbacks.on got the events
    assert "event received by @app.callbacks.on('user_add_org')" in proc.stdout
    assert "event received by @app.callbacks.on('bpms_instance_change')" in proc.stdout
    assert '"class": "UserEvent"' in proc.stdout and '"change": "start"' in proc.stdout
    assert "sandbox-corp-secret" not in proc.stdout + proc.stderr


def test_no_command_prints_help_and_fails():
    proc = run_cli()
    assert proc.returncode == 2 and "demo" in proc.stdout


def test_errors_are_one_line_without_traceback():
    proc = run_cli("sandbox", "--port", "1", "--host", "256.0.0.1")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("dingtalk: error:")


@pytest.mark.parametrize("command", [[], ["sandbox"], ["call"], ["methods"], ["demo"]])
def test_help_on_every_command(capsys, command):
    code, out, err = cli(capsys, *command, "--help")
    assert code == 0 and err == ""
    assert out.startswith("usage: dingtalk") and "--help" in out


def test_bad_usage_is_one_line_with_status_2(capsys):
    for args in (["call", "--bogus", "x"], ["nosuchcommand"], ["call"],
                 ["call", "get_user", "userid"], ["call", "get_user", "userid:=[1"],
                 ["call", "get_user", "userid=a", "userid=b"], ["sandbox", "--port", "x"]):
        code, out, err = cli(capsys, *args)
        assert code == 2, args
        assert_one_error_line(err)


# -- methods ---------------------------------------------------------------------------------------
def test_methods_lists_every_name_with_its_python_method(capsys):
    from dingtalk import DingTalkApp

    code, out, err = cli(capsys, "methods")
    assert code == 0 and err == ""
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    table = DingTalkApp(app_key="k", app_secret="s").methods
    assert rows == {name: table.python_name(name) for name in table}
    line = next(l for l in out.splitlines() if l.startswith("dingtalk.oapi.user.get "))
    assert "get_user" in line and "A user's details" in line


def test_methods_filter_and_json(capsys):
    code, out, _ = cli(capsys, "methods", "LABELGROUPS")
    lines = out.splitlines()
    assert code == 0 and lines and all("labelgroups" in l.lower() for l in lines)
    assert any("get_label_groups (--all)" in l for l in lines)

    code, out, _ = cli(capsys, "methods", "listlabelgroups", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["name"] for r in rows} == {
        "dingtalk.corp.ext.listlabelgroups", "dingtalk.corp.extcontact.listlabelgroups",
        "dingtalk.oapi.extcontact.listlabelgroups"}
    assert all(r["python"] == "get_label_groups" and r["iterator"] == "iter_label_groups" and r["doc"]
               for r in rows)

    code, out, err = cli(capsys, "methods", "no-such-thing")
    assert code == 1 and out == ""
    assert_one_error_line(err)


# -- call against a sandbox ------------------------------------------------------------------------
def test_call_reads_through_sandbox_url(capsys, sandbox):
    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "dingtalk.oapi.user.get", "userid=user0002")
    assert code == 0, err
    assert json.loads(out)["name"] == "李娜" and "李娜" in out  # pretty JSON, not \u escapes
    assert out.startswith("{\n  ")
    assert sandbox.calls["/user/get"] == 1


def test_call_writes_with_json_values(capsys, fresh_sandbox):
    url = fresh_sandbox.url
    code, out, err = cli(capsys, "call", "--sandbox", url, "dingtalk.oapi.user.create",
                         "name=命令行用户", "mobile=13912345678", "department:=[1]", "position=测试")
    assert code == 0, err
    userid = json.loads(out)["userid"]
    # a Python name works too, and DingTalk's spelling of a parameter (userid for user_id)
    code, out, err = cli(capsys, "call", "--sandbox", url, "get_user", f"userid={userid}")
    assert code == 0, err
    user = json.loads(out)
    assert (user["name"], user["department"], user["position"]) == ("命令行用户", [1], "测试")


def test_call_json_numbers_give_what_run_gives(capsys, sandbox, make_app):
    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "dingtalk.corp.ext.listlabelgroups",
                         "size:=2", "offset:=1")
    assert code == 0, err
    assert json.loads(out) == make_app().run("dingtalk.corp.ext.listlabelgroups", size=2, offset=1)


def test_call_converts_strings_by_annotation(capsys, sandbox, make_app):
    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "dingtalk.oapi.processinstance.list",
                         "process_code=PROC-SANDBOX-LEAVE", "start_time=2017-06-01T00:00:00", "size=2")
    assert code == 0, err
    expected = make_app().get_bpms_instance_list("PROC-SANDBOX-LEAVE", datetime(2017, 6, 1), size=2)
    assert json.loads(out)["instance_list"] == expected["instance_list"]


def test_call_all_walks_every_page_with_progress(capsys, sandbox, make_app):
    everything = list(make_app().iter_label_groups(size=5))
    sandbox.reset_counters()
    # options may come after the parameters
    code, out, err = cli(capsys, "call", "dingtalk.corp.ext.listlabelgroups", "size=5", "--all",
                         "--sandbox", sandbox.url)
    assert code == 0, err
    assert json.loads(out) == everything
    assert "fetched 5 label groups..." in err and "fetched 10 label groups..." in err
    last = err.splitlines()[-1]
    assert last.startswith(f"fetched {len(everything)} label groups in ") and last.endswith(" pages")
    pages = int(last.split()[-2])
    assert pages >= len(everything) // 5 and sandbox.calls["/topapi/extcontact/listlabelgroups"] == pages

    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "-q", "--all",
                         "dingtalk.oapi.user.listbypage", "department_id=6", "size=2")
    assert code == 0 and err == ""
    assert [u["userid"] for u in json.loads(out)] == [u["userid"] for u in make_app().iter_dept_user_details(6)]


def test_call_iter_method_and_get_all_report_progress(capsys, sandbox, make_app):
    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "iter_dept_user_details",
                         "department_id=6", "size:=2")
    assert code == 0, err
    assert len(json.loads(out)) == 3
    assert err.splitlines() == ["fetched 2 dept user details...", "fetched 3 dept user details in 2 pages"]

    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "get_all_users")
    assert code == 0, err
    users = json.loads(out)
    assert {u["userid"] for u in users} == {u["userid"] for u in make_app().get_all_users()}
    assert err.splitlines()[0] == "fetched 1 page..."
    assert err.splitlines()[-1].startswith(f"fetched {len(users)} users in ")


def test_call_all_on_an_unpaged_method_is_refused(capsys, sandbox):
    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "--all", "get_user", "userid=user0002")
    assert code == 2 and out == ""
    assert_one_error_line(err)
    assert "not a paged API" in err


def test_call_with_environment_credentials(sandbox):
    proc = run_cli("call", "dingtalk.oapi.user.get", "userid=user0003", env=sandbox_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["name"] == "张伟"
    assert sandbox.credentials["app_secret"] not in proc.stdout + proc.stderr
    assert all(t not in proc.stdout + proc.stderr for t in sandbox.issued_tokens())


def test_call_with_corp_credentials_in_environment(capsys, monkeypatch, sandbox):
    creds = sandbox.credentials
    monkeypatch.setenv("DINGTALK_CORP_ID", creds["corp_id"])
    monkeypatch.setenv("DINGTALK_CORP_SECRET", creds["corp_secret"])
    monkeypatch.setenv("DINGTALK_AGENT_ID", creds["agent_id"])
    monkeypatch.setenv("DINGTALK_OAPI_URL", sandbox.url)
    code, out, err = cli(capsys, "call", "get_jsapi_config", "url=https://example.com/page#x")
    assert code == 0, err
    cfg = json.loads(out)
    assert cfg["corpId"] == creds["corp_id"] and len(cfg["signature"]) == 40


def test_call_with_config_file(capsys, monkeypatch, tmp_path, sandbox):
    creds = sandbox.credentials
    path = tmp_path / "dingtalk.json"
    path.write_text(json.dumps({"name": "from-file", "app_key": creds["app_key"], "app_secret": creds["app_secret"],
                                "corp_id": creds["corp_id"], "agent_id": creds["agent_id"],
                                "oapi_url": sandbox.url, "timeout": 5}), encoding="utf-8")
    path.chmod(0o600)
    code, out, err = cli(capsys, "call", "--config", str(path), "dingtalk.oapi.user.get", "userid=user0004")
    assert code == 0 and err == ""
    assert json.loads(out)["name"] == "刘洋"

    # environment variables win over the file; the credential pair comes whole from one source
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"app_key": "wrong", "app_secret": "wrong", "oapi_url": sandbox.url}))
    broken.chmod(0o600)
    monkeypatch.setenv("DINGTALK_CORP_ID", creds["corp_id"])
    monkeypatch.setenv("DINGTALK_CORP_SECRET", creds["corp_secret"])
    code, out, err = cli(capsys, "call", "--config", str(broken), "get_user", "user_id=user0004")
    assert code == 0, err


def test_call_reads_the_default_config_file(capsys, isolated_env, sandbox):
    creds = sandbox.credentials
    folder = isolated_env / ".config" / "dingtalk"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"app_key": creds["app_key"], "app_secret": creds["app_secret"],
                                                    "oapi_url": sandbox.url}))
    (folder / "config.json").chmod(0o600)
    code, out, err = cli(capsys, "call", "get_org_user_count")
    assert code == 0, err
    assert isinstance(json.loads(out), int)


def test_config_file_from_environment_and_a_warning_when_others_can_read_it(capsys, monkeypatch, tmp_path, sandbox):
    creds = sandbox.credentials
    path = tmp_path / "shared.json"
    path.write_text(json.dumps({"app_key": creds["app_key"], "app_secret": creds["app_secret"],
                                "oapi_url": sandbox.url}))
    path.chmod(0o644)
    monkeypatch.setenv("DINGTALK_CONFIG", str(path))
    code, out, err = cli(capsys, "call", "get_user", "userid=user0002")
    assert code == 0 and json.loads(out)["userid"] == "user0002"
    assert err.startswith("dingtalk: warning: ") and "chmod 600" in err
    assert creds["app_secret"] not in err


def test_config_file_problems_are_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"app_key": "k", "app_secret": "top-secret-value",')
    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps({"app_key": "k", "appsecret": "top-secret-value"}))
    for path, words in ((bad, "not valid JSON"), (typo, "unknown key"), (tmp_path / "missing.json", "cannot read")):
        code, out, err = cli(capsys, "call", "--config", str(path), "get_user", "userid=u")
        assert code == 1 and out == ""
        assert_one_error_line(err)
        assert words in err and "top-secret-value" not in err


# -- errors ----------------------------------------------------------------------------------------
def test_unknown_method_suggests_close_names():
    proc = run_cli("call", "dingtalk.oapi.user.gett", "userid=x")
    assert proc.returncode == 1 and proc.stdout == ""
    assert_one_error_line(proc.stderr)
    assert "did you mean" in proc.stderr and "'dingtalk.oapi.user.get'" in proc.stderr

    proc = run_cli("call", "get_usr", "userid=x")
    assert proc.returncode == 1 and "'get_user'" in proc.stderr


def test_secret_printing_methods_are_not_callable(capsys):
    for name in ("get_access_token", "refresh_jsapi_ticket", "get_request_url"):
        code, out, err = cli(capsys, "call", name)
        assert code == 1 and out == ""
        assert_one_error_line(err)


def test_secrets_in_results_are_masked(capsys):
    from dingtalk import DingTalkApp
    from dingtalk.sandbox import Sandbox

    aes_key = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
    with Sandbox(check_url=False) as sb:
        creds = sb.credentials
        with DingTalkApp(corp_id=creds["corp_id"], corp_secret=creds["corp_secret"], oapi_url=sb.url,
                         top_url=sb.top_url, api_url=sb.url) as app:
            app.register_callback(["user_add_org"], url="http://127.0.0.1:9/cb", token="callback-token-value",
                                  aes_key=aes_key)
        code, out, err = cli(capsys, "call", "--sandbox", sb.url, "dingtalk.oapi.call_back.get_call_back")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["url"] == "http://127.0.0.1:9/cb" and shown["token"] == shown["aes_key"] == "***"
    assert "callback-token-value" not in out and aes_key not in out


def test_missing_credentials_say_what_to_set():
    proc = run_cli("call", "dingtalk.oapi.user.get", "userid=user0002")
    assert proc.returncode == 1
    assert_one_error_line(proc.stderr)
    assert "DINGTALK_APP_KEY" in proc.stderr and "--sandbox" in proc.stderr


def test_unreachable_urls_are_one_line():
    port = free_port()  # nothing listens there
    proc = run_cli("call", "--sandbox", f"http://127.0.0.1:{port}", "get_user", "userid=u")
    assert proc.returncode == 1
    assert_one_error_line(proc.stderr)
    assert "cannot reach the sandbox" in proc.stderr

    proc = run_cli("call", "get_user", "userid=u", env={"DINGTALK_APP_KEY": "k", "DINGTALK_APP_SECRET": "secret-xyz",
                                                         "DINGTALK_OAPI_URL": f"http://127.0.0.1:{port}"})
    assert proc.returncode == 1
    assert_one_error_line(proc.stderr)  # the retries' log lines stay quiet without -v
    assert "ConnectionFailed" in proc.stderr and "secret-xyz" not in proc.stderr


def test_api_errors_and_bad_parameters(capsys, sandbox):
    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "get_user", "userid=nobody")
    assert code == 1 and out == ""
    assert_one_error_line(err)
    assert "APIError" in err and "60121" in err

    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "get_user", "usrid=user0002")
    assert code == 2
    assert_one_error_line(err)
    assert "'user_id'" in err

    code, out, err = cli(capsys, "call", "--sandbox", sandbox.url, "get_label_groups", "size=many")
    assert code == 2 and "size must be an integer" in err


# -- sandbox ---------------------------------------------------------------------------------------
def _start_sandbox(state, port):
    proc = subprocess.Popen([sys.executable, "-m", "dingtalk", "sandbox", "--port", str(port), "--state", str(state)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(url + "/_sandbox/credentials", timeout=1).ok:
                return proc, url
        except requests.exceptions.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"the sandbox did not start: {out}{err}")
        time.sleep(0.05)


def _stop(proc, signum):
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return out, err


def test_sandbox_keeps_its_state_across_restarts(capsys, tmp_path):
    state = tmp_path / "sandbox-state.json"
    proc, url = _start_sandbox(state, free_port())
    try:
        code, out, err = cli(capsys, "call", "--sandbox", url, "dingtalk.oapi.user.create",
                             "name=持久用户", "mobile=13700001111", "department:=[1]")
        assert code == 0, err
        userid = json.loads(out)["userid"]
    finally:
        out, err = _stop(proc, signal.SIGINT)
    assert proc.returncode == 0 and "Traceback" not in err
    assert url in out and "dingsandboxappkey01" in out and "DINGTALK_OAPI_URL" in out
    assert "state saved" in out and state.exists()

    proc, url = _start_sandbox(state, free_port())
    try:
        code, out, err = cli(capsys, "call", "--sandbox", url, "get_user", f"user_id={userid}")
        assert code == 0, err
        assert json.loads(out)["name"] == "持久用户"
    finally:
        out, err = _stop(proc, signal.SIGTERM)  # SIGTERM stops it cleanly too
    assert proc.returncode == 0 and "(loaded;" in out and "state saved" in out


def test_sandbox_refuses_a_broken_state_file(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("not json")
    proc = run_cli("sandbox", "--port", str(free_port()), "--state", str(state))
    assert proc.returncode == 1
    assert_one_error_line(proc.stderr)
    assert "cannot load the sandbox state" in proc.stderr
