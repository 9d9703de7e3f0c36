#!/usr/bin/env bash
# The dataplane restarts under a running control: control notices the new boot_id, drops the
# old handles and re-attaches; commands with handles from the old boot are stale.
. "$(dirname "$0")/lib.sh"
t_up
voxctl diag leg-create 4 >/dev/null
check "4 legs before the restart" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .legs)\" = 4 ]"
old_handle=$(voxctl calls --json | jq -r '.legs[0].handle')
boot1=$(status_q .boot_id)
kill -TERM "$VOX_DP_PID"; wait "$VOX_DP_PID" 2>/dev/null
check "control survives the dataplane's exit" kill -0 "$VOX_CTL_PID"
check "control reports detached" wait_for 5 bash -c "$VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq -e '.attached == false' >/dev/null"
vox_start_dp "$T_ID" "$T_CONF" "$T_LOG"
check "control re-attaches to the new dataplane" wait_for 10 bash -c "$VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq -e '.attached == true' >/dev/null"
boot2=$(status_q .boot_id)
check "new boot_id ($boot1 -> $boot2)" test -n "$boot2" -a "$boot2" != "$boot1" -a "$boot2" != null
check "old handles dropped (legs = 0)" test "$(status_q .legs)" = 0
r=$(voxctl diag leg-end "$old_handle")
check "a handle from the previous boot is stale ($r)" grep -q STALE <<<"$r"
check "voxctl ping works with the new dataplane" voxctl ping
r=$(udp 192.0.2.2 7 32 5)
check "echo answered by the new dataplane" test "$(jq .ok <<<"$r")" = 5
t_end
