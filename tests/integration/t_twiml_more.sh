#!/usr/bin/env bash
# More of the call router on real calls (sipp callers and far ends, webapp.py as the customer's
# server, every request's signature checked): <Dial><Number> through outbound_trunk bridged
# with RTP relayed both ways (tcpdump in the namespace counts the caller's audio reaching the
# callee and the callee's reaching the caller) and the action's DialCallStatus/DialCallDuration;
# a parallel Dial where the Number answers and the Sip noun gets CANCEL (487); a voice URL that
# outlasts its #tt=2000 goes to the fallback with ErrorCode 11200 (no retry: the request went)
# and the call runs the fallback's markup; a voice URL answering audio/wav is played as <Play> (the caller hears the 1 kHz WAV,
# fetched once); the dataplane restarted (new boot_id) under two answered calls and a ringing
# one: each is completed with exactly one completed-event callback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF2'
{
 "/dialnum": {"body": "<Response><Dial timeLimit=\"3\" action=\"/dialed\"><Number>+15551230000</Number></Dial></Response>"},
 "/dialed": {"body": "<Response><Hangup/></Response>"},
 "/dialpar": {"body": "<Response><Dial timeLimit=\"2\" action=\"/dialedpar\"><Number>+15551230001</Number><Sip>sip:slow@192.0.2.1:5082</Sip></Dial></Response>"},
 "/dialedpar": {"body": "<Response><Hangup/></Response>"},
 "/hold": {"delay": 6, "body": "<Response><Say>too late</Say><Hangup/></Response>"},
 "/fb": {"body": "<Response><Say>fallback</Say><Hangup/></Response>"},
 "/live": {"body": "<Response><Say>hello</Say><Pause length=\"30\"/></Response>"},
 "/ringlong": {"delay": 8, "body": "<Response><Pause length=\"30\"/></Response>"},
 "/status": {"body": ""}
}
EOF2
t_up -- "outbound_trunk=192.0.2.1:5094"
mkdir -p "$W/docs/media"
sox -n -r 8000 -c 1 -b 16 "$W/docs/media/tone.wav" synth 1.0 sine 1000 vol 0.5
web_up "$W/docs"
DATA=$VOX_DATA_BASE/$T_ID
dev_account
num() { voxctl number add --account "$AC" --number "$1" --voice-url "$U$2" --status-callback "$U/status" "${@:3}" >/dev/null; }
num +15005550201 /dialnum && num +15005550202 /dialpar && num +15005550203 '/hold#tt=2000' --fallback-url "$U/fb" &&
  num +15005550204 /media/tone.wav && num +15005550205 /live && num +15005550206 /ringlong &&
  num +15005550207 /live
check "numbers registered" test $? = 0
req() { jq -c "select(.path==\"$1\")" "$W/req.jsonl" 2>/dev/null; }
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | head -n "${3:-1}" | tail -n 1; }
uas() { # scenario port [sipp args]: one call of a far end in the namespace
  local s=$1 p=$2; shift 2
  local sc=(-sf "$T_SCEN/$s.xml"); [ "$s" = uas ] && sc=(-sn uas)
  nsx timeout 40 sipp "${sc[@]}" -i 192.0.2.1 -p "$p" -m 1 -nostdin -timeout 30 -trace_msg \
    -message_file "$T_LOG/$s.$p.msg" "$@" >"$T_LOG/$s.$p.out" 2>&1
}

# --- 1. Dial Number via the trunk, bridged: RTP both ways, action completed with a duration
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/bridge.pcap" \
  'udp and src host 192.0.2.2 and (dst port 6000 or dst port 6100)' >/dev/null 2>&1 &
TD=$!
wait_for 5 test -s "$T_LOG/bridge.pcap"
uas uas_rtp 5094 -mp 6100 &
UAS=$!
sleep 0.3
sipp_run uac_rtp_wait_bye 15005550201 -mp 6000
rc=$?
wait $UAS
urc=$?
sleep 0.3
kill $TD; wait $TD 2>/dev/null
check "Dial Number: the trunk answered and got our BYE at the timeLimit (rc=$urc), the caller our BYE after the action (rc=$rc)" \
  test $urc = 0 -a $rc = 0 -a -n "$(grep '^INVITE sip:+15551230000@192.0.2.1:5094' "$T_LOG/uas_rtp.5094.msg")"
count_audio() { # PORT: RTP packets with audible G.711 sent by the dataplane to that port
  python3 "$T_DIR/pcap_audio.py" "$T_LOG/bridge.pcap" --port "$1" | jq .loud
}
to_callee=$(count_audio 6100)
to_caller=$(count_audio 6000)
check "the caller's RTP reached the callee ($to_callee audible packets) and the callee's the caller ($to_caller)" \
  test "$to_callee" -ge 30 -a "$to_caller" -ge 30
check "Dial action: DialCallStatus=completed, DialCallSid, DialCallDuration 2..4 ($(form /dialed DialCallDuration))" \
  test "$(form /dialed DialCallStatus)" = completed -a -n "$(form /dialed DialCallSid | grep '^CA')" \
  -a "$(form /dialed DialCallDuration)" -ge 2 -a "$(form /dialed DialCallDuration)" -le 4

# --- 2. parallel Dial: the Number answers, the ringing Sip noun gets CANCEL and answers 487
uas uas 5094 &
UA=$!
uas uas_noanswer 5082 &
UB=$!
sleep 0.3
sipp_run uac_wait_bye 15005550202
rc=$?
wait $UA
arc=$?
wait $UB
brc=$?
check "parallel Dial: the caller got our BYE (rc=$rc), the answering trunk our BYE (rc=$arc)" test $rc = 0 -a $arc = 0
check "the other noun saw 180, our CANCEL, sent 487 and got the ACK (rc=$brc)" \
  test $brc = 0 -a -n "$(grep '^CANCEL sip:slow@192.0.2.1:5082' "$T_LOG/uas_noanswer.5082.msg")"
check "Dial action: DialCallStatus=completed for the winner" test "$(form /dialedpar DialCallStatus)" = completed

# --- 3. the voice URL outlasts its total timeout (#tt=2000): fallback with an ErrorCode
t0=$(date +%s.%N)
sipp_run uac_wait_bye 15005550203
rc=$?
check "webhook timeout: the call ran the fallback's markup (rc=$rc)" test $rc = 0
ec=$(form /fb ErrorCode)
check "fallback request: ErrorCode=$ec (11200: the request went, no answer in time), ErrorUrl=/hold" \
  test "$ec" = 11200 -a "$(form /fb ErrorUrl | sed 's/#.*//')" = "$U/hold"
check "the held URL was requested once (no retry once the request went, connection reused or not)" test "$(req /hold | wc -l)" = 1

# --- 4. the voice URL answers audio/wav: played as <Play> of it, then the document ends
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/audio.pcap" \
  'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
TD=$!
wait_for 5 test -s "$T_LOG/audio.pcap"
sleep 0.5
sipp_run uac_wait_bye 15005550204
rc=$?
sleep 0.3
kill $TD; wait $TD 2>/dev/null
check "audio answer: the caller was answered, then got our BYE (rc=$rc)" test $rc = 0
analyze_tone() {
  local r; r=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/audio.pcap" --pt 0 --level 4000); echo "audio answer: $r"
  [ "$(jq '.loud >= 45 and .loud <= 55 and .hz >= 980 and .hz <= 1020' <<<"$r")" = true ]
}
check "the caller heard the answer's 1 s of 1 kHz" analyze_tone
check "the WAV was requested once, as the webhook (POST with CallSid), not fetched again" \
  test "$(req /media/tone.wav | jq -r .method)" = POST -a -n "$(form /media/tone.wav CallSid)"
check "counted as an audio answer (calls.audio_answers=$(status_q .calls.audio_answers))" \
  test "$(status_q .calls.audio_answers)" = 1

# --- 5. a new dataplane boot_id ends every call control had live, one callback each
# (each in its own subshell: own local ports, own log names)
T_SIPP_PORT=5180 sipp_run uac_wait_bye 15005550205 -timeout 12 &
S1=$!
T_SIPP_PORT=5182 sipp_run uac_wait_bye 15005550207 -timeout 12 &
S2=$!
T_SIPP_PORT=5184 sipp_run uac_wait_bye 15005550206 -timeout 12 &
S3=$!
answered() { voxctl calls --json | jq '[.legs[] | select(.state=="answered")] | length'; }
n_live() { [ "$(status_q .calls.live)" = 3 ] && [ "$(answered)" = 2 ] && [ -n "$(req /ringlong)" ]; }
check "three calls live: two answered (Say, Pause), one ringing (its webhook held)" wait_for 10 n_live
sleep 0.5
sids=$( (req /live; req /ringlong) | jq -r '.form[] | select(.[0]=="CallSid") | .[1]' | sort | tr '\n' ' ')
boot1=$(status_q .boot_id)
kill -TERM "$VOX_DP_PID"; wait "$VOX_DP_PID" 2>/dev/null
vox_start_dp "$T_ID" "$T_CONF" "$T_LOG"
reattached() { [ "$(status_q .attached)" = true ] && [ "$(status_q .boot_id)" != "$boot1" ]; }
check "control re-attached to a new dataplane boot" wait_for 15 reattached
check "no call left live after the new boot_id" wait_for 5 test "$(status_q .calls.live)" = 0
cb_of() { jq -r --arg s "$1" 'select(.path=="/status") | select(any(.form[]; .[0]=="CallSid" and .[1]==$s)) | (.form[] | select(.[0]=="CallStatus") | .[1])' "$W/req.jsonl" | tr '\n' ' '; }
all_cb() { for s in $sids; do [ -n "$(cb_of "$s")" ] || return 1; done; }
wait_for 10 all_cb
sleep 2
got=$(for s in $sids; do printf '%s;' "$(cb_of "$s")"; done)
check "one completed-event callback each: answered completed, the ringing one failed ($got)" \
  test "$got" = "completed ;completed ;failed ;" -o "$got" = "completed ;failed ;completed ;" -o "$got" = "failed ;completed ;completed ;"
wait $S1 $S2 $S3 2>/dev/null
# by now the held webhook of the ringing call has answered (8 s) into a call already over
got2=$(for s in $sids; do printf '%s;' "$(cb_of "$s")"; done)
check "still one callback each once the held webhook answered ($got2)" test "$got2" = "$got"

sleep 1
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request is signed with the account's token ($sig)" test $? = 0
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
kill $WEB; wait $WEB 2>/dev/null
t_end
