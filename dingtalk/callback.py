"""Receiving DingTalk event callbacks: verify, decrypt, dispatch, answer — in one call.

::

    app = DingTalkApp(..., token="callback-token", aes_key="<43 chars>")

    @app.callbacks.on("bpms_instance_change")
    def on_approval(event):                 # a dingtalk.events.BpmsInstanceEvent
        print(event.process_instance_id, event.result)

    # in any web handler: the query parameters and the raw body in, the JSON reply out
    reply = app.handle_callback(request.args, request.get_data())

``check_url`` (sent when a callback URL is registered or saved) and the suite checks are
answered by the handler itself. Ready-made views for Flask, Django and plain WSGI are in
:mod:`dingtalk.contrib`. Doc: https://open.dingtalk.com/document/orgapp/configure-event-subcription
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, Union

from Crypto.Cipher import AES

from . import crypto as _crypto
from .apis._base import ApiMixin
from .crypto import CallbackCrypto
from .errors import ConfigError, DecryptError, SignatureError
from .events import CheckUrlEvent, Event, parse_event

logger = logging.getLogger("dingtalk")

Handler = Callable[[Event], Any]
H = TypeVar("H", bound=Handler)
Body = Union[bytes, bytearray, str, Mapping[str, Any], None]

__all__ = ["CallbackHandler", "CallbackMixin", "read_callback_request"]


def _first(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def read_callback_request(query: Mapping[str, Any], body: Body) -> Tuple[Any, Any, Any, Any]:
    """``(signature, timestamp, nonce, encrypt)`` from a callback's query and body.

    Accepts ``signature`` or ``msg_signature`` and ``timestamp`` or ``timeStamp``; the body may
    be bytes, text or an already-parsed dict. Raises :class:`~dingtalk.errors.CallbackError`.
    """
    def param(*names: str) -> Any:
        for name in names:
            value = _first(query.get(name)) if hasattr(query, "get") else None
            if value not in (None, ""):
                return value
        raise SignatureError(f"the callback request has no {' or '.join(names)} parameter")

    signature = param("signature", "msg_signature")
    timestamp = param("timestamp", "timeStamp")
    nonce = param("nonce")
    data: Any = body
    if isinstance(body, (bytes, bytearray)):
        try:
            data = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptError("the callback body is not UTF-8 text") from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise DecryptError("the callback body is not JSON") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("encrypt"), str):
        raise DecryptError('the callback body has no "encrypt" text')
    return signature, timestamp, nonce, data["encrypt"]


def event_dict(text: str) -> Dict[str, Any]:
    """The event object of a decrypted callback text (DecryptError if it is not a JSON object)."""
    try:
        event = json.loads(text)
    except ValueError:
        raise DecryptError("the decrypted callback is not JSON") from None
    if not isinstance(event, dict):
        raise DecryptError("the decrypted callback is not a JSON object")
    return event


class CallbackHandler:
    """Verifies, decrypts and dispatches callback events; returns the encrypted reply.

    Register functions with :meth:`on` (one or more EventTypes, or ``"*"`` for all) and
    optionally :meth:`default` for events nobody handles. A handler's exception propagates, so
    the web framework answers 500 and DingTalk retries the push later.
    """

    def __init__(self, crypto: Union[CallbackCrypto, Callable[[], CallbackCrypto]]) -> None:
        self._crypto = crypto
        self._handlers: Dict[str, List[Handler]] = {}
        self._default: Optional[Handler] = None

    @property
    def crypto(self) -> CallbackCrypto:
        return self._crypto if isinstance(self._crypto, CallbackCrypto) else self._crypto()

    def on(self, *event_types: str) -> Callable[[H], H]:
        """Decorator: call the function for these EventTypes (``"*"``: every event)."""
        if not event_types:
            raise ConfigError('on() needs at least one EventType, e.g. on("user_add_org")')

        def register(func: H) -> H:
            for event_type in event_types:
                self._handlers.setdefault(event_type, []).append(func)
            return func

        return register

    def default(self, func: H) -> H:
        """Decorator: call the function for events that no :meth:`on` function handles."""
        self._default = func
        return func

    def handlers_for(self, event_type: str) -> List[Handler]:
        found = self._handlers.get(event_type, []) + self._handlers.get("*", [])
        if not found and self._default is not None:
            found = [self._default]
        return found

    def dispatch(self, event: Event) -> int:
        """Call every function registered for the event; returns how many ran."""
        handlers = self.handlers_for(event.type)
        for handler in handlers:
            handler(event)
        if not handlers and not isinstance(event, CheckUrlEvent):
            logger.debug("no handler for callback event %s", event.type)
        return len(handlers)

    def parse(self, query: Mapping[str, Any], body: Body) -> Event:
        """Verify and decrypt a request into its event, without dispatching it."""
        return parse_event(event_dict(self.crypto.decrypt(*read_callback_request(query, body))))

    def handle(self, query: Mapping[str, Any], body: Body) -> Dict[str, str]:
        """Verify, decrypt, dispatch; return the reply dict to send back as JSON."""
        event = self.parse(query, body)
        self.dispatch(event)
        answer = "success"
        if isinstance(event, CheckUrlEvent) and event.type != "check_url" and event.random:
            answer = str(event.random)  # the suite checks answer with the event's Random
        return self.crypto.encrypt(answer)


class CallbackMixin(ApiMixin):
    """Callback crypto on the app, and the original SDK's callback helpers."""

    _callback_crypto: Optional[CallbackCrypto] = None
    _callback_handler: Optional[CallbackHandler] = None

    @property
    def callback_crypto(self) -> CallbackCrypto:
        """The :class:`~dingtalk.crypto.CallbackCrypto` of this app (needs ``token`` and ``aes_key``)."""
        if self._callback_crypto is None:
            if self._aes_key is None or self._callback_token is None:
                raise ConfigError("callbacks need DingTalkApp(token=..., aes_key=...): the token and "
                                  "aes_key set with the callback URL / event subscription")
            self._callback_crypto = CallbackCrypto(self._callback_token.reveal(), self._aes_key.reveal(),
                                                   self.callback_key_id)
        return self._callback_crypto

    @property
    def callbacks(self) -> CallbackHandler:
        """The app's :class:`CallbackHandler`: ``@app.callbacks.on("user_add_org")``."""
        if self._callback_handler is None:
            self._callback_handler = CallbackHandler(lambda: self.callback_crypto)
        return self._callback_handler

    def handle_callback(self, query: Mapping[str, Any], body: Body) -> Dict[str, str]:
        """Verify, decrypt and dispatch one callback request; returns the reply dict."""
        return self.callbacks.handle(query, body)

    def decrypt_callback(self, signature: str, timestamp: str, nonce: str, encrypt: str) -> Dict[str, Any]:
        """The event dict of a callback (signature checked first, key id checked exactly).

        >>> app.decrypt_callback(sig, ts, nonce, body["encrypt"])["EventType"]  # doctest: +SKIP
        'check_url'
        """
        return event_dict(self.callback_crypto.decrypt(signature, timestamp, nonce, encrypt))

    def encrypt_callback(self, text: str = "success") -> Dict[str, str]:
        """The reply dict ``{"msg_signature", "timeStamp", "nonce", "encrypt"}`` for ``text``."""
        return self.callback_crypto.encrypt(text)

    # -- the original SDK's helpers (same names and arguments) -------------------------------
    def encrypt(self, plaintext: str, buf: Union[bytes, str, None] = None) -> str:
        """Encrypt a message (base64 text). ``buf``: the 16-byte random prefix, for tests."""
        prefix = buf.encode("utf-8") if isinstance(buf, str) else buf
        return self.callback_crypto.encrypt_message(plaintext, random_prefix=prefix)

    def decrypt(self, ciphertext: str) -> Tuple[str, str, str]:
        """Decrypt without a signature check: ``(message, key_id, random)`` as the original did."""
        message, key_id, random = self.callback_crypto.decrypt_message(ciphertext)
        return message, key_id.decode("utf-8", "replace"), random.decode("utf-8", "replace")

    def encrypt_text(self, plaintext: str) -> str:
        """Raw AES-256-CBC of ``plaintext`` (PKCS#7/32), base64 — no length, no key id."""
        key = _crypto.decode_aes_key(self._require_aes_key())
        data = AES.new(key, AES.MODE_CBC, key[:16]).encrypt(_crypto.pad(plaintext.encode("utf-8")))
        return base64.b64encode(data).decode("ascii")

    def decrypt_text(self, ciphertext: str) -> str:
        """Inverse of :meth:`encrypt_text`."""
        key = _crypto.decode_aes_key(self._require_aes_key())
        try:
            data = base64.b64decode(ciphertext, validate=True)
        except (binascii.Error, ValueError):
            raise DecryptError("ciphertext is not valid base64") from None
        if not data or len(data) % 16:
            raise DecryptError("the ciphertext length is not a multiple of 16 bytes")
        try:
            return _crypto.unpad(AES.new(key, AES.MODE_CBC, key[:16]).decrypt(data)).decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptError("the message is not valid UTF-8") from None

    encrypt_str = encrypt_text
    decrypt_str = decrypt_text

    def generate_callback_signature(self, data: str, timestamp: str, nonce: str) -> str:
        """sha1 signature of (token, timestamp, nonce, data)."""
        return self.callback_crypto.sign(str(timestamp), str(nonce), data)

    generate_signature = generate_callback_signature

    def check_callback_signature(self, signature: str, ciphertext: str, timestamp: str, nonce: str) -> bool:
        """True when the signature matches (constant-time comparison)."""
        try:
            self.callback_crypto.verify(signature, timestamp, nonce, ciphertext)
        except SignatureError:
            return False
        return True

    check_signature = check_callback_signature

    def return_success(self) -> Dict[str, str]:
        """The encrypted ``success`` reply (fresh timestamp and nonce each time)."""
        return self.callback_crypto.encrypt("success")

    def check_url(self, ding_nonce: str, ding_sign: str, ding_timestamp: str, ding_encrypt: str) -> Dict[str, str]:
        """Verify and decrypt a callback (e.g. ``check_url``) and return the ``success`` reply."""
        self.callback_crypto.decrypt(ding_sign, ding_timestamp, ding_nonce, ding_encrypt)
        return self.return_success()

    def _require_aes_key(self) -> str:
        if self._aes_key is None:
            raise ConfigError("this needs DingTalkApp(aes_key=...)")
        return self._aes_key.reveal()

