#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcap_audio.py — what a capture of G.711 RTP sounds like, for the integration tests.

Usage: pcap_audio.py PCAP [--port P] [--pt 0,8] [--level L] [--since T] [--until T]
                      [--before TEXT@PORT]
Reads a classic pcap of Ethernet/IPv4/UDP frames (tcpdump -w), keeps RTP packets (version 2,
payload type in --pt, to UDP destination port --port if given, captured between the epoch times
--since and --until if given), decodes PCMU/PCMA and prints one
JSON line: packets (kept), loud (packets whose peak |sample| exceeds --level), span (seconds
from the first to the last loud packet), first and last (capture times of the first and last kept
packets, null when none) and hz (zero-crossing frequency over the loud audio).
--before TEXT@PORT keeps only what was captured before the first datagram to UDP port PORT
whose payload starts with TEXT (e.g. "SIP/2.0 200@5300": audio before the caller's 200 OK) and
adds cut (that datagram's capture time, null when there was none).
"""
import argparse
import json
import struct
import sys


def ulaw(u):
    u = ~u & 0xff
    t = ((u & 0x0f) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)


def alaw(a):
    a ^= 0x55
    t = (a & 0x0f) << 4
    s = (a & 0x70) >> 4
    t = t + 8 if s == 0 else (t + 0x108) << (s - 1)
    return t if a & 0x80 else -t


def frames(path):
    """(time, frame bytes) of every record of a classic little-endian pcap."""
    d = open(path, "rb").read()
    off = 24
    while off + 16 <= len(d):
        ts, us, incl, _ = struct.unpack_from("<IIII", d, off)
        off += 16
        yield ts + us / 1e6, d[off:off + incl]
        off += incl


def cut_time(path, text, port):
    """Capture time of the first UDP datagram to port whose payload starts with text."""
    for t, p in frames(path):
        if len(p) >= 42 and struct.unpack_from(">H", p, 36)[0] == port and p[42:].startswith(text):
            return t
    return None


def analyze(path, port=None, pts=(0, 8), level=300, cut=None, since=None, until=None):
    pk, loud, pcm, first, last = 0, [], [], None, None
    for t, p in frames(path):
        if cut is not None and t >= cut:
            break
        if len(p) < 54 or (port is not None and struct.unpack_from(">H", p, 36)[0] != port):
            continue
        if (since is not None and t < since) or (until is not None and t > until):
            continue
        rtp = p[42:]
        pt = rtp[1] & 0x7f
        if rtp[0] >> 6 != 2 or pt not in pts:
            continue
        pk += 1
        first = t if first is None else first
        last = t
        samples = [(alaw if pt == 8 else ulaw)(b) for b in rtp[12:]]
        if samples and max(abs(x) for x in samples) > level:
            loud.append(t)
            pcm.extend(samples)
    hz = sum(1 for i in range(1, len(pcm)) if pcm[i - 1] < 0 <= pcm[i]) / (len(pcm) / 8000) if pcm else 0
    return {"packets": pk, "loud": len(loud), "span": round(loud[-1] - loud[0], 3) if loud else 0,
            "first": first, "last": last, "hz": round(hz)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("--port", type=int)
    ap.add_argument("--pt", default="0,8")
    ap.add_argument("--level", type=int, default=300)
    ap.add_argument("--since", type=float)
    ap.add_argument("--until", type=float)
    ap.add_argument("--before")
    a = ap.parse_args()
    pts = tuple(int(x) for x in a.pt.split(","))
    if not a.before:
        print(json.dumps(analyze(a.pcap, a.port, pts, a.level, None, a.since, a.until)))
        return 0
    text, _, cport = a.before.rpartition("@")
    cut = cut_time(a.pcap, text.encode(), int(cport))
    r = analyze(a.pcap, a.port, pts, a.level, cut if cut is not None else float("inf"), a.since,
                a.until)
    r["cut"] = cut
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
