#!/usr/bin/env bash
# Live-call updates through the REST API (POST /Calls/{Sid}.json, curl with Basic auth) on a
# real inbound sipp call: Url= redirects it (the application gets the new document's request
# with CallStatus in-progress and the old Say stops: the caller's audio, captured in the
# namespace, goes silent), Twiml= runs inline markup (its Say is heard), Status=canceled leaves
# an answered call alone (Twilio: "will not affect calls already in progress"), Status=completed
# hangs it up (our BYE to sipp, the record completed, the number's callback exactly once);
# Status=canceled on a ringing call (its first webhook held) ends it: 480 to the caller, the
# record and its callback canceled.
# Updates to the finished call answer as Twilio does: a redirect is 400/21220 ("not
# in-progress"), a Status is 200 with the call unchanged; an unknown call is 404/20404.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF2'
{
 "/voice": {"body": "<Response><Say>This first prompt is deliberately long. It goes on and on about nothing in particular, so that a redirect through the REST API has something to interrupt, and it would keep talking for quite a while longer if nobody stopped it now.</Say><Hangup/></Response>"},
 "/next": {"body": "<Response><Pause length=\"40\"/></Response>"},
 "/never": {"body": "<Response><Hangup/></Response>"},
 "/status": {"body": ""},
 "/held": {"delay": 6, "body": "<Response><Say>too late</Say></Response>"},
 "/status2": {"body": ""}
}
EOF2
t_up -- "http_port=$P"
web_up
DATA=$VOX_DATA_BASE/$T_ID
dev_account
voxctl number add --account "$AC" --number +15005550401 --voice-url "$U/voice" --status-callback "$U/status" >/dev/null &&
  voxctl number add --account "$AC" --number +15005550402 --voice-url "$U/held" --status-callback "$U/status2" >/dev/null
check "numbers registered" test $? = 0
A=http://127.0.0.1:$P/2010-04-01/Accounts/$AC
# upd SID curl-args...: POST /Calls/SID.json, prints the body then a line with the status
upd() { local s=$1; shift; curl -sS --max-time 10 -u "$AC:$TOK" -w '\n%{http_code}' "$@" "$A/Calls/$s.json"; }
body() { printf '%s' "${1%$'\n'*}"; }
st() { printf '%s' "${1##*$'\n'}"; }
err() { [ "$(st "$1")" = "$2" ] && body "$1" | jq -e --argjson s "$2" --argjson c "$3" \
  '.status==$s and .code==$c and (.message|type=="string") and .more_info==("https://www.twilio.com/docs/errors/"+($c|tostring))' >/dev/null; }
n_req() { jq -r "select(.path==\"$1\") | .path" "$W/req.jsonl" 2>/dev/null | wc -l; }
n_is() { [ "$(n_req "$1")" = "$2" ]; } # for wait_for: PATH requested N times
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | head -n 1; }
legs() { voxctl calls --json | jq '[.legs[] | select(.state=="answered")] | length'; }
answered() { [ "$(legs)" = 1 ]; }
now() { date +%s.%N; }
# what the caller heard between two epoch times: loud PCMU packets from the platform
loud() { python3 "$T_DIR/pcap_audio.py" "$T_LOG/call.pcap" --pt 0 --since "$1" --until "$2" | jq .loud; }

ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -U -w "$T_LOG/call.pcap" \
  'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
TD=$!
wait_for 5 test -s "$T_LOG/call.pcap"
# the caller waits up to 40 s for our BYE
sed 's/timeout="10000"/timeout="40000"/' "$T_SCEN/uac_wait_bye.xml" >"$T_LOG/uac_wait_bye.xml"
sipp_run uac_wait_bye 15005550401 &
SIPP=$!
check "the call is answered (its long Say runs)" wait_for 10 answered
t_ans=$(now)
SID=$(form /voice CallSid)
heard() { [ "$(loud "$1" "$(now)")" -ge "$2" ]; } # heard SINCE N: N loud packets since then
check "the first Say is heard (synthesized, played)" wait_for 10 heard "$t_ans" 25
sleep 1.5

# --- Url: redirect
t1=$(now)
out=$(upd "$SID" --data-urlencode "Url=$U/next")
check "Url=/next: 200 with the call ($(st "$out"))" \
  test "$(st "$out")" = 200 -a "$(body "$out" | jq -r '.sid + " " + .status')" = "$SID in-progress"
check "the application gets the new document's request" wait_for 5 n_is /next 1
check "... POST with CallSid and CallStatus=in-progress" \
  test "$(jq -r 'select(.path=="/next") | .method' "$W/req.jsonl") $(form /next CallSid) $(form /next CallStatus)" = "POST $SID in-progress"
sleep 2.5

# --- Twiml: inline markup
t2=$(now)
out=$(upd "$SID" --data-urlencode 'Twiml=<Response><Say>Now the inline document speaks, for a few seconds at least.</Say><Pause length="40"/></Response>')
check "Twiml=<Response><Say>: 200 ($(st "$out"))" test "$(st "$out")" = 200
check "the inline document's Say is heard" wait_for 10 heard "$t2" 25
a0=$(loud "$t_ans" "$t1"); a1=$(loud "$(echo "$t1 + 1" | bc)" "$t2")
echo "loud packets heard: before the redirect $a0, from 1 s after it to the Twiml $a1"
check "the first Say was heard until the redirect" test "$a0" -ge 50
check "the first Say stopped at the redirect (silence within 1 s)" test "$a1" = 0
check "the inline document needed no request" test "$(n_req /voice) $(n_req /next)" = "1 1"

# --- Status=canceled on an answered call: no effect
out=$(upd "$SID" -d Status=canceled)
check "Status=canceled on an answered call: 200, the call still in-progress" \
  test "$(st "$out")" = 200 -a "$(body "$out" | jq -r .status)" = in-progress
sleep 1
check "... and it is still up" answered

# --- Status=completed: hang up
out=$(upd "$SID" -d Status=completed)
check "Status=completed: 200 with the call ($(st "$out"))" test "$(st "$out")" = 200 -a "$(body "$out" | jq -r .sid)" = "$SID"
wait $SIPP
rc=$?
check "the caller got our BYE (rc=$rc)" test $rc = 0
kill $TD; wait $TD 2>/dev/null
rec=$(curl -sS --max-time 10 -u "$AC:$TOK" "$A/Calls/$SID.json")
check "the record is completed with end_time and duration" \
  jq -e '.status=="completed" and (.end_time|type=="string") and (.duration|tonumber) >= 6' <<<"$rec"
check "the completed status callback arrives" wait_for 5 n_is /status 1
sleep 1

# --- the finished call
out=$(upd "$SID" --data-urlencode "Url=$U/never")
check "Url on the finished call: 400 21220" err "$out" 400 21220
out=$(upd "$SID" --data-urlencode 'Twiml=<Response><Hangup/></Response>')
check "Twiml on the finished call: 400 21220" err "$out" 400 21220
out=$(upd "$SID" -d Status=completed)
check "Status=completed on the finished call: 200, unchanged" \
  test "$(st "$out")" = 200 -a "$(body "$out" | jq -r '.status + " " + .end_time')" = "$(jq -r '.status + " " + .end_time' <<<"$rec")"
out=$(upd "$SID" -d Status=canceled)
check "Status=canceled on the finished call: 200, still completed" \
  test "$(st "$out")" = 200 -a "$(body "$out" | jq -r .status)" = completed
out=$(upd CA00000000000000000000000000000000 -d Status=completed)
check "an unknown call: 404 20404" err "$out" 404 20404
sleep 1
check "the callback was sent exactly once, CallStatus=completed" \
  test "$(n_req /status) $(form /status CallStatus)" = "1 completed"
check "no request for the finished call's redirects" test "$(n_req /never)" = 0

# --- Status=canceled on a ringing call (its first webhook held by the application)
sipp_reject 15005550402 480 &
SIPP=$!
check "the second call rings, its webhook held" wait_for 5 n_is /held 1
SID2=$(form /held CallSid)
out=$(upd "$SID2" -d Status=canceled)
check "Status=canceled on a ringing call: 200 ($(st "$out"))" test "$(st "$out")" = 200
wait $SIPP
rc=$?
check "the caller gets 480 (the dataplane's answer to a hangup before the answer) (rc=$rc)" test $rc = 0
idle() { [ "$(status_q .calls.live) $(status_q .calls.persisted)" = "0 0" ]; }
check "nothing left live or stored" wait_for 8 idle
rec=$(curl -sS --max-time 10 -u "$AC:$TOK" "$A/Calls/$SID2.json")
check "its record is canceled ($(jq -r .status <<<"$rec"))" test "$(jq -r .status <<<"$rec")" = canceled
check "its callback arrives" wait_for 5 n_is /status2 1
check "its callback says canceled, once" test "$(n_req /status2) $(form /status2 CallStatus)" = "1 canceled"
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request (the redirect's too) is signed with the account's token ($sig)" test $? = 0
kill $WEB; wait $WEB 2>/dev/null
t_end
