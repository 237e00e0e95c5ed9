"""Plain WSGI: ``CallbackWSGIApp(dingtalk_app)`` is a WSGI application (gunicorn, uwsgi, wsgiref).

>>> from wsgiref.simple_server import make_server               # doctest: +SKIP
>>> make_server("0.0.0.0", 8080, CallbackWSGIApp(dingtalk_app)).serve_forever()  # doctest: +SKIP
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterable, List, Tuple
from urllib.parse import parse_qs

from ._common import Target, handler_of, respond

StartResponse = Callable[[str, List[Tuple[str, str]]], Any]

_REASONS = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 413: "Payload Too Large"}


class CallbackWSGIApp:
    """Answers DingTalk callbacks POSTed to any path; bodies above ``max_body`` bytes get 413."""

    def __init__(self, target: Target, max_body: int = 1 << 20) -> None:
        self.handler = handler_of(target)
        self.max_body = max_body

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self._reply(start_response, 405, {"errcode": 405, "errmsg": "POST only"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self.max_body:
            return self._reply(start_response, 413 if length > 0 else 400,
                               {"errcode": 400, "errmsg": "bad Content-Length"})
        body = environ["wsgi.input"].read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        status, payload = respond(self.handler, query, body)
        return self._reply(start_response, status, payload)

    @staticmethod
    def _reply(start_response: StartResponse, status: int, payload: Dict[str, Any]) -> List[bytes]:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        start_response(f"{status} {_REASONS.get(status, '')}".strip(),
                       [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))])
        return [data]
