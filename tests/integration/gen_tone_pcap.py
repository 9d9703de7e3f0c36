#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# gen_tone_pcap.py OUT HZ:SECONDS[,HZ:SECONDS...] — a pcap of one RTP stream (PCMA, 20 ms
# packets) for sipp's play_pcap_audio, made of segments: a HZ tone at -10 dBm0, or faint noise
# (about -60 dBm0) for HZ 0. E.g. "0:2,1000:1.5,0:0.5": 2 s of near-silence, a 1.5 s tone,
# 0.5 s of near-silence. Addresses are placeholders: sipp rewrites them.
import math, random, struct, sys


def alaw(x):
    x = max(-32768, min(32767, int(x)))
    sign = 0x80 if x >= 0 else 0
    if x < 0:
        x = -x - 1
    x >>= 3
    if x < 32:
        code = x >> 1
    else:
        seg = x.bit_length() - 5
        code = (seg << 4) | ((x >> seg) & 0x0f)
    return (code | sign) ^ 0x55


def main():
    out, spec = sys.argv[1], sys.argv[2]
    rnd = random.Random(11)
    amp = 22798 * 10 ** (-10 / 20)
    pcm = []
    for seg in spec.split(","):
        hz, sec = seg.split(":")
        hz, n = float(hz), int(float(sec) * 8000)
        if hz:
            pcm += [amp * math.sin(2 * math.pi * hz * i / 8000) for i in range(n)]
        else:
            pcm += [rnd.gauss(0, 30) for _ in range(n)]
    pcm += [0] * (-len(pcm) % 160)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k in range(len(pcm) // 160):
            pay = bytes(alaw(v) for v in pcm[k * 160:(k + 1) * 160])
            rtp = struct.pack("!BBHII", 0x80, 8 | (0x80 if k == 0 else 0), k + 1, k * 160, 0x5eed1234) + pay
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
            eth = b"\x00\x11\x22\x33\x44\x55" * 2 + b"\x08\x00" + ip
            t = 1000000 + k * 20000
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(eth), len(eth)) + eth)


main()
