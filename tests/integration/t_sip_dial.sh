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

uas uas_auth407 5084 &
UAS=$!
sleep 0.5
check "dial through a 407 challenge: answered, then hung up" sipp_run uac_wait_bye dial407
wait $UAS; rc=$?
check "the 407 UAS saw our Proxy-Authorization INVITE, answered, got our BYE (sipp rc=$rc)" test $rc -eq 0
digest_ok() { # recompute RFC 2617 qop=auth from the captured INVITE
  python3 - "$T_LOG/uas_auth407.msg" <<'PY'
import hashlib, re, sys
t = open(sys.argv[1]).read()
m = re.search(r'^Proxy-Authorization: Digest (.*)$', t, re.M)
if not m: sys.exit(1)
p = dict(re.findall(r'(\w+)="?([^",]*)"?', m.group(1)))
h = lambda s: hashlib.md5(s.encode()).hexdigest()
ha1 = h(f"alice:{p['realm']}:secret"); ha2 = h(f"INVITE:{p['uri']}")
want = h(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
print("response", p["response"], "expected", want)
sys.exit(0 if p["response"] == want and p["realm"] == "voxtest" else 1)
PY
}
check "the Proxy-Authorization digest is right (recomputed independently)" digest_ok

uas uas_noanswer 5082 &
UAS=$!
sleep 0.5
check "caller gets 480 after the outbound ring timeout" sipp_reject dialslow 480
wait $UAS; rc=$?
check "the slow UAS got CANCEL, answered 487 and got our ACK (sipp rc=$rc)" test $rc -eq 0
uas uas_cross 5086 &
UAS=$!
sleep 0.5
check "caller gets 480 when the callee's answer crosses our CANCEL" sipp_reject dialcross 480
wait $UAS; rc=$?
check "the crossing answer got our ACK and our BYE (sipp rc=$rc)" test $rc -eq 0
check "counted as an orphan answer" test "$(counter sip_orphan_2xx)" -ge 1
st=$(voxctl status)
check "control saw the dials answered twice and failed twice ($(jq -c .script <<<"$st"))" \
  test "$(jq .script.dial_answered <<<"$st")" = 2 -a "$(jq .script.dial_failed <<<"$st")" = 2
check "no leg left" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs|length')\" = 0 ]"
t_end
