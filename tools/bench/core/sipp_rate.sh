#!/usr/bin/env bash
# End to end on the dev network: the highest call rate sipp sustains against the platform with
# no failed calls (answered calls, 1 s long), and the dataplane CPU it costs. Bounded: ~60 s.
set -uo pipefail
export VOX_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$VOX_ROOT/tools/lib/vox.sh"
ID=bsipp
LOG=$(mktemp -d)
echo '*: answer; wait 1000; hangup' >"$LOG/rate.script"
vox_start "$ID" "$VOX_ROOT/configs/dev.conf" "$LOG" max_legs=16384 -- "script=$LOG/rate.script" || exit 1
trap 'vox_stop $ID' EXIT
hz=$(getconf CLK_TCK)
best=0
for rate in 250 500 1000 1500 2000 3000; do
  t0=$(awk '{print $14+$15}' /proc/$VOX_DP_PID/stat); s0=$(date +%s.%N)
  ip netns exec ${ID}net timeout 60 sipp -sf "$VOX_ROOT/tests/sip/scenarios/uac_wait_bye.xml" 192.0.2.2:5060 \
    -i 192.0.2.1 -p 5090 -s rate -r $rate -m $((rate * 5)) -l 50000 -nostdin -timeout 40 \
    -trace_stat -stf "$LOG/r$rate.csv" >/dev/null 2>&1
  t1=$(awk '{print $14+$15}' /proc/$VOX_DP_PID/stat); s1=$(date +%s.%N)
  ok=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") c=i} END{print $c+0}' "$LOG/r$rate.csv")
  bad=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} END{print $c+0}' "$LOG/r$rate.csv")
  cpu=$(awk -v a=$t0 -v b=$t1 -v hz=$hz -v x=$s0 -v y=$s1 'BEGIN{printf "%.0f", 100*(b-a)/hz/(y-x)}')
  why=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i ~ /^Failed.+\(C\)$/) c[i]=$i} END{for(i in c) if($i+0>0) printf "%s=%s ", c[i], $i}' "$LOG/r$rate.csv")
  printf "sipp %5d calls/s x 5 s: %6d ok, %4d failed %s, dataplane CPU %s%% (3 lcores on 2 CPUs, adaptive)\n" \
    $rate $ok $bad "$why" $cpu
  [ "$bad" = 0 ] && [ "$ok" = $((rate * 5)) ] && best=$rate || break
  sleep 6 # let the previous run's transactions linger out (T4)
done
echo "highest rate with no failed call: $best calls/s"
