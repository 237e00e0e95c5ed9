"""No secret, token or ticket in logs, error messages, reprs or formatted tracebacks."""
from __future__ import annotations

import logging
import socket
import traceback

from dingtalk.errors import DingTalkError

AES = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
CALLBACK_TOKEN = "callback-token-Zq81"


def test_full_cycle_leaks_nothing(make_app, sandbox, caplog):
    caplog.set_level(logging.DEBUG)  # root: catches dingtalk and urllib3 (request lines)
    app = make_app(aes_key=AES, token=CALLBACK_TOKEN, timeout=0.3, max_attempts=2)
    legacy = make_app("corp", name="legacy-secrets")
    texts = [repr(app), str(app), repr(legacy), repr(app.tokens), repr(app.cache), repr(app.credentials)]
    raised = []

    def attempt(fn):
        try:
            return fn()
        except DingTalkError as exc:
            raised.append(exc)

    app.access_token
    legacy.access_token
    app.get_jsapi_ticket()
    app.refresh_jsapi_ticket()
    app.get_jsapi_config("https://example.com/#/home")
    sandbox.expire_tokens()
    app.get_label_groups()                       # re-auth cycle
    for fault in (dict(errcode=40014), dict(errcode=90018), dict(errcode=-1), dict(html=True),
                  dict(status=502), dict(reset=True), dict(delay=1.0)):
        sandbox.inject("/topapi/extcontact/listlabelgroups", times=None, **fault)
        attempt(app.get_label_groups)
        sandbox.clear_faults()
    sandbox.inject("/get_jsapi_ticket", errcode=40014, times=None)
    attempt(app.refresh_jsapi_ticket)
    sandbox.clear_faults()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    attempt(make_app(oapi_url=f"http://127.0.0.1:{port}", max_attempts=1).get_org_user_count)
    attempt(make_app(app_secret="wrong-app-secret").get_org_user_count)

    assert len(raised) >= 9
    for exc in raised:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
    texts += [rec.getMessage() for rec in caplog.records]
    blob = "\n".join(texts)

    creds = sandbox.credentials
    secrets = [creds["app_secret"], creds["corp_secret"], AES, CALLBACK_TOKEN, "wrong-app-secret"]
    secrets += sandbox.issued_tokens() + sandbox.issued_tickets()
    assert len(sandbox.issued_tokens()) >= 2 and len(sandbox.issued_tickets()) >= 2
    assert any("urllib3" in rec.name for rec in caplog.records)  # we did see request lines
    for secret in secrets:
        assert secret and secret not in blob, "a secret leaked"


def test_request_descriptions_hide_their_parameters():
    from dingtalk.transport import Request

    req = Request("oapi", "GET", "/gettoken", params={"appkey": "k", "appsecret": "TOP-SECRET-VALUE"},
                  name="dingtalk.oapi.gettoken")
    assert "TOP-SECRET-VALUE" not in repr(req) and "/gettoken" in repr(req)
