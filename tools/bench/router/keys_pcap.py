#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""keys_pcap.py OUT SECONDS INTERVAL_MS — a pcap of one RTP stream of RFC 4733 events (payload
type 101) for sipp's play_pcap_audio: a key every INTERVAL_MS for SECONDS, each key an event of
100 ms (5 updates 20 ms apart, the first with the marker bit) and its end packet sent 3 times,
every key on its own RTP timestamp so no key is taken for another's retransmission. Keys cycle
through 1-9. Addresses are placeholders: sipp rewrites them."""
import struct
import sys


def main():
    out, secs, every = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    pk = []  # (time us, rtp bytes)
    seq = 1
    for k in range(int(secs * 1000 / every)):
        t0 = 500000 + k * every * 1000
        ts = t0 * 8 // 1000
        ev = 1 + k % 9
        for i in range(8):
            end = i >= 5
            dur = 160 * (min(i, 4) + 1)
            pay = struct.pack("!BBH", ev, (0x80 if end else 0) | 10, dur)
            mark = 0x80 if i == 0 else 0
            pk.append((t0 + min(i, 5) * 20000 + max(0, i - 5) * 2000,
                       struct.pack("!BBHII", 0x80, mark | 101, seq & 0xffff, ts, 0x5eed1234) + pay))
            seq += 1
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, rtp in pk:
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
            eth = b"\x00\x11\x22\x33\x44\x55" * 2 + b"\x08\x00" + ip
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(eth), len(eth)) + eth)


main()
