#!/usr/bin/env bash
# The first real calls: sipp calls numbers of the dev account, control (router = twiml, no
# script) fetches their markup from webapp.py and runs it on the leg. Asserts the requests
# (method, standard parameters, X-Twilio-Signature checked by twilio_sig.py) and the SIP/RTP
# side: Say heard (non-silent PCMU for about the prompt's length) then BYE; Reject busy is a 486
# never answered; Gather gets an RFC 4733 key to its relative action; a Gather timeout falls
# through to a relative Redirect; a 500 goes to the fallback URL with ErrorCode 11200; Record
# gives a WAV of the right length at its RecordingUrl; Dial Sip (digest, URI headers, bridged,
# timeLimit), Dial busy, Dial no-answer (CANCEL), Dial Number via outbound_trunk; status
# callbacks with the right CallStatus; an unknown number is 404.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF'
{
 "/say": {"body": "<Response><Say>Hello from voxplane. This is a test.</Say><Hangup/></Response>"},
 "/busy": {"body": "<Response><Reject reason=\"busy\"/></Response>"},
 "/gather": {"body": "<Response><Gather action=\"app/gathered\" numDigits=\"1\" timeout=\"15\"><Say>Press a key</Say></Gather><Say>nothing</Say></Response>"},
 "/app/gathered": {"body": "<Response><Pause length=\"8\"/></Response>"},
 "/timeout": {"body": "<Response><Gather timeout=\"1\" numDigits=\"1\"/><Redirect>next</Redirect></Response>"},
 "/next": {"body": "<Response><Say>Goodbye</Say><Hangup/></Response>"},
 "/fail": {"status": 500, "body": "oops"},
 "/fb": {"body": "<Response><Say>fallback</Say><Hangup/></Response>"},
 "/record": {"body": "<Response><Record maxLength=\"3\" playBeep=\"false\" timeout=\"10\" trim=\"do-not-trim\" action=\"/recorded\"/></Response>"},
 "/recorded": {"body": "<Response><Pause length=\"8\"/></Response>"},
 "/dialsip": {"body": "<Response><Dial timeLimit=\"2\" action=\"/dialed\"><Sip username=\"alice\" password=\"secret\">sip:uas@192.0.2.1:5080?X-Test=yes</Sip></Dial></Response>"},
 "/dialed": {"body": "<Response><Hangup/></Response>"},
 "/dialbusy": {"body": "<Response><Dial action=\"/dialedbusy\"><Sip>sip:busy@192.0.2.1:5092</Sip></Dial></Response>"},
 "/dialedbusy": {"body": "<Response><Hangup/></Response>"},
 "/dialslow": {"body": "<Response><Dial timeout=\"5\" action=\"/dialedslow\"><Sip>sip:slow@192.0.2.1:5082</Sip></Dial></Response>"},
 "/dialedslow": {"body": "<Response><Hangup/></Response>"},
 "/dialnum": {"body": "<Response><Dial timeLimit=\"2\"><Number>+15551230000</Number></Dial><Say>after the dial</Say><Hangup/></Response>"},
 "/play": {"body": "<Response><Play loop=\"2\">media/clip.wav</Play><Hangup/></Response>"},
 "/status": {"body": ""}
}
EOF
t_up -- "http_port=$P" "public_base_url=http://127.0.0.1:$P" "outbound_trunk=192.0.2.1:5094" \
  "http_static_dir=$VOX_ROOT/configs/demo"
mkdir -p "$W/docs/media"
sox -n -r 8000 -c 1 -b 16 "$W/docs/media/clip.wav" synth 1.0 sine 1000 vol 0.5
web_up "$W/docs"
WP=$(cat "$W/port")
DATA=$VOX_DATA_BASE/$T_ID
dev_account
num() { voxctl number add --account "$AC" --number "$1" --voice-url "$U$2" --status-callback "$U/status" "${@:3}" >/dev/null; }
num +15005550101 /say && num +15005550102 /busy && num +15005550103 /gather &&
  num +15005550104 /timeout && num +15005550105 /fail --fallback-url "$U/fb" && num +15005550106 /record &&
  num +15005550107 /dialsip && num +15005550108 /dialbusy && num +15005550109 /dialslow && num +15005550110 /dialnum && num +15005550111 /play
check "numbers registered" test $? = 0
# requests logged by webapp: req PATH -> JSON lines
req() { jq -c "select(.path==\"$1\")" "$W/req.jsonl" 2>/dev/null; }
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | head -n "${3:-1}" | tail -n 1; }
has_req() { [ -n "$(req "$1")" ]; }

# --- Say + Hangup: the caller hears the prompt, then our BYE
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/say.pcap" 'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
TD=$!
wait_for 5 test -s "$T_LOG/say.pcap"
sleep 0.5
sipp_run uac_wait_bye 15005550101
rc=$?
sleep 0.3
kill $TD; wait $TD 2>/dev/null
check "Say+Hangup: sipp answered, then got our BYE (rc=$rc)" test $rc = 0
check "the first webhook: POST /say" test "$(req /say | jq -r .method | head -1)" = POST
check "CallStatus=ringing, Direction=inbound, To=+15005550101, ApiVersion" \
  test "$(form /say CallStatus) $(form /say Direction) $(form /say To) $(form /say ApiVersion)" = "ringing inbound +15005550101 2010-04-01"
check "AccountSid, a CallSid, Called/Caller, SipCallId" \
  test "$(form /say AccountSid)" = "$AC" -a -n "$(form /say CallSid | grep '^CA[0-9a-f]\{32\}$')" -a "$(form /say Called)" = +15005550101 -a -n "$(form /say Caller)" -a -n "$(form /say SipCallId)"
analyze_say() {
  local r; r=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/say.pcap" --pt 0); echo "say: $r"
  [ "$(jq '.loud >= 50 and .span >= 1.0 and .span <= 6.0' <<<"$r")" = true ]
}
check "Say heard: non-silent PCMU for the prompt's length" analyze_say

# --- Play loop="2" of a 1 s WAV (relative URL), twice: the second call plays the cached clip
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/play.pcap" 'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
TD=$!
wait_for 5 test -s "$T_LOG/play.pcap"
sleep 0.5
sipp_run uac_wait_bye 15005550111
rc=$?
sleep 0.3
kill $TD; wait $TD 2>/dev/null
check "Play: answered, then our BYE (rc=$rc)" test $rc = 0
analyze_play() {
  local r; r=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/play.pcap" --pt 0 --level 4000); echo "play: $r"
  [ "$(jq '.loud >= 95 and .loud <= 105 and .hz >= 980 and .hz <= 1020' <<<"$r")" = true ]
}
check "Play loop=2: 2 s of the 1 kHz clip heard" analyze_play
check "the clip was fetched once: GET /media/clip.wav" test "$(req /media/clip.wav | jq -r .method)" = GET
pc=$(status_q .calls.plays_cached)
sipp_run uac_wait_bye 15005550111
check "a second Play of the same URL comes from the pool (plays_cached $pc -> $(status_q .calls.plays_cached), no new fetch)" \
  test "$(status_q .calls.plays_cached)" = $((pc + 1)) -a "$(req /media/clip.wav | wc -l)" = 1

# --- Reject busy: 486, never answered
sipp_reject 15005550102 486
check "Reject busy: 486 (never a 200)" test $? = 0

# --- Gather with an RFC 4733 key (sipp sends 1 about 8 s after the answer) to a relative action
sipp_run uac_pcma_dtmf 15005550103 &
SIPP=$!
check "Gather: the action gets the key" wait_for 20 has_req /app/gathered
check "Gather action: Digits=1, CallStatus=in-progress, POST" \
  test "$(form /app/gathered Digits) $(form /app/gathered CallStatus) $(req /app/gathered | jq -r .method)" = "1 in-progress POST"
wait $SIPP
check "sipp's Gather call completed" test $? = 0

# --- Gather timeout falls through to <Redirect>next</Redirect> (relative)
sipp_run uac_wait_bye 15005550104
rc=$?
check "Gather timeout: the call went on to the Redirect and hung up (rc=$rc)" test $rc = 0
check "Redirect relative: POST /next" test "$(req /next | jq -r .method)" = POST

# --- fallback on a 500
sipp_run uac_wait_bye 15005550105
rc=$?
check "fallback: the call ran the fallback's markup (rc=$rc)" test $rc = 0
check "fallback request: ErrorCode=11200, ErrorUrl=/fail" \
  test "$(form /fb ErrorCode) $(form /fb ErrorUrl)" = "11200 $U/fail"
check "a notification for the failure" test "$(status_q .calls.notifications)" -ge 1

# --- Record: 3 s of the caller's speech
sipp_run uac_pcma_dtmf 15005550106 &
SIPP=$!
check "Record: the action is requested" wait_for 20 has_req /recorded
RU=$(form /recorded RecordingUrl)
check "Record action: RecordingDuration=3, RecordingSid, RecordingUrl on public_base_url" \
  test "$(form /recorded RecordingDuration)" = 3 -a "${RU%/Recordings/*}" = "http://127.0.0.1:$P/2010-04-01/Accounts/$AC" -a -n "$(form /recorded RecordingSid | grep '^RE')"
curl -sS --max-time 5 -o "$T_LOG/rec.wav" "$RU"
check "the RecordingUrl serves a 3 s WAV ($(soxi -s "$T_LOG/rec.wav" 2>/dev/null) samples)" \
  test "$(soxi -s "$T_LOG/rec.wav" 2>/dev/null)" = 24000
curl -sS --max-time 5 -o "$T_LOG/rec2.wav" "$RU.wav"
check "... and with .wav" cmp -s "$T_LOG/rec.wav" "$T_LOG/rec2.wav"
rj=$(curl -sS --max-time 5 -u "$AC:$TOK" "$RU.json")
check "... and the Recording resource at .json (the media route declines it): $(jq -c '{sid,duration,call_sid}' <<<"$rj" 2>/dev/null)" \
  jq -e --arg s "$(form /recorded RecordingSid)" '.sid==$s and .duration=="3" and (.call_sid|startswith("CA"))' <<<"$rj"
wait $SIPP

# --- Dial: Sip with digest auth, bridged, ended by timeLimit; busy; no answer (CANCEL); Number
uas() { nsx timeout 40 sipp -sf "$T_SCEN/$1.xml" -i 192.0.2.1 -p "$2" -m 1 -nostdin -timeout 30 \
  -trace_msg -message_file "$T_LOG/$1.msg" >"$T_LOG/$1.out" 2>&1; }
uas uas_auth 5080 &
UAS=$!
sleep 0.3
nb=$(status_q .events.BRIDGED)
sipp_run uac_wait_bye 15005550107
rc=$?
wait $UAS
urc=$?
check "Dial Sip: the caller was answered and got our BYE at the timeLimit (rc=$rc)" test $rc = 0
check "the callee saw 401, our digest, and our BYE (rc=$urc)" test $urc = 0
check "the INVITE carried X-Test from the URI, not in the Request-URI" \
  grep -q '^X-Test: yes' "$T_LOG/uas_auth.msg"
check "the legs were bridged (BRIDGED events: $nb -> $(status_q .events.BRIDGED))" test "$(status_q .events.BRIDGED)" -ge $((nb + 2))
check "Dial action: DialCallStatus=completed, DialCallSid, DialCallDuration ~2" \
  test "$(form /dialed DialCallStatus)" = completed -a -n "$(form /dialed DialCallSid | grep '^CA')" -a "$(form /dialed DialCallDuration)" -ge 1 -a "$(form /dialed DialCallDuration)" -le 3
uas uas_busy 5092 &
UAS=$!
sleep 0.3
sipp_run uac_wait_bye 15005550108
check "Dial busy: the caller got our BYE after the action (rc=$?)" test $? = 0
wait $UAS
check "Dial busy: DialCallStatus=busy" test "$(form /dialedbusy DialCallStatus)" = busy
uas uas_noanswer 5082 &
UAS=$!
sleep 0.3
sipp_run uac_wait_bye 15005550109
rc=$?
wait $UAS
urc=$?
check "Dial timeout: the callee got our CANCEL (rc=$urc), the caller our BYE (rc=$rc)" test $urc = 0 -a $rc = 0
check "Dial timeout: DialCallStatus=no-answer" test "$(form /dialedslow DialCallStatus)" = no-answer
nsx timeout 40 sipp -sn uas -i 192.0.2.1 -p 5094 -m 1 -nostdin -timeout 30 -trace_msg \
  -message_file "$T_LOG/trunk.msg" >"$T_LOG/trunk.out" 2>&1 &
UAS=$!
sleep 0.3
sipp_run uac_wait_bye 15005550110
rc=$?
wait $UAS
check "Dial Number through outbound_trunk: the trunk got INVITE sip:+15551230000@192.0.2.1:5094, the caller our BYE (rc=$rc)" \
  test $rc = 0 -a -n "$(grep '^INVITE sip:+15551230000@192.0.2.1:5094' "$T_LOG/trunk.msg")"

# --- the dev demo (configs/demo, served by control): welcome Say, a key to the Gather's action
voxctl number add --account "$AC" --number +15005550006 --voice-url "http://127.0.0.1:$P/demo/voice.xml" >/dev/null
sf=$(status_q .http.server.static_files)
sipp_run uac_pcma_dtmf 15005550006
rc=$?
check "the demo number: voice.xml then, on the key, gather.xml fetched by the call ($sf -> $(status_q .http.server.static_files) files; rc=$rc)" \
  test "$(status_q .http.server.static_files)" -ge $((sf + 2)) -a $rc = 0

# --- status callbacks: one completed per call, with the right CallStatus
sleep 1
cbs=$(jq -r 'select(.path=="/status") | [(.form[] | select(.[0]=="To") | .[1]), (.form[] | select(.[0]=="CallStatus") | .[1])] | join(" ")' "$W/req.jsonl" | sort | tr '\n' ',')
check "status callbacks (completed event): $cbs" \
  test "$cbs" = "+15005550101 completed,+15005550102 busy,+15005550103 completed,+15005550104 completed,+15005550105 completed,+15005550106 completed,+15005550107 completed,+15005550108 completed,+15005550109 completed,+15005550110 completed,+15005550111 completed,+15005550111 completed,"
check "completed callbacks carry CallDuration, SequenceNumber 0, CallbackSource" \
  test "$(form /status SequenceNumber) $(form /status CallbackSource)" = "0 call-progress-events" -a -n "$(form /status CallDuration)"
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request is signed with the account's token ($sig)" test $? = 0
check "unknown number: 404, counted" sipp_reject 15005550999 404
check "counted as unknown" test "$(status_q .calls.unknown_number)" = 1
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
kill $WEB; wait $WEB 2>/dev/null
t_end
