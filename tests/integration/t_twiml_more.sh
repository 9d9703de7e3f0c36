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
python3 "$T_DIR/webapp.py" --port 0 --port-file "$W/port" --routes "$W/routes.json" --docs "$W/docs" --log "$W/req.jsonl" >"$W/webapp.out" 2>&1 &
WEB=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$W/port")
DATA=$VOX_DATA_BASE/$T_ID
check "the dev account file is written" wait_for 5 test -s "$DATA/dev-account"
AC=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account")
TOK=$(sed -n 's/^VOX_AUTH_TOKEN=//p' "$DATA/dev-account")
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
  python3 - "$T_LOG/bridge.pcap" "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(); port = int(sys.argv[2])
def alaw(a):
    a ^= 0x55; t = (a & 0x0f) << 4; s = (a & 0x70) >> 4
    t = t + 8 if s == 0 else (t + 0x108) << (s - 1)
    return t if a & 0x80 else -t
def ulaw(u):
    u = ~u & 0xff; t = ((u & 0x0f) << 3) + 0x84; t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]; off += 16
    p = d[off:off + incl]; off += incl
    if len(p) < 54 or struct.unpack_from(">H", p, 36)[0] != port: continue
    rtp = p[42:]
    if rtp[0] >> 6 != 2 or rtp[1] & 0x7f not in (0, 8): continue
    dec = alaw if rtp[1] & 0x7f == 8 else ulaw
    if max(abs(dec(b)) for b in rtp[12:]) > 300: n += 1
print(n)
PY
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
  python3 - "$T_LOG/audio.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, pk = 24, []
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]; off += 16
    p = d[off:off + incl]; off += incl
    rtp = p[42:]
    if len(rtp) < 12 or rtp[0] >> 6 != 2 or rtp[1] & 0x7f != 0: continue
    pk.append(rtp[12:])
def ulaw(u):
    u = ~u & 0xff; t = ((u & 0x0f) << 3) + 0x84; t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)
loud = [pl for pl in pk if max(abs(ulaw(b)) for b in pl) > 4000]
pcm = [ulaw(b) for pl in loud for b in pl]
hz = sum(1 for i in range(1, len(pcm)) if pcm[i - 1] < 0 <= pcm[i]) / (len(pcm) / 8000) if pcm else 0
print(f"{len(pk)} PCMU packets, {len(loud)} loud ({len(loud) * 0.02:.2f} s) at {hz:.0f} Hz")
sys.exit(0 if 45 <= len(loud) <= 55 and 980 <= hz <= 1020 else 1)
PY
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
