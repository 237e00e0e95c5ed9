"""Command line: ``dingtalk`` (or ``python -m dingtalk``).

* ``dingtalk sandbox [--host H] [--port P] [--state FILE]`` serves a local sandbox DingTalk
  until Ctrl-C (or SIGTERM); with ``--state`` it loads FILE when it exists and saves on stop.
* ``dingtalk call NAME [key=value | key:=json ...]`` calls one method by its DingTalk name
  (``app.run(NAME, ...)``) or by its Python name, and prints the result as JSON. ``--all``
  walks a paged API to the end, with progress on stderr.
* ``dingtalk methods [FILTER] [--json]`` lists the DingTalk names and their Python methods.
* ``dingtalk demo`` runs the quick start against an in-process sandbox, callbacks included.

Credentials for ``call`` come from ``--sandbox URL``, else from ``DINGTALK_*`` environment
variables over a JSON config file (``--config FILE``, ``$DINGTALK_CONFIG``, or
``~/.config/dingtalk/config.json`` when it exists). See ``docs/cli.md``.

Every failure is reported as one line, ``dingtalk: error: ...``, on stderr with a non-zero
exit status (2 for bad usage, 1 otherwise); never a traceback, never a secret.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import inspect
import json
import logging
import os
import re
import secrets
import signal
import stat
import string
import sys
import threading
import time
from datetime import date, datetime
from typing import Any, Callable, Dict, Iterable, List, Mapping, NoReturn, Optional, Set, TextIO, Tuple
from urllib.parse import urlsplit

from .errors import ConnectionFailed, DingTalkError, RequestTimeout

PROG = "dingtalk"

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

#: AppBase methods that ``call`` accepts by Python name besides the API mixins' methods
#: (``get_access_token`` and friends are left out on purpose: they would print secrets)
_GENERIC_CALLS = ("call_top", "oapi_get", "oapi_post", "topapi_post", "api_request", "get_jsapi_config")
#: page methods whose iterator does not follow the ``get_X`` → ``iter_X`` naming
_ITERATOR_ALIASES = {"get_bpms_instance_list": "iter_bpms_instances", "get_schedule_list": "iter_schedules"}
_TIME_ANNOTATIONS = ("TimeArg", "DateArg", "TimeLike", "datetime", "date")
#: result fields that hold a secret (e.g. ``get_callback``'s token and aes_key): printed as ***
_SECRET_FIELDS = frozenset({"access_token", "accesstoken", "app_secret", "appsecret", "corp_secret",
                            "corpsecret", "aes_key", "aeskey", "encodingaeskey", "token", "ticket",
                            "jsapi_ticket", "suite_ticket", "secret"})


class CLIError(Exception):
    """A usage or environment problem: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``dingtalk: error: ...``), not usage + message."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')", 2)


# -- output ------------------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, Iterable):
        return list(value)
    return str(value)


def redact(value: Any) -> Any:
    """``value`` with every secret-named field (at any depth) masked."""
    if isinstance(value, Mapping):
        return {k: ("***" if isinstance(k, str) and k.lower() in _SECRET_FIELDS and v not in (None, "")
                    else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def to_json(value: Any, indent: Optional[int] = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)


def _error_line(message: str) -> None:
    text = " ".join(str(message).split())  # one line, whatever the message holds
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


class Progress:
    """Counts the API requests of one ``call`` (a ``requests`` response hook) and reports
    ``fetched N ...`` lines on stderr while a paged API is walked."""

    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.mode: Optional[str] = None  # None: silent; "items": an iterator; "pages": requests only
        self.noun = "items"
        self.pages = 0
        self.items = 0
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._dirty = False

    def on_response(self, resp: Any, *args: Any, **kwargs: Any) -> None:
        path = urlsplit(getattr(resp, "url", "") or "").path
        if path.endswith(("/gettoken", "/get_jsapi_ticket")):
            return
        self.pages += 1
        if self.mode == "pages":
            self._say(f"fetched {self.pages} page{'s' if self.pages != 1 else ''}...")
        elif self.mode == "items" and self.pages > 1:
            # the iterator asks for the next page only after yielding the previous one's items
            self._say(f"fetched {self.items} {self.noun}...")

    def done(self, result: Any = None) -> None:
        pages = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        if self.mode == "items":
            self._say(f"fetched {self.items} {self.noun} in {pages}", final=True)
        elif self.mode == "pages":
            count = f"{len(result)} {self.noun} in " if isinstance(result, (list, tuple, dict)) else ""
            self._say(f"fetched {count}{pages}", final=True)

    def _say(self, text: str, final: bool = False) -> None:
        if not self.enabled:
            return
        if self._tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
            self._dirty = not final
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close_line(self) -> None:
        if self._dirty:
            self.stream.write("\n")
            self._dirty = False


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
    from . import DingTalkApp

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
        from .cache import RedisCache
        cache = RedisCache.from_url(str(settings["redis_url"]))
    return DingTalkApp(cache=cache, session=session, **kwargs)


# -- method names --------------------------------------------------------------------------------
class Catalogue:
    """What ``call`` may call: the registered DingTalk names and the callable Python names."""

    def __init__(self) -> None:
        from . import DingTalkApp

        self.cls = DingTalkApp
        # a throwaway instance: ``methods`` is a per-instance view; nothing is sent
        app = DingTalkApp(name="cli-catalogue", app_key="-", app_secret="-")
        self.table = app.methods
        self.names: List[str] = list(self.table)
        app.close()
        python: Dict[str, Callable[..., Any]] = {}
        for klass in DingTalkApp.__mro__:
            if not klass.__module__.startswith("dingtalk.apis."):
                continue
            for attr, value in vars(klass).items():
                if not attr.startswith("_") and inspect.isfunction(value):
                    python.setdefault(attr, getattr(DingTalkApp, attr))
        for attr in _GENERIC_CALLS:
            python[attr] = getattr(DingTalkApp, attr)
        self.python = python

    def python_name(self, name: str) -> str:
        return self.table.python_name(name)

    def function(self, python_name: str) -> Callable[..., Any]:
        return getattr(self.cls, python_name)

    def iterator_for(self, python_name: str) -> Optional[str]:
        """The ``iter_...`` generator that walks the pages of ``python_name``, if any."""
        if python_name.startswith("iter_"):
            return python_name
        candidates = [_ITERATOR_ALIASES.get(python_name)]
        if python_name.startswith("get_"):
            candidates.append("iter_" + python_name[4:])
        candidates.append("iter_" + python_name)
        for cand in candidates:
            if cand and cand in self.python:
                return cand
        return None

    def resolve(self, name: str) -> Tuple[str, bool]:
        """``(python_name, is_dingtalk_name)``; CLIError with suggestions when unknown."""
        if name in self.table:
            return self.python_name(name), True
        if name in self.python:
            return name, False
        raise CLIError(f"unknown method {name!r}{self._suggest(name)} ('{PROG} methods' lists them)")

    def _suggest(self, name: str) -> str:
        pool = self.names + sorted(self.python)
        low = name.lower()
        found = [n for n in pool if low and low in n.lower()][:3]
        for close in difflib.get_close_matches(name, pool, n=3, cutoff=0.6):
            if close not in found:
                found.append(close)
        found = found[:4]
        return f"; did you mean {', '.join(repr(n) for n in found)}?" if found else ""

    def doc(self, python_name: str) -> str:
        text = inspect.getdoc(self.function(python_name)) or ""
        return text.strip().splitlines()[0].strip() if text.strip() else ""


# -- parameters ----------------------------------------------------------------------------------
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse_params(items: Iterable[str]) -> Tuple[Dict[str, Any], Set[str]]:
    """``key=value`` (a string) and ``key:=json`` → kwargs; also the keys given as strings."""
    params: Dict[str, Any] = {}
    as_text: Set[str] = set()
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise CLIError(f"expected key=value or key:=json, got {item!r}", 2)
        is_json = key.endswith(":")
        if is_json:
            key = key[:-1]
        if not _KEY_RE.match(key):
            raise CLIError(f"bad parameter name {key!r} in {item!r} (letters, digits and _)", 2)
        if key in params:
            raise CLIError(f"parameter {key!r} given twice", 2)
        if is_json:
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise CLIError(f"{key}:= needs a JSON value ({exc.msg} at column {exc.colno}): {value!r}; "
                               "for a string write key=value", 2) from None
        else:
            params[key] = value
            as_text.add(key)
    return params, as_text


def _annotation(param: inspect.Parameter) -> str:
    ann = param.annotation
    if ann is inspect.Parameter.empty:
        return ""
    text = ann if isinstance(ann, str) else getattr(ann, "__name__", str(ann))
    text = text.replace(" ", "")
    match = re.fullmatch(r"Optional\[(.+)\]", text)
    return match.group(1) if match else text


def _convert(key: str, value: str, kind: str) -> Any:
    """A ``key=value`` string made into what the parameter's annotation asks for."""
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise CLIError(f"{key} must be an integer, got {value!r}", 2) from None
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise CLIError(f"{key} must be a number, got {value!r}", 2) from None
    if kind == "bool":
        low = value.lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise CLIError(f"{key} must be true or false, got {value!r}", 2)
    if kind in _TIME_ANNOTATIONS:
        if value.isdigit():
            return int(value)  # epoch milliseconds, as the SDK takes numbers
        try:
            return datetime.fromisoformat(value)  # naive: China time, as everywhere in the SDK
        except ValueError:
            return value
    return value


def prepare_call(func: Callable[..., Any], label: str, params: Dict[str, Any], as_text: Set[str]) -> Dict[str, Any]:
    """Convert string values by annotation and check the arguments bind (no request yet)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # pragma: no cover - builtins only
        return params
    plist = [p for p in sig.parameters.values() if p.name != "self"]
    by_name = {p.name: p for p in plist if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in plist)
    shown = ", ".join(_param_text(p) for p in plist) or "none"
    out: Dict[str, Any] = {}
    for key, value in params.items():
        name = key if key in by_name else _alias(key, by_name)
        if name not in by_name and not takes_any:
            close = difflib.get_close_matches(key, list(by_name), n=2, cutoff=0.5)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise CLIError(f"{label} has no parameter {key!r}{hint} (parameters: {shown})", 2)
        if name in out:
            raise CLIError(f"parameter {name!r} given twice (as {key!r})", 2)
        out[name] = _convert(key, value, _annotation(by_name[name])) if key in as_text and name in by_name \
            else value
    try:
        sig.bind(None, **out) if "self" in sig.parameters else sig.bind(**out)
    except TypeError as exc:
        raise CLIError(f"bad arguments for {label}: {exc} (parameters: {shown})", 2) from None
    return out


def _alias(key: str, by_name: Mapping[str, inspect.Parameter]) -> str:
    """DingTalk's spelling of a parameter (``userid``, ``deptId``, ``id``) → the Python one
    (``user_id``, ``dept_id``, ``id_``) when exactly one matches; else ``key`` unchanged."""
    folded = key.replace("_", "").lower()
    matches = [name for name in by_name if name.replace("_", "").lower() == folded]
    return matches[0] if len(matches) == 1 else key


def _param_text(p: inspect.Parameter) -> str:
    if p.kind is p.VAR_KEYWORD:
        return "key=value..."
    if p.kind is p.VAR_POSITIONAL:
        return f"*{p.name}"
    return p.name if p.default is p.empty else f"{p.name}={p.default!r}"


def _noun(python_name: str) -> str:
    """What a walker fetches, for progress lines: iter_dept_user_details → 'dept user details'."""
    words = re.sub(r"^(iter|get_all)_", "", python_name).split("_")
    return "items" if not words or words[-1] == "list" else " ".join(words)


# -- commands ------------------------------------------------------------------------------------
def call(args: argparse.Namespace) -> int:
    import requests

    cat = Catalogue()
    python_name, by_dingtalk_name = cat.resolve(args.name)
    params, as_text = parse_params(args.params)
    mode = "one"
    target = python_name
    if python_name.startswith("iter_"):
        mode = "items"
    elif python_name.startswith("get_all_"):
        mode = "pages"  # it walks the pages itself
    elif args.all:
        iterator = cat.iterator_for(python_name)
        if iterator is None:
            shown = args.name if args.name == python_name else f"{args.name} ({python_name})"
            raise CLIError(f"--all: {shown} is not a paged API ('{PROG} methods' marks the paged ones "
                           "with (--all); the iter_... methods walk pages too)", 2)
        mode, target = "items", iterator
    label = args.name if target == python_name else f"{args.name} --all ({target})"
    kwargs = prepare_call(cat.function(target), label, params, as_text)

    settings = settings_from(args, os.environ)
    progress = Progress(sys.stderr, enabled=not args.quiet)
    if mode != "one":
        progress.mode = mode
        progress.noun = _noun(target)
    session = requests.Session()
    session.hooks["response"].append(progress.on_response)
    try:
        app = build_app(settings, session)
        try:
            if mode == "items":
                result: Any = []
                for item in getattr(app, target)(**kwargs):
                    result.append(item)
                    progress.items += 1
            elif by_dingtalk_name and target == python_name:
                result = app.run(args.name, **kwargs)
            else:
                result = getattr(app, target)(**kwargs)
        except (ConnectionFailed, RequestTimeout) as exc:
            progress.close_line()
            where = settings.get("oapi_url") or "https://oapi.dingtalk.com"
            raise CLIError(f"{type(exc).__name__}: {exc} (cannot reach {where})") from None
        except DingTalkError:
            progress.close_line()
            raise
        finally:
            app.close()
    finally:
        session.close()
    progress.done(result)
    print(to_json(redact(result)))
    return 0


def methods(args: argparse.Namespace) -> int:
    cat = Catalogue()
    needle = (args.filter or "").lower()
    rows: List[Dict[str, Any]] = []
    for name in cat.names:
        python_name = cat.python_name(name)
        doc = cat.doc(python_name)
        if needle and not any(needle in text.lower() for text in (name, python_name, doc)):
            continue
        rows.append({"name": name, "python": python_name, "doc": doc,
                     "iterator": cat.iterator_for(python_name)})
    if args.json:
        print(to_json(rows))
    elif rows:
        left = [r["name"] for r in rows]
        mid = [r["python"] + (" (--all)" if r["iterator"] else "") for r in rows]
        w1, w2 = max(map(len, left)), max(map(len, mid))
        for a, b, r in zip(left, mid, rows):
            print(f"{a:<{w1}}  {b:<{w2}}  {r['doc']}".rstrip())
    if not rows:
        raise CLIError(f"no DingTalk method matches {args.filter!r}")
    return 0


def sandbox(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox

    state = args.state
    existed = bool(state) and os.path.exists(state)
    try:
        sb = Sandbox(host=args.host, port=args.port, state_path=state)
    except (ValueError, OSError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise CLIError(f"cannot load the sandbox state from {state}: {detail}") from None
    restore = _stop_on_signals()
    try:
        try:
            sb.start()
        except OSError as exc:
            raise CLIError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
        _print_sandbox_banner(sb, state, existed)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            sb.stop()  # saves the state when --state was given
        finally:
            restore()
    print(f"stopped{f'; state saved to {state}' if state else ''}")
    return 0


def _stop_on_signals() -> Callable[[], None]:
    """SIGINT (Ctrl-C) and SIGTERM end the sandbox cleanly, state saved; returns the restorer.

    SIGINT is handled explicitly: a process started in the background by a non-interactive
    shell inherits SIGINT as ignored, and would otherwise never stop on it.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    seen: List[int] = []

    def interrupt(signum: int, frame: Any) -> None:
        if not seen:  # once: a second Ctrl-C must not cut the saving short
            seen.append(signum)
            raise KeyboardInterrupt

    previous: Dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, interrupt)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def _print_sandbox_banner(sb: Any, state: Optional[str], existed: bool) -> None:
    creds = sb.credentials
    url = sb.url
    print(f"DingTalk sandbox serving at {url} (Ctrl-C stops it)")
    print(f"  oapi / topapi / v1.0 : {url}")
    print(f"  TOP gateway          : {sb.top_url}")
    if state:
        print(f"  state file           : {state} ({'loaded' if existed else 'new'}; saved on stop)")
    print("credentials (a local fake, not secrets): " + json.dumps(creds, ensure_ascii=False))
    print("point an app at it:")
    print(f"  {PROG} call --sandbox {url} dingtalk.oapi.user.get userid=user0002")
    print(f"  export DINGTALK_OAPI_URL={url} DINGTALK_APP_KEY={creds['app_key']} "
          f"DINGTALK_APP_SECRET={creds['app_secret']} DINGTALK_CORP_ID={creds['corp_id']} "
          f"DINGTALK_AGENT_ID={creds['agent_id']}")
    print(f"  DingTalkApp(name='sandbox', app_key='{creds['app_key']}', app_secret='{creds['app_secret']}', "
          f"corp_id='{creds['corp_id']}', agent_id='{creds['agent_id']}',")
    print(f"              oapi_url='{url}', top_url='{sb.top_url}', api_url='{url}')")
    sys.stdout.flush()


# -- demo ----------------------------------------------------------------------------------------
LEAVE_FORM = {"请假类型": "年假", "开始时间": "2026-01-05", "结束时间": "2026-01-05", "请假天数": "1",
              "请假事由": "dingtalk demo"}


def _show(step: str, value: Any) -> None:
    text = to_json(redact(value), indent=None)
    if len(text) > 300:
        text = text[:297] + "..."
    print(f"== {step}\n   {text}")
    sys.stdout.flush()


def _describe_event(event: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {"class": type(event).__name__}
    for key, value in vars(event).items():
        if key != "raw" and value not in (None, "", [], {}):
            out[key] = value
    return out


def demo(args: argparse.Namespace) -> int:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from . import DingTalkApp
    from .contrib.wsgi import CallbackWSGIApp
    from .sandbox import Sandbox

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

    started = time.perf_counter()
    with Sandbox(port=args.port, push_retry_delay=0.05, push_timeout=3.0) as sb:
        creds = sb.credentials
        print(f"sandbox DingTalk at {sb.url}")
        aes_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(43))
        app = DingTalkApp(name="demo", cache=None, agent_id=creds["agent_id"],
                          corp_id=creds["corp_id"], corp_secret=creds["corp_secret"],
                          token="demo-callback-token", aes_key=aes_key,
                          oapi_url=sb.url, top_url=sb.top_url, api_url=sb.url)
        steps: List[Tuple[str, Callable[[], Any]]] = [
            ("access_token (fetched once, then cached)", lambda: f"{len(app.access_token)} characters, hidden"),
            ("app.get_label_groups()", app.get_label_groups),
            ("app.get_bpms_instance_list(process_code=..., start_time=datetime(2017, 6, 1, 1, 1, 1, 1))",
             lambda: app.get_bpms_instance_list(process_code="PROC-SANDBOX-LEAVE",
                                                start_time=datetime(2017, 6, 1, 1, 1, 1, 1))),
            ("app.run('dingtalk.corp.ext.listlabelgroups', size=20, offset=0)",
             lambda: app.run("dingtalk.corp.ext.listlabelgroups", size=20, offset=0)),
            ("app.get_org_user_count(1)", lambda: app.get_org_user_count(1)),
        ]
        notice: Dict[str, Any] = {}

        def send() -> Any:
            notice.update(app.async_send_msg("text", {"content": "来自 dingtalk-python 的工作通知"},
                                             userid_list=["user0002", "user0003"]))
            return notice

        steps += [
            ("app.async_send_msg('text', {...}, userid_list=[...])", send),
            ("app.get_msg_send_progress(task_id)", lambda: app.get_msg_send_progress(notice["task_id"])),
            ("app.get_jsapi_config('https://example.com/page#/home')",
             lambda: app.get_jsapi_config("https://example.com/page#/home")),
        ]
        for title, step in steps:
            _show(title, step())

        # callbacks: a real local receiver, registered through the API, fed by the sandbox
        received: List[Any] = []
        app.callbacks.on("check_url", "user_add_org", "bpms_instance_change")(received.append)
        server = make_server("127.0.0.1", 0, CallbackWSGIApp(app), handler_class=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_port}/dingtalk/callback"
            print(f"callback receiver (dingtalk.contrib.wsgi.CallbackWSGIApp) at {url}")
            _show("app.register_callback(['user_add_org', 'bpms_instance_change'], url=...)  "
                  "(the sandbox first checks the URL)",
                  app.register_callback(["user_add_org", "bpms_instance_change"], url=url))
            _show("app.create_user(name='演示用户', mobile='13900001234', department=[1])",
                  app.create_user(name="演示用户", mobile="13900001234", department=[1]))
            _show("app.create_bpms_instance('PROC-SANDBOX-LEAVE', 'user0003', 6, ['user0002'], {...})",
                  app.create_bpms_instance("PROC-SANDBOX-LEAVE", "user0003", 6, ["user0002"], LEAVE_FORM))
            delivered = sb.wait_for_pushes(15)
            _show("sb.wait_for_pushes()", delivered)
            if not delivered:
                raise CLIError("the sandbox's callback pushes were not delivered in time")
            for event in received:
                _show(f"event received by @app.callbacks.on({event.type!r})", _describe_event(event))
        finally:
            server.shutdown()
            server.server_close()
        print(f"gettoken calls: {sb.calls['/gettoken']}, get_jsapi_ticket calls: "
              f"{sb.calls['/get_jsapi_ticket']}, total requests: {sum(sb.calls.values())}")
        app.close()
    print(f"demo finished in {time.perf_counter() - started:.1f}s")
    return 0


# -- parser --------------------------------------------------------------------------------------
_CALL_EPILOG = """\
values:
  key=value        a string (made an int/float/bool/datetime when the Python parameter says so)
  key:=json        a JSON value: department:=[1]  size:=20  fetch_child:=true  extattr:='{"a":1}'
  DingTalk's spelling of a parameter works too: userid=... for user_id, deptId=... for dept_id

credentials (first match wins):
  --sandbox URL    the sandbox's own credentials (environment and config file are ignored)
  environment      DINGTALK_APP_KEY + DINGTALK_APP_SECRET, or DINGTALK_CORP_ID + DINGTALK_CORP_SECRET;
                   DINGTALK_AGENT_ID, DINGTALK_NAME, DINGTALK_OAPI_URL / _TOP_URL / _API_URL,
                   DINGTALK_REDIS_URL, DINGTALK_TIMEOUT (each one overrides the config file)
  config file      --config FILE, $DINGTALK_CONFIG, or ~/.config/dingtalk/config.json (JSON)

examples:
  dingtalk call --sandbox http://127.0.0.1:8765 dingtalk.oapi.user.get userid=user0002
  dingtalk call dingtalk.oapi.user.create name=张三 mobile=13800000000 department:=[1]
  dingtalk call dingtalk.oapi.user.listbypage department_id=1 --all
  dingtalk call get_bpms_instance_list process_code=PROC-XXX start_time=2024-06-01
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="dingtalk-python command line: a local sandbox DingTalk, "
                                            "any API call by name, the method list, a demo.",
                     epilog="'dingtalk COMMAND --help' for each command; docs/cli.md for the config file.\n"
                            "examples:\n"
                            "  dingtalk sandbox --state sandbox.json\n"
                            "  dingtalk call --sandbox http://127.0.0.1:8765 dingtalk.oapi.user.get userid=user0002\n"
                            "  dingtalk methods user --json",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="show the SDK's log lines (retries, token refreshes) on stderr")

    p = sub.add_parser("sandbox", parents=[common], help="serve a local sandbox DingTalk until Ctrl-C",
                       description="Serve a local, stateful fake DingTalk (oapi, topapi, TOP gateway, v1.0) "
                                   "until Ctrl-C or SIGTERM.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0: a free one)")
    p.add_argument("--state", metavar="FILE",
                   help="load the sandbox's state from FILE if it exists; save it there on stop")
    p.set_defaults(func=sandbox)

    p = sub.add_parser("call", parents=[common], help="call one API method by DingTalk name (or Python name)",
                       description="Call a registered method by its DingTalk name (app.run(NAME, ...)) or by\n"
                                   "its Python name, and print the result as pretty JSON on stdout.",
                       epilog=_CALL_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", metavar="NAME", help="e.g. dingtalk.oapi.user.get, or get_user, iter_dept_user_details")
    p.add_argument("params", metavar="key=value|key:=json", nargs="*", help="the method's parameters")
    p.add_argument("--all", action="store_true",
                   help="walk a paged API to the end (its iter_... generator); progress on stderr")
    p.add_argument("--sandbox", metavar="URL", help="call a sandbox started with 'dingtalk sandbox'")
    p.add_argument("--config", metavar="FILE", help="JSON config file (default: ~/.config/dingtalk/config.json)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="HTTP timeout per request (default: 10)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=call)

    p = sub.add_parser("methods", parents=[common], help="list the DingTalk method names and their Python methods",
                       description="List every registered DingTalk method name with its Python method and "
                                   "the first line of its docstring. '(--all)' marks the paged ones.")
    p.add_argument("filter", metavar="FILTER", nargs="?",
                   help="only names, Python names or descriptions containing this (case-insensitive)")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.set_defaults(func=methods)

    p = sub.add_parser("demo", parents=[common], help="run the quick start against an in-process sandbox",
                       description="Start a sandbox in this process and run the original README's quick start "
                                   "against it, callbacks included, printing what each step returned.")
    p.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    p.set_defaults(func=demo)
    return parser


def _logging(verbose: bool) -> Callable[[], None]:
    """The SDK's log lines (retries, ...) on stderr only with ``-v``; returns the undo."""
    logger = logging.getLogger("dingtalk")
    if verbose:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
        previous = logger.level
        logger.setLevel(logging.INFO)
    else:  # a handler in the hierarchy keeps logging's last-resort stderr output away
        handler, previous = logging.NullHandler(), logger.level
    logger.addHandler(handler)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    return undo


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``dingtalk`` and ``python -m dingtalk``; returns the exit status."""
    parser = build_parser()
    undo_logging: Callable[[], None] = lambda: None
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            # `call NAME a=1 --all b=2`: parameters may come after options too
            if getattr(args, "command", None) == "call" and not any(e.startswith("-") for e in extras):
                args.params = list(args.params) + extras
            else:
                parser.error(f"unrecognized arguments: {' '.join(extras)}")
        undo_logging = _logging(bool(getattr(args, "verbose", False)))
        func: Optional[Callable[[argparse.Namespace], int]] = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return 2
        return func(args)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except CLIError as exc:
        _error_line(str(exc))
        return exc.code
    except DingTalkError as exc:
        _error_line(f"{type(exc).__name__}: {exc}")
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `dingtalk methods | head`
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as exc:
        _error_line(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        return 1
    except Exception as exc:  # never a traceback; the class says what went wrong
        _error_line(f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        undo_logging()
