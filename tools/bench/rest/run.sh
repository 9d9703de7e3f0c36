#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The REST API on one loop (one core) under wrk on loopback, with N (default 100000) call
# records stored: GET of one call, a list page of 50, and a static file from the same listener
# next to them; then the reads again while call records are written, and the writes/s.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
B=${VOX_BUILD:-$ROOT/build}
BIN=$B/tools/bench/rest/bench-rest
N=${N:-100000}
DUR=${DUR:-3}
command -v wrk >/dev/null || { echo "rest: wrk not installed (tools/deps installs it); skipped"; exit 0; }
DIR=$(mktemp -d /tmp/vox-bench-rest.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
bench() { # label url
  local out rps p99
  out=$(wrk -t1 -c32 -d"${DUR}s" --latency -H "Authorization: Basic $AUTH" "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-40s %10s requests/s  p99 %s\n' "$1" "$rps" "$p99"
}
run_one() { # writers
  "$BIN" "$DIR/db" "$N" "$PORT" "$ROOT/configs/demo" "$1" >"$DIR/out.$1" 2>&1 & SRV=$!
  for _ in $(seq 1 600); do grep -q '^CALL ' "$DIR/out.$1" 2>/dev/null && break; sleep 0.2; done
  grep '^store:' "$DIR/out.$1"
  read -r _ AC TOK < <(grep '^ACCOUNT ' "$DIR/out.$1")
  CA=$(awk '/^CALL / {print $2}' "$DIR/out.$1")
  AUTH=$(printf '%s:%s' "$AC" "$TOK" | base64 -w0)
  U=http://127.0.0.1:$PORT
  bench "GET one call" "$U/2010-04-01/Accounts/$AC/Calls/$CA.json"
  bench "GET a list page of 50" "$U/2010-04-01/Accounts/$AC/Calls.json?PageSize=50"
  bench "GET a static file (/demo/voice.xml)" "$U/demo/voice.xml"
  kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
  grep '^store under' "$DIR/out.$1"
}
echo "--- $N calls stored for one account, no writes"
run_one 0
echo "--- the same store (now 101000 calls, 1000 in the new account) while 256 call-record writes are kept in flight"
N=1000 run_one 256
