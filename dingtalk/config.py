"""Validating what a :class:`~dingtalk.DingTalkApp` is built with.

Everything wrong with the configuration is found at construction and reported as
:class:`~dingtalk.errors.ConfigError` with a message that says what to fix. There are no
default credentials anywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ._secrets import Secret
from .errors import ConfigError

DEFAULT_OAPI_URL = "https://oapi.dingtalk.com"
DEFAULT_TOP_URL = "https://eco.taobao.com/router/rest"
DEFAULT_API_URL = "https://api.dingtalk.com"

_AES_KEY_RE = re.compile(r"[A-Za-z0-9]{43}")


@dataclass(frozen=True)
class Credentials:
    """Either the legacy corp pair (corp_id + corp_secret) or the app pair (app_key + app_secret)."""

    corp_id: Optional[str]
    corp_secret: Optional[Secret]
    app_key: Optional[str]
    app_secret: Optional[Secret]

    @property
    def style(self) -> str:
        return "app_key" if self.app_key else "corp"

    @property
    def identity(self) -> str:
        """What the cache keys are namespaced by: app_key, or corp_id for the corp pair."""
        return self.app_key or self.corp_id or ""

    def gettoken_params(self) -> dict:
        if self.app_key:
            return {"appkey": self.app_key, "appsecret": self.app_secret.reveal()}  # type: ignore[union-attr]
        return {"corpid": self.corp_id, "corpsecret": self.corp_secret.reveal()}  # type: ignore[union-attr]


def _text(name: str, value: object) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ConfigError(f"{name} must be a string, not {type(value).__name__}")
    return str(value).strip()


def credentials(corp_id: object, corp_secret: object, app_key: object, app_secret: object) -> Credentials:
    corp_id_s, corp_secret_s = _text("corp_id", corp_id), _text("corp_secret", corp_secret)
    app_key_s, app_secret_s = _text("app_key", app_key), _text("app_secret", app_secret)
    if corp_secret_s and (app_key_s or app_secret_s):
        raise ConfigError("give either corp_id + corp_secret (legacy) or app_key + app_secret "
                          "(internal app), not both: remove corp_secret or app_key/app_secret")
    if app_key_s or app_secret_s:
        if not (app_key_s and app_secret_s):
            missing = "app_secret" if app_key_s else "app_key"
            raise ConfigError(f"app_key and app_secret go together: {missing} is missing")
    elif corp_secret_s or corp_id_s:
        if not (corp_id_s and corp_secret_s):
            missing = "corp_secret" if corp_id_s else "corp_id"
            raise ConfigError(f"corp_id and corp_secret go together: {missing} is missing "
                              "(or use app_key + app_secret)")
    else:
        raise ConfigError("no credentials: pass app_key + app_secret (企业内部应用的 AppKey/AppSecret) "
                          "or corp_id + corp_secret")
    return Credentials(corp_id_s, Secret(corp_secret_s) if corp_secret_s else None,
                       app_key_s, Secret(app_secret_s) if app_secret_s else None)


def aes_key(value: object) -> Optional[Secret]:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _AES_KEY_RE.fullmatch(value):
        length = len(value) if isinstance(value, str) else type(value).__name__
        raise ConfigError(f"aes_key must be exactly 43 letters and digits [A-Za-z0-9] "
                          f"(got {length}{' characters' if isinstance(value, str) else ''}); "
                          "copy it from the callback / event-subscription settings")
    return Secret(value)


def base_url(name: str, value: object) -> str:
    if not isinstance(value, str) or not re.match(r"https?://[^/\s]+", value):
        raise ConfigError(f"{name} must be an http(s) URL such as 'https://oapi.dingtalk.com', "
                          f"got {value!r}")
    return value.rstrip("/")


def positive_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
    return value
