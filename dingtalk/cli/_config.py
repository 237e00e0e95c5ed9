"""Where ``dingtalk call`` gets its settings: --sandbox, environment variables, a JSON config file."""
from __future__ import annotations

import argparse
import json
import os
import re
import stat
from typing import Any, Dict, Mapping, Optional

from ._output import CLIError, _warn

#: config-file key → environment variable
SETTINGS: Dict[str, str] = {
    "name": "DINGTALK_NAME",
    "app_key": "DINGTALK_APP_KEY",
    "app_secret": "DINGTALK_APP_SECRET",
    "corp_id": "DINGTALK_CORP_ID",
    "corp_secret": "DINGTALK_CORP_SECRET",
    "agent_id": "DINGTALK_AGENT_ID",
    "oapi_url": "DINGTALK_OAPI_URL",
    "top_url": "DINGTALK_TOP_URL",
    "api_url": "DINGTALK_API_URL",
    "redis_url": "DINGTALK_REDIS_URL",
    "token": "DINGTALK_CALLBACK_TOKEN",
    "aes_key": "DINGTALK_AES_KEY",
    "callback_url": "DINGTALK_CALLBACK_URL",
    "timeout": "DINGTALK_TIMEOUT",
}
#: the credential pair comes whole from one source (env over file), never mixed
_PAIR_KEYS = ("app_key", "app_secret", "corp_secret")
_SECRET_KEYS = ("app_secret", "corp_secret", "aes_key", "token", "redis_url")


# -- configuration -------------------------------------------------------------------------------
def default_config_path() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "dingtalk", "config.json")


def load_config_file(path: str) -> Dict[str, Any]:
    """Read a JSON object of settings (keys as in :data:`SETTINGS`)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise CLIError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        # the position only: the message must not echo the file (it holds secrets)
        raise CLIError(f"config file {path} is not valid JSON (line {getattr(exc, 'lineno', '?')}, "
                       f"column {getattr(exc, 'colno', '?')})") from None
    if not isinstance(data, dict):
        raise CLIError(f"config file {path} must hold a JSON object {{\"app_key\": ..., ...}}")
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        raise CLIError(f"config file {path}: unknown key(s) {', '.join(map(repr, unknown))}; "
                       f"known keys: {', '.join(SETTINGS)}")
    out: Dict[str, Any] = {}
    for key, value in data.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise CLIError(f"config file {path}: {key!r} must be a string or a number")
        out[key] = value
    if os.name == "posix" and any(k in out for k in _SECRET_KEYS):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = 0
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            _warn(f"{path} holds secrets and is readable by others; run: chmod 600 {path}")
    return out


def _config_path(args: argparse.Namespace, env: Mapping[str, str]) -> Optional[str]:
    if args.config:
        return str(args.config)
    if env.get("DINGTALK_CONFIG"):
        return env["DINGTALK_CONFIG"]
    path = default_config_path()
    return path if os.path.isfile(path) else None


def settings_from(args: argparse.Namespace, env: Mapping[str, str]) -> Dict[str, Any]:
    """The app settings for ``call``: ``--sandbox`` alone, else environment over config file."""
    if getattr(args, "sandbox", None):
        return sandbox_settings(args.sandbox, args.timeout)
    path = _config_path(args, env)
    from_file = load_config_file(path) if path else {}
    from_env = {key: env[var] for key, var in SETTINGS.items() if env.get(var)}
    if any(k in from_env for k in _PAIR_KEYS):
        for key in _PAIR_KEYS:
            from_file.pop(key, None)
    settings = {**from_file, **from_env}
    if settings.get("oapi_url"):  # one base URL (a sandbox, a proxy) serves all three families
        base = str(settings["oapi_url"]).rstrip("/")
        settings.setdefault("top_url", base + "/router/rest")
        settings.setdefault("api_url", base)
    if args.timeout is not None:
        settings["timeout"] = args.timeout
    return settings


def sandbox_settings(url: str, timeout: Optional[float] = None) -> Dict[str, Any]:
    """Settings for a sandbox: its credentials from ``URL/_sandbox/credentials``."""
    import requests

    base = url.rstrip("/")
    if not re.match(r"https?://[^/\s]+", base):
        raise CLIError(f"--sandbox needs a URL such as http://127.0.0.1:8765, got {url!r}", 2)
    wait = timeout or 5.0
    failure: Optional[str] = None
    data: Any = None
    try:
        resp = requests.get(base + "/_sandbox/credentials", timeout=wait)
        if resp.status_code != 200:
            failure = f"GET /_sandbox/credentials answered HTTP {resp.status_code}: is it a dingtalk sandbox?"
        else:
            data = resp.json()
    except requests.exceptions.ConnectionError:
        failure = "connection refused or host unreachable (is 'dingtalk sandbox' running there?)"
    except requests.exceptions.Timeout:
        failure = f"no answer within {wait:g}s"
    except ValueError:
        failure = "the answer is not JSON: is it a dingtalk sandbox?"
    except requests.exceptions.RequestException as exc:
        failure = type(exc).__name__
    if failure is not None:  # raised here, without requests' error chained to it
        raise CLIError(f"cannot reach the sandbox at {base}: {failure}")
    creds = data.get("credentials") if isinstance(data, dict) else None
    if not isinstance(creds, dict) or not creds.get("app_key"):
        raise CLIError(f"{base}/_sandbox/credentials did not return credentials: is it a dingtalk sandbox?")
    out: Dict[str, Any] = {"name": "sandbox", "app_key": creds["app_key"], "app_secret": creds.get("app_secret"),
                           "corp_id": creds.get("corp_id"), "agent_id": creds.get("agent_id"),
                           "oapi_url": base, "api_url": base, "top_url": base + "/router/rest"}
    if timeout is not None:
        out["timeout"] = timeout
    return out


def build_app(settings: Mapping[str, Any], session: Any) -> Any:
    """A DingTalkApp from settings (raises CLIError / ConfigError with what to fix)."""
    from .. import DingTalkApp

    if not any(settings.get(k) for k in _PAIR_KEYS):
        raise CLIError("no credentials: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET (or DINGTALK_CORP_ID "
                       f"and DINGTALK_CORP_SECRET), put them in {default_config_path()} (or --config FILE), "
                       "or use --sandbox URL")
    kwargs: Dict[str, Any] = {k: settings[k] for k in SETTINGS
                              if k not in ("redis_url", "timeout") and settings.get(k) not in (None, "")}
    if settings.get("timeout") not in (None, ""):
        try:
            kwargs["timeout"] = float(settings["timeout"])
        except (TypeError, ValueError):
            raise CLIError(f"timeout must be a number of seconds, got {settings['timeout']!r}") from None
    cache = None
    if settings.get("redis_url"):
        from ..cache import RedisCache
        cache = RedisCache.from_url(str(settings["redis_url"]))
    return DingTalkApp(cache=cache, session=session, **kwargs)
