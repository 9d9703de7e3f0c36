#!/usr/bin/env bash
# A real softphone hears a played clip: baresip (headless: aufile source, aubridge player, the
# sndfile module recording what it decodes) calls in, scripted control answers, we PLAY a 1 kHz
# tone clip twice (2 s); baresip's recording holds about 2 s of 1 kHz tone. Its own audio (a
# 600 Hz WAV) reaches us as RTP; RTCP flows both ways and voxctl calls shows the leg's quality
# (RTT from baresip's report blocks); with a 2 s RTP timeout the leg is never timed out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/baresip_lib.sh"
t_up rtcp_interval_ms=1000 rtp_timeout_ms=2000 -- "script=$T_SCRIPT"
bs_config ""
bs_call bsplay 17
answered() { [ -n "$(voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle // empty')" ]; }
check "baresip's call is answered" wait_for 8 answered
h=$(voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle')
clip=$(voxctl diag tone 1000 1000 | jq -r .clip)
sleep 0.5
r=$(voxctl diag play "$h" "$clip" 2)
check "PLAY accepted ($r)" grep -q sent <<<"$r"
check "MEDIA_DONE after the two loops" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .events.MEDIA_DONE)\" -ge 1 ]"
# baresip reports every ~5 s; its report blocks carry LSR/DLSR of our SRs (sent every ~1 s here)
leg_q() { voxctl calls --json | jq -r ".legs[0].$1"; }
wait_for 12 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs[0].rtt_us')\" != null ]"
calls=$(voxctl calls --json)
echo "$calls" | jq -c '.legs[0] | {rtp_rx, rtp_tx, lost, jitter_us, rtt_us, peer_lost, peer_jitter_us, rtcp_rx, rtcp_tx, srtp}'
check "the leg receives baresip's RTP" test "$(jq '.legs[0].rtp_rx' <<<"$calls")" -ge 50
check "RTCP reports sent and received on the leg" test "$(jq '.legs[0].rtcp_tx' <<<"$calls")" -ge 1 -a "$(jq '.legs[0].rtcp_rx' <<<"$calls")" -ge 1
check "RTT measured from baresip's report blocks" test "$(jq '.legs[0].rtt_us != null' <<<"$calls")" = true
voxctl calls | head -3
wait "$BS_PID" 2>/dev/null; BS_PID=
wav=$(bs_heard)
check "baresip recorded what it heard ($wav)" test -n "$wav"
check "what it heard holds ~2 s of a 1 kHz tone" tone_check "${wav:-/nonexistent}" 1000 1.7
not_longer() { ! tone_check "$1" 1000 2.6 >/dev/null; }
check "and not much more than 2 s of it" not_longer "${wav:-/nonexistent}"
check "rtcp_tx counted" test "$(counter rtcp_tx)" -ge 1
check "a leg with RTP flowing is never timed out (rtp_timeout_ms=2000)" test "$(counter media_timeouts)" -eq 0
t_end
