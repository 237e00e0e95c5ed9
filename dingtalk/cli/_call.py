"""``dingtalk call`` and ``dingtalk methods``: any method by DingTalk or Python name."""
from __future__ import annotations

import argparse
import difflib
import inspect
import json
import os
import re
import sys
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from ..errors import ConnectionFailed, DingTalkError, RequestTimeout
from ._config import build_app, settings_from
from ._output import PROG, CLIError, Progress, redact, to_json

#: AppBase methods that ``call`` accepts by Python name besides the API mixins' methods
#: (``get_access_token`` and friends are left out on purpose: they would print secrets)
_GENERIC_CALLS = ("call_top", "oapi_get", "oapi_post", "topapi_post", "api_request", "get_jsapi_config")
#: page methods whose iterator does not follow the ``get_X`` → ``iter_X`` naming
_ITERATOR_ALIASES = {"get_bpms_instance_list": "iter_bpms_instances", "get_schedule_list": "iter_schedules"}
_TIME_ANNOTATIONS = ("TimeArg", "DateArg", "TimeLike", "datetime", "date")


# -- method names --------------------------------------------------------------------------------
class Catalogue:
    """What ``call`` may call: the registered DingTalk names and the callable Python names."""

    def __init__(self) -> None:
        from .. import DingTalkApp

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
