# SPDX-License-Identifier: BSD-3-Clause
# vox.sh — bring an instance of voxplane up and down (sourced by tools/run and the tests).
# Every name derives from the instance id: netns <id>net, tap <id>0, shm, sockets, EAL prefix.

VOX_ROOT=${VOX_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VOX_BUILD=${VOX_BUILD:-$VOX_ROOT/build}
VOX_RUN_BASE=${VOX_RUN_BASE:-/run/voxplane}
# control's store lives in <base>/<instance> (kept across runs; the run dir is not)
VOX_DATA_BASE=${VOX_DATA_BASE:-$VOX_ROOT/data}
VOX_DP_BIN=$VOX_BUILD/dataplane/core/voxplane-dataplane
VOX_CTL_BIN=$VOX_BUILD/control/voxplane-control
VOX_VOXCTL=$VOX_BUILD/tools/voxctl/voxctl

vox_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

vox_pid_of() { # file -> pid if alive
  local f=$1 p
  [ -f "$f" ] || return 1
  p=$(cat "$f" 2>/dev/null) || return 1
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}

# Remove what a dead instance left behind; refuse (return 1) if it is alive.
vox_cleanup_stale() {
  local id=$1 rd=$VOX_RUN_BASE/$1 p
  if p=$(vox_pid_of "$rd/dataplane.pid"); then
    vox_log "instance $id already has a running dataplane (pid $p)"; return 1
  fi
  if p=$(vox_pid_of "$rd/control.pid"); then
    vox_log "instance $id already has a running control (pid $p)"; return 1
  fi
  if ip netns list 2>/dev/null | grep -qw "${id}net"; then
    vox_log "removing leftover namespace ${id}net"
    ip netns del "${id}net" 2>/dev/null || true
  fi
  rm -f "/dev/shm/voxplane-$id.shm"
  rm -rf "$rd"
  return 0
}

# Network namespace <id>net with the persistent multi-queue tap <id>0 (kernel side 192.0.2.1/24).
vox_netns_up() {
  local id=$1 ns=${1}net tap=${1}0
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" tuntap add dev "$tap" mode tap multi_queue pi
  ip -n "$ns" addr add 192.0.2.1/24 dev "$tap"
  ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
  ip -n "$ns" link set "$tap" up
}

vox_netns_down() {
  ip netns del "${1}net" 2>/dev/null || true
}

# vox_start ID CONF LOGDIR [dataplane key=value ...] -- [control key=value ...]
# Cleans a dead instance's leftovers, creates the namespace, starts both processes in the
# background (pids in VOX_DP_PID and VOX_CTL_PID) and waits until control has attached.
vox_start() {
  local id=$1 conf=$2 logdir=$3; shift 3
  local side=dp
  VOX_DP_SETS=(); VOX_CTL_SETS=()
  for a in "$@"; do
    if [ "$a" = "--" ]; then side=ctl; continue; fi
    if [ $side = dp ]; then VOX_DP_SETS+=(--set "$a"); else VOX_CTL_SETS+=(--set "$a"); fi
  done
  mkdir -p "$logdir"
  vox_cleanup_stale "$id" || return 1
  vox_netns_up "$id" || return 1
  vox_start_dp "$id" "$conf" "$logdir" "${VOX_DP_SETS[@]}" || return 1
  vox_start_control "$id" "$conf" "$logdir" "${VOX_CTL_SETS[@]}"
}

# vox_start_dp ID CONF LOGDIR [--set k=v ...]: the dataplane alone, inside the namespace.
vox_start_dp() {
  local id=$1 conf=$2 logdir=$3; shift 3
  ip netns exec "${id}net" "$VOX_DP_BIN" -c "$conf" --set "instance=$id" --set "run_dir=$VOX_RUN_BASE" \
    "$@" >>"$logdir/dataplane.log" 2>&1 &
  VOX_DP_PID=$!
  local i
  for i in $(seq 1 300); do
    [ -S "$VOX_RUN_BASE/$id/dataplane.sock" ] && ip -n "${id}net" link show "${id}0" | grep -q LOWER_UP && return 0
    if ! kill -0 "$VOX_DP_PID" 2>/dev/null; then
      vox_log "dataplane exited during start-up:"; tail -n 20 "$logdir/dataplane.log" >&2; return 1
    fi
    sleep 0.1
  done
  vox_log "dataplane did not come up"; tail -n 20 "$logdir/dataplane.log" >&2
  return 1
}

# vox_start_control ID CONF LOGDIR [--set args already expanded]
vox_start_control() {
  local id=$1 conf=$2 logdir=$3; shift 3
  "$VOX_CTL_BIN" -c "$conf" --set "instance=$id" --set "run_dir=$VOX_RUN_BASE" \
    --set "data_dir=$VOX_DATA_BASE/$id" "$@" \
    >>"$logdir/control.log" 2>&1 &
  VOX_CTL_PID=$!
  local i
  for i in $(seq 1 100); do
    [ -S "$VOX_RUN_BASE/$id/control.sock" ] && "$VOX_VOXCTL" --instance "$id" --run-dir "$VOX_RUN_BASE" status 2>/dev/null | grep -q '"attached": *true' && return 0
    if ! kill -0 "$VOX_CTL_PID" 2>/dev/null; then
      vox_log "control exited during start-up:"; tail -n 20 "$logdir/control.log" >&2; return 1
    fi
    sleep 0.1
  done
  vox_log "control did not attach"; tail -n 20 "$logdir/control.log" >&2
  return 1
}

# Stop both (SIGTERM, then SIGKILL after 10 s) and remove the namespace and leftovers.
vox_stop() {
  local id=$1 p
  for p in ${VOX_CTL_PID:-} ${VOX_DP_PID:-}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in ${VOX_CTL_PID:-} ${VOX_DP_PID:-}; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  vox_netns_down "$id"
  rm -f "/dev/shm/voxplane-$id.shm"
  rm -rf "${VOX_RUN_BASE:?}/$id"
}
