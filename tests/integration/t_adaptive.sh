#!/usr/bin/env bash
# Adaptive polling: 10 s idle costs under 10% of a CPU, and the next echo round trip is under 2 ms.
. "$(dirname "$0")/lib.sh"
t_up poll_mode=adaptive
udp 192.0.2.2 7 16 3 >/dev/null
sleep 1
hz=$(getconf CLK_TCK)
t() { awk '{print $14 + $15}' "/proc/$VOX_DP_PID/stat"; }
# the dataplane runs under `ip netns exec`, which execs: $VOX_DP_PID is the dataplane itself
c0=$(t); s0=$(date +%s.%N)
sleep 10
c1=$(t); s1=$(date +%s.%N)
pct=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$s0" -v t1="$s1" 'BEGIN{printf "%.2f", 100*(b-a)/hz/(t1-t0)}')
echo "idle CPU over 10 s: $pct% of one CPU"
check "idle dataplane uses under 10% of a CPU ($pct%)" awk -v p="$pct" 'BEGIN{exit !(p < 10)}'
r=$(udp 192.0.2.2 7 16 20)
echo "$r"
first=$(jq .first_ms <<<"$r"); med=$(jq .median_ms <<<"$r")
check "first echo after idling returns in under 2 ms (${first} ms)" awk -v v="$first" 'BEGIN{exit !(v < 2)}'
check "median echo round trip under 2 ms (${med} ms)" awk -v v="$med" 'BEGIN{exit !(v < 2)}'
check "the workers did sleep (idle_sleeps counted)" test "$(counter idle_sleeps)" -gt 0
t_end
