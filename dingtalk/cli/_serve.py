"""``dingtalk sandbox``: serve a local sandbox DingTalk until Ctrl-C."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from ._output import PROG, CLIError



def sandbox(args: argparse.Namespace) -> int:
    from ..sandbox import Sandbox

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
