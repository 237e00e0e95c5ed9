"""Regenerate README.md's table of supported APIs from ``DingTalkApp.methods``.

    python scripts/api_table.py           # rewrite the table between the markers in README.md
    python scripts/api_table.py --check   # exit 1 if README.md's table is out of date (a test runs this)
    python scripts/api_table.py --count   # print how many operations and DingTalk names there are

Each row: the Python method, its signature, the DingTalk names ``run()`` knows it by, and the
first line of its docstring.
"""
from __future__ import annotations

import argparse
import inspect
import os
import sys
from typing import Dict, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from dingtalk import DingTalkApp  # noqa: E402
from dingtalk.apis._base import ApiMixin  # noqa: E402

START, END = "<!-- api-table:start -->", "<!-- api-table:end -->"


def operations() -> Dict[str, List[str]]:
    """Python name → DingTalk names, for every public method an API mixin defines."""
    table: Dict[str, List[str]] = {}
    for klass in DingTalkApp.__mro__:
        if not (isinstance(klass, type) and issubclass(klass, ApiMixin)) or klass is ApiMixin:
            continue
        for attr, value in vars(klass).items():
            if attr.startswith("_") or not callable(value):
                continue
            table.setdefault(attr, [])
    for name, attr in DingTalkApp._dingtalk_table.items():
        table.setdefault(attr, []).append(name)
    return {k: sorted(v) for k, v in sorted(table.items())}


def _summary(attr: str) -> Tuple[str, str]:
    func = getattr(DingTalkApp, attr)
    try:
        sig = str(inspect.signature(func)).replace("(self, ", "(").replace("(self)", "()")
    except (TypeError, ValueError):
        sig = "(...)"
    sig = sig.split(" -> ")[0]
    doc = (inspect.getdoc(func) or "").strip().splitlines()
    return sig, (doc[0] if doc else "")


def render() -> str:
    rows = ["| Python | DingTalk names (`run()`) | 说明 / what it does |", "|---|---|---|"]
    for attr, names in operations().items():
        sig, doc = _summary(attr)
        sig = sig.replace("|", "\\|")
        if len(sig) > 90:
            sig = sig[:87] + "...)"
        dnames = "<br>".join(f"`{n}`" for n in names) or "–"
        rows.append(f"| `{attr}{sig}` | {dnames} | {doc.replace('|', '/')} |")
    return "\n".join(rows)


def counts() -> Tuple[int, int]:
    """(distinct API operations, registered DingTalk names).

    Aliases of one function count once; the local callback helpers (no request to DingTalk)
    are left out of the operations.
    """
    from dingtalk.callback import CallbackMixin

    local = set(vars(CallbackMixin))
    funcs = {getattr(DingTalkApp, attr) for attr in operations() if attr not in local}
    return len(funcs), len(DingTalkApp._dingtalk_table)


def main() -> int:
    parser = argparse.ArgumentParser(description="README API table")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--count", action="store_true")
    args = parser.parse_args()
    if args.count:
        ops, names = counts()
        print(f"wrapped operations (public API methods): {ops}")
        print(f"registered DingTalk method names (run()): {names}")
        return 0
    path = os.path.join(ROOT, "README.md")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render()}\n{END}{tail}"
    if args.check:
        if new != text:
            print("README.md's API table is out of date: run python scripts/api_table.py", file=sys.stderr)
            return 1
        return 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(new)
    ops, names = counts()
    print(f"README.md: {ops} operations, {names} DingTalk names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
