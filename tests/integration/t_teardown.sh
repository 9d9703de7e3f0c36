#!/usr/bin/env bash
# tools/run brings an instance up and Ctrl-C (SIGINT) removes everything: processes, namespace,
# tap, shm file, sockets. A killed run's leftovers are cleaned at the next start.
. "$(dirname "$0")/lib.sh"
id=$T_ID
"$VOX_ROOT/tools/run" --instance "$id" >"$T_LOG/run.out" 2>&1 &
RUNPID=$!
check "tools/run reports the platform up" wait_for 60 grep -q "voxplane is up" "$T_LOG/run.out"
check "ping through the instance tools/run started" nsx ping -c 1 -W 2 192.0.2.2
# a background job of a non-interactive shell has SIGINT ignored (and a trap cannot undo that),
# so the test sends SIGTERM, which tools/run handles exactly as Ctrl-C
kill -TERM $RUNPID
for _ in $(seq 1 150); do kill -0 $RUNPID 2>/dev/null || break; sleep 0.1; done
check "tools/run exits after SIGTERM" bash -c "! kill -0 $RUNPID 2>/dev/null"
check "no namespace left" bash -c "! ip netns list | grep -qw ${id}net"
check "no shm file left" test ! -e "/dev/shm/voxplane-$id.shm"
check "no run dir or sockets left" test ! -e "$VOX_RUN_BASE/$id"
no_proc() { ! pgrep -f "voxplane-.*instance=$id" >/dev/null; }
check "no process left" no_proc
check "no EAL runtime files left" bash -c "! ls /var/run/dpdk/${id}dp 2>/dev/null | grep -q ."

# a killed run: -9 everything, then start again with the same id
t_up
kill -9 "$VOX_CTL_PID" "$VOX_DP_PID"; wait "$VOX_CTL_PID" "$VOX_DP_PID" 2>/dev/null
VOX_CTL_PID=; VOX_DP_PID=
check "leftovers exist after kill -9 (shm file)" test -e "/dev/shm/voxplane-$id.shm"
check "a new start over a killed run's leftovers succeeds" vox_start "$id" "$T_CONF" "$T_LOG"
check "and answers" nsx ping -c 1 -W 2 192.0.2.2
t_end
