#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# rtp_bridge.py — the media of t_bridge.sh: send RTP from the test's sockets to bridged legs,
# and check a tcpdump capture of what the dataplane relayed.
#   send PORT_A DP_PORT_A PT_A TE_A PORT_B DP_PORT_B PT_B N [events]: N packets each way, every
#        4 ms (A changes SSRC and jumps seq/ts halfway; with "events" A also sends 3 RFC 4733
#        packets); prints what was sent as JSON
#   check PCAP PORT: the packets 192.0.2.2 sent to 192.0.2.1:PORT, as JSON (PORT 0: how many to
#        any port, while tcpdump still writes)
import json
import socket
import struct
import sys
import time


def rtp(pt, m, seq, ts, ssrc, payload):
    return struct.pack("!BBHII", 0x80, (0x80 if m else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def ulaw_pattern(i):
    return bytes(((i * 7 + k * 13) & 0xFF) for k in range(160))


def send(pa, dpa, pt_a, te_a, pb, dpb, pt_b, n, events):
    sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sa.bind(("192.0.2.1", pa))
    sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sb.bind(("192.0.2.1", pb))
    sent = {"a": 0, "b": 0, "a_events": 0, "a_payload0": ulaw_pattern(0).hex()}
    seq_a, ts_a, ssrc_a = 1000, 50000, 0x1111AAAA
    seq_b, ts_b, ssrc_b = 65500, 0xFFFFF000, 0x2222BBBB  # B's input wraps
    for i in range(n):
        if i == n // 2:  # a new source on A: new SSRC, seq and ts far away
            seq_a, ts_a, ssrc_a = seq_a + 30000, ts_a + 8000 * 3600, 0x3333CCCC
        if events and i == 10:
            for k in range(3):  # one key press: start (M), update, end (E bit)
                ev = struct.pack("!BBH", 5, (0x80 if k == 2 else 0) | 10, 160 * (k + 1))
                sa.sendto(rtp(te_a, k == 0, seq_a, ts_a, ssrc_a, ev), ("192.0.2.2", dpa))
                seq_a += 1
                sent["a"] += 1
                sent["a_events"] += 1
        sa.sendto(rtp(pt_a, i == 0, seq_a, ts_a, ssrc_a, ulaw_pattern(i)), ("192.0.2.2", dpa))
        seq_a += 1
        ts_a += 160
        sent["a"] += 1
        sb.sendto(rtp(pt_b, i == 0, seq_b, ts_b, ssrc_b, bytes([0xD5]) * 160), ("192.0.2.2", dpb))
        seq_b += 1
        ts_b += 160
        sent["b"] += 1
        time.sleep(0.004)
    print(json.dumps(sent))


def check(path, port):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(end + "I", data[20:24])[0]
    off, pkts = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        if off + 16 + incl > len(data):
            break  # a record still being written
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        l2 = 14 if link == 1 else 16  # Ethernet, or Linux cooked capture
        ip = frame[l2:]
        if len(ip) < 28 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src = socket.inet_ntoa(ip[12:16])
        dport = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
        if src != "192.0.2.2" or (port and dport != port):
            continue
        r = ip[ihl + 8:]
        if len(r) < 12:
            continue
        b1, seq, ts, ssrc = struct.unpack("!xBHII", r[:12])
        pkts.append({"m": b1 >> 7, "pt": b1 & 0x7F, "seq": seq, "ts": ts, "ssrc": ssrc, "p": r[12:].hex()})
    print(len(pkts) if port == 0 else json.dumps(pkts))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        a = [int(x) for x in sys.argv[2:10]]
        send(*a, events=len(sys.argv) > 10 and sys.argv[10] == "events")
    else:
        check(sys.argv[2], int(sys.argv[3]))
