#!/usr/bin/env bash
# Playout from the shared media pool: control puts a 1 kHz tone clip into the pool (linear, PCMU
# and PCMA encoded once), plays it twice on an answered call; the caller receives 100 RTP
# packets 20 ms apart with consecutive sequence numbers, timestamps +160, the marker bit only on
# the first, PCMU payload that decodes back to 1 kHz; control gets MEDIA_DONE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up -- "script=$T_SCRIPT"
# not through nsx: $! must be tcpdump itself (ip netns exec execs it), and stdout must not
# hold the test runner's pipe
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/play.pcap" 'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
TD=$!
sleep 0.5
sipp_run uac_wait_bye playcall &
SIPP=$!
answered_leg() { voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle // empty'; }
wait_for 5 bash -c "[ -n \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq -r '[.legs[] | select(.state==\"answered\")][0].handle // empty')\" ]"
h=$(answered_leg)
clip=$(voxctl diag tone 1000 1000 | jq -r .clip)
check "a 1 s tone clip is in the pool ($clip)" test -n "$clip" -a "$clip" != null
r=$(voxctl diag play "$h" "$clip" 2)
check "PLAY accepted ($r)" grep -q sent <<<"$r"
check "MEDIA_DONE after the two loops" wait_for 4 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .events.MEDIA_DONE)\" -ge 1 ]"
wait $SIPP
sleep 0.3
kill $TD; wait $TD 2>/dev/null
analyze() {
  python3 - "$T_LOG/play.pcap" <<'PY'
import math, struct, sys
d = open(sys.argv[1], "rb").read()
off, pk = 24, []
while off + 16 <= len(d):
    ts, us, incl, orig = struct.unpack_from("<IIII", d, off); off += 16
    p = d[off:off + incl]; off += incl
    if len(p) < 42 + 12: continue
    if struct.unpack_from("!H", p, 34)[0] & 1: continue  # RTCP (port + 1)
    rtp = p[42:]
    if rtp[0] >> 6 != 2: continue
    pk.append((ts + us / 1e6, rtp))
n = len(pk)
seqs = [struct.unpack_from("!H", r, 2)[0] for _, r in pk]
tss = [struct.unpack_from("!I", r, 4)[0] for _, r in pk]
marks = [r[1] >> 7 for _, r in pk]
pts = {r[1] & 0x7f for _, r in pk}
seq_ok = all((seqs[i + 1] - seqs[i]) % 65536 == 1 for i in range(n - 1))
ts_ok = all((tss[i + 1] - tss[i]) % 2**32 == 160 for i in range(n - 1))
dur = pk[-1][0] - pk[0][0] if n > 1 else 0
def ulaw(b):
    b = ~b & 0xff; t = ((b & 0x0f) << 3) + 0x84; t <<= (b & 0x70) >> 4
    return (0x84 - t) if b & 0x80 else (t - 0x84)
pcm = [ulaw(x) for _, r in pk for x in r[12:]]
zc = sum(1 for i in range(1, len(pcm)) if (pcm[i - 1] < 0) != (pcm[i] < 0))
hz = zc / 2 / (len(pcm) / 8000) if pcm else 0
print(f"packets {n} duration {dur:.3f}s seq_ok {seq_ok} ts_ok {ts_ok} markers {sum(marks)} first {marks[0] if n else None} pt {sorted(pts)} tone {hz:.0f} Hz")
ok = 98 <= n <= 102 and seq_ok and ts_ok and marks[0] == 1 and sum(marks) == 1 and pts == {0} \
     and 1.85 <= dur <= 2.15 and 980 <= hz <= 1020
sys.exit(0 if ok else 1)
PY
}
check "100 RTP packets 20 ms apart, seq +1, ts +160, one marker, PCMU at 1 kHz" analyze
voxctl stats --json | jq -c '[.lcores[] | .counters | with_entries(select(.key|test("drop_|rtp_tx|arp")) | select(.value>0))]'
check "rtp_tx counted" test "$(counter rtp_tx)" -ge 98
check "no media tick slipped badly" test "$(counter media_tick_slips)" -lt 25
t_end
