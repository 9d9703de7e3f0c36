#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole call router under real calls: CALLS sipp callers (in the dev namespace) each send an
# RFC 4733 key every KEY_MS to a number whose application loops Gather(Say) -> key -> action
# (a Redirect-only document) -> Gather again, on bench-router-srv (a C keep-alive server on
# loopback). Measured over a steady window of WINDOW s (all calls up, none ending): markup
# documents fetched, parsed and executed per second by control, control's CPU (all its threads)
# and so the documents per control CPU-second (the figure for one core); control's event ->
# command latency (its status histogram, log2 buckets); the document turnaround (a Redirect
# document's response written -> the same call's next request, microseconds, measured by the
# server); and the server's own CPU and time per request, to show it is not the bottleneck.
# Bounded: CALLS calls of CALL_S seconds, ~CALL_S + 20 s in all. Knobs (environment): CALLS
# (200), KEY_MS (200), CALL_S (25), WINDOW (10), RATE (50 calls/s ramp), KEEP=1 keeps the logs.
set -uo pipefail
export VOX_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$VOX_ROOT/tools/lib/vox.sh"
SRV=$VOX_BUILD/tools/bench/router/bench-router-srv
CALLS=${CALLS:-200}
KEY_MS=${KEY_MS:-200}
CALL_S=${CALL_S:-25}
WINDOW=${WINDOW:-10}
RATE=${RATE:-50}
ID=brtr
LOG=$(mktemp -d /tmp/vox-bench-router.XXXXXX)
SRV_PID=
for t in sipp jq python3; do
  command -v $t >/dev/null || { echo "router: $t not installed (tools/deps installs it); skipped"; exit 0; }
done
[ -x "$SRV" ] || { echo "router: $SRV not built"; exit 1; }
cleanup() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
  vox_stop "$ID" >/dev/null 2>&1
  rm -rf "${VOX_DATA_BASE:?}/$ID"
  [ -n "${KEEP:-}" ] && echo "router: logs kept in $LOG" || rm -rf "$LOG"
}
trap cleanup EXIT
vc() { "$VOX_VOXCTL" --instance "$ID" --run-dir "$VOX_RUN_BASE" "$@"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

rm -rf "${VOX_DATA_BASE:?}/$ID"
# control logs warnings only: a line per key would be measured too
vox_start "$ID" "$VOX_ROOT/configs/dev.conf" "$LOG" -- http_port=0 log_level=warn >/dev/null || exit 1
cat >"$LOG/menu.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather numDigits="1" action="/choice" method="POST" timeout="10">
    <Say>Press a key, any key.</Say>
  </Gather>
  <Redirect method="POST">/menu</Redirect>
</Response>
EOF
cat >"$LOG/choice.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Response><Redirect method="POST">/menu</Redirect></Response>
EOF
"$SRV" "$LOG/port" /menu="$LOG/menu.xml" '!/choice'="$LOG/choice.xml" >"$LOG/srv.out" 2>&1 &
SRV_PID=$!
for _ in $(seq 50); do [ -s "$LOG/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$LOG/port")
for _ in $(seq 50); do [ -s "$VOX_DATA_BASE/$ID/dev-account" ] && break; sleep 0.1; done
AC=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$VOX_DATA_BASE/$ID/dev-account")
vc number add --account "$AC" --number +15005550901 --voice-url "$U/menu" >/dev/null || exit 1

# the callers: PCMU + telephone-event 101, the keys' pcap from the answer on, BYE after CALL_S
python3 "$(dirname "$0")/keys_pcap.py" "$LOG/keys.pcap" "$CALL_S" "$KEY_MS"
cat >"$LOG/uac_keys.xml" <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac keys">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec play_pcap_audio="$LOG/keys.pcap"/></action></nop>
  <pause milliseconds="$((CALL_S * 1000 + 700))"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
EOF
# one call first: the prompt is synthesized once (espeak-ng), then served from the pool
ip netns exec "${ID}net" timeout 30 sipp -sn uac 192.0.2.2:5060 -i 192.0.2.1 -p 5090 -s 15005550901 \
  -m 1 -d 3000 -nostdin -timeout 20 >/dev/null 2>&1
ip netns exec "${ID}net" timeout $((CALL_S + 60)) sipp -sf "$LOG/uac_keys.xml" 192.0.2.2:5060 -i 192.0.2.1 \
  -p 5091 -mp 16000 -s 15005550901 -r "$RATE" -m "$CALLS" -l "$CALLS" -nostdin -timeout $((CALL_S + 40)) \
  -trace_stat -stf "$LOG/sipp.csv" >"$LOG/sipp.out" 2>&1 &
SIPP=$!
answered() { vc calls --json | jq '[.legs[] | select(.state=="answered")] | length'; }
for _ in $(seq 1 $((CALLS / RATE * 10 + 100))); do [ "$(answered)" -ge "$CALLS" ] && break; sleep 0.1; done
up=$(answered)
sleep 1
snap() { # N: the (N+1)th sample -> "time srv_requests menu choice srv_cpu srv_busy ctl_ticks dp_ticks"
  kill -USR1 "$SRV_PID"
  for _ in $(seq 40); do [ "$(grep -c '^srv requests' "$LOG/srv.out")" -gt "$1" ] && break; sleep 0.05; done
  local l; l=$(grep '^srv requests' "$LOG/srv.out" | tail -1)
  echo "$(date +%s.%N) $(sed -E 's/.*requests=([0-9]+) cpu_s=([0-9.]+) busy_s=([0-9.]+) \/menu=([0-9]+) \/choice=([0-9]+).*/\1 \4 \5 \2 \3/' <<<"$l") $(ticks "$VOX_CTL_PID") $(ticks "$VOX_DP_PID")"
}
read -r t0 r0 m0 c0 sc0 sb0 k0 d0 < <(snap 0)
sleep "$WINDOW"
read -r t1 r1 m1 c1 sc1 sb1 k1 d1 < <(snap 1)
live=$(answered)
wait "$SIPP"
ok=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") c=i} END{print $c+0}' "$LOG/sipp.csv")
bad=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} END{print $c+0}' "$LOG/sipp.csv")
lat=$(vc status | jq -c .calls.event_to_cmd_us)
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=
turn=$(grep '^srv turnaround' "$LOG/srv.out")
hz=$(getconf CLK_TCK)
awk -v calls="$CALLS" -v up="$up" -v live="$live" -v key="$KEY_MS" -v w="$WINDOW" -v hz="$hz" \
  -v t0="$t0" -v t1="$t1" -v r0="$r0" -v r1="$r1" -v m0="$m0" -v m1="$m1" -v c0="$c0" -v c1="$c1" \
  -v sc0="$sc0" -v sc1="$sc1" -v sb0="$sb0" -v sb1="$sb1" -v k0="$k0" -v k1="$k1" -v d0="$d0" -v d1="$d1" \
  -v ok="$ok" -v bad="$bad" 'BEGIN {
  dt = t1 - t0; docs = (m1 - m0) + (c1 - c0); ctl = (k1 - k0) / hz / dt; req = r1 - r0
  printf "router: %d calls (%d up at the window, %d at its end), a key every %d ms each, %.1f s window\n", calls, up, live, key, dt
  printf "router: %.0f docs/s fetched, parsed and executed (%.0f Gather menus + %.0f key actions/s), control CPU %.0f%% of a core\n", docs / dt, (m1 - m0) / dt, (c1 - c0) / dt, 100 * ctl
  printf "router: %.0f docs per control CPU-second (one core); dataplane CPU %.0f%% (its lcores, adaptive polling)\n", (ctl > 0 ? docs / dt / ctl : 0), 100 * (d1 - d0) / hz / dt
  us = req ? 1e6 * (sb1 - sb0) / req : 0
  printf "router: server %.0f requests/s, CPU %.1f%% of a core, %.1f us of work per request (%.0f requests/s a core): not the bottleneck\n", req / dt, 100 * (sc1 - sc0) / dt, us, us ? 1e6 / us : 0
  printf "router: sipp %d calls completed, %d failed\n", ok, bad }'
echo "$lat" | jq -r '"router: event->cmd p50 <= \(.p50_le) us p99 <= \(.p99_le) us (control status histogram, log2 buckets, \(.n) events: offers, keys, prompt ends)"'
sed -E 's/srv turnaround n=([0-9]+) p50_us=([0-9]+) p99_us=([0-9]+) max_us=([0-9]+)/router: document turnaround (Redirect document answered -> the call'"'"'s next request) p50 \2 us p99 \3 us max \4 us (\1 samples)/' <<<"$turn"
