"""dingtalk-python: a synchronous SDK for DingTalk (钉钉) enterprise internal apps.

Quick start::

    from dingtalk import DingTalkApp
    app = DingTalkApp(name="test", app_key="...", app_secret="...", agent_id="152919534")
    groups = app.get_label_groups()
    same = app.run("dingtalk.corp.ext.listlabelgroups", size=20, offset=0)

``DingTalkApp`` and ``dingtalk`` are imported on first use, so that ``dingtalk.errors``,
``dingtalk.crypto`` and ``dingtalk.sandbox`` stay light to import.
"""
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["DingTalkApp", "dingtalk", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .app import DingTalkApp
    from .registry import dingtalk


def __getattr__(name: str) -> Any:
    if name == "DingTalkApp":
        from .app import DingTalkApp
        return DingTalkApp
    if name == "dingtalk":
        from .registry import dingtalk
        return dingtalk
    raise AttributeError(f"module 'dingtalk' has no attribute {name!r}")
