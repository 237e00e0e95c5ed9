"""The callback examples in examples/ answer a signed check_url through their framework's test client."""
from __future__ import annotations

import importlib
import json
import sys
from urllib.parse import urlencode

import pytest

from dingtalk.crypto import CallbackCrypto

ENV = {"DINGTALK_APP_KEY": "dingexamplekey", "DINGTALK_APP_SECRET": "example-secret",
       "DINGTALK_CORP_ID": "dingexamplecorp", "DINGTALK_CALLBACK_TOKEN": "example-token",
       "DINGTALK_AES_KEY": "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij",
       "DINGTALK_OAPI_URL": "http://127.0.0.1:9"}
CRYPTO = CallbackCrypto(ENV["DINGTALK_CALLBACK_TOKEN"], ENV["DINGTALK_AES_KEY"], ENV["DINGTALK_APP_KEY"])


@pytest.fixture
def example(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)

    def load(name):
        sys.modules.pop(f"examples.{name}", None)
        return importlib.import_module(f"examples.{name}")

    return load


def check_url_request():
    env = CRYPTO.encrypt(json.dumps({"EventType": "check_url"}))
    return ({"signature": env["msg_signature"], "timestamp": env["timeStamp"], "nonce": env["nonce"]},
            json.dumps({"encrypt": env["encrypt"]}))


def assert_success(payload):
    assert CRYPTO.decrypt(payload["msg_signature"], payload["timeStamp"], payload["nonce"],
                          payload["encrypt"]) == "success"


def test_flask_example(example):
    module = example("flask_callback")
    query, body = check_url_request()
    resp = module.app.test_client().post("/dingtalk/callback", query_string=query, data=body,
                                         content_type="application/json")
    assert resp.status_code == 200
    assert_success(resp.get_json())


def test_django_example(example):
    import tests.test_callback_adapters  # noqa: F401  (configures Django settings once)
    from django.test import Client, override_settings

    example("django_callback")
    query, body = check_url_request()
    with override_settings(ROOT_URLCONF="examples.django_callback"):
        resp = Client().post("/dingtalk/callback?" + urlencode(query), data=body, content_type="application/json")
    assert resp.status_code == 200
    assert_success(json.loads(resp.content))


def test_wsgi_example(example):
    from werkzeug.test import Client

    module = example("wsgi_callback")
    query, body = check_url_request()
    resp = Client(module.application).post("/", query_string=query, data=body, content_type="application/json")
    assert resp.status_code == 200
    assert_success(json.loads(resp.get_data()))
