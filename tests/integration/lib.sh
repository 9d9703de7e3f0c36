# SPDX-License-Identifier: BSD-3-Clause
# lib.sh — integration test helpers: an instance of our own, assertions, cleanup on exit.
# A test: `. "$(dirname "$0")/lib.sh"; t_up [dp k=v ...] [-- ctl k=v ...]; check ...; t_end`.
set -uo pipefail
T_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export VOX_ROOT=${VOX_ROOT:-$(cd "$T_DIR/../.." && pwd)}
. "$VOX_ROOT/tools/lib/vox.sh"
T_NAME=$(basename "$0" .sh)
# unique per run: never collides with tools/run (vox) or another test
T_ID=${T_ID:-i$(printf '%05d' $(( ($$ + RANDOM) % 100000 )))}
T_LOG=$VOX_BUILD/test-logs/$T_NAME.$T_ID
T_CONF=$VOX_ROOT/configs/dev.conf
T_PASS=0
T_FAIL=0
T_UP=0
mkdir -p "$T_LOG"

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# check "description" command...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
nsx() { ip netns exec "${T_ID}net" "$@"; }
voxctl() { "$VOX_VOXCTL" --instance "$T_ID" --run-dir "$VOX_RUN_BASE" "$@"; }
# jq expression on `voxctl status`
status_q() { voxctl status 2>/dev/null | jq -r "$1" 2>/dev/null; }
# wait_for SECONDS command...: poll every 0.1 s
wait_for() {
  local t=$1 i; shift
  for i in $(seq 1 $((t * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
# sum of a counter over all lcores, from voxctl stats --json
counter() { voxctl stats --json | jq "[.lcores[].counters.\"$1\" // 0] | add"; }
udp() { nsx python3 "$T_DIR/udp_client.py" "$@"; }

t_down() {
  [ $T_UP = 1 ] || return 0
  T_UP=0
  # nothing a test started may outlive it: processes still in the namespace (besides the
  # dataplane) are a leak
  local left
  left=$(ip netns pids "${T_ID}net" 2>/dev/null | grep -v -x "${VOX_DP_PID:-none}" | tr '\n' ' ')
  if [ -n "$left" ]; then
    not_ok "processes left in ${T_ID}net: $(ps -o comm= -p ${left// /,} 2>/dev/null | tr '\n' ' ')"
    kill $left 2>/dev/null
  fi
  vox_stop "$T_ID"
  rm -rf "${VOX_DATA_BASE:?}/$T_ID"
}

t_up() {
  trap 't_down' EXIT
  T_UP=1
  # control's HTTP listener on a port of the kernel's choosing, unless the test sets one (a
  # later --set wins): tests never collide with a running tools/run (8080) or each other
  local args=() a seen=0
  for a in "$@"; do args+=("$a"); [ "$a" = "--" ] && [ $seen = 0 ] && { seen=1; args+=(http_port=0); }; done
  [ $seen = 1 ] || args+=(-- http_port=0)
  if ! vox_start "$T_ID" "$T_CONF" "$T_LOG" "${args[@]}"; then
    not_ok "platform starts (instance $T_ID)"
    t_end
  fi
}

t_end() {
  t_down
  if [ $T_FAIL -gt 0 ]; then
    echo "--- logs of $T_ID ($T_LOG)"
    tail -n 40 "$T_LOG"/*.log 2>/dev/null
  fi
  echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
  [ $T_FAIL -eq 0 ] && [ $T_PASS -gt 0 ]
  exit $?
}
