#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# rtp_tone.py — one plain RTP endpoint for t_bridge_srtp.sh: from 192.0.2.1:PORT send N packets
# of a HZ tone in PCMU (20 ms each, paced) to 192.0.2.2:DP_PORT, and at the same time take what
# the dataplane sends back to PORT. Prints JSON: sent, got, the SSRCs seen, whether sequence
# numbers were continuous, and how many received 20 ms frames hold a tone of LISTEN_HZ.
#   rtp_tone.py PORT DP_PORT HZ N LISTEN_HZ
import json
import math
import select
import socket
import struct
import sys
import time


def ulaw_enc(x):
    s = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 0x84
    e = 7
    while e > 0 and not x & (0x4000 >> (7 - e)):
        e -= 1
    return ~(s | (e << 4) | ((x >> (e + 3)) & 15)) & 0xFF


def ulaw_dec(c):
    c = ~c & 0xFF
    t = (((c & 15) << 3) + 0x84) << ((c >> 4) & 7)
    return (0x84 - t) if c & 0x80 else (t - 0x84)


def tone_frame(samples, hz):
    k = 2 * math.cos(2 * math.pi * hz / 8000)
    s1 = s2 = 0.0
    for v in samples:
        s1, s2 = v + k * s1 - s2, s1
    e = sum(v * v for v in samples)
    if e < len(samples) * 300.0 ** 2:
        return False
    return (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / len(samples) > 0.6 * e


def main():
    port, dp_port, hz, n, listen_hz = (int(a) for a in sys.argv[1:6])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("192.0.2.1", port))
    seq, ts, ssrc = 4000, 1000, 0x0BADCAFE
    res = {"sent": 0, "got": 0, "ssrcs": [], "continuous": True, "tone_frames": 0}
    last = None
    t0 = time.monotonic()
    ph = 0
    end = t0 + n * 0.02 + 1.0
    while time.monotonic() < end:
        now = time.monotonic()
        if res["sent"] < n and now >= t0 + res["sent"] * 0.02:
            pl = bytes(ulaw_enc(int(8000 * math.sin(2 * math.pi * hz * (ph + i) / 8000))) for i in range(160))
            ph += 160
            s.sendto(struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts, ssrc) + pl, ("192.0.2.2", dp_port))
            seq += 1
            ts += 160
            res["sent"] += 1
        r, _, _ = select.select([s], [], [], 0.005)
        if not r:
            continue
        data, src = s.recvfrom(2048)
        if src[0] != "192.0.2.2" or len(data) < 12:
            continue
        _, _, q, _, c = struct.unpack("!BBHII", data[:12])
        res["got"] += 1
        if c not in res["ssrcs"]:
            res["ssrcs"].append(c)
        if last is not None and (q - last) % 65536 != 1:
            res["continuous"] = False
        last = q
        if tone_frame([ulaw_dec(b) for b in data[12:]], listen_hz):
            res["tone_frames"] += 1
    print(json.dumps(res))


main()
