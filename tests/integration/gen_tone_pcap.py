#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# gen_tone_pcap.py OUT HZ:SECONDS[,HZ:SECONDS...] — a pcap of one RTP stream (PCMA, 20 ms
# packets) for sipp's play_pcap_audio, made of segments: a HZ tone at -10 dBm0, or faint noise
# (about -60 dBm0) for HZ 0. E.g. "0:2,1000:1.5,0:0.5": 2 s of near-silence, a 1.5 s tone,
# 0.5 s of near-silence. Addresses are placeholders: sipp rewrites them.
import math, random, sys

from gen_dtmf_pcap import write_pcap  # PCMA RTP in a pcap, shared


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
    write_pcap(out, pcm, 0x5eed1234)


if __name__ == "__main__":
    main()
