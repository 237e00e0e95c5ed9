"""The @dingtalk registry, app.methods and run()."""
import pytest

from dingtalk import DingTalkApp, dingtalk
from dingtalk.errors import ConfigError, DingTalkError, UnknownMethodError

CREDS = dict(name="reg", app_key="dingkey", app_secret="secret", agent_id="1",
             oapi_url="http://127.0.0.1:9", top_url="http://127.0.0.1:9/router/rest", api_url="http://127.0.0.1:9")


class MyApp(DingTalkApp):
    """The original README's extension recipe."""

    @dingtalk("dingtalk.corp.ext.list")
    def get_ext_list(self, size=20, offset=0):
        return {"overridden": (size, offset)}

    @dingtalk("custom.hello", "custom.hi")
    def hello(self, who="world"):
        return f"hello {who}"

    @dingtalk("custom.boom")
    def boom(self):
        raise AttributeError("raised inside the method")


def test_seed_names_registered():
    app = DingTalkApp(**CREDS)
    for name in ("dingtalk.corp.ext.listlabelgroups", "dingtalk.corp.ext.list",
                 "dingtalk.smartwork.bpms.processinstance.list",
                 "dingtalk.corp.message.corpconversation.asyncsend",
                 "dingtalk.corp.message.corpconversation.getsendresult",
                 "dingtalk.corp.message.corpconversation.getsendprogress"):
        assert name in app.methods
    assert app.methods["dingtalk.corp.ext.listlabelgroups"] == app.get_label_groups
    assert app.methods.python_name("dingtalk.corp.ext.listlabelgroups") == "get_label_groups"


def test_subclass_registers_its_own_names_without_leaking():
    app, base = MyApp(**CREDS), DingTalkApp(**CREDS)
    assert app.run("custom.hello", who="钉钉") == "hello 钉钉"
    assert app.run("custom.hi") == "hello world"
    assert app.run("dingtalk.corp.ext.list", size=5) == {"overridden": (5, 0)}
    assert "custom.hello" not in base.methods
    assert base.methods.python_name("dingtalk.corp.ext.list") == "get_ext_list"


def test_unknown_name_suggests_close_matches():
    app = DingTalkApp(**CREDS)
    with pytest.raises(UnknownMethodError) as info:
        app.run("dingtalk.corp.ext.listlabelgroup")
    err = info.value
    assert isinstance(err, DingTalkError) and isinstance(err, AttributeError)
    assert "dingtalk.corp.ext.listlabelgroups" in err.suggestions
    assert "did you mean" in str(err)


def test_error_inside_method_is_not_relabelled():
    with pytest.raises(AttributeError) as info:
        MyApp(**CREDS).run("custom.boom")
    assert not isinstance(info.value, UnknownMethodError)
    assert str(info.value) == "raised inside the method"


def test_decorator_needs_a_name():
    with pytest.raises(ConfigError):
        dingtalk()
