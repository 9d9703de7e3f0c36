#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 3263 resolution of SIP hosts through c-ares on control's loop, against a local DNS server
# (dns_server.py on loopback): NAPTR -> SRV -> A in NAPTR order and SRV priority, SRV without
# NAPTR, plain A with 5060, explicit port, IPv4 literal, transport filter, NXDOMAIN, and a server
# that never answers (a timeout, bounded).
set -uo pipefail
CLI=$1
D=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/vox-dns.XXXXXX)
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
cat >"$W/zone.json" <<'J'
{"example.test": {"NAPTR": [[20, 10, "s", "SIP+D2T", "", "_sip._tcp.example.test"],
                            [10, 10, "s", "SIP+D2U", "", "_sip._udp.example.test"],
                            [5, 10, "s", "XMPP+D2T", "", "_xmpp.example.test"]]},
 "_sip._udp.example.test": {"SRV": [[20, 0, 5090, "sip2.example.test"], [10, 0, 5080, "sip1.example.test"]]},
 "_sip._tcp.example.test": {"SRV": [[10, 0, 5070, "sip3.example.test"]]},
 "sip1.example.test": {"A": ["192.0.2.10"]},
 "sip2.example.test": {"A": ["192.0.2.11", "192.0.2.12"]},
 "sip3.example.test": {"A": ["192.0.2.13"]},
 "srv.test": {"A": ["192.0.2.99"]},
 "_sip._udp.srv.test": {"SRV": [[10, 0, 5072, "a.srv.test"]]},
 "a.srv.test": {"A": ["192.0.2.20"]},
 "plain.test": {"A": ["192.0.2.30"]}}
J
python3 "$D/dns_server.py" --port-file "$W/port" --zone "$W/zone.json" & SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$W"' EXIT
for i in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
S=127.0.0.1:$(cat "$W/port")
OUT=$("$CLI" --server "$S" example.test srv.test plain.test 192.0.2.5 nope.test)
echo "$OUT"
line() { sed -n "$1p" <<<"$OUT" | jq -c "$2"; }
check "NAPTR order (udp before tcp), SRV priority, every A" test "$(line 1 .targets)" = '[["192.0.2.10",5080,"udp"],["192.0.2.11",5090,"udp"],["192.0.2.12",5090,"udp"],["192.0.2.13",5070,"tcp"]]'
check "no NAPTR: _sip._udp SRV" test "$(line 2 .targets)" = '[["192.0.2.20",5072,"udp"]]'
check "no NAPTR, no SRV: A with 5060" test "$(line 3 .targets)" = '[["192.0.2.30",5060,"udp"]]'
check "an IPv4 literal needs no lookup" test "$(line 4 .targets)" = '[["192.0.2.5",5060,"udp"]]'
check "NXDOMAIN: ENOENT, no targets" test "$(line 5 '[.error,.targets]')" = '["ENOENT",[]]'
OUT=$("$CLI" --server "$S" --port 5099 example.test plain.test)
check "explicit port: A only (example.test has none: ENOENT)" test "$(line 1 .error)" = '"ENOENT"'
check "explicit port on an A name" test "$(line 2 .targets)" = '[["192.0.2.30",5099,"udp"]]'
OUT=$("$CLI" --server "$S" --transport tcp example.test)
check "transport filter: tcp only" test "$(line 1 .targets)" = '[["192.0.2.13",5070,"tcp"]]'
# a server that swallows queries: a port of a UDP socket nobody reads
python3 -c 'import socket,time,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(30)' >"$W/mute" & MUTE=$!
for i in $(seq 50); do [ -s "$W/mute" ] && break; sleep 0.1; done
t0=$(date +%s%N)
OUT=$("$CLI" --server "127.0.0.1:$(cat "$W/mute")" --timeout 300 example.test)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill $MUTE; wait $MUTE 2>/dev/null
check "a silent server: ETIMEDOUT in ${ms} ms (bounded)" test "$(line 1 .error)" = '"ETIMEDOUT"' -a $ms -lt 5000
echo "dns_test: $PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
