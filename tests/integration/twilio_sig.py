#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""twilio_sig.py — checks X-Twilio-Signature independently of voxplane's C code.

  twilio_sig.py --token T --log requests.jsonl [--path /p]   every logged request (or those to
                                                              /p) must carry the right signature
  twilio_sig.py --token T --url URL [--param K=V]...         prints the signature of a POST

Computed as Twilio documents it: base64(HMAC-SHA1(token, URL + each POST parameter sorted by
name, name + value)); a GET signs the URL with its query and nothing else.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys


def signature(token, url, params):
    s = url
    for k, v in sorted(set((k, v) for k, v in params)):
        s += k + v
    return base64.b64encode(hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--log")
    ap.add_argument("--path")
    ap.add_argument("--url")
    ap.add_argument("--param", action="append", default=[])
    a = ap.parse_args()
    if a.url:
        print(signature(a.token, a.url, [p.split("=", 1) for p in a.param]))
        return 0
    bad = checked = 0
    with open(a.log) as f:
        for line in f:
            e = json.loads(line)
            if a.path and e["path"] != a.path:
                continue
            got = e["headers"].get("X-Twilio-Signature")
            want = signature(a.token, e["url"], e["form"] if e["method"] == "POST" else [])
            checked += 1
            if got != want:
                bad += 1
                print("bad signature for %s %s: got %s want %s" % (e["method"], e["url"], got, want))
    print("%d requests checked, %d bad" % (checked, bad))
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
