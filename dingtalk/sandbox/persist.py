"""Saving a sandbox's state to a JSON file and loading it back (``Sandbox(state_path=...)``).

Everything that is plain data is kept: the company (users, departments, roles, approvals,
...), every domain module's state (chats, attendance, media, the callback registration, ...),
id counters, and the issued access tokens and jsapi tickets with the validity they had left.
Locks, threads, the callback pusher and the request counters are not: they are made anew.

The format is JSON with a few tags for what JSON lacks (``{"__set__": [...]}``,
``{"__tuple__": [...]}``, ``{"__bytes__": "<base64>"}``, and ``{"__map__": [[k, v], ...]}`` for
dicts whose keys are not all strings), written atomically (a temporary file, then a rename).
"""
from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from typing import Any, Dict

logger = logging.getLogger("dingtalk.sandbox")

FORMAT = "dingtalk-sandbox-state/1"

#: SandboxState attributes that are made anew, never saved.
TRANSIENT = frozenset({"lock", "credentials", "apps", "_rng", "_clock_offset", "_domains", "_pending_domains",
                       "push_settings", "_tokens", "_tickets", "token_ttl", "ticket_ttl"})


class NotPlainData(TypeError):
    """A value that is not plain data (a lock, a thread, an object): it is not saved."""


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"__set__": [encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not any(k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__map__": [[encode(k), encode(v)] for k, v in value.items()]}
    raise NotPlainData(type(value).__name__)


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "__tuple__":
                return tuple(decode(v) for v in inner)
            if tag == "__set__":
                return {decode(v) for v in inner}
            if tag == "__bytes__":
                return base64.b64decode(inner)
            if tag == "__map__":
                return {decode(k): decode(v) for k, v in inner}
        return {k: decode(v) for k, v in value.items()}
    return value


def plain_attributes(obj: Any, skip: frozenset = frozenset()) -> Dict[str, Any]:
    """The encoded attributes of ``obj`` that are plain data."""
    out: Dict[str, Any] = {}
    for name, value in vars(obj).items():
        if name in skip:
            continue
        try:
            out[name] = encode(value)
        except NotPlainData:
            continue
    return out


def restore_attributes(obj: Any, data: Dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(obj, name, decode(value))


def snapshot(state: Any) -> Dict[str, Any]:
    """The whole state as JSON-able data (hold ``state.lock``)."""
    now = state.now()
    grants = {kind: [{"value": g.value, "app": g.app, "left": g.expires_at - now, "revoked": g.revoked}
                     for g in getattr(state, attr).values()]
              for kind, attr in (("tokens", "_tokens"), ("tickets", "_tickets"))}
    return {
        "format": FORMAT,
        "core": plain_attributes(state, TRANSIENT),
        "grants": grants,
        # domains loaded from a file but not used since are kept as they were loaded
        "domains": {**state._pending_domains,
                    **{name: plain_attributes(obj) for name, obj in state._domains.items()}},
    }


def apply(state: Any, data: Dict[str, Any]) -> None:
    """Load a :func:`snapshot` into a freshly made state (domains restore when first used)."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a sandbox state file (format {data.get('format')!r})")
    restore_attributes(state, data.get("core", {}))
    now = state.now()
    for kind, attr in (("tokens", "_tokens"), ("tickets", "_tickets")):
        store = getattr(state, attr)
        store.clear()
        for g in data.get("grants", {}).get(kind, []):
            store[g["value"]] = state.make_grant(g["value"], g["app"], now + float(g["left"]), g["revoked"])
    state._pending_domains.update(data.get("domains", {}))


def save(state: Any, path: str) -> None:
    with state.lock:
        data = snapshot(state)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".sandbox-state-", dir=directory)
    done = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
        done = True
    finally:
        if not done and os.path.exists(tmp):
            os.unlink(tmp)
    logger.info("sandbox state saved to %s", path)


def load(state: Any, path: str) -> bool:
    """Load ``path`` into ``state`` if it exists; True when something was loaded."""
    if not os.path.exists(path):
        return False
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    with state.lock:
        apply(state, data)
    logger.info("sandbox state loaded from %s", path)
    return True
