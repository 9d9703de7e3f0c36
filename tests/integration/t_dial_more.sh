#!/usr/bin/env bash
# <Dial>'s extras on real calls (sipp callers and far ends in the namespace, webapp.py as the
# customer's server, every request's signature checked, tcpdump for SIP timing and RTP):
# 1. answerOnBridge with a callee that has early media: the caller gets 183 (our SDP) and the
#    callee's early audio, its own early audio reaches the callee, 200 only once the callee
#    answered (3 s later), the bridge goes on after both answers;
#    answerOnBridge with a callee without early media: 180 only, 200 once the callee answered,
#    audio both ways after;
#    answerOnBridge, early media and a Number url: the early pairing goes for the whisper, the
#    caller's 200 comes after the whisper's request, the bridge after it.
# 2. <Number url sendDigits statusCallback statusCallbackEvent>: once the callee answered, its
#    digits as RFC 4733 events, then the url's markup on its leg (requested as the child call:
#    DialCallSid, ParentCallSid, Direction outbound-dial; its Say heard by the callee alone),
#    then the bridge; the child's callbacks initiated ringing in-progress completed in order
#    with its own SequenceNumber; GET /Calls/{DialCallSid}.json is the child's record;
#    a url answering <Hangup/>: the callee gets our BYE, the Dial says no-answer.
# 3. <Dial record="record-from-answer-dual" recordingStatusCallback>: the bridged call recorded in
#    two channels (the caller's audio in one, the callee's in the other), RecordingUrl in the
#    action, the callback with RecordingSource=DialVerb, the Recording record, its WAV served;
#    record-from-ringing (mono) starts with the Dial: the 2 s of ringing (its ring tone) are in it.
# 4. <Dial ringTone="de">: the answered caller hears 425 Hz, 1 s on / 4 s off, while the callee
#    rings; the bridge ends it (the callee's audio follows); ringTone="uk" (400+450 Hz double
#    ring) until the Dial's timeout (5 s), then the next verb (a Say) plays and the call ends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF2'
{
 "/early": {"body": "<Response><Dial answerOnBridge=\"true\" timeLimit=\"4\" action=\"/dialed\"><Number>+15551230099</Number></Dial></Response>"},
 "/dialed": {"body": "<Response><Hangup/></Response>"},
 "/earlywh": {"body": "<Response><Dial answerOnBridge=\"true\" timeLimit=\"3\" action=\"/dialed1c\"><Number url=\"/wh1c\">+15551230098</Number></Dial></Response>"},
 "/wh1c": {"body": "<Response><Say>one moment</Say></Response>"},
 "/dialed1c": {"body": "<Response><Hangup/></Response>"},
 "/whisper": {"body": "<Response><Dial action=\"/dialed2\" timeLimit=\"3\"><Number url=\"/wh\" sendDigits=\"1234\" statusCallback=\"/childsc\" statusCallbackEvent=\"initiated ringing answered completed\">+15551230077</Number></Dial></Response>"},
 "/wh": {"body": "<Response><Say>whisper to the callee</Say></Response>"},
 "/dialed2": {"body": "<Response><Hangup/></Response>"},
 "/refuse": {"body": "<Response><Dial action=\"/dialed3\"><Number url=\"/whno\" statusCallback=\"/childsc2\">+15551230078</Number></Dial></Response>"},
 "/whno": {"body": "<Response><Hangup/></Response>"},
 "/dialed3": {"body": "<Response><Hangup/></Response>"},
 "/rec": {"body": "<Response><Dial record=\"record-from-answer-dual\" recordingStatusCallback=\"/rsc\" timeLimit=\"3\" action=\"/dialed4\"><Number>+15551230088</Number></Dial></Response>"},
 "/dialed4": {"body": "<Response><Hangup/></Response>"},
 "/rsc": {"body": ""},
 "/recring": {"body": "<Response><Dial record=\"record-from-ringing\" ringTone=\"us\" recordingStatusCallback=\"/rsc2\" timeLimit=\"2\" action=\"/dialed6\"><Number>+15551230055</Number></Dial></Response>"},
 "/dialed6": {"body": "<Response><Hangup/></Response>"},
 "/rsc2": {"body": ""},
 "/ring": {"body": "<Response><Dial ringTone=\"de\" timeLimit=\"4\"><Number>+15551230066</Number></Dial></Response>"},
 "/ring2": {"body": "<Response><Dial ringTone=\"uk\" timeout=\"5\"><Number>+15551230065</Number></Dial><Say>nobody answered</Say></Response>"},
 "/childsc": {"body": ""},
 "/childsc2": {"body": ""},
 "/status": {"body": ""}
}
EOF2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
t_up -- "outbound_trunk=192.0.2.1:5094" "http_port=$P" "public_base_url=http://127.0.0.1:$P"
web_up "$W"
DATA=$VOX_DATA_BASE/$T_ID
dev_account
num() { voxctl number add --account "$AC" --number "$1" --voice-url "$U$2" --status-callback "$U/status" "${@:3}" >/dev/null; }
num +15005550301 /early && num +15005550302 /early && num +15005550308 /earlywh && num +15005550303 /whisper && num +15005550304 /refuse &&
  num +15005550305 /rec && num +15005550306 /ring && num +15005550307 /ring2 &&
  num +15005550309 /recring
check "numbers registered" test $? = 0
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | head -n "${3:-1}" | tail -n 1; }
uas() { # scenario port [sipp args]: one call of a far end in the namespace
  local s=$1 p=$2; shift 2
  local sc=(-sf "$T_SCEN/$s.xml"); [ "$s" = uas ] && sc=(-sn uas)
  [ -f "$T_LOG/$s.xml" ] && sc=(-sf "$T_LOG/$s.xml")
  nsx timeout 40 sipp "${sc[@]}" -i 192.0.2.1 -p "$p" -m 1 -nostdin -timeout 30 -trace_msg \
    -message_file "$T_LOG/$s.$p.msg" "$@" >"$T_LOG/$s.$p.out" 2>&1
}
capture() { # NAME: SIP and RTP of the namespace's side to $T_LOG/NAME.pcap (stop with stop_capture)
  ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -U -w "$T_LOG/$1.pcap" 'udp and src host 192.0.2.2' >/dev/null 2>&1 &
  TD=$!
  wait_for 5 test -s "$T_LOG/$1.pcap"
}
stop_capture() { sleep 0.3; kill $TD; wait $TD 2>/dev/null; }
audio() { python3 "$T_DIR/pcap_audio.py" "$T_LOG/$1.pcap" --port "$2" ${3:+--before "$3"}; }

# --- 1a. answerOnBridge, the callee has early media (183 + SDP, RTP), answers 3 s later
capture early
uas uas_early 5094 -mp 6100 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5299 sipp_run uac_early 15005550301 -mp 6000   # the caller is 192.0.2.1:5300
rc=$?
wait $UAS
urc=$?
stop_capture
check "early media: the caller got 183 then 200 (rc=$rc), the callee answered and got our BYE (rc=$urc)" \
  test $rc = 0 -a $urc = 0
t183=$(audio early 6000 "SIP/2.0 183@5300" | jq .cut)
t200=$(audio early 6000 "SIP/2.0 200@5300" | jq .cut)
check "the caller's 200 came once the callee answered: 183 at $t183, 200 at $t200 (>= 2.5 s later)" \
  python3 -c "import sys; sys.exit(0 if $t200 - $t183 >= 2.5 else 1)"
sdp183() { awk '/^SIP\/2.0 183/ {f = 1} f && /^m=audio/ {ok = 1} /^-----/ {f = 0} END {exit !ok}' "$1"; }
check "the 183 to the caller carries our SDP" sdp183 "$T_LOG/uac_early.15005550301.msg"
pre_caller=$(audio early 6000 "SIP/2.0 200@5300" | jq .loud)
pre_callee=$(audio early 6100 "SIP/2.0 200@5300" | jq .loud)
check "before the caller's 200: the callee's early audio reached the caller ($pre_caller loud packets), the caller's the callee ($pre_callee)" \
  test "$pre_caller" -ge 30 -a "$pre_callee" -ge 30
all_caller=$(audio early 6000 | jq .loud)
all_callee=$(audio early 6100 | jq .loud)
check "after both answers the bridge went on: caller $((all_caller - pre_caller)), callee $((all_callee - pre_callee)) more loud packets" \
  test $((all_caller - pre_caller)) -ge 40 -a $((all_callee - pre_callee)) -ge 40
check "Dial action: completed, bridged" \
  test "$(form /dialed DialCallStatus)" = completed -a "$(form /dialed DialBridged)" = true

# --- 1b. answerOnBridge, the callee rings without early media (180), answers 2 s later
capture ring
uas uas_ring_wait 5094 -mp 6100 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5309 sipp_run uac_rtp_wait_bye 15005550302 -mp 6000   # the caller is 192.0.2.1:5310
rc=$?
wait $UAS
urc=$?
stop_capture
check "no early media: the caller was answered (rc=$rc), the callee answered and got our BYE (rc=$urc)" \
  test $rc = 0 -a $urc = 0
t180=$(audio ring 6000 "SIP/2.0 180@5310" | jq .cut)
t200=$(audio ring 6000 "SIP/2.0 200@5310" | jq .cut)
n183=$(audio ring 6000 "SIP/2.0 183@5310" | jq .cut)
check "ringback by 180, no 183; the 200 once the callee answered: 180 at $t180, 200 at $t200 (>= 1.5 s later)" \
  python3 -c "import sys; sys.exit(0 if '$n183' == 'null' and $t200 - $t180 >= 1.5 else 1)"
pre=$(audio ring 6000 "SIP/2.0 200@5310" | jq .packets)
post_caller=$(audio ring 6000 | jq .loud)
post_callee=$(audio ring 6100 | jq .loud)
check "no RTP to the caller before its 200 ($pre), audio both ways after (caller $post_caller, callee $post_callee)" \
  test "$pre" = 0 -a "$post_caller" -ge 40 -a "$post_callee" -ge 40

# --- 1c. answerOnBridge with early media and a whisper url
capture earlywh
uas uas_early 5094 -mp 6100 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5349 sipp_run uac_early 15005550308 -mp 6020   # the caller is 192.0.2.1:5350
rc=$?
wait $UAS
urc=$?
stop_capture
check "early media + whisper: the caller got 183 then 200 (rc=$rc), the callee answered and got our BYE (rc=$urc)" \
  test $rc = 0 -a $urc = 0
t200=$(audio earlywh 6020 "SIP/2.0 200@5350" | jq .cut)
twh=$(jq -r 'select(.path=="/wh1c") | .t' "$W/req.jsonl" | head -1)
check "the whisper was requested ($twh) before the caller's 200 ($t200)" \
  python3 -c "import sys; sys.exit(0 if $twh < $t200 else 1)"
# between the callee's answer (our ACK to it) and the caller's 200: the whisper's Say alone
wa=$(audio earlywh 6100 "ACK sip:@5094" | jq .loud)
wb=$(audio earlywh 6100 "SIP/2.0 200@5350" | jq .loud)
check "between its answer and the caller's 200 the callee heard the whisper's Say ($((wb - wa)) loud packets)" \
  test $((wb - wa)) -ge 20
check "Dial action: completed, bridged" \
  test "$(form /dialed1c DialCallStatus)" = completed -a "$(form /dialed1c DialBridged)" = true

# --- 2a. Number url + sendDigits + the child's status callbacks, accepted
capture whisper
uas uas_rtp 5094 -mp 6100 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5319 sipp_run uac_wait_bye 15005550303 -mp 6000
rc=$?
wait $UAS
urc=$?
stop_capture
check "whisper accepted: the caller got our BYE after the action (rc=$rc), the callee our BYE at the timeLimit (rc=$urc)" \
  test $rc = 0 -a $urc = 0
parent=$(form /whisper CallSid)
child=$(form /dialed2 DialCallSid)
check "the url was requested as the child call: CallSid=DialCallSid, ParentCallSid, Direction outbound-dial, in-progress" \
  test -n "$child" -a "$(form /wh CallSid)" = "$child" -a "$(form /wh ParentCallSid)" = "$parent" \
  -a "$(form /wh Direction)" = outbound-dial -a "$(form /wh CallStatus)" = in-progress -a "$(form /wh To)" = +15551230077
dtmf=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/whisper.pcap" --port 6100 --pt 101)
check "sendDigits: the callee got RFC 4733 events ($(jq .packets <<<"$dtmf") packets)" test "$(jq .packets <<<"$dtmf")" -ge 12
say=$(audio whisper 6100)
to_caller=$(audio whisper 6000)
check "the callee heard the whisper's Say ($(jq .loud <<<"$say") loud packets; the caller sends no audio)" test "$(jq .loud <<<"$say")" -ge 25
order() { python3 -c "import sys; sys.exit(0 if $(jq .last <<<"$dtmf") < $(jq .first <<<"$say") and $(jq .first <<<"$say") < $(jq .first <<<"$to_caller") else 1)"; }
check "in order: the digits, then the whisper, then the bridge (the callee's audio to the caller: $(jq .loud <<<"$to_caller") loud packets)" \
  order
check "Dial action: completed, bridged, DialCallSid" \
  test "$(form /dialed2 DialCallStatus)" = completed -a "$(form /dialed2 DialBridged)" = true
cbs() { jq -r "select(.path==\"$1\") | [(.form[] | select(.[0]==\"CallStatus\") | .[1]), (.form[] | select(.[0]==\"SequenceNumber\") | .[1])] | join(\":\")" "$W/req.jsonl" | tr '\n' ' '; }
all4() { [ "$(cbs /childsc)" = "initiated:0 ringing:1 in-progress:2 completed:3 " ]; }
check "the child's callbacks in order: $(cbs /childsc)" wait_for 10 all4
check "each with the child's CallSid, ParentCallSid, Direction outbound-dial" \
  test "$(jq -r 'select(.path=="/childsc") | [(.form[] | select(.[0]=="CallSid" or .[0]=="ParentCallSid" or .[0]=="Direction") | .[1])] | join(",")' "$W/req.jsonl" | sort -u)" \
  = "$child,outbound-dial,$parent"
rec=$(curl -sS --max-time 10 -u "$AC:$TOK" "http://127.0.0.1:$P/2010-04-01/Accounts/$AC/Calls/$child.json")
check "GET /Calls/{DialCallSid}.json: outbound-dial, parent_call_sid, completed, to the number ($(jq -c '[.direction,.status,.duration]' <<<"$rec"))" \
  test "$(jq -r '[.direction, .parent_call_sid, .status, .to] | join(",")' <<<"$rec")" = "outbound-dial,$parent,completed,+15551230077"

# --- 2b. the url answers <Hangup/>: the callee is hung up, the Dial says no-answer
uas uas 5094 &
UAS=$!
sleep 0.3
sipp_run uac_wait_bye 15005550304
rc=$?
wait $UAS
urc=$?
check "whisper refused: the callee got our BYE (rc=$urc), the caller the action's hang-up (rc=$rc)" test $rc = 0 -a $urc = 0
check "Dial action: DialCallStatus=no-answer, not bridged" \
  test "$(form /dialed3 DialCallStatus)" = no-answer -a "$(form /dialed3 DialBridged)" = false
check "the child's completed callback says no-answer (Number statusCallback: completed only)" \
  wait_for 10 test "$(cbs /childsc2)" = "no-answer:0 "

# --- 3. Dial record-from-answer-dual (the callee streams 20 ms packets: the dataplane records
# only 20 ms frames of a bridged peer)
python3 "$T_DIR/gen_dtmf_pcap.py" "$T_LOG/callee20.pcap" "123456789"
sed "s|/usr/share/sip-tester/g711a.pcap|$T_LOG/callee20.pcap|" "$T_SCEN/uas_rtp.xml" >"$T_LOG/uas_rtp20.xml"
uas uas_rtp20 5094 -mp 6100 &
UAS=$!
sleep 0.3
sipp_run uac_rtp_wait_bye 15005550305 -mp 6000
rc=$?
wait $UAS
urc=$?
check "recorded Dial: both sides got our BYE (caller rc=$rc, callee rc=$urc)" test $rc = 0 -a $urc = 0
rurl=$(form /dialed4 RecordingUrl)
rsid=${rurl##*/}
check "Dial action: RecordingUrl $rurl (this platform's, a RE sid)" \
  test "${rurl%/Recordings/*}" = "http://127.0.0.1:$P/2010-04-01/Accounts/$AC" -a "${rsid:0:2}" = RE
got_rsc() { [ -n "$(form /rsc RecordingSid)" ]; }
check "recordingStatusCallback came" wait_for 10 got_rsc
check "its parameters: RecordingSid, RecordingUrl, RecordingSource=DialVerb, RecordingChannels=2, completed, duration $(form /rsc RecordingDuration) (2..5 s)" \
  test "$(form /rsc RecordingSid)" = "$rsid" -a "$(form /rsc RecordingUrl)" = "$rurl" -a "$(form /rsc RecordingSource)" = DialVerb \
  -a "$(form /rsc RecordingChannels)" = 2 -a "$(form /rsc RecordingStatus)" = completed \
  -a "$(form /rsc RecordingDuration)" -ge 2 -a "$(form /rsc RecordingDuration)" -le 5
# (GET .../Recordings/RE....json itself is answered by the calls module's media route, which
# takes that path before the REST API's wildcard: the call's list is asked instead)
rj() { curl -sS --max-time 10 -u "$AC:$TOK" "http://127.0.0.1:$P/2010-04-01/Accounts/$AC/Calls/$(form /rec CallSid)/Recordings.json"; }
rec_ok() { rj >"$T_LOG/recording.json"; [ "$(jq -r '.recordings[] | "\(.sid),\(.source),\(.channels)"' "$T_LOG/recording.json")" = "$rsid,DialVerb,2" ]; }
check "GET /Calls/{CallSid}/Recordings.json: the Dial's recording, source DialVerb, 2 channels" wait_for 5 rec_ok
curl -sS --max-time 10 -o "$T_LOG/dialrec.wav" "$rurl.wav"
wav_ok() {
  python3 - "$T_LOG/dialrec.wav" <<'PY'
import sys, wave, struct
w = wave.open(sys.argv[1])
n = w.getnframes(); d = w.readframes(n)
s = struct.unpack("<%dh" % (len(d) // 2), d)
peak = [max((abs(x) for x in s[c::2]), default=0) for c in (0, 1)]
print("channels", w.getnchannels(), "seconds", round(n / 8000, 1), "peaks", peak)
sys.exit(0 if w.getnchannels() == 2 and n >= 8000 * 2 and min(peak) > 1000 else 1)
PY
}
check "the WAV is served: two channels, both with audio (the caller's and the callee's)" wav_ok

# --- 3b. record-from-ringing: the callee rings 2 s, then 2 s bridged
uas uas_ring_wait 5094 -mp 6100 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5359 sipp_run uac_wait_bye 15005550309 -mp 6030
rc=$?
wait $UAS
urc=$?
check "record-from-ringing: both sides got our BYE (caller rc=$rc, callee rc=$urc)" test $rc = 0 -a $urc = 0
got_rsc2() { [ -n "$(form /rsc2 RecordingSid)" ]; }
check "its recordingStatusCallback came" wait_for 10 got_rsc2
check "mono, from the Dial's start: the ringing is in it ($(form /rsc2 RecordingDuration) s: 3..6; from the answer it would be 2)" \
  test "$(form /rsc2 RecordingChannels)" = 1 -a "$(form /rsc2 RecordingDuration)" -ge 3 -a "$(form /rsc2 RecordingDuration)" -le 6 \
  -a "$(form /dialed6 RecordingUrl)" = "$(form /rsc2 RecordingUrl)"

# --- 4. ringTone de while the callee rings (2 s), then the bridge, then the next verb
capture ringtone
uas uas_ring_wait 5094 -mp 6100 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5329 sipp_run uac_wait_bye 15005550306 -mp 6000
rc=$?
wait $UAS
urc=$?
stop_capture
check "ringTone: the caller got our BYE (rc=$rc), the callee answered and got our BYE (rc=$urc)" \
  test $rc = 0 -a $urc = 0
tone=$(audio ringtone 6000 "ACK sip:@5094")
check "before the callee's answer the caller heard 425 Hz, 1 s of a 5 s cadence: $tone" \
  test "$(jq '.hz >= 410 and .hz <= 440 and .loud >= 40 and .loud <= 60 and .span <= 1.2' <<<"$tone")" = true
after=$(audio ringtone 6000)
check "then the callee's audio ($(( $(jq .loud <<<"$after") - $(jq .loud <<<"$tone") )) more loud packets)" \
  test "$(jq .loud <<<"$after")" -ge $(( $(jq .loud <<<"$tone") + 20 ))
capture ringtone2
uas uas_noanswer 5094 &
UAS=$!
sleep 0.3
T_SIPP_PORT=5339 sipp_run uac_wait_bye 15005550307 -mp 6010
rc=$?
wait $UAS
urc=$?
stop_capture
check "ringTone uk, no answer: the callee got our CANCEL (rc=$urc), the caller our BYE after the Say (rc=$rc)" \
  test $rc = 0 -a $urc = 0
uk=$(audio ringtone2 6010 "CANCEL sip:@5094")
check "until the CANCEL (5 s): 400+450 Hz, two 0.4 s bursts every 3 s: $uk" \
  test "$(jq '.hz >= 400 and .hz <= 460 and .loud >= 70 and .loud <= 90' <<<"$uk")" = true
say=$(audio ringtone2 6010)
check "then the Say played (the tone's end did not pass for the Say's: $(( $(jq .loud <<<"$say") - $(jq .loud <<<"$uk") )) more loud packets)" \
  test "$(jq .loud <<<"$say")" -ge $(( $(jq .loud <<<"$uk") + 15 ))

sleep 1
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request is signed with the account's token ($sig)" test $? = 0
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
kill $WEB; wait $WEB 2>/dev/null
t_end
