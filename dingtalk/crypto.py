"""DingTalk callback encryption (回调 / 事件订阅加解密), on pycryptodome.

The wire format (``docs/protocol.md`` §1):

* key = base64-decode(``aes_key`` + "="), 32 bytes (AES-256), tolerating the non-canonical last
  character real keys have; IV = key[:16];
* plaintext = 16 random bytes ‖ 4-byte big-endian *byte* length ‖ message ‖ key id, padded
  PKCS#7 to a multiple of **32** bytes (decrypt accepts pad values 1..32, so ciphertexts padded
  to 16 by some official demos work too);
* ``encrypt`` = standard base64 on one line;
* signature = sha1 hex of the sorted ``[token, timestamp, nonce, encrypt]`` joined, checked in
  constant time *before* decrypting.

The key id is the corp_id (callbacks registered through ``call_back``), the app_key (an internal
app's event subscription) or the suite key (ISV); the one in the message must equal it exactly.

>>> c = CallbackCrypto("token", "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij", "dingcorpid")
>>> reply = c.encrypt("success")
>>> c.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"])
'success'

Every failure is a :class:`~dingtalk.errors.CallbackError`: :class:`~dingtalk.errors.SignatureError`
or :class:`~dingtalk.errors.DecryptError`; a bad ``aes_key`` is a :class:`~dingtalk.errors.ConfigError`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import string
import struct
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

from Crypto.Cipher import AES

from .errors import ConfigError, DecryptError, SignatureError

BLOCK = 32
_ALNUM = string.ascii_letters + string.digits
_AES_KEY_RE = re.compile(r"[A-Za-z0-9]{43}")

__all__ = ["CallbackCrypto", "signature", "decode_aes_key", "pad", "unpad"]


def decode_aes_key(aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character ``aes_key`` (ConfigError if it is not one)."""
    if not isinstance(aes_key, str) or not _AES_KEY_RE.fullmatch(aes_key):
        raise ConfigError("aes_key must be exactly 43 letters and digits [A-Za-z0-9]")
    # b64decode ignores the two unused low bits of the 43rd character, as DingTalk does.
    return base64.b64decode(aes_key + "=")


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """sha1 hex of the four values sorted and joined."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypt))).encode("utf-8")).hexdigest()


def pad(data: bytes, block: int = BLOCK) -> bytes:
    """PKCS#7 to a multiple of ``block`` (an aligned input gets a whole block of padding)."""
    n = block - len(data) % block
    return data + bytes([n]) * n


def unpad(data: bytes, block: int = BLOCK) -> bytes:
    """Strip PKCS#7 with a pad value of 1..``block``; anything else is a DecryptError."""
    if not data:
        raise DecryptError("the decrypted message is empty")
    n = data[-1]
    if not 1 <= n <= block or n > len(data) or data[-n:] != bytes([n]) * n:
        raise DecryptError("bad padding: wrong aes_key, or the message was altered")
    return data[:-n]


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def _as_text(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SignatureError(f"{name} must be a string")
    return str(value)


class CallbackCrypto:
    """Verify, decrypt and encrypt DingTalk callback messages for one (token, aes_key, key id).

    ``max_age`` (seconds), if set, rejects a ``timestamp`` further than that from ``clock()``
    (timestamps in milliseconds or seconds are both understood).
    """

    def __init__(self, token: str, aes_key: str, key_id: str, *, max_age: Optional[float] = None,
                 clock: Callable[[], float] = time.time) -> None:
        if not isinstance(token, str) or not token:
            raise ConfigError("the callback token must be a non-empty string")
        if not isinstance(key_id, str) or not key_id:
            raise ConfigError("the key id (corp_id, app_key or suite key) must be a non-empty string")
        self._token = token
        self._key = decode_aes_key(aes_key)
        self._iv = self._key[:16]
        self._local = threading.local()
        self.key_id = key_id
        self._key_id_bytes = key_id.encode("utf-8")
        self.max_age = max_age
        self._clock = clock

    def __repr__(self) -> str:
        return f"CallbackCrypto(key_id={self.key_id!r}, max_age={self.max_age!r})"

    # -- signatures ------------------------------------------------------------------------
    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return signature(self._token, timestamp, nonce, encrypt)

    def verify(self, signature_: Any, timestamp: Any, nonce: Any, encrypt: Any) -> None:
        """Raise SignatureError unless the signature matches (and the timestamp is fresh)."""
        ts, nonce_s = _as_text("timestamp", timestamp), _as_text("nonce", nonce)
        if not isinstance(encrypt, str):
            raise SignatureError("encrypt must be a string")
        if not isinstance(signature_, str):
            raise SignatureError("signature must be a string")
        expected = self.sign(ts, nonce_s, encrypt).encode("ascii")
        given = signature_.strip().lower().encode("utf-8", "surrogatepass")
        if not hmac.compare_digest(expected, given):
            raise SignatureError("callback signature does not match (wrong token, or the request was altered)")
        if self.max_age is not None:
            self._check_fresh(ts)

    def _check_fresh(self, timestamp: str) -> None:
        try:
            value = float(timestamp)
        except ValueError:
            raise SignatureError("timestamp is not a number") from None
        seconds = value / 1000.0 if value > 1e11 else value
        if not abs(self._clock() - seconds) <= self.max_age:  # type: ignore[operator]
            raise SignatureError(f"timestamp is outside the {self.max_age:g}s window")

    # -- decrypt --------------------------------------------------------------------------------
    def decrypt(self, signature_: Any, timestamp: Any, nonce: Any, encrypt: Any) -> str:
        """Verify the signature, then decrypt; returns the message text (usually event JSON)."""
        self.verify(signature_, timestamp, nonce, encrypt)
        message, key_id, _ = self.decrypt_message(encrypt)
        if key_id != self._key_id_bytes:
            raise DecryptError(f"the message was encrypted for another key id, not {self.key_id!r}")
        return message

    def decrypt_message(self, encrypt: Any) -> Tuple[str, bytes, bytes]:
        """Decrypt without verifying: ``(message, key id bytes, random prefix)``."""
        raw = self._decrypt_bytes(encrypt)
        if len(raw) < 20:
            raise DecryptError("the decrypted message is too short")
        (length,) = struct.unpack(">I", raw[16:20])
        if 20 + length > len(raw):
            raise DecryptError("the length field is larger than the message")
        body = raw[20:20 + length]
        try:
            message = body.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptError("the message is not valid UTF-8") from None
        return message, raw[20 + length:], raw[:16]

    def _decrypt_bytes(self, encrypt: Any) -> bytes:
        if not isinstance(encrypt, (str, bytes)):
            raise DecryptError("encrypt must be a base64 string")
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise DecryptError("encrypt is not valid base64") from None
        if not data or len(data) % AES.block_size:
            raise DecryptError("the ciphertext length is not a multiple of 16 bytes")
        return unpad(self._cbc_decrypt(data))

    def _cbc_decrypt(self, data: bytes) -> bytes:
        """AES-CBC decryption as ECB of every block XOR the previous ciphertext block.

        Equivalent to ``AES.new(key, MODE_CBC, iv).decrypt(data)``, but the expanded key (an
        ECB cipher per thread) is reused instead of being rebuilt for every message.
        """
        ecb = getattr(self._local, "ecb", None)
        if ecb is None:
            ecb = self._local.ecb = AES.new(self._key, AES.MODE_ECB)
        blocks = ecb.decrypt(data)
        chain = self._iv + data[:-16]
        return (int.from_bytes(blocks, "big") ^ int.from_bytes(chain, "big")).to_bytes(len(data), "big")

    # -- encrypt ---------------------------------------------------------------------------------
    def encrypt_message(self, text: str, random_prefix: Optional[bytes] = None) -> str:
        """The base64 ciphertext of ``text`` (a fresh random prefix unless one is given)."""
        if not isinstance(text, str):
            raise ConfigError("only text can be encrypted")
        prefix = random_prefix if random_prefix is not None else _random_text(16).encode("ascii")
        if len(prefix) != 16:
            raise ConfigError("the random prefix must be 16 bytes")
        body = text.encode("utf-8")
        plain = pad(prefix + struct.pack(">I", len(body)) + body + self._key_id_bytes)
        cipher = AES.new(self._key, AES.MODE_CBC, self._iv).encrypt(plain)
        return base64.b64encode(cipher).decode("ascii")

    def encrypt(self, text: str, timestamp: Optional[Any] = None, nonce: Optional[str] = None) -> Dict[str, str]:
        """The signed reply: ``{"msg_signature", "timeStamp", "nonce", "encrypt"}`` (all strings).

        ``timestamp`` defaults to now in milliseconds and ``nonce`` to 16 random characters.
        """
        ts = str(timestamp if timestamp is not None else int(self._clock() * 1000))
        nonce_s = nonce if nonce is not None else _random_text(16)
        encrypted = self.encrypt_message(text)
        return {"msg_signature": self.sign(ts, nonce_s, encrypted), "timeStamp": ts,
                "nonce": nonce_s, "encrypt": encrypted}
