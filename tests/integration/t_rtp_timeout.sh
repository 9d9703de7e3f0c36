#!/usr/bin/env bash
# RTP inactivity: with rtp_timeout_ms=1500 a sipp call that is answered but sends no RTP is
# reported LEG_MEDIA_TIMEOUT (once) about 1.5 s after the answer; scripted control hangs it up,
# so sipp gets our BYE long before the script's own hangup at 10 s. A leg that gets RTP is not
# timed out (t_baresip_play checks that with a short timeout too).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up rtp_timeout_ms=1500 rtcp_interval_ms=1000 -- "script=$T_SCRIPT"
t0=$(date +%s.%N)
sipp_run uac_wait_bye quiet &
SIPP=$!
check "LEG_MEDIA_TIMEOUT reported" wait_for 8 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq '.events.LEG_MEDIA_TIMEOUT // 0')\" -ge 1 ]"
t1=$(date +%s.%N)
wait $SIPP
rc=$?
t2=$(date +%s.%N)
check "sipp's call ended by our BYE (rc $rc)" test $rc -eq 0
check "timeout after >= 1.5 s, well before the script's 10 s hangup ($(awk "BEGIN{print $t1 - $t0}") s, call $(awk "BEGIN{print $t2 - $t0}") s)" \
  awk "BEGIN{exit !($t1 - $t0 >= 1.5 && $t2 - $t0 < 7)}"
check "media_timeouts counted once" test "$(counter media_timeouts)" -eq 1
check "scripted control hung up on it" test "$(status_q .script.media_timeouts)" -eq 1
check "the leg is gone" wait_for 3 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs | length')\" -eq 0 ]"
voxctl stats --json | jq -c "[.lcores[] | .counters | with_entries(select(.key|test(\"rtcp|media|drop\")) | select(.value>0))]"
check "it sent RTCP reports (the first 0.2-0.6 s after the answer)" test "$(counter rtcp_tx)" -ge 2 -a "$(counter rtcp_tx_fail)" -eq 0
check "and its last one was a BYE" test "$(counter rtcp_bye_tx)" -eq 1
t_end
