#!/usr/bin/env bash
# Restart: control is killed with -9 in the middle of a <Say>; the restarted control finds the
# call's state in the store and its leg in the dataplane's mirror, re-requests the document and
# goes on (the interrupted Say again, then the next verb: a Redirect); the caller is hung up by
# the new control, the number's completed status callback arrives exactly once, and the call's
# state and outbox entry leave the store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF2'
{
 "/voice": {"body": "<Response><Say>This is a rather long prompt that keeps talking for several seconds so that control can be killed in the middle of it.</Say><Redirect>/after</Redirect></Response>"},
 "/after": {"body": "<Response><Hangup/></Response>"},
 "/status": {"body": ""}
}
EOF2
t_up -- "http_port=$P"
python3 "$T_DIR/webapp.py" --port 0 --port-file "$W/port" --routes "$W/routes.json" --log "$W/req.jsonl" >"$W/webapp.out" 2>&1 &
WEB=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$W/port")
DATA=$VOX_DATA_BASE/$T_ID
check "the dev account file is written" wait_for 5 test -s "$DATA/dev-account"
AC=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account")
voxctl number add --account "$AC" --number +15005550301 --voice-url "$U/voice" --status-callback "$U/status" >/dev/null
check "number registered" test $? = 0
n_req() { jq -r "select(.path==\"$1\") | .path" "$W/req.jsonl" 2>/dev/null | wc -l; }
answered() { [ "$(voxctl calls --json | jq '[.legs[] | select(.state=="answered")] | length')" -ge 1 ]; }
sipp_run uac_wait_bye 15005550301 &
SIPP=$!
check "the call is answered (the Say runs)" wait_for 10 answered
sleep 1.5
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
check "control killed mid-Say; the document was requested once so far" test "$(n_req /voice)" = 1 -a "$(n_req /after)" = 0
sleep 0.5
check "restarted control attaches" vox_start_control "$T_ID" "$T_CONF" "$T_LOG" --set "http_port=$P"
check "the call is resumed" test "$(status_q .calls.resumed)" = 1
adopted() { [ "$(status_q .calls.media.orphans_adopted)" = 1 ]; }
check "the re-said prompt's clip, left in the pool by the killed control, is adopted (not an orphan to retire)" \
  wait_for 5 adopted
wait $SIPP
rc=$?
check "the call went on to its next verb (Redirect) and the caller got our BYE (rc=$rc)" \
  test $rc = 0 -a "$(n_req /after)" = 1
check "the document was re-requested once on resume" test "$(n_req /voice)" = 2
sleep 1.5
check "the completed status callback arrived exactly once" test "$(n_req /status)" = 1
check "... with CallStatus=completed, SequenceNumber 0" \
  test "$(jq -r 'select(.path=="/status") | [(.form[] | select(.[0]=="CallStatus" or .[0]=="SequenceNumber") | .[1])] | join(" ")' "$W/req.jsonl")" = "completed 0"
check "the call's state and its callback left the store" test "$(status_q .calls.persisted) $(status_q .calls.outbox)" = "0 0"
kill $WEB; wait $WEB 2>/dev/null
t_end
