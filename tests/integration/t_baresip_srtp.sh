#!/usr/bin/env bash
# SRTP with a real softphone: baresip with mediaenc=srtp-mand offers RTP/SAVP with SDES keys; we
# answer with our own key, create the libsrtp sessions on ANSWER and play a 1 kHz tone clip.
# Both ways: baresip's recording holds the tone (it decrypted our SRTP), our leg received its
# authenticated RTP (SRTP counters, no authentication failures), SRTCP flowed, and the leg is
# marked srtp in voxctl calls.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/baresip_lib.sh"
t_up rtcp_interval_ms=1000 -- "script=$T_SCRIPT"
# an RTP/SAVP offer whose crypto lines we cannot use is refused 488 before control hears of it
sed -e "s/__CODE__/488/" -e "s|RTP/AVP 8|RTP/SAVP 8\\na=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0MDEyMzQ1Njc4OWFi|" \
  "$T_SCEN/uac_reject.xml" >"$T_LOG/uac_savp488.xml"
check "SAVP offer with only unsupported crypto suites: 488" sipp_run uac_savp488 bssrtp
check "... and control was never offered it" test "$(status_q .events.LEG_OFFERED)" -eq 0
bs_config srtp-mand
bs_call bssrtp 16
answered() { [ -n "$(voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle // empty')" ]; }
check "baresip's SRTP call is answered" wait_for 8 answered
h=$(voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle')
clip=$(voxctl diag tone 1000 1000 | jq -r .clip)
sleep 0.5
r=$(voxctl diag play "$h" "$clip" 2)
check "PLAY accepted ($r)" grep -q sent <<<"$r"
# forged SRTP from another source (valid RTP headers, 10 > the re-latch threshold of 5): every
# packet fails authentication, so none can move the latch away from baresip
port=$(voxctl calls --json | jq -r '.legs[0] | 20000 + 2 * (.slot * 2 + .worker)')
nsx python3 -c '
import os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 4444))
for i in range(10):
    s.sendto(struct.pack("!BBHII", 0x80, 0, 1000 + i, 160 * i, 0x5ca1ab1e) + os.urandom(170), ("192.0.2.2", int(sys.argv[1])))
' "$port"
check "forged packets to port $port dropped as authentication failures" wait_for 3 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE stats --json | jq '[.lcores[].counters.drop_srtp_auth // 0] | add')\" -ge 10 ]"
check "and the leg did not re-latch" test "$(counter rtp_relatch)" -eq 0
check "MEDIA_DONE after the two loops" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .events.MEDIA_DONE)\" -ge 1 ]"
# baresip reports every ~5 s: wait for an SRTCP report that authenticates and parses
wait_for 12 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs[0].rtcp_rx')\" -ge 2 ]"
calls=$(voxctl calls --json)
echo "$calls" | jq -c '.legs[0] | {rtp_rx, rtp_tx, srtp, srtp_fail, rtcp_rx, rtcp_tx, rtt_us}'
voxctl stats --json | jq -c '[.lcores[] | .counters | with_entries(select(.key|test("srtp|rtcp|rtp_|rtt")) | select(.value>0))]'
check "the leg is SRTP in voxctl calls" test "$(jq '.legs[0].srtp' <<<"$calls")" = true
check "baresip's RTP arrived authenticated (rtp_rx on the leg, srtp_ok)" \
  test "$(jq '.legs[0].rtp_rx' <<<"$calls")" -ge 50 -a "$(counter srtp_ok)" -ge 50
check "no failures besides the 10 forged packets" test "$(counter drop_srtp_auth)" -eq 10 -a "$(counter drop_srtp_replay)" -eq 0
check "our playout was protected (srtp_protected >= 100)" test "$(counter srtp_protected)" -ge 100
check "libsrtp allocations: TX and RX sessions + the peer's stream, none for forgeries" test "$(counter srtp_sessions)" -eq 3
check "SRTCP both ways (reports sent, baresip's report authenticated and parsed)" \
  test "$(jq '.legs[0].rtcp_tx' <<<"$calls")" -ge 1 -a "$(jq '.legs[0].rtcp_rx' <<<"$calls")" -ge 1
check "RTT from baresip's SRTCP report" test "$(jq '.legs[0].rtt_us != null' <<<"$calls")" = true
check "one SRTP leg live" test "$(counter srtp_legs)" -eq 1
wait "$BS_PID" 2>/dev/null; BS_PID=
wav=$(bs_heard)
check "baresip recorded what it heard ($wav)" test -n "$wav"
check "it heard ~2 s of a 1 kHz tone through SRTP" tone_check "${wav:-/nonexistent}" 1000 1.7
check "sessions freed when the leg ended" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE stats --json | jq '[.lcores[].counters.srtp_legs // 0] | add')\" -eq 0 ]"
check "every allocation freed" test "$(counter srtp_sessions)" -eq "$(counter srtp_freed)"
check "the leg left with an RTCP BYE (SRTCP, before the sessions went)" test "$(counter rtcp_bye_tx)" -eq 1 -a "$(counter drop_srtp_other)" -le 1
t_end
