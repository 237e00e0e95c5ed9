"""Pushing encrypted events to the registered callback URL, as DingTalk does.

When the sandbox's state changes (a user is created, an approval finishes, ...) and a callback
is registered for that event's tag, an :class:`EventPusher` POSTs the event to the URL:
``POST <url>?signature=..&timestamp=..&nonce=..`` with ``{"encrypt": "..."}``, encrypted with the
registration's token and aes_key and the corp id as key id. The receiver must answer with the
encrypted ``success``; otherwise the push is retried (``attempts`` times in all, ``retry_delay``
seconds apart, doubling) and finally queued for ``get_call_back_failed_result``.

Registering a callback first sends ``check_url`` synchronously; a wrong answer makes the
registration fail with 71009 "返回文本非success", as on DingTalk.

Pushes run on one worker thread per sandbox, in order, never holding the sandbox lock while
waiting on the network (a receiver may call the sandbox's API from its handler).
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import urlencode

from ..crypto import CallbackCrypto
from ..errors import CallbackError

logger = logging.getLogger("dingtalk.sandbox")


@dataclass
class Delivery:
    """One event and what became of it."""

    event: Dict[str, Any]
    url: str
    attempts: int = 0
    ok: bool = False
    error: Optional[str] = None
    finished: bool = False
    history: List[str] = field(default_factory=list)


def post_event(registration: Dict[str, Any], event: Dict[str, Any], timeout: float) -> None:
    """POST one encrypted event; raise ``RuntimeError`` unless the reply is the encrypted success."""
    crypto = CallbackCrypto(registration["token"], registration["aes_key"], registration["key_id"])
    envelope = crypto.encrypt(json.dumps(event, ensure_ascii=False))
    url = registration["url"]
    query = urlencode({"signature": envelope["msg_signature"], "timestamp": envelope["timeStamp"],
                       "nonce": envelope["nonce"]})
    request = urllib.request.Request(url + ("&" if "?" in url else "?") + query,
                                     data=json.dumps({"encrypt": envelope["encrypt"]}).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"unreachable ({type(exc).__name__})") from None
    try:
        reply = json.loads(body)
        text = crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"])
    except (ValueError, KeyError, TypeError, CallbackError):
        raise RuntimeError("the reply is not an encrypted, signed answer") from None
    if text != "success":
        raise RuntimeError("返回文本非success")


class EventPusher:
    """Delivers events of one sandbox in the background (see the module docstring)."""

    def __init__(self, registration: Callable[[], Optional[Dict[str, Any]]],
                 on_failed: Callable[[Dict[str, Any]], None], *, attempts: int = 3,
                 retry_delay: float = 0.5, timeout: float = 3.0) -> None:
        self._registration = registration
        self._on_failed = on_failed
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.deliveries: List[Delivery] = []
        self._queue: "queue.Queue[Optional[Delivery]]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0

    def check_url(self, registration: Dict[str, Any]) -> Optional[str]:
        """Send ``check_url`` now; the reason it failed, or None when the URL answered right."""
        try:
            post_event(registration, {"EventType": "check_url"}, self.timeout)
        except RuntimeError as exc:
            return str(exc)
        return None

    def emit(self, event: Dict[str, Any]) -> Optional[Delivery]:
        """Queue ``event`` if a registration subscribes to its EventType."""
        registration = self._registration()
        if registration is None or event.get("EventType") not in registration["call_back_tag"]:
            return None
        delivery = Delivery(event=event, url=registration["url"])
        with self._lock:
            self.deliveries.append(delivery)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-push", daemon=True)
                self._thread.start()
        self._queue.put(delivery)
        return delivery

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued event is delivered or given up; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            try:
                self._deliver(delivery)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        delay = self.retry_delay
        for attempt in range(1, self.attempts + 1):
            registration = self._registration()
            if registration is None:
                delivery.error = "the callback was deleted"
                break
            delivery.attempts = attempt
            try:
                post_event(registration, delivery.event, self.timeout)
            except RuntimeError as exc:
                delivery.error = str(exc)
                delivery.history.append(delivery.error)
                if attempt < self.attempts:
                    time.sleep(delay)
                    delay *= 2
                continue
            delivery.ok, delivery.error = True, None
            break
        delivery.finished = True
        if not delivery.ok:
            logger.info("push of %s failed after %d attempts: %s", delivery.event.get("EventType"),
                        delivery.attempts, delivery.error)
            self._on_failed(delivery.event)
