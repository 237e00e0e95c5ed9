"""Constructor validation: bad configuration fails at construction with a useful message."""
import pytest

from dingtalk import DingTalkApp
from dingtalk.errors import ConfigError

URLS = dict(oapi_url="http://127.0.0.1:9", top_url="http://127.0.0.1:9/router/rest", api_url="http://127.0.0.1:9")
AES = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"


def test_seed_form_works_unchanged():
    app = DingTalkApp(name="test", cache=None, agent_id="152919534",
                      corp_id="ding19cdf2s221ef83f635c2e4523eb3418f",
                      corp_secret="3ab8Uk7Wef4ytgf7YZF2EziCAlx6AufdF3dFvfjtu3532FG3AUgWNEJys", aes_key=AES)
    assert app.name == "test" and app.agent_id == "152919534"
    assert app.corp_id == "ding19cdf2s221ef83f635c2e4523eb3418f"
    assert app.callback_key_id == app.corp_id
    assert app.tokens.namespace == "dingtalk:test:ding19cdf2s221ef83f635c2e4523eb3418f"


def test_app_key_style_namespaces_by_app_key():
    app = DingTalkApp(name="n", app_key="dingappkey", app_secret="s", corp_id="dingcorp", **URLS)
    assert app.tokens.namespace == "dingtalk:n:dingappkey"
    assert app.callback_key_id == "dingappkey"
    assert DingTalkApp(name="n", app_key="k", app_secret="s", callback_key_id="suite4x").callback_key_id == "suite4x"


@pytest.mark.parametrize("kwargs, words", [
    (dict(), "no credentials"),
    (dict(corp_id="c"), "corp_secret is missing"),
    (dict(corp_secret="s"), "corp_id is missing"),
    (dict(app_key="k"), "app_secret is missing"),
    (dict(app_secret="s"), "app_key is missing"),
    (dict(corp_id="c", corp_secret="s", app_key="k", app_secret="t"), "not both"),
    (dict(app_key="k", app_secret="s", aes_key="short"), "43"),
    (dict(app_key="k", app_secret="s", aes_key=AES[:-1] + "!"), "43"),
    (dict(app_key="k", app_secret="s", aes_key=AES + "x"), "44 characters"),
    (dict(app_key="k", app_secret="s", timeout=0), "timeout"),
    (dict(app_key="k", app_secret="s", max_attempts=0), "max_attempts"),
    (dict(app_key="k", app_secret="s", oapi_url="oapi.dingtalk.com"), "oapi_url"),
    (dict(app_key="k", app_secret="s", session=object()), "requests.Session"),
    (dict(app_key="k", app_secret="s", cache=object()), "cache"),
])
def test_bad_configuration_raises_config_error(kwargs, words):
    with pytest.raises(ConfigError) as info:
        DingTalkApp(**kwargs)
    assert isinstance(info.value, ValueError)
    assert words in str(info.value)


def test_secrets_not_in_repr_or_error_messages():
    app = DingTalkApp(name="n", corp_id="dingcorp", corp_secret="TOPSECRET-corp", aes_key=AES,
                      token="CALLBACK-TOKEN", **URLS)
    text = repr(app) + str(app) + repr(app.credentials) + repr(app.tokens)
    for secret in ("TOPSECRET-corp", AES, "CALLBACK-TOKEN"):
        assert secret not in text
    with pytest.raises(ConfigError) as info:
        DingTalkApp(corp_id="c", corp_secret="TOPSECRET-corp", app_key="k", app_secret="TOPSECRET-app")
    assert "TOPSECRET" not in str(info.value)
    with pytest.raises(ConfigError) as info:
        DingTalkApp(app_key="k", app_secret="s", aes_key="TOPSECRETaeskey")
    assert "TOPSECRETaeskey" not in str(info.value)
