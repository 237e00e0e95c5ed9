"""Run a sandbox in its own process for benchmarks (so it does not share the client's GIL)."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict

import requests

_SERVE = ("import sys, json; from dingtalk.sandbox import Sandbox; sb = Sandbox().start(); "
          "print(json.dumps({'url': sb.url, 'top_url': sb.top_url, 'credentials': sb.credentials}), flush=True); "
          "sys.stdin.read()")


class SandboxProcess:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.url: str = info["url"]
        self.top_url: str = info["top_url"]
        self.credentials: Dict[str, str] = info["credentials"]
        self._control = requests.Session()  # one keep-alive connection, opened by the first call

    def control(self, action: str, method: str = "GET", **body: Any) -> Dict[str, Any]:
        resp = self._control.request(method, f"{self.url}/_sandbox/{action}", json=body or None, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def app_kwargs(self) -> Dict[str, Any]:
        c = self.credentials
        return dict(app_key=c["app_key"], app_secret=c["app_secret"], corp_id=c["corp_id"],
                    agent_id=c["agent_id"], oapi_url=self.url, top_url=self.top_url, api_url=self.url)

    def close(self) -> None:
        self._control.close()
        self.proc.stdin.close()
        self.proc.wait(timeout=10)

    def __enter__(self) -> "SandboxProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
