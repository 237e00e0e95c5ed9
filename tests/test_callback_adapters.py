"""Callback endpoints through the real Flask, Django and WSGI (werkzeug) test clients."""
from __future__ import annotations

import json
import logging

import django
import pytest
from django.conf import settings
from django.urls import path

from dingtalk import DingTalkApp

AES_KEY = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
TOKEN = "adapter-callback-token"
APP = DingTalkApp(name="adapters", app_key="dingadapterkey", app_secret="adapter-secret", token=TOKEN,
                  aes_key=AES_KEY, oapi_url="http://127.0.0.1:9")
SEEN = []


@APP.callbacks.on("user_add_org")
def _on_user_add(event):
    SEEN.append(event.user_ids)


if not settings.configured:
    settings.configure(DEBUG=False, SECRET_KEY="test-only-" + "x" * 40, ALLOWED_HOSTS=["testserver"],
                       ROOT_URLCONF=__name__, INSTALLED_APPS=[], USE_TZ=True,
                       MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
    django.setup()

from dingtalk.contrib.django import callback_view as django_view  # noqa: E402

urlpatterns = [path("dingtalk/callback", django_view(APP))]


def signed_request(event: dict):
    """Query string parameters and JSON body of a push as DingTalk sends it."""
    env = APP.encrypt_callback(json.dumps(event))
    query = {"signature": env["msg_signature"], "timestamp": env["timeStamp"], "nonce": env["nonce"]}
    return query, json.dumps({"encrypt": env["encrypt"]})


def assert_success_reply(payload: dict):
    assert set(payload) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    text = APP.callback_crypto.decrypt(payload["msg_signature"], payload["timeStamp"], payload["nonce"],
                                       payload["encrypt"])
    assert text == "success"


def flask_post(query, body):
    from flask import Flask
    from dingtalk.contrib.flask import callback_blueprint

    web = Flask(__name__)
    web.register_blueprint(callback_blueprint(APP, url="/dingtalk/callback"))
    resp = web.test_client().post("/dingtalk/callback", query_string=query, data=body,
                                  content_type="application/json")
    return resp.status_code, resp.get_json()


def django_post(query, body):
    from urllib.parse import urlencode
    from django.test import Client

    resp = Client(enforce_csrf_checks=True).post("/dingtalk/callback?" + urlencode(query), data=body,
                                                 content_type="application/json")
    return resp.status_code, json.loads(resp.content)


def wsgi_post(query, body):
    from werkzeug.test import Client
    from dingtalk.contrib.wsgi import CallbackWSGIApp

    resp = Client(CallbackWSGIApp(APP)).post("/anything", query_string=query, data=body,
                                            content_type="application/json")
    return resp.status_code, json.loads(resp.get_data())


ADAPTERS = [flask_post, django_post, wsgi_post]


@pytest.mark.parametrize("post", ADAPTERS)
def test_check_url_gets_encrypted_success(post):
    status, payload = post(*signed_request({"EventType": "check_url"}))
    assert status == 200
    assert_success_reply(payload)


@pytest.mark.parametrize("post", ADAPTERS)
def test_events_are_dispatched(post):
    SEEN.clear()
    status, payload = post(*signed_request({"EventType": "user_add_org", "UserId": ["u9"], "CorpId": "c"}))
    assert status == 200 and SEEN == [["u9"]]
    assert_success_reply(payload)


@pytest.mark.parametrize("post", ADAPTERS)
@pytest.mark.parametrize("tamper", ["signature", "encrypt", "body", "missing"])
def test_tampered_requests_get_400_and_a_log_line_without_secrets(post, tamper, caplog):
    caplog.set_level(logging.DEBUG)
    query, body = signed_request({"EventType": "check_url"})
    if tamper == "signature":
        query["signature"] = "0" * 40
    elif tamper == "encrypt":
        data = json.loads(body)
        data["encrypt"] = data["encrypt"][:-8] + "AAAAAAA="
        body = json.dumps(data)
        query["signature"] = APP.callback_crypto.sign(query["timestamp"], query["nonce"], data["encrypt"])
    elif tamper == "body":
        body = "<xml>not json</xml>"
    else:
        query.pop("nonce")
    status, payload = post(query, body)
    assert status == 400 and payload["errcode"] == 400
    lines = [r.getMessage() for r in caplog.records if r.name == "dingtalk"]
    assert any("rejected a DingTalk callback" in line for line in lines)
    blob = "\n".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in blob and AES_KEY not in blob and "adapter-secret" not in blob


def test_django_view_is_post_only():
    from django.test import Client

    assert Client().get("/dingtalk/callback").status_code == 405
