#!/usr/bin/env bash
# A full event ring loses no state event: 3000 legs created at once on a worker whose event
# ring has 64 slots; control must learn every one (re-emitted from leg state as room appears).
. "$(dirname "$0")/lib.sh"
t_up evt_ring_slots=64
r=$(voxctl diag burst 1 3000)
check "burst sent ($r)" grep -q -v error <<<"$r"
check "control learned all 3000 legs" wait_for 20 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .legs)\" = 3000 ]"
echo "status: $(voxctl status | head -c 400)"
check "the mirror holds 3000 legs" test "$(voxctl calls --json | jq '.legs|length')" = 3000
check "the ring did overflow (evt_state_deferred > 0)" test "$(counter evt_state_deferred)" -gt 0
check "deferred events were re-emitted (evt_reemitted > 0)" test "$(counter evt_reemitted)" -gt 0
check "no informational event was needed to be dropped for it" test "$(counter legs_full)" = 0
voxctl diag end-all >/dev/null
check "all 3000 LEG_ENDED reach control" wait_for 20 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .legs)\" = 0 ]"
check "mirror empty afterwards" test "$(voxctl calls --json | jq '.legs|length')" = 0
t_end
