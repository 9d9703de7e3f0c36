#!/usr/bin/env bash
# RTP receive: a sipp call streams g711a.pcap to the media port in our answer; the packets reach
# the leg's owning worker (by port, handed over when they land elsewhere), the leg latches onto
# the source and its RFC 3550 statistics show in the leg mirror (voxctl calls). A stray source
# does not move the stream.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up -- "script=$T_SCRIPT"
sipp_run uac_rtp answer &
SIPP=$!
sleep 2.5
c=$(voxctl calls --json)
rx=$(jq '[.legs[] | select(.state=="answered")][0].rtp_rx // 0' <<<"$c")
jit=$(jq '[.legs[] | select(.state=="answered")][0].jitter_us // -1' <<<"$c")
# our media port: the m= line of the 200 OK we sent (not sipp's own offer)
port=$(awk '/^SIP\/2.0 200/{ok=1} ok && /^m=audio/{print $2; exit}' "$T_LOG/uac_rtp.answer.msg")
echo "leg: rtp_rx $rx jitter_us $jit; our media port $port"
check "the leg counted RTP in the mirror ($rx packets)" test "$rx" -gt 50
check "jitter is reported" test "$jit" -ge 0
# a stray source: 3 packets from another port must not move the stream
stray() {
  nsx python3 -c '
import socket, struct, sys
s = socket.socket(2, 2); s.bind(("192.0.2.1", 47000))
for i in range(3):
    s.sendto(struct.pack("!BBHII", 0x80, 8, 1000 + i, 160 * i, 0xdeadbeef) + bytes(160), ("192.0.2.2", int(sys.argv[1])))' "$1"
}
[ -n "$port" ] && stray "$port"
sleep 0.3
check "a stray source is dropped, not followed" test "$(counter drop_rtp_stray)" -ge 3 -a "$(counter rtp_relatch)" = 0
wait $SIPP; rc=$?
check "the call ended cleanly (sipp rc=$rc)" test $rc -eq 0
total=$(counter rtp_rx)
check "RTP counted on the workers ($total, at least what the mirror showed)" test "$total" -ge "$rx"
t_end
