#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e.sh — voxplane-control and voxctl against the stand-in dataplane (ctl-fake-dp):
# attach, ping, legs, a second control refused, a bad script refused (exit 2), dataplane
# restart survived, clean exit.
set -u
FAKE=$1 CTL_BIN=$2 VOXCTL=$3
ID=e2e$$
ID=${ID:0:10}
RUN=$(mktemp -d /tmp/vox-e2e.XXXXXX)
LOG=$RUN/control.log
FAKEPID= CTLPID=
fail() { echo "FAIL: $*"; echo "--- control log"; cat "$LOG"; cleanup; exit 1; }
cleanup() {
	[ -n "$CTLPID" ] && kill "$CTLPID" 2>/dev/null
	[ -n "$FAKEPID" ] && kill "$FAKEPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$RUN" "/dev/shm/voxplane-$ID.shm"
}
# control's store goes to the test's own directory
ctl() { "$CTL_BIN" --set data_dir="$RUN/data" --set http_port=0 "$@"; }
vx() { "$VOXCTL" --instance "$ID" --run-dir "$RUN" "$@"; }
wait_for() { # wait_for SECONDS CMD...: until CMD succeeds
	local t=$(( $1 * 10 )); shift
	while [ $t -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; t=$((t-1)); done
	return 1
}
attached() { vx status | grep -q '"attached":true'; }
detached() { vx status | grep -q '"attached":false'; }

"$FAKE" "$ID" "$RUN" 2 60 & FAKEPID=$!
"$CTL_BIN" --set data_dir="$RUN/data" --set http_port=0 --set instance="$ID" --set run_dir="$RUN" --set log_level=debug 2>"$LOG" & CTLPID=$!
wait_for 5 attached || fail "control did not attach"
echo "attached"

out=$(vx ping) || fail "ping: $out"
echo "$out" | grep -q '^w1 ' || fail "ping lacks worker 1: $out"
echo "$out"

out=$(vx diag leg-create 10) || fail "leg-create: $out"
echo "$out" | grep -q '"created":10' || fail "leg-create: $out"
n=$(vx calls | grep -c '^0x') ; [ "$n" = 10 ] || fail "calls shows $n legs, want 10"
vx status | grep -q '"legs":10' || fail "status legs != 10"

# a second control on another run dir (its pid file check passes) hits the flock
out=$(ctl --set instance="$ID" --set run_dir="$RUN/other" 2>&1); rc=$?
[ $rc = 1 ] || fail "second control exit $rc"
echo "$out" | grep -q "another voxplane-control (pid $CTLPID) is attached to /dev/shm/voxplane-$ID.shm" ||
	fail "second control message: $out"
# and on the same run dir the pid file stops it
out=$(ctl --set instance="$ID" --set run_dir="$RUN" 2>&1); [ $? = 1 ] || fail "pid file not honoured"

# scripted mode: a bad line stops the start with exit 2, naming file and line
printf 'ok: answer\n*: explode\n' >"$RUN/bad.script"
out=$(ctl --set instance="$ID" --set run_dir="$RUN/other" --set script="$RUN/bad.script" 2>&1)
rc=$?
[ $rc = 2 ] || fail "bad script: exit $rc"
echo "$out" | grep -q "script: $RUN/bad.script:2: unknown action 'explode'" ||
	fail "bad script message: $out"

h=$(vx diag leg-create 1 | sed 's/.*"handles":\["\([^"]*\)".*/\1/')
out=$(vx diag leg-end "$h"); echo "$out" | grep -q '"event":"LEG_ENDED"' || fail "leg-end: $out"
out=$(vx diag leg-end "$h"); echo "$out" | grep -q '"event":"STALE_HANDLE"' || fail "leg-end 2: $out"
out=$(vx diag burst 1 5); echo "$out" | grep -q '"sent":true' || fail "burst: $out"
wait_for 3 sh -c "\"$VOXCTL\" --instance $ID --run-dir $RUN status | grep -q '\"legs\":15'" ||
	fail "burst legs not seen: $(vx status)"
out=$(vx diag end-all); echo "$out" | grep -q '"sent":15' || fail "end-all: $out"
wait_for 3 sh -c "\"$VOXCTL\" --instance $ID --run-dir $RUN status | grep -q '\"legs\":0,'" ||
	fail "legs not ended: $(vx status)"

vx stats --watch 1 --count 2 >"$RUN/stats.txt" || fail "stats"
grep -q '^rx_pkts' "$RUN/stats.txt" || fail "stats lacks rx_pkts"
grep -q '^drop_udp_port' "$RUN/stats.txt" || fail "stats lacks drop_udp_port"
grep -q '^rx pps' "$RUN/stats.txt" || fail "stats lacks rates"
grep -q '^control pid' "$RUN/stats.txt" || fail "stats lacks control heartbeat"
vx stats --json | grep -q '"lcores":\[{"row":0' || fail "stats --json"

# the dataplane restarts: control detaches, keeps serving, re-attaches to the new boot
boot1=$(vx status | sed 's/.*"boot_id":"\([0-9a-f]*\)".*/\1/')
kill "$FAKEPID"; wait "$FAKEPID"; FAKEPID=
wait_for 5 detached || fail "control did not notice the dataplane leaving"
vx ping >/dev/null 2>&1 && fail "ping without a dataplane succeeded"
"$FAKE" "$ID" "$RUN" 2 60 & FAKEPID=$!
wait_for 5 attached || fail "control did not re-attach"
boot2=$(vx status | sed 's/.*"boot_id":"\([0-9a-f]*\)".*/\1/')
[ "$boot1" != "$boot2" ] || fail "same boot_id after restart"
vx ping >/dev/null || fail "ping after restart"
grep -q "boot_id $boot2" "$LOG" || fail "new boot_id not logged"
echo "re-attached: $boot1 -> $boot2"

kill -TERM "$CTLPID"; wait "$CTLPID"; rc=$?; CTLPID=
[ $rc = 0 ] || fail "control exit $rc"
[ -e "$RUN/$ID/control.sock" ] && fail "socket left behind"
[ -e "$RUN/$ID/control.pid" ] && fail "pid file left behind"
vx stats | grep -q 'control: not attached' || fail "ctl.pid not cleared"
out=$(vx ping 2>&1); rc=$?
[ $rc = 2 ] || fail "ping exit $rc"
echo "$out" | grep -q "voxplane-control is not running (no socket at" || fail "ping message: $out"
# a dataplane of another ABI version is refused with both numbers named
SHM=/dev/shm/voxplane-$ID.shm
printf '\x63\x00\x00\x00' | dd of="$SHM" bs=1 seek=8 conv=notrunc status=none
out=$(timeout 10 "$CTL_BIN" --set data_dir="$RUN/data" --set http_port=0 --set instance="$ID" --set run_dir="$RUN" 2>&1); rc=$?
[ $rc = 1 ] || fail "ABI mismatch: exit $rc"
echo "$out" | grep -q "shm ABI version 99, this control was built for [0-9]*" || fail "ABI message: $out"
[ -e "$RUN/$ID/control.pid" ] && fail "pid file left behind after refusal"
printf '\x01\x00\x00\x00' | dd of="$SHM" bs=1 seek=8 conv=notrunc status=none
grep -E -v '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z control (DEBUG|INFO|WARN|ERROR) [a-z]+: ' "$LOG" &&
	fail "log lines not in the house format"
cleanup
echo "PASS"
