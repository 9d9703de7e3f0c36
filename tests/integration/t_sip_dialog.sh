#!/usr/bin/env bash
# SIP dialogs: re-INVITE hold/resume, late offer, an INVITE above the MTU, a deadline that ends
# the call while control is stopped, and SIP counters in voxctl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up -- "script=$T_SCRIPT"
check "re-INVITE hold (sendonly -> recvonly) and resume, OPTIONS and UPDATE in the dialog" sipp_run uac_reinvite answer
check "late offer: our 200 carries the offer, the ACK the answer" sipp_run uac_late_offer answer
check "a 4 KB INVITE (IP fragments) is reassembled and answered" sipp_run uac_big answer
check "its fragments were reassembled" test "$(counter frag_reasm)" -ge 1

# the deadline: answered, then control is stopped; the dataplane ends the call on its own
nsx timeout 30 sipp -sf "$T_SCEN/uac_wait_bye.xml" 192.0.2.2:5060 -i 192.0.2.1 -p 5090 -s deadline \
  -m 1 -nostdin -timeout 20 -timeout_error -trace_msg -message_file "$T_LOG/deadline.msg" \
  >"$T_LOG/deadline.out" 2>&1 &
SIPP=$!
answered() { grep -q "SIP/2.0 200" "$T_LOG/deadline.msg" 2>/dev/null; }
wait_for 5 answered
kill -STOP "$VOX_CTL_PID"
wait $SIPP; rc=$?
kill -CONT "$VOX_CTL_PID"
check "SET_DEADLINE ended the call (our BYE) with control stopped (sipp rc=$rc)" test $rc -eq 0
check "legs_deadline counted" test "$(counter legs_deadline)" -ge 1

j=$(voxctl stats --json)
for f in sip_rx_invite sip_rx_ack sip_rx_bye sip_tx_2xx sip_tx_1xx; do
  check "voxctl stats shows $f" test "$(jq "[.lcores[].counters.$f]|add" <<<"$j")" -gt 0
done
t_end
