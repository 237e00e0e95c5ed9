"""Callback verify + decrypt throughput against the raw pycryptodome floor, same data, same run.

    python benchmarks/callback.py [--events 2000] [--rounds 15] [--size 1024]

The floor does only the unavoidable work on each event: sha1 of the sorted signature inputs,
base64 decoding and AES-256-CBC decryption. The SDK's ``CallbackCrypto.decrypt`` does that plus
the constant-time comparison, padding, length and key-id checks and UTF-8 decoding. Rounds are
interleaved; the median ratio (SDK events/s ÷ floor events/s) is printed. Target: >= 0.8.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from Crypto.Cipher import AES  # noqa: E402

from dingtalk.crypto import CallbackCrypto, decode_aes_key  # noqa: E402

TOKEN, AES_KEY, KEY_ID = "bench-token", "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij", "dingbenchcorp"


def make_events(n: int, size: int) -> list:
    crypto = CallbackCrypto(TOKEN, AES_KEY, KEY_ID)
    events = []
    for i in range(n):
        body = json.dumps({"EventType": "bpms_instance_change", "processInstanceId": f"pi-{i}",
                           "title": "请假", "pad": ""}, ensure_ascii=False)
        body = body[:-2] + "x" * max(0, size - len(body.encode())) + '"}'
        reply = crypto.encrypt(body)
        events.append((reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"]))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()

    events = make_events(args.events, args.size)
    crypto = CallbackCrypto(TOKEN, AES_KEY, KEY_ID)
    key = decode_aes_key(AES_KEY)
    iv = key[:16]

    def sdk() -> None:
        for sig, ts, nonce, enc in events:
            crypto.decrypt(sig, ts, nonce, enc)

    def floor() -> None:
        for sig, ts, nonce, enc in events:
            hashlib.sha1("".join(sorted((TOKEN, ts, nonce, enc))).encode()).hexdigest()
            AES.new(key, AES.MODE_CBC, iv).decrypt(base64.b64decode(enc))

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    timed(sdk), timed(floor)
    ratios, sdk_rates = [], []
    for r in range(args.rounds):
        if r % 2:
            f = timed(floor); s = timed(sdk)
        else:
            s = timed(sdk); f = timed(floor)
        ratios.append(f / s)  # throughput ratio = time_floor / time_sdk
        sdk_rates.append(args.events / s)
    print(f"events of {args.size} bytes: SDK {statistics.median(sdk_rates):,.0f} events/s")
    print(f"median throughput ratio SDK / raw floor over {args.rounds} rounds: "
          f"{statistics.median(ratios):.3f}  (target >= 0.8)")


if __name__ == "__main__":
    main()
