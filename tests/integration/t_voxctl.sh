#!/usr/bin/env bash
# voxctl: stats (table, --json, counters moving, --watch rates), ping through control, calls.
. "$(dirname "$0")/lib.sh"
t_up
table_ok() { local t; t=$(voxctl stats) && grep -q rx_pkts <<<"$t" && grep -q main <<<"$t"; }
check "voxctl stats prints a table with per-lcore columns" table_ok
j1=$(voxctl stats --json)
check "voxctl stats --json parses and has one row per lcore (2 workers + main)" test "$(jq '.lcores | length' <<<"$j1")" = 3
udp 192.0.2.2 7 100 50 >/dev/null
nsx ping -c 2 -i 0.2 192.0.2.2 >/dev/null
j2=$(voxctl stats --json)
rx1=$(jq '[.lcores[].counters.rx_pkts]|add' <<<"$j1"); rx2=$(jq '[.lcores[].counters.rx_pkts]|add' <<<"$j2")
tx1=$(jq '[.lcores[].counters.tx_pkts]|add' <<<"$j1"); tx2=$(jq '[.lcores[].counters.tx_pkts]|add' <<<"$j2")
check "rx_pkts moved by at least 52 ($rx1 -> $rx2)" test $((rx2 - rx1)) -ge 52
check "tx_pkts moved by at least 52 ($tx1 -> $tx2)" test $((tx2 - tx1)) -ge 52
check "udp_echo counted 50" test $(( $(jq '[.lcores[].counters.udp_echo]|add' <<<"$j2") - $(jq '[.lcores[].counters.udp_echo]|add' <<<"$j1") )) -eq 50
check "stats --json lists the rings of each worker" test "$(jq '.rings | length' <<<"$j2")" = 2
p=$(voxctl ping)
echo "$p"
check "voxctl ping reports a round trip for every worker" test "$(grep -c -i -E 'us|µs' <<<"$p")" -ge 2
ip netns exec "${T_ID}net" python3 - <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 2.5
while time.time() < end:
    s.sendto(b"x" * 64, ("192.0.2.2", 7)); time.sleep(0.002)
PY
GEN=$!
w=$(voxctl stats --watch 1 --count 2)
wait $GEN
echo "$w" | tail -n 12
rate_moved() { awk '/^rx pps/ { if ($NF + 0 > 50) ok = 1 } END { exit !ok }' <<<"$w"; }
check "voxctl stats --watch prints rates, rx pps above 50 under traffic" rate_moved
check "voxctl calls works with no legs" voxctl calls
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null; VOX_CTL_PID=
stats_ok() { voxctl stats --json | jq -e '.lcores|length==3' >/dev/null; }
check "voxctl stats works while control is down" stats_ok
out=$(voxctl ping 2>&1); rc=$?
ping_refused() { [ $rc -ne 0 ] && grep -qi 'not running' <<<"$out"; }
check "voxctl ping says clearly that control is not running (rc=$rc: $out)" ping_refused
t_end
