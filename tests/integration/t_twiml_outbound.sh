#!/usr/bin/env bash
# Outbound-api calls (ctl_call_create, through `voxctl call create` — the path the REST API's
# POST /Calls.json takes): the answer comes after the commit (status queued, direction
# outbound-api); the call DIALs the SIP URI (a sipp UAS), and once answered runs its Url with
# CallStatus=in-progress; status callbacks initiated, ringing, answered (in-progress),
# completed arrive in SequenceNumber order 0..3, signed. A busy far end completes as busy.
# SendDigits reach the far end as RFC 4733 events before the markup's audio; Record=true
# stores the call's recording (source OutboundAPI) once it ended.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF2'
{
 "/ob": {"body": "<Response><Say>Hello, this is an outbound call.</Say><Hangup/></Response>"},
 "/status": {"body": ""}
}
EOF2
t_up
web_up
DATA=$VOX_DATA_BASE/$T_ID
dev_account
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | head -n "${3:-1}" | tail -n 1; }
n_req() { jq -r "select(.path==\"$1\") | .path" "$W/req.jsonl" 2>/dev/null | wc -l; }
at_least() { [ "$(n_req "$1")" -ge "$2" ]; }
nsx timeout 40 sipp -sn uas -i 192.0.2.1 -p 5096 -m 1 -nostdin -timeout 30 >"$T_LOG/uas.out" 2>&1 &
UAS=$!
sleep 0.3
out=$(voxctl call create --account "$AC" --to sip:bob@192.0.2.1:5096 --from +15005550006 \
  --url "$U/ob" --status-callback "$U/status" --events initiated,ringing,answered,completed)
echo "$out" | jq -c '{sid, status, direction, to, from}'
SID=$(jq -r .sid <<<"$out")
check "call create answers the Call resource: CA sid, queued, outbound-api" \
  test -n "$(grep '^CA[0-9a-f]\{32\}$' <<<"$SID")" -a "$(jq -r '.status + " " + .direction' <<<"$out")" = "queued outbound-api"
check "the far end answered and got our BYE after the markup" wait $UAS
check "the Url was requested once answered: CallStatus=in-progress, Direction=outbound-api, CallSid" \
  test "$(form /ob CallStatus) $(form /ob Direction) $(form /ob CallSid)" = "in-progress outbound-api $SID"
check "four status callbacks" wait_for 5 at_least /status 4
seq=$(jq -r 'select(.path=="/status") | [(.form[] | select(.[0]=="SequenceNumber" or .[0]=="CallStatus") | .[1])] | join(":")' "$W/req.jsonl" | tr '\n' ' ')
check "in order: initiated, ringing, in-progress, completed with SequenceNumber 0..3 ($seq)" \
  test "$seq" = "initiated:0 ringing:1 in-progress:2 completed:3 "
check "the completed callback has a CallDuration" test -n "$(form /status CallDuration)"
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request is signed ($sig)" test $? = 0
nsx timeout 40 sipp -sf "$T_SCEN/uas_busy.xml" -i 192.0.2.1 -p 5092 -m 1 -nostdin -timeout 30 >"$T_LOG/busy.out" 2>&1 &
UAS=$!
sleep 0.3
voxctl call create --account "$AC" --to sip:busy@192.0.2.1:5092 --from +15005550006 \
  --url "$U/ob" --status-callback "$U/status" >/dev/null
wait $UAS
check "the busy far end got our INVITE and ACK" test $? = 0
check "a busy callee: the completed callback says busy, the Url is never requested" \
  wait_for 5 test "$(form /status CallStatus 5)" = busy
check "... and the Url was requested only by the first call" test "$(n_req /ob)" = 1
# SendDigits: RFC 4733 digits to the far end once it answers, then the markup
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/digits.pcap" \
  'udp and src host 192.0.2.2 and dst port 6010' >/dev/null 2>&1 &
TD=$!
wait_for 5 test -s "$T_LOG/digits.pcap"
nsx timeout 40 sipp -sf "$T_SCEN/uas_rtp.xml" -i 192.0.2.1 -p 5098 -mp 6010 -m 1 -nostdin -timeout 30 >"$T_LOG/uas_digits.out" 2>&1 &
UAS=$!
sleep 0.3
SIDD=$(voxctl call create --account "$AC" --to sip:digits@192.0.2.1:5098 --from +15005550006 \
  --url "$U/ob" --send-digits 12w3 --record true | jq -r .sid)
wait $UAS
check "the SendDigits call was answered and got our BYE after the markup" test $? = 0
sleep 0.3
kill $TD; wait $TD 2>/dev/null
dtmf=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/digits.pcap" --pt 101)
say=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/digits.pcap" --pt 0,8 --level 1000)
check "SendDigits: RFC 4733 events reached the far end ($(jq .packets <<<"$dtmf") packets)" \
  test "$(jq .packets <<<"$dtmf")" -ge 9
digits_first() { python3 -c "import sys; sys.exit(0 if $(jq .last <<<"$dtmf") < $(jq .first <<<"$say") else 1)"; }
check "... before the markup's Say ($(jq .loud <<<"$say") loud packets after them)" digits_first
# Record=true: the call from its answer, stored once it ended (source OutboundAPI)
recs() { curl -sS --max-time 5 -u "$AC:$TOK" "http://127.0.0.1:$(status_q .http.server.port)/2010-04-01/Accounts/$AC/Calls/$SIDD/Recordings.json"; }
has_rec() { [ "$(recs | jq '.recordings | length')" = 1 ]; }
check "Record=true: one Recording of the call" wait_for 5 has_rec
rec=$(recs | jq -c '.recordings[0]')
check "... source OutboundAPI, 1 channel, its duration the call's (2..8 s): $(jq -c '{source, channels, duration}' <<<"$rec")" \
  jq -e '.source=="OutboundAPI" and .channels==1 and (.duration|tonumber) >= 2 and (.duration|tonumber) <= 8' <<<"$rec"
check "... and its WAV holds the far end's audio" \
  python3 - "$VOX_DATA_BASE/$T_ID/recordings/$(jq -r .sid <<<"$rec").wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1]); n = w.getnframes(); s = struct.unpack("<%dh" % n, w.readframes(n))
loud = sum(1 for i in range(0, n - 160, 160) if math.sqrt(sum(v * v for v in s[i:i + 160]) / 160) > 300)
print("recording: %d samples, %d loud frames" % (n, loud)); sys.exit(0 if loud >= 50 else 1)
PY
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
kill $WEB; wait $WEB 2>/dev/null
t_end
