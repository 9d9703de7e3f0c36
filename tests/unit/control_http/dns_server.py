#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dns_server.py — a tiny authoritative DNS server over UDP for the resolver tests (stdlib only).

  dns_server.py --port-file P --zone zone.json
zone.json: {"name": {"A": ["192.0.2.1"], "SRV": [[prio, weight, port, "target"]],
                     "NAPTR": [[order, pref, "s", "SIP+D2U", "", "_sip._udp.name"]]}}
Names not in the zone are NXDOMAIN; a known name without the type asked is NODATA.
"""
import argparse
import json
import os
import socket
import struct

TYPES = {1: "A", 33: "SRV", 35: "NAPTR"}


def name_wire(n):
    out = b""
    for label in n.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def cstr(s):
    b = s.encode()
    return bytes([len(b)]) + b


def rdata(t, v):
    if t == "A":
        return socket.inet_aton(v)
    if t == "SRV":
        return struct.pack("!HHH", v[0], v[1], v[2]) + name_wire(v[3])
    if t == "NAPTR":
        return struct.pack("!HH", v[0], v[1]) + cstr(v[2]) + cstr(v[3]) + cstr(v[4]) + name_wire(v[5])
    raise ValueError(t)


def parse_question(msg):
    i, labels = 12, []
    while msg[i]:
        labels.append(msg[i + 1:i + 1 + msg[i]].decode())
        i += 1 + msg[i]
    qtype, qclass = struct.unpack("!HH", msg[i + 1:i + 5])
    return ".".join(labels).lower(), qtype, msg[12:i + 5]


def answer(msg, zone):
    qid, = struct.unpack("!H", msg[:2])
    name, qtype, question = parse_question(msg)
    rrs = []
    rcode = 3
    if name in zone:
        rcode = 0
        t = TYPES.get(qtype)
        for v in zone[name].get(t, []) if t else []:
            rd = rdata(t, v)
            rrs.append(name_wire(name) + struct.pack("!HHIH", qtype, 1, 60, len(rd)) + rd)
    flags = 0x8400 | rcode  # response, authoritative
    return struct.pack("!HHHHHH", qid, flags, 1, len(rrs), 0, 0) + question + b"".join(rrs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--zone", required=True)
    a = ap.parse_args()
    with open(a.zone) as f:
        zone = {k.lower().rstrip("."): v for k, v in json.load(f).items()}
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        msg, peer = s.recvfrom(4096)
        try:
            s.sendto(answer(msg, zone), peer)
        except Exception:  # a malformed query: no answer
            pass


if __name__ == "__main__":
    main()
