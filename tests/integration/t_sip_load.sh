#!/usr/bin/env bash
# Load and loss: 200 calls at 20 calls/s with zero failed calls landing on both workers, and
# 20 calls with 10% packet loss recovered by retransmission.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up -- "script=$T_SCRIPT"
nsx timeout 120 sipp -sn uac 192.0.2.2:5060 -i 192.0.2.1 -p 5080 -s answer -m 200 -r 20 -l 200 \
  -nostdin -timeout 60 -timeout_error -trace_stat -stf "$T_LOG/load.csv" >"$T_LOG/load.out" 2>&1
rc=$?
failed=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} END{print $c}' "$T_LOG/load.csv")
ok_calls=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") c=i} END{print $c}' "$T_LOG/load.csv")
check "200 calls at 20/s: sipp exit $rc, $ok_calls successful, $failed failed" test "$rc" = 0 -a "$ok_calls" = 200 -a "$failed" = 0
j=$(voxctl stats --json)
w0=$(jq '.lcores[0].counters.sip_rx_invite' <<<"$j"); w1=$(jq '.lcores[1].counters.sip_rx_invite' <<<"$j")
check "calls landed on both workers (w0 $w0, w1 $w1 INVITEs)" test "$w0" -gt 20 -a "$w1" -gt 20
check "SIP was handed across lcores" test "$(jq '[.lcores[].counters.handoff_tx]|add' <<<"$j")" -gt 0
tx2=$(jq '[.lcores[].counters.sip_tx_2xx]|add' <<<"$j"); rt=$(jq '[.lcores[].counters.sip_retrans]|add' <<<"$j")
check "first transmissions and retransmissions counted apart without loss (2xx $tx2, retrans $rt)" \
  test "$tx2" -ge 400 -a "$rt" -lt 20
check "no leg left after the load" wait_for 10 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs|length')\" = 0 ]"

nsx timeout 120 sipp -sn uac 192.0.2.2:5060 -i 192.0.2.1 -p 5081 -s answer -m 20 -r 5 -lost 10 \
  -nostdin -timeout 90 -timeout_error -trace_stat -stf "$T_LOG/loss.csv" >"$T_LOG/loss.out" 2>&1
rc=$?
ok_calls=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") c=i} END{print $c}' "$T_LOG/loss.csv")
check "20 calls with 10% loss all complete (sipp rc=$rc, $ok_calls ok)" test "$ok_calls" = 20
check "our retransmissions were counted" test "$(counter sip_retrans)" -gt 0
t_end
