"""Callback crypto: DingTalk's official example, round trips, every rejection, and fuzzing."""
from __future__ import annotations

import base64
import json
import random
import struct

import pytest
from Crypto.Cipher import AES
from hypothesis import given, settings
from hypothesis import strategies as st

from dingtalk import DingTalkApp
from dingtalk.callback import CallbackHandler
from dingtalk.crypto import CallbackCrypto, decode_aes_key, pad, signature
from dingtalk.errors import CallbackError, ConfigError, DecryptError, SignatureError

TOKEN = "123456"
AES_KEY = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
SUITE = "suite4xxxxxxxxxxxxxxx"
DOC_SIG, DOC_TS, DOC_NONCE = "5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0", "1445827045067", "nEXhMP4r"
DOC_ENCRYPT = ("1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUB"
               "mfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSB"
               "dHlegK+AGGanfwjXuQ9+0pZcy0w9lQ==")
DOC_PLAIN = '{"EventType":"check_create_suite_url","Random":"LPIdSnlF","TestSuiteKey":"suite4xxxxxxxxxxxxxxx"}'

crypto = CallbackCrypto(TOKEN, AES_KEY, SUITE)


def raw_cipher(plain: bytes) -> str:
    key = decode_aes_key(AES_KEY)
    return base64.b64encode(AES.new(key, AES.MODE_CBC, key[:16]).encrypt(plain)).decode()


def signed(encrypt: str, ts: str = "1700000000000", nonce: str = "abc"):
    return signature(TOKEN, ts, nonce, encrypt), ts, nonce, encrypt


# -- the official example ------------------------------------------------------------------
def test_official_example_decrypts_with_its_signature():
    assert signature(TOKEN, DOC_TS, DOC_NONCE, DOC_ENCRYPT) == DOC_SIG
    assert crypto.decrypt(DOC_SIG, DOC_TS, DOC_NONCE, DOC_ENCRYPT) == DOC_PLAIN
    message, key_id, prefix = crypto.decrypt_message(DOC_ENCRYPT)
    assert len(DOC_PLAIN.encode()) == 97 and key_id == SUITE.encode() and prefix == b"hU3bEfGZZewzhG5a"
    key = decode_aes_key(AES_KEY)
    buffer = AES.new(key, AES.MODE_CBC, key[:16]).decrypt(base64.b64decode(DOC_ENCRYPT))
    assert len(buffer) == 160 and buffer[-1] == 22


def test_official_example_reencrypts_byte_for_byte():
    assert crypto.encrypt_message(DOC_PLAIN, random_prefix=b"hU3bEfGZZewzhG5a") == DOC_ENCRYPT


def test_non_canonical_key_equals_canonical():
    assert decode_aes_key(AES_KEY) == base64.b64decode(AES_KEY[:-1] + "g=")


def test_suite_check_reply_encrypts_random():
    handler = CallbackHandler(crypto)
    reply = handler.handle({"signature": DOC_SIG, "timestamp": DOC_TS, "nonce": DOC_NONCE},
                           json.dumps({"encrypt": DOC_ENCRYPT}).encode())
    assert crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"]) == "LPIdSnlF"


# -- round trips ----------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_round_trip_any_text(text):
    reply = crypto.encrypt(text)
    assert crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"]) == text


@pytest.mark.parametrize("unit", ["a", "钉", "😀"])
def test_round_trip_every_length_0_to_300(unit):
    for n in range(301):
        text = unit * n
        enc = crypto.encrypt_message(text)
        assert crypto.decrypt_message(enc)[0] == text
        assert len(base64.b64decode(enc)) % 32 == 0


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 4096, 65535, 65536])
def test_round_trip_up_to_64_kib(size):
    text = ("钉钉😀abc" * (size // 4 + 1)).encode()[:size].decode("utf-8", "ignore")
    reply = crypto.encrypt(text)
    assert crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"]) == text


def test_encrypt_is_fresh_every_time():
    a, b = crypto.encrypt("success"), crypto.encrypt("success")
    assert a["encrypt"] != b["encrypt"] and a["nonce"] != b["nonce"]
    assert set(a) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    assert all(isinstance(v, str) for v in a.values())


def test_sixteen_byte_padding_from_go_demo_is_accepted():
    body = b"0123456789abcdef" + struct.pack(">I", 7) + b"success" + SUITE.encode()
    enc = raw_cipher(pad(body, 16))
    assert crypto.decrypt(*signed(enc)) == "success"


# -- rejections -------------------------------------------------------------------------------
def test_signature_mismatch_checked_before_decrypting():
    sig, ts, nonce, enc = signed(crypto.encrypt_message("x"))
    with pytest.raises(SignatureError):
        crypto.decrypt("0" * 40, ts, nonce, enc)
    with pytest.raises(SignatureError):
        crypto.decrypt(sig, ts, nonce + "1", enc)
    with pytest.raises(SignatureError):  # garbage ciphertext with a wrong signature: no DecryptError
        crypto.decrypt("0" * 40, ts, nonce, "%%%not base64")


@pytest.mark.parametrize("other", ["suite4xxxxxxxxxxxxxx", "suite4xxxxxxxxxxxxxxxx", "dingcorp", ""])
def test_key_id_must_match_exactly(other):
    enc = raw_cipher(pad(b"0123456789abcdef" + struct.pack(">I", 2) + b"hi" + other.encode()))
    with pytest.raises(DecryptError, match="key id"):
        crypto.decrypt(*signed(enc))


@pytest.mark.parametrize("pad_value", [0, 33, 64, 255, 5])
def test_bad_padding_rejected(pad_value):
    body = b"0123456789abcdef" + struct.pack(">I", 2) + b"hi" + SUITE.encode()
    plain = pad(body)
    plain = plain[:-1] + bytes([pad_value])  # 5: in range, but the other pad bytes disagree
    with pytest.raises(DecryptError, match="padding"):
        crypto.decrypt(*signed(raw_cipher(plain)))


def test_length_field_too_large_rejected():
    enc = raw_cipher(pad(b"0123456789abcdef" + struct.pack(">I", 5000) + b"hi" + SUITE.encode()))
    with pytest.raises(DecryptError, match="length"):
        crypto.decrypt(*signed(enc))


def test_invalid_utf8_rejected():
    enc = raw_cipher(pad(b"0123456789abcdef" + struct.pack(">I", 2) + b"\xff\xfe" + SUITE.encode()))
    with pytest.raises(DecryptError, match="UTF-8"):
        crypto.decrypt(*signed(enc))


@pytest.mark.parametrize("enc", ["not base64!", "YWJj", "", base64.b64encode(b"x" * 17).decode()])
def test_bad_ciphertext_rejected(enc):
    with pytest.raises(DecryptError):
        crypto.decrypt(*signed(enc))


def test_wrong_aes_key_rejected():
    other = CallbackCrypto(TOKEN, "a" * 43, SUITE)
    with pytest.raises(DecryptError):
        other.decrypt(DOC_SIG, DOC_TS, DOC_NONCE, DOC_ENCRYPT)


@pytest.mark.parametrize("bad", ["short", "x" * 44, "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3i!", None, 43])
def test_bad_aes_key_is_config_error(bad):
    with pytest.raises(ConfigError):
        CallbackCrypto(TOKEN, bad, SUITE)


def test_freshness_window_seconds_and_milliseconds():
    now = 1_700_000_000.0
    fresh = CallbackCrypto(TOKEN, AES_KEY, SUITE, max_age=300, clock=lambda: now)
    enc = fresh.encrypt_message("x")
    assert fresh.decrypt(*signed(enc, ts=str(int(now * 1000)))) == "x"
    assert fresh.decrypt(*signed(enc, ts=str(int(now - 100)))) == "x"
    for ts in (str(int((now - 301) * 1000)), str(int(now + 400)), "yesterday"):
        with pytest.raises(SignatureError):
            fresh.decrypt(*signed(enc, ts=ts))


# -- fuzzing: only CallbackError subclasses may come out ------------------------------------------
def _mutations(rng: random.Random, value: str) -> str:
    chars = list(value)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        if op == 0 and chars:
            chars[rng.randrange(len(chars))] = chr(rng.randrange(0, 0x3000))
        elif op == 1 and chars:
            del chars[rng.randrange(len(chars))]
        elif op == 2:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice("A/+=\x00é钉"))
        else:
            chars = chars[: rng.randrange(len(chars) + 1)]
    return "".join(chars)


def test_fuzz_decrypt_and_handler_only_raise_callback_errors():
    rng = random.Random(20261203)
    handler = CallbackHandler(crypto)
    good = crypto.encrypt('{"EventType":"check_url"}')
    outcomes = {"ok": 0, "rejected": 0}
    for i in range(3000):
        sig, ts, nonce, enc = good["msg_signature"], good["timeStamp"], good["nonce"], good["encrypt"]
        target = i % 5
        if target == 0:
            enc = _mutations(rng, enc)
            sig = signature(TOKEN, ts, nonce, enc)  # a valid signature over a broken ciphertext
        elif target == 1:
            sig = _mutations(rng, sig)
        elif target == 2:
            ts = rng.choice([_mutations(rng, ts), rng.randrange(-10**12, 10**13), None, 1.5, b"1"])
        elif target == 3:
            raw = bytes(rng.randrange(256) for _ in range(rng.choice([16, 32, 48, 160, rng.randrange(1, 300)])))
            enc = base64.b64encode(raw).decode()
            sig = signature(TOKEN, ts, nonce, enc)
        else:
            key = "".join(rng.choice("abcXYZ019") for _ in range(43))
            other = CallbackCrypto(TOKEN, key, rng.choice([SUITE, "dingcorp", "s"]))
            enc = other.encrypt_message(rng.choice(["{}", "x", '{"EventType":"check_url"}']))
            sig = signature(TOKEN, ts, nonce, enc)
        try:
            crypto.decrypt(sig, ts, nonce, enc)
            outcomes["ok"] += 1
        except CallbackError:
            outcomes["rejected"] += 1
        body = rng.choice([json.dumps({"encrypt": enc}), json.dumps({"encrypt": enc}).encode(), {"encrypt": enc},
                           _mutations(rng, json.dumps({"encrypt": enc})).encode("utf-8", "surrogatepass"),
                           b"\xff\xfe", None, "[]", {"encrypt": 5}])
        query = rng.choice([{"signature": sig, "timestamp": ts, "nonce": nonce},
                            {"msg_signature": [sig], "timeStamp": [ts], "nonce": [nonce]}, {}, {"nonce": nonce}])
        try:
            handler.handle(query, body)
        except CallbackError:
            pass
    assert outcomes["rejected"] > 2000


# -- on the app -------------------------------------------------------------------------------------
URLS = dict(oapi_url="http://127.0.0.1:9", top_url="http://127.0.0.1:9/router/rest", api_url="http://127.0.0.1:9")


def test_app_key_id_rules():
    by_corp = DingTalkApp(corp_id="dingcorp", corp_secret="s", token="t", aes_key=AES_KEY, **URLS)
    by_key = DingTalkApp(app_key="dingappkey", app_secret="s", corp_id="dingcorp", token="t", aes_key=AES_KEY, **URLS)
    isv = DingTalkApp(app_key="k", app_secret="s", token="t", aes_key=AES_KEY, callback_key_id=SUITE, **URLS)
    for app, key_id in ((by_corp, "dingcorp"), (by_key, "dingappkey"), (isv, SUITE)):
        reply = app.encrypt_callback("success")
        assert app.callback_crypto.decrypt_message(reply["encrypt"])[1] == key_id.encode()
        event = app.encrypt_callback('{"EventType":"check_url"}')
        assert app.decrypt_callback(event["msg_signature"], event["timeStamp"], event["nonce"],
                                    event["encrypt"]) == {"EventType": "check_url"}
    reply = by_corp.encrypt_callback('{"EventType":"check_url"}')
    with pytest.raises(DecryptError):
        by_key.decrypt_callback(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"])


def test_app_without_callback_config_says_what_to_set():
    app = DingTalkApp(app_key="k", app_secret="s", **URLS)
    with pytest.raises(ConfigError, match="token"):
        app.encrypt_callback()


def test_seed_callback_helpers():
    app = DingTalkApp(corp_id=SUITE, corp_secret="s", token=TOKEN, aes_key=AES_KEY, **URLS)
    assert app.generate_callback_signature(DOC_ENCRYPT, DOC_TS, DOC_NONCE) == DOC_SIG
    assert app.generate_signature(DOC_ENCRYPT, DOC_TS, DOC_NONCE) == DOC_SIG
    assert app.check_callback_signature(DOC_SIG, DOC_ENCRYPT, DOC_TS, DOC_NONCE) is True
    assert app.check_signature("0" * 40, DOC_ENCRYPT, DOC_TS, DOC_NONCE) is False
    assert app.decrypt(DOC_ENCRYPT) == (DOC_PLAIN, SUITE, "hU3bEfGZZewzhG5a")
    assert app.encrypt(DOC_PLAIN, buf="hU3bEfGZZewzhG5a") == DOC_ENCRYPT
    assert app.decrypt(app.encrypt('"success"'))[0] == '"success"'
    assert app.decrypt_text(app.encrypt_text("钉钉")) == "钉钉" == app.decrypt_str(app.encrypt_str("钉钉"))
    reply = app.check_url(DOC_NONCE, DOC_SIG, DOC_TS, DOC_ENCRYPT)
    assert app.callback_crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"],
                                       reply["encrypt"]) == "success"
    assert app.return_success()["nonce"] != app.return_success()["nonce"]
    with pytest.raises(SignatureError):
        app.check_url(DOC_NONCE, "0" * 40, DOC_TS, DOC_ENCRYPT)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=4096).map(lambda b: b + b"\0" * (-len(b) % 16)))
def test_reused_key_cbc_equals_pycryptodome_cbc(data):
    key = decode_aes_key(AES_KEY)
    assert crypto._cbc_decrypt(data) == AES.new(key, AES.MODE_CBC, key[:16]).decrypt(data)


def test_app_handle_callback_in_one_call():
    app = DingTalkApp(corp_id="dingcorp", corp_secret="s", token=TOKEN, aes_key=AES_KEY, **URLS)
    got = []
    app.callbacks.on("user_leave_org")(got.append)
    env = app.encrypt_callback(json.dumps({"EventType": "user_leave_org", "UserId": ["u1", "u2"]}))
    reply = app.handle_callback({"msg_signature": env["msg_signature"], "timeStamp": env["timeStamp"],
                                 "nonce": env["nonce"]}, {"encrypt": env["encrypt"]})
    assert got[0].user_ids == ["u1", "u2"] and got[0].raw["EventType"] == "user_leave_org"
    assert app.callback_crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"],
                                       reply["encrypt"]) == "success"
