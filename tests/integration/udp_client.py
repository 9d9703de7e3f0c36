#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# udp_client.py — UDP echo client for the integration tests: sends COUNT datagrams of SIZE bytes
# (random content), checks each reply is identical, prints JSON with round-trip times.
import json, os, socket, sys, time

def main():
    host, port = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.connect((host, port))
    rtts, bad, lost = [], 0, 0
    for _ in range(count):
        data = os.urandom(size)
        t0 = time.perf_counter()
        s.send(data)
        try:
            got = s.recv(65535)
        except socket.timeout:
            lost += 1
            continue
        rtts.append((time.perf_counter() - t0) * 1000.0)
        if got != data:
            bad += 1
    rtts_sorted = sorted(rtts)
    out = {"sent": count, "ok": len(rtts) - bad, "bad": bad, "lost": lost,
           "first_ms": rtts[0] if rtts else None,
           "median_ms": rtts_sorted[len(rtts_sorted) // 2] if rtts else None,
           "max_ms": rtts_sorted[-1] if rtts else None}
    print(json.dumps(out))
    sys.exit(0 if out["ok"] == count else 1)

main()
