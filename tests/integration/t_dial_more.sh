#!/usr/bin/env bash
# <Dial>'s extras on real calls (sipp callers and far ends in the namespace, webapp.py as the
# customer's server, every request's signature checked, tcpdump for SIP timing and RTP):
# 1. answerOnBridge with a callee that has early media: the caller gets 183 (our SDP) and the
#    callee's early audio, its own early audio reaches the callee, 200 only once the callee
#    answered (3 s later), the bridge goes on after both answers;
#    answerOnBridge with a callee without early media: 180 only, 200 once the callee answered,
#    audio both ways after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF2'
{
 "/early": {"body": "<Response><Dial answerOnBridge=\"true\" timeLimit=\"4\" action=\"/dialed\"><Number>+15551230099</Number></Dial></Response>"},
 "/dialed": {"body": "<Response><Hangup/></Response>"},
 "/status": {"body": ""}
}
EOF2
t_up -- "outbound_trunk=192.0.2.1:5094"
python3 "$T_DIR/webapp.py" --port 0 --port-file "$W/port" --routes "$W/routes.json" --docs "$W" --log "$W/req.jsonl" >"$W/webapp.out" 2>&1 &
WEB=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$W/port")
DATA=$VOX_DATA_BASE/$T_ID
check "the dev account file is written" wait_for 5 test -s "$DATA/dev-account"
AC=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account")
TOK=$(sed -n 's/^VOX_AUTH_TOKEN=//p' "$DATA/dev-account")
num() { voxctl number add --account "$AC" --number "$1" --voice-url "$U$2" --status-callback "$U/status" "${@:3}" >/dev/null; }
num +15005550301 /early && num +15005550302 /early
check "numbers registered" test $? = 0
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | head -n "${3:-1}" | tail -n 1; }
uas() { # scenario port [sipp args]: one call of a far end in the namespace
  local s=$1 p=$2; shift 2
  nsx timeout 40 sipp -sf "$T_SCEN/$s.xml" -i 192.0.2.1 -p "$p" -m 1 -nostdin -timeout 30 -trace_msg \
    -message_file "$T_LOG/$s.$p.msg" "$@" >"$T_LOG/$s.$p.out" 2>&1
}
capture() { # NAME: SIP and RTP of the namespace's side to $T_LOG/NAME.pcap (stop with stop_capture)
  ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/$1.pcap" 'udp and src host 192.0.2.2' >/dev/null 2>&1 &
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

sleep 1
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request is signed with the account's token ($sig)" test $? = 0
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
kill $WEB; wait $WEB 2>/dev/null
t_end
