#!/usr/bin/env bash
# ARP: the dataplane answers for its address, learns, expires entries after arp_timeout_ms and
# resolves again (an ARP request of its own goes out before the reply to a later datagram).
. "$(dirname "$0")/lib.sh"
t_up arp_timeout_ms=1000 arp_retry_ms=200
check "kernel resolves 192.0.2.2 (our ARP reply)" nsx ping -c 1 -W 2 192.0.2.2
mac=$(nsx ip neigh show 192.0.2.2 | awk '{print $5}')
check "the MAC the kernel learned is the port's (02:00:00:00:00:02, got $mac)" test "$mac" = 02:00:00:00:00:02
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -l -tt 'arp or udp port 7' >"$T_LOG/tcpdump.txt" 2>/dev/null &
TD=$!
sleep 1
udp 192.0.2.2 7 16 1 >/dev/null
sleep 2   # our entry for 192.0.2.1 is now older than the 1 s timeout
mark=$(date +%s.%N)
r=$(udp 192.0.2.2 7 16 1)
sleep 0.5
kill $TD; wait $TD 2>/dev/null
check "echo after the timeout still answered ($r)" test "$(jq .ok <<<"$r")" = 1
# lines after the mark: our ARP request must come before our UDP reply
after=$(awk -v m="$mark" '$1 >= m' "$T_LOG/tcpdump.txt")
echo "$after"
req=$(grep -n 'Request who-has 192.0.2.1 tell 192.0.2.2' <<<"$after" | head -1 | cut -d: -f1)
rep=$(grep -n '192.0.2.2.7 > 192.0.2.1' <<<"$after" | head -1 | cut -d: -f1)
arp_first() { [ -n "$req" ] && [ -n "$rep" ] && [ "$req" -lt "$rep" ]; }
# tcpdump is the direct child: it stops with kill
check "dataplane sent an ARP request (line ${req:-none}) before its echo reply (line ${rep:-none})" arp_first
check "arp_expired counted" test "$(counter arp_expired)" -ge 1
check "arp_req_tx counted" test "$(counter arp_req_tx)" -ge 1
t_end
