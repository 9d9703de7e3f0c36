#!/usr/bin/env bash
# An outbound SRTP leg: a sipp call makes scripted control DIAL baresip (srtp-mand, auto answer)
# with `dial ... srtp` (VOX_DIAL_SRTP): our INVITE offers RTP/SAVP with an SDES key, baresip
# answers with its own, the sessions are made on its 200. Both ways again: its authenticated RTP
# arrives on the outbound leg, and it hears the tone we play to that leg.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/baresip_lib.sh"
t_up -- "script=$T_SCRIPT"
bs_config srtp-mand
bs_listen 14
sleep 1
sipp_run uac_wait_bye bsdial &
SIPP=$!
out_leg() { voxctl calls --json | jq -r '[.legs[] | select(.kind=="sip-out" and .state=="answered")][0].handle // empty'; }
check "the outbound leg to baresip is answered" wait_for 8 bash -c "[ -n \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq -r '[.legs[] | select(.kind==\"sip-out\" and .state==\"answered\")][0].handle // empty')\" ]"
h=$(out_leg)
clip=$(voxctl diag tone 1000 1000 | jq -r .clip)
r=$(voxctl diag play "$h" "$clip" 2)
check "PLAY on the outbound leg accepted ($r)" grep -q sent <<<"$r"
check "MEDIA_DONE" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .events.MEDIA_DONE)\" -ge 1 ]"
leg=$(voxctl calls --json | jq -c "[.legs[] | select(.handle==\"$h\")][0]")
echo "$leg" | jq -c '{kind, rtp_rx, rtp_tx, srtp, srtp_fail}'
check "the outbound leg is SRTP" test "$(jq .srtp <<<"$leg")" = true
check "baresip's authenticated RTP arrived on it" test "$(jq .rtp_rx <<<"$leg")" -ge 50 -a "$(counter srtp_ok)" -ge 50
check "no authentication failures" test "$(counter drop_srtp_auth)" -eq 0
wait $SIPP
check "the inbound sipp call completed" test $? -eq 0
bs_stop
wav=$(bs_heard)
check "baresip recorded what it heard ($wav)" test -n "$wav"
check "it heard ~2 s of a 1 kHz tone through SRTP" tone_check "${wav:-/nonexistent}" 1000 1.7
check "every libsrtp allocation freed" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE stats --json | jq '([.lcores[].counters.srtp_sessions // 0] | add) - ([.lcores[].counters.srtp_freed // 0] | add)')\" -eq 0 ]"
t_end
