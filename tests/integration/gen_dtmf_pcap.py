#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# gen_dtmf_pcap.py OUT DIGITS — a pcap of one RTP stream (PCMA, 20 ms packets) for sipp's
# play_pcap_audio: 1 s of faint noise, then the DIGITS as in-band DTMF (100 ms tone at -10 dBm0
# per frequency, 100 ms gap), then 0.5 s of faint noise. Addresses are placeholders: sipp
# rewrites them.
import math, random, struct, sys

DTMF = {c: (r, k) for r, row in zip((697, 770, 852, 941), ("123A", "456B", "789C", "*0#D"))
        for k, c in zip((1209, 1336, 1477, 1633), row)}

def alaw(x):
    x = max(-32768, min(32767, int(x)))
    sign = 0x80 if x >= 0 else 0
    if x < 0:
        x = -x - 1
    x >>= 3  # 13-bit magnitude
    if x < 32:
        code = x >> 1
    else:
        seg = x.bit_length() - 5
        code = (seg << 4) | ((x >> seg) & 0x0f)
    return (code | sign) ^ 0x55

def main():
    out, digits = sys.argv[1], sys.argv[2]
    rnd = random.Random(7)
    pcm = [rnd.gauss(0, 30) for _ in range(8000)]
    amp = 22798 * 10 ** (-10 / 20)
    for c in digits:
        lo, hi = DTMF[c]
        n0 = len(pcm)
        pcm += [amp * (math.sin(2 * math.pi * lo * i / 8000) + math.sin(2 * math.pi * hi * i / 8000))
                for i in range(800)]
        pcm += [rnd.gauss(0, 30) for _ in range(800)]
    pcm += [rnd.gauss(0, 30) for _ in range(4000)]
    write_pcap(out, pcm, 0x1234abcd)


def write_pcap(out, pcm, ssrc):
    """pcm (8 kHz samples) as PCMA RTP in 20 ms packets, one classic-pcap frame each."""
    pcm = list(pcm) + [0] * (-len(pcm) % 160)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k in range(len(pcm) // 160):
            pay = bytes(alaw(v) for v in pcm[k * 160:(k + 1) * 160])
            rtp = struct.pack("!BBHII", 0x80, 8 | (0x80 if k == 0 else 0), k + 1, k * 160, ssrc) + pay
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
            eth = b"\x00\x11\x22\x33\x44\x55" * 2 + b"\x08\x00" + ip
            t = 1000000 + k * 20000
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(eth), len(eth)) + eth)


if __name__ == "__main__":
    main()
