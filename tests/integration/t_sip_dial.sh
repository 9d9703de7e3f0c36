#!/usr/bin/env bash
# Outbound legs (DIAL): to a sipp UAS that challenges with 401 (our digest must verify) and then
# answers; to a UAS that never answers (ring timeout: CANCEL, 487, ACK; the caller gets 480).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up -- "script=$T_SCRIPT"
uas() { # scenario port
  nsx timeout 40 sipp -sf "$T_SCEN/$1.xml" -i 192.0.2.1 -p "$2" -m 1 -nostdin -timeout 30 \
    -timeout_error -trace_msg -trace_err -message_file "$T_LOG/$1.msg" -error_file "$T_LOG/$1.err" \
    >"$T_LOG/$1.out" 2>&1
}
uas uas_auth 5080 &
UAS=$!
sleep 0.5
check "caller answered after the outbound leg answered, then hung up" sipp_run uac_wait_bye dialans
wait $UAS; rc=$?
check "the UAS saw 401 -> a verified digest INVITE -> ACK -> our BYE (sipp rc=$rc)" test $rc -eq 0
hidden() { # nothing of the caller's leg appears on the callee's
  ! grep -q -E 'Call-ID: [0-9]+-[0-9]+@192\.0\.2\.1|Via: SIP/2\.0/UDP 192\.0\.2\.1:50[7-9][0-9]|sipp@192\.0\.2\.1:50' "$T_LOG/uas_auth.msg"
}
check "topology hiding: the callee saw none of the caller's Call-ID, Via or Contact" hidden
check "our INVITE carried Authorization with qop=auth" grep -q '^Authorization: Digest username="alice".*qop=auth' "$T_LOG/uas_auth.msg"

uas uas_noanswer 5082 &
UAS=$!
sleep 0.5
check "caller gets 480 after the outbound ring timeout" sipp_reject dialslow 480
wait $UAS; rc=$?
check "the slow UAS got CANCEL, answered 487 and got our ACK (sipp rc=$rc)" test $rc -eq 0
st=$(voxctl status)
check "control saw the dial answered once and failed once" \
  test "$(jq .script.dial_answered <<<"$st")" = 1 -a "$(jq .script.dial_failed <<<"$st")" = 1
check "no leg left" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs|length')\" = 0 ]"
t_end
