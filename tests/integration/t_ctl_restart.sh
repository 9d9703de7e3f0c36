#!/usr/bin/env bash
# Control killed with -9 and restarted: it re-attaches, rebuilds its legs from the mirror, and the
# dataplane keeps answering throughout. A second control is refused while one is attached.
. "$(dirname "$0")/lib.sh"
t_up
r=$(voxctl diag leg-create 10)
check "10 loopback legs created ($(head -c 200 <<<"$r"))" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .legs)\" = 10 ]"
out=$("$VOX_CTL_BIN" -c "$T_CONF" --set "instance=$T_ID" --set "run_dir=$VOX_RUN_BASE" 2>&1); rc=$?
second_refused() { [ $rc -ne 0 ] && grep -qi -E 'already|another' <<<"$out"; }
check "a second control is refused with a clear message (rc=$rc: $(tail -n1 <<<"$out"))" second_refused
boot1=$(status_q .boot_id)
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
r=$(udp 192.0.2.2 7 32 10)
check "dataplane answers while control is dead ($r)" test "$(jq .ok <<<"$r")" = 10
check "ping answers while control is dead" nsx ping -c 2 -i 0.2 -W 2 192.0.2.2
check "voxctl calls lists the 10 legs from the mirror while control is dead" \
  bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs|length')\" = 10 ]"
check "restarted control attaches" vox_start_control "$T_ID" "$T_CONF" "$T_LOG"
check "same dataplane boot ($boot1)" test "$(status_q .boot_id)" = "$boot1"
check "restarted control rebuilt 10 legs from the mirror" test "$(status_q .legs)" = 10
check "voxctl ping works after the restart" voxctl ping
r=$(udp 192.0.2.2 7 32 10)
check "echo still answered after the restart" test "$(jq .ok <<<"$r")" = 10
voxctl diag end-all >/dev/null
check "legs end on request" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .legs)\" = 0 ]"
t_end
