#!/usr/bin/env bash
# BRIDGE: two sipp calls placed on different workers (Call-IDs "vx0000-..."/"vx0001-..." name
# the owner) are bridged with `voxctl diag bridge`; RTP sent both ways from the test's sockets
# is captured with tcpdump in the namespace: every packet is relayed, each side sees one SSRC
# with continuous sequence numbers and timestamps across the source's SSRC change and its
# sequence wrap, RFC 4733 events arrive with the peer's telephone-event PT. A second pair on one
# worker (PCMU caller, PCMA caller) checks the law conversion. UNBRIDGE and a leg that ends
# return the legs to control (UNBRIDGED) and stop the relay.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up -- "script=$T_SCRIPT"
PY=$T_DIR/rtp_bridge.py
mk() { # name call-id-prefix media-port codec codec-name te hold-ms
  CID[$1]=$2
  sed -e "s/__MPORT__/$3/" -e "s/__CODEC__/$4/g" -e "s/__CNAME__/$5/" \
    -e "s/__TE__/$6/g" -e "s/__HOLD__/$7/" "$T_SCEN/uac_bridge.xml" >"$T_LOG/$1.xml"
}
answered() { voxctl calls --json | jq '[.legs[] | select(.state=="answered")] | length'; }
n_answered() { [ "$(answered)" -ge "$1" ]; }
newest() { # the answered leg not in the list given
  voxctl calls --json | jq -r --arg seen "$*" \
    '[.legs[] | select(.state=="answered") | select(.handle as $h | ($seen | contains($h)) | not)][0] | "\(.handle) \(.worker)"'
}
dp_port() { awk '/^SIP\/2.0 200/{ok=1} ok && /^m=audio/{print $2; exit}' "$T_LOG/$1.bridge.msg"; }
bridges() { counter bridges_active; }
n_bridges() { [ "$(bridges)" = "$1" ]; }
n_events() { [ "$(status_q ".events.$1")" = "$2" ]; }

declare -A H W P CID
mk uac_brA vx0000-brA 40000 8 PCMA 101 11000
mk uac_brB vx0001-brB 40002 8 PCMA 96 11000
mk uac_brC vx0000-brC 40004 0 PCMU 101 6000
mk uac_brD vx0000-brD 40006 8 PCMA 96 11000
seen=""
k=0
for c in A B C D; do
  k=$((k + 1))
  T_SIPP_PORT=$((T_SIPP_PORT + 1)) # sipp_run counts in its (background) subshell: keep ports apart
  sipp_run "uac_br$c" bridge -mp $((21000 + 10 * k)) -cid_str "${CID[uac_br$c]}-%u-%p@%s" &
  P[$c]=$!
  wait_for 10 n_answered $k
  read -r H[$c] W[$c] <<<"$(newest $seen)"
  seen="$seen ${H[$c]}"
done
echo "legs: A ${H[A]}/w${W[A]} B ${H[B]}/w${W[B]} C ${H[C]}/w${W[C]} D ${H[D]}/w${W[D]}"
if ! check "four calls answered" n_answered 4; then t_end; fi
check "A and B live on different workers (${W[A]}, ${W[B]})" test "${W[A]}" = 0 -a "${W[B]}" = 1
check "C and D live on the same worker (${W[C]}, ${W[D]})" test "${W[C]}" = 0 -a "${W[D]}" = 0

voxctl diag bridge "${H[A]}" "${H[B]}" >/dev/null
voxctl diag bridge "${H[C]}" "${H[D]}" >/dev/null
check "both bridges set up: 4 legs bridged" wait_for 5 n_bridges 4
check "control got BRIDGED for the 4 legs" wait_for 5 n_events BRIDGED 4
peer_a=$(voxctl calls --json | jq -r --arg h "${H[A]}" '.legs[] | select(.handle==$h) | .bridge_peer')
check "the mirror shows A's peer" test "$(printf '0x%016x' "$peer_a")" = "${H[B]}"
bad=$(status_q '.events.BAD_COMMAND')
clip=$(voxctl diag tone 440 200 | jq -r .clip)
voxctl diag play "${H[A]}" "$clip" >/dev/null
check "PLAY on a bridged leg is refused (BAD_COMMAND)" wait_for 5 n_events BAD_COMMAND $((bad + 1))
# a bridge to a stale handle fails cleanly
voxctl diag bridge "${H[A]}" 0x0001000000000001 >/dev/null
check "BRIDGE with a busy leg / stale peer is refused (BRIDGE_FAILED)" wait_for 5 n_events BRIDGE_FAILED 1

ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -U -n -w "$T_LOG/bridge.pcap" \
  'udp and src host 192.0.2.2 and portrange 40000-40007' 2>"$T_LOG/tcpdump.err" &
TD=$!
wait_for 5 grep -q listening "$T_LOG/tcpdump.err"
sent_ab=$(nsx python3 "$PY" send 40000 "$(dp_port uac_brA)" 8 101 40002 "$(dp_port uac_brB)" 8 300 events)
sent_cd=$(nsx python3 "$PY" send 40004 "$(dp_port uac_brC)" 0 101 40006 "$(dp_port uac_brD)" 8 50)
want=$(($(jq '.a + .b' <<<"$sent_ab") + $(jq '.a + .b' <<<"$sent_cd")))
captured_all() { [ "$(python3 "$PY" check "$T_LOG/bridge.pcap" 0)" -ge "$want" ]; }
# a loaded machine may lag: stop the capture once it holds what was sent (or 10 s passed);
# tcpdump drops what it has not read yet when it stops
wait_for 10 captured_all
kill -INT $TD 2>/dev/null
wait $TD
echo "sent: $sent_ab $sent_cd"

verify() {
  python3 - "$PY" "$T_LOG/bridge.pcap" "$sent_ab" "$sent_cd" <<'PYV'
import json, subprocess, sys
py, pcap, ab, cd = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
got = {p: json.loads(subprocess.check_output(["python3", py, "check", pcap, str(p)])) for p in (40000, 40002, 40004, 40006)}
def res(ok, what): print(("PASS " if ok else "FAIL ") + what)
def cont(pk): return all((b["seq"] - a["seq"]) % 65536 == 1 for a, b in zip(pk, pk[1:]))
def ssrcs(pk): return {p["ssrc"] for p in pk}
def ts_steps(pk): return {(b["ts"] - a["ts"]) % 2**32 for a, b in zip(pk, pk[1:])}
to_b, to_a, to_d, to_c = got[40002], got[40000], got[40006], got[40004]
res(len(to_b) == ab["a"], f"B received every packet A sent ({len(to_b)}/{ab['a']}, cross-lcore)")
res(len(to_a) == ab["b"], f"A received every packet B sent ({len(to_a)}/{ab['b']}, cross-lcore)")
res(cont(to_b) and cont(to_a), "sequence numbers continuous on both sides (A's SSRC change, B's wrap)")
res(len(ssrcs(to_b)) == 1 and len(ssrcs(to_a)) == 1 and not (ssrcs(to_b) | ssrcs(to_a)) & {0x1111AAAA, 0x3333CCCC, 0x2222BBBB},
    f"each side sees one SSRC of ours ({ssrcs(to_b)}, {ssrcs(to_a)})")
aud_b = [p for p in to_b if p["pt"] == 8]
res(ts_steps(aud_b) == {160} and ts_steps(to_a) == {160}, f"timestamps continuous (+160) on both sides ({ts_steps(aud_b)}, {ts_steps(to_a)})")
ev = [p for p in to_b if p["pt"] != 8]
res(len(ev) == ab["a_events"] and all(p["pt"] == 96 for p in ev) and ev[0]["m"] == 1,
    f"RFC 4733 events relayed with B's telephone-event PT 96 ({[p['pt'] for p in ev]})")
res(len(to_d) == cd["a"] and len(to_c) == cd["b"] and cont(to_d) and cont(to_c),
    f"same-lcore pair: every packet relayed, continuous ({len(to_d)}/{cd['a']}, {len(to_c)}/{cd['b']})")
def ulaw(c):
    c = ~c & 0xFF; t = (((c & 15) << 3) + 0x84) << ((c >> 4) & 7)
    return (0x84 - t) if c & 0x80 else (t - 0x84)
def alaw(c):
    c ^= 0x55; t = (c & 15) << 4; s = (c >> 4) & 7
    t = t + 8 if s == 0 else (t + 0x108) << (s - 1)
    return t if c & 0x80 else -t
sent0 = bytes.fromhex(cd["a_payload0"])
recv0 = bytes.fromhex(to_d[0]["p"]) if to_d else b""
close = len(recv0) == 160 and all(abs(alaw(r) - ulaw(s)) <= abs(ulaw(s)) // 16 + 16 for s, r in zip(sent0, recv0))
res(all(p["pt"] == 8 for p in to_d) and close, "PCMU from C reaches D as PCMA (PT 8, the same samples within A-law's step)")
res(all(p["pt"] == 0 for p in to_c) and to_c and all(abs(ulaw(b)) <= 16 for b in bytes.fromhex(to_c[0]["p"])),
    "PCMA silence from D reaches C as PCMU (PT 0)")
PYV
}
while read -r verdict what; do
  if [ "$verdict" = PASS ]; then ok "$what"; else not_ok "$what"; fi
done < <(verify)

check "relayed packets crossed lcores over the handoff ring ($(counter bridge_handoff))" test "$(counter bridge_handoff)" -ge 600
check "law conversions counted ($(counter bridge_transcoded))" test "$(counter bridge_transcoded)" -ge 100
check "RFC 4733 relays counted ($(counter bridge_dtmf))" test "$(counter bridge_dtmf)" -eq 3
check "A's new SSRC re-based its stream ($(counter bridge_rebases) bases)" test "$(counter bridge_rebases)" -ge 5
# the relay's UDP checksums: updated incrementally from the received ones (RFC 1624) for
# same-codec packets, computed over the converted payload for C->D; every one must verify
sums=$(ip netns exec "${T_ID}net" tcpdump -vv -n -r "$T_LOG/bridge.pcap" 2>/dev/null | grep -o "udp sum ok\|bad udp cksum" | sort | uniq -c | tr '\n' ' ')
echo "captured checksums: $sums"
check "every relayed packet's UDP checksum verifies (tcpdump -vv: $sums)" \
  test "$(grep -o '[0-9]* udp sum ok' <<<"$sums" | cut -d' ' -f1)" -ge "$want" -a -z "$(grep -o 'bad udp cksum' <<<"$sums")"
check "checksums of same-codec relays were updated incrementally ($(counter bridge_csum_incr))" \
  test "$(counter bridge_csum_incr)" -ge 600
check "nothing dropped on the relay path" test "$(counter drop_bridge_stale)" -eq 0 -a "$(counter drop_bridge_pt)" -eq 0

# UNBRIDGE: both legs back to control, nothing relayed any more
voxctl diag unbridge "${H[A]}" >/dev/null
check "UNBRIDGE: A and B unbridged" wait_for 5 n_bridges 2
check "control got UNBRIDGED for A and B" wait_for 5 n_events UNBRIDGED 2
rel=$(counter bridge_relayed)
rx=$(counter rtp_rx)
nsx python3 "$PY" send 40000 "$(dp_port uac_brA)" 8 101 40002 "$(dp_port uac_brB)" 8 10 >/dev/null
sleep 0.5
check "after UNBRIDGE RTP is received ($(counter rtp_rx) > $rx) but not relayed" \
  test "$(counter bridge_relayed)" = "$rel" -a "$(counter rtp_rx)" -gt "$rx"

# C hangs up: D is unbridged by its peer's end
wait "${P[C]}"; rc=$?
check "C's call ended cleanly (sipp rc=$rc)" test $rc -eq 0
check "C ended: D unbridged too (no bridged leg left)" wait_for 5 n_bridges 0
check "control got UNBRIDGED for D" wait_for 5 n_events UNBRIDGED 3
for c in A B D; do
  wait "${P[$c]}"; rc=$?
  check "call $c ended cleanly (sipp rc=$rc)" test $rc -eq 0
done

# scripted mode: `dial` then `bridge` pairs the caller's leg with the dialled one
nsx timeout 40 sipp -sf "$T_SCEN/uas_auth.xml" -i 192.0.2.1 -p 5080 -m 1 -nostdin -timeout 30 \
  -timeout_error -trace_msg -message_file "$T_LOG/uas_auth.msg" >"$T_LOG/uas_auth.out" 2>&1 &
UAS=$!
sleep 0.5
T_SIPP_PORT=$((T_SIPP_PORT + 10))
sipp_run uac_wait_bye dialbridge &
CALLER=$!
check "script 'bridge': the caller's leg and the dialled leg are bridged" wait_for 10 n_bridges 2
check "control got BRIDGED for both" wait_for 5 n_events BRIDGED 6
wait $CALLER; rc=$?
check "the bridged caller was hung up by the script (sipp rc=$rc)" test $rc -eq 0
wait $UAS; rc=$?
check "the dialled leg was hung up too (UAS sipp rc=$rc)" test $rc -eq 0
check "no bridged leg left" wait_for 5 n_bridges 0
t_end
