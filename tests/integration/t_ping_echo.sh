#!/usr/bin/env bash
# ICMP echo and the UDP echo service, including datagrams above the MTU (reassembled on the
# way in, fragmented on the way out) and traffic that crosses lcores.
. "$(dirname "$0")/lib.sh"
t_up
check "ping 192.0.2.2 answers 3/3" nsx ping -c 3 -i 0.2 -W 2 192.0.2.2
big_ping_dropped() { local d0; d0=$(counter drops); ! nsx ping -c 1 -W 1 -s 3000 192.0.2.2 >/dev/null && [ "$(counter drops)" -gt "$d0" ]; }
check "fragmented ICMP (ping -s 3000) is counted and dropped, not answered" big_ping_dropped
r=$(udp 192.0.2.2 7 64 20)
check "UDP echo: 20 datagrams of 64 B come back identical ($r)" test "$(jq .ok <<<"$r")" = 20
r=$(udp 192.0.2.2 7 4000 5)
check "UDP echo: 4000 B datagrams reassembled, echoed and fragmented back ($r)" test "$(jq .ok <<<"$r")" = 5
check "reassembly counted" test "$(counter frag_reasm)" -ge 5
check "fragments sent counted" test "$(counter frag_tx)" -ge 15
# many source ports: some flows land on the non-owning worker and are handed over
for p in $(seq 1 12); do udp 192.0.2.2 7 32 2 >/dev/null; done
check "echo flows crossed lcores through the handoff rings" test "$(counter handoff_tx)" -gt 0
check "handoff receive matches send" test "$(counter handoff_rx)" -eq "$(counter handoff_tx)"
no_service_counted() {
  local before after
  before=$(counter drop_udp_port)
  nsx python3 -c 'import socket; socket.socket(2, 2).sendto(b"x", ("192.0.2.2", 9))'
  sleep 0.3
  after=$(counter drop_udp_port)
  [ "$after" -gt "$before" ]
}
check "datagram to a port without a service is counted (drop_udp_port)" no_service_counted
check "ICMP echoes answered are counted" test "$(counter icmp_echo)" -ge 3
t_end
