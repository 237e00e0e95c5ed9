"""Shared test helpers: a known sandbox user, and a mix of calls over every envelope family."""
from __future__ import annotations

from dingtalk.sandbox.state import unionid_for

USER = "user0002"
V1_READ = f"/v1.0/contact/users/{unionid_for(USER)}"


def mixed_call(app, i: int):
    """The i-th call of a mix over oapi, topapi, the TOP gateway and v1.0 (reads and writes)."""
    calls = (
        lambda: app.get_user(USER),
        lambda: app.get_department_list(),
        lambda: app.get_org_user_count(1),
        lambda: app.get_label_groups(size=20),
        lambda: app.get_ext_list(size=20),
        lambda: app.get_bpms_instance_list("PROC-SANDBOX-LEAVE", start_time=0),
        lambda: app.api_request("GET", V1_READ),
        lambda: app.call_top("dingtalk.corp.ext.listlabelgroups", size=20, offset=0),
        lambda: app.get_dept_user_list(1),
        lambda: app.async_send_msg("text", {"content": f"第{i}条"}, userid_list=[USER]),
    )
    result = calls[i % len(calls)]()
    assert result is not None
    return result


def assert_refused_before_sending(app, sandbox, call, error=None):
    """``call(app)`` raises ``error`` (ParameterError by default) and the sandbox received nothing."""
    import pytest

    from dingtalk.errors import ParameterError

    app.access_token  # the token fetch is not what is being checked
    before = len(sandbox.requests)
    with pytest.raises(error or ParameterError):
        call(app)
    assert len(sandbox.requests) == before
