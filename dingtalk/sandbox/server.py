"""The sandbox HTTP server and its public face, :class:`Sandbox`.

One ``ThreadingHTTPServer`` (a daemon thread per connection, HTTP/1.1 keep-alive,
``TCP_NODELAY``, every answer with ``Content-Length`` written in one ``send``) serves the
oapi, topapi, TOP gateway (``/router/rest``) and v1.0 routes on one port, plus control
endpoints under ``/_sandbox/`` for other processes.
"""
from __future__ import annotations

import collections
import logging
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, Callable, Dict, List, Optional, Set, Tuple
from urllib.parse import unquote

from . import persist
from .faults import RESET, Fault, FaultSet
from .routes import build_router
from .routes.dispatch import Dispatcher, Request, parse_query
from .routes.envelopes import Reply, json_reply
from .state import Credentials, SandboxState, Traffic

logger = logging.getLogger("dingtalk.sandbox")

CONTROL_PREFIX = "/_sandbox/"
_MAX_BODY = 32 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    """Threading HTTP server that counts connections and can drop them all on stop."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], sandbox: "Sandbox") -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.sandbox = sandbox
        self.active: Set[socket.socket] = set()
        self.active_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (socket.getfqdn): skip that lookup.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - not a TCP socket
            pass
        self.sandbox._traffic.connection()
        with self.active_lock:
            self.active.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.active_lock:
            self.active.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or vanish are normal here: no traceback on stderr.
        logger.debug("sandbox connection error from %s", client_address, exc_info=True)

    def drop_connections(self) -> None:
        with self.active_lock:
            sockets = list(self.active)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    """Parses a request, hands it to the sandbox and writes the reply in one write."""

    protocol_version = "HTTP/1.1"
    server_version = "DingTalkSandbox/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """No per-request logging on stderr."""

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        raw_path, _, query = self.path.partition("?")
        if raw_path.startswith(("http://", "https://")):  # absolute-form request target
            raw_path = "/" + raw_path.split("/", 3)[-1] if raw_path.count("/") >= 3 else "/"
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.command, unquote(raw_path), parse_query(query), headers, body)
        reply = self.server.sandbox._handle(req)
        if reply is RESET:
            self._reset()
        else:
            self._write(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def _read_body(self) -> Optional[bytes]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
            if length < 0 or length > _MAX_BODY:
                raise ValueError(length_text)
        except ValueError:
            self.close_connection = True
            self._write(json_reply({"errcode": 400, "errmsg": "bad Content-Length"}, 400))
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> Optional[bytes]:
        parts: List[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                self._write(json_reply({"errcode": 400, "errmsg": "bad chunked body"}, 400))
                return None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > _MAX_BODY:
                self.close_connection = True
                self._write(json_reply({"errcode": 413, "errmsg": "body too large"}, 413))
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def _write(self, reply: Reply) -> None:
        status = reply.status
        reason = self.responses.get(status, ("Error",))[0]
        lines = [
            f"HTTP/1.1 {status} {reason}",
            f"Server: {self.server_version}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in reply.headers)
        lines.append("Connection: close" if self.close_connection else "Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + reply.body)

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (the request was read and counted)."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:  # pragma: no cover
            pass
        try:
            self.rfile.close()
        finally:
            sock.close()


class Sandbox:
    """A local, stateful fake DingTalk server (oapi, topapi, TOP gateway, v1.0).

    ::

        with Sandbox() as sb:
            requests.get(sb.url + "/gettoken", params={"appkey": ..., "appsecret": ...})

    ``url`` is the oapi and v1.0 base, ``top_url`` the TOP gateway. Counters: ``calls``
    (per route key: the path, the v1.0 path template, or the TOP method name),
    ``connections`` and ``requests``. Faults: :meth:`inject`, :meth:`clear_faults`.
    Tokens: :meth:`expire_tokens`, :meth:`token_valid`, :meth:`ticket_valid`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token_ttl: int = 7200,
                 ticket_ttl: int = 7200, corp_id: str = "dingsandboxcorp0001",
                 corp_secret: str = "sandbox-corp-secret", app_key: str = "dingsandboxappkey01",
                 app_secret: str = "sandbox-app-secret", agent_id: str = "100001", *,
                 max_requests: int = 10000, top_timestamp_skew: Optional[float] = 600.0,
                 log_requests: bool = False, push_attempts: int = 3, push_retry_delay: float = 0.5,
                 push_timeout: float = 3.0, check_url: bool = True,
                 state_path: Optional[str] = None) -> None:
        self.host = host
        self.port = int(port)
        self.state = SandboxState(Credentials(corp_id, corp_secret, app_key, app_secret, agent_id),
                                  token_ttl=token_ttl, ticket_ttl=ticket_ttl)
        # read by the callbacks domain when it creates its EventPusher
        self.state.push_settings = {"attempts": push_attempts, "retry_delay": push_retry_delay,
                                    "timeout": push_timeout, "check_url": check_url}
        self.state_path = state_path
        if state_path:
            persist.load(self.state, state_path)
        self.router = build_router()
        self._faults = FaultSet(self.state.lock)
        self._traffic = Traffic(self.state.lock, max_requests)
        self._dispatcher = Dispatcher(self.state, self.router, self._faults, self._traffic,
                                      top_timestamp_skew=top_timestamp_skew,
                                      log_requests=log_requests)
        self._control: Dict[str, Callable[[Request], Any]] = {
            "calls": self._c_calls, "requests": self._c_requests,
            "expire_tokens": self._c_expire_tokens, "inject": self._c_inject,
            "clear_faults": self._c_clear_faults, "faults": self._c_faults,
            "reset": self._c_reset, "ticket_valid": self._c_ticket_valid,
            "token_valid": self._c_token_valid, "current_ticket": self._c_current_ticket,
            "credentials": self._c_credentials, "advance_clock": self._c_advance_clock,
            "save": self._c_save,
        }
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "Sandbox":
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), self)
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"dingtalk-sandbox-{self.port}", daemon=True)
        self._thread.start()
        logger.info("DingTalk sandbox serving on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection (idempotent)."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._pusher().stop()
        if self.state_path:
            self.save()
        logger.info("DingTalk sandbox on port %s stopped", self.port)

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def save(self, path: Optional[str] = None) -> str:
        """Write the state to ``path`` (default: ``state_path``); returns the path written."""
        target = path or self.state_path
        if not target:
            raise ValueError("no path: pass one, or create the Sandbox with state_path=...")
        persist.save(self.state, target)
        return target

    # -- callback pushes ----------------------------------------------------------------------
    def _pusher(self) -> Any:
        from .routes.callbacks import DOMAIN, CallbacksState
        return self.state.domain(DOMAIN, CallbacksState).pusher

    def emit(self, event_type: str, **fields: Any) -> Any:
        """Push an event by hand (as if the state had changed); None when nobody subscribes."""
        from .routes.callbacks import emit
        return emit(self.state, event_type, **fields)

    @property
    def pushes(self) -> List[Any]:
        """Every event queued for the callback URL, with attempts and outcome (``Delivery``)."""
        return list(self._pusher().deliveries)

    def wait_for_pushes(self, timeout: float = 10.0) -> bool:
        """Block until queued pushes are delivered or given up; False on timeout."""
        return self._pusher().wait(timeout)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        """``http://host:port``: the oapi base (and the v1.0 base)."""
        if self._server is None and self.port == 0:
            raise RuntimeError("the sandbox is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def top_url(self) -> str:
        """The TOP gateway URL (``url + "/router/rest"``)."""
        return self.url + "/router/rest"

    @property
    def credentials(self) -> Dict[str, str]:
        """``corp_id``, ``corp_secret``, ``app_key``, ``app_secret``, ``agent_id``."""
        return self.state.credentials.as_dict()

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<Sandbox {where} corp_id={self.state.credentials.corp_id!r}>"

    # -- counters ----------------------------------------------------------------------------
    @property
    def calls(self) -> "collections.Counter[str]":
        """A snapshot: requests received per route key (faulted ones included)."""
        with self.state.lock:
            return collections.Counter(self._traffic.calls)

    @property
    def connections(self) -> int:
        """TCP connections accepted (since start or the last :meth:`reset_counters`)."""
        return self._traffic.connections

    @property
    def requests(self) -> List[Dict[str, Any]]:
        """A snapshot of the recorded requests, oldest first (at most ``max_requests``)."""
        with self.state.lock:
            return list(self._traffic.requests)

    def reset_counters(self) -> None:
        """Zero ``calls`` and ``connections`` and forget recorded requests."""
        self._traffic.reset()

    # -- tokens and tickets ----------------------------------------------------------------------
    def issued_tokens(self) -> List[str]:
        """Every access token issued, in issue order."""
        return self.state.issued_tokens()

    def issued_tickets(self) -> List[str]:
        """Every jsapi ticket issued, in issue order."""
        return self.state.issued_tickets()

    def token_valid(self, token: Optional[str]) -> bool:
        return self.state.token_valid(token)

    def ticket_valid(self, ticket: Optional[str]) -> bool:
        return self.state.ticket_valid(ticket)

    @property
    def current_ticket(self) -> Optional[str]:
        """The last ticket issued, while it is still valid."""
        return self.state.current_ticket()

    def expire_tokens(self) -> int:
        """Invalidate every issued access token (42001 from now on); returns how many were live."""
        return self.state.expire_tokens()

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's expiry clock forward: tokens/tickets expire without sleeping."""
        self.state.advance_clock(seconds)

    # -- faults ------------------------------------------------------------------------------------
    def inject(self, key: str, *, errcode: Any = None, errmsg: Optional[str] = None,
               sub_code: Any = None, status: Optional[int] = None, html: bool = False,
               delay: Optional[float] = None, reset: bool = False, body: Any = None,
               times: Optional[int] = 1) -> Fault:
        """Make the next ``times`` requests to ``key`` (``"*"``: any route) misbehave.

        ``errcode`` (with ``errmsg``/``sub_code``): the family's error envelope; ``status``:
        that HTTP status (with a short JSON body, or the envelope when ``errcode`` is set);
        ``html``: an HTML page (HTTP 200: the IP-ban page); ``delay``: sleep first (alone: then
        answer normally); ``reset``: abort the TCP connection after reading the request;
        ``body``: answer exactly this JSON. ``times=None``: until :meth:`clear_faults`.
        """
        fault = Fault(key, errcode=errcode, errmsg=errmsg, sub_code=sub_code, status=status,
                      html=html, delay=delay, reset=reset, body=body, times=times)
        return self._faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    def faults(self) -> List[Dict[str, Any]]:
        """The active faults (as dicts)."""
        return self._faults.active()

    # -- request handling --------------------------------------------------------------------------
    def _handle(self, req: Request) -> Reply:
        if req.path.startswith(CONTROL_PREFIX):
            return self._handle_control(req)
        return self._dispatcher.handle(req)

    def _handle_control(self, req: Request) -> Reply:
        name = req.path[len(CONTROL_PREFIX):].strip("/")
        action = self._control.get(name)
        if action is None:
            return json_reply({"ok": False, "error": f"unknown control endpoint {name!r}",
                               "endpoints": sorted(self._control)}, 404)
        try:
            result = action(req)
        except (ValueError, TypeError) as exc:
            return json_reply({"ok": False, "error": str(exc)}, 400)
        out = {"ok": True}
        out.update(result or {})
        return json_reply(out)

    @staticmethod
    def _control_args(req: Request) -> Dict[str, Any]:
        args: Dict[str, Any] = dict(req.query)
        if req.body.strip():
            data = req.json
            if not isinstance(data, dict):
                raise ValueError("control endpoints take a JSON object body")
            args.update(data)
        return args

    def _c_calls(self, req: Request) -> Dict[str, Any]:
        with self.state.lock:
            return {"calls": dict(self._traffic.calls), "connections": self._traffic.connections,
                    "requests": len(self._traffic.requests)}

    def _c_requests(self, req: Request) -> Dict[str, Any]:
        limit = int(self._control_args(req).get("limit", 100))
        rows = self.requests[-limit:] if limit > 0 else []
        out = []
        for row in rows:
            item = dict(row)
            item["body"] = row["body"].decode("utf-8", "replace")
            out.append(item)
        return {"requests": out}

    def _c_expire_tokens(self, req: Request) -> Dict[str, Any]:
        return {"expired": self.expire_tokens()}

    def _c_inject(self, req: Request) -> Dict[str, Any]:
        fault = self._faults.add(Fault.from_mapping(self._control_args(req)))
        return {"fault": fault.as_dict()}

    def _c_clear_faults(self, req: Request) -> Dict[str, Any]:
        self.clear_faults()
        return {}

    def _c_faults(self, req: Request) -> Dict[str, Any]:
        return {"faults": self.faults()}

    def _c_reset(self, req: Request) -> Dict[str, Any]:
        self.clear_faults()
        self.reset_counters()
        return {}

    def _c_ticket_valid(self, req: Request) -> Dict[str, Any]:
        return {"valid": self.ticket_valid(self._control_args(req).get("ticket"))}

    def _c_token_valid(self, req: Request) -> Dict[str, Any]:
        return {"valid": self.token_valid(self._control_args(req).get("token"))}

    def _c_current_ticket(self, req: Request) -> Dict[str, Any]:
        return {"ticket": self.current_ticket}

    def _c_credentials(self, req: Request) -> Dict[str, Any]:
        return {"credentials": self.credentials}

    def _c_advance_clock(self, req: Request) -> Dict[str, Any]:
        self.advance_clock(float(self._control_args(req).get("seconds", 0)))
        return {}

    def _c_save(self, req: Request) -> Dict[str, Any]:
        return {"path": self.save()}


__all__ = ["Sandbox", "CONTROL_PREFIX"]
