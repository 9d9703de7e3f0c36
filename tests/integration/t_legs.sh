#!/usr/bin/env bash
# Leg handles end to end: create (request id echoed with the handle), list in the mirror,
# end, and a stale handle never applied (STALE_HANDLE).
. "$(dirname "$0")/lib.sh"
t_up
r=$(voxctl diag leg-create 3)
echo "$r"
check "3 legs created" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .legs)\" = 3 ]"
c=$(voxctl calls --json)
check "voxctl calls lists 3 legs" test "$(jq '.legs|length' <<<"$c")" = 3
check "legs spread over both workers" test "$(jq '[.legs[].worker]|unique|length' <<<"$c")" = 2
h=$(jq -r '.legs[0].handle' <<<"$c")
r=$(voxctl diag leg-end "$h")
check "ending $h answers LEG_ENDED ($r)" grep -q LEG_ENDED <<<"$r"
r=$(voxctl diag leg-end "$h")
check "ending it again is STALE_HANDLE ($r)" grep -q STALE <<<"$r"
check "stale_handles counted by the dataplane" test "$(counter stale_handles)" -ge 1
check "2 legs left" test "$(voxctl calls --json | jq '.legs|length')" = 2
t_end
