#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# control's HTTP on loopback, each side on one loop (one core): the listener under wrk (a static
# file under /demo/ and a trivial route), then the fetcher against that listener (kept alive).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
B=${VOX_BUILD:-$ROOT/build}
BIN=$B/tools/bench/http/bench-http
DUR=${DUR:-3}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve "$PORT" "$ROOT/configs/demo" & SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null' EXIT
sleep 0.3
if command -v wrk >/dev/null; then
  for path in /demo/voice.xml /ping; do
    out=$(wrk -t1 -c32 -d"${DUR}s" --latency "http://127.0.0.1:$PORT$path")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "listener: GET $path, 32 keep-alive connections: $rps requests/s, p99 $p99"
  done
else
  echo "listener: wrk not installed (tools/deps installs it); skipped"
fi
"$BIN" fetch "http://127.0.0.1:$PORT/ping" 20000 32
"$BIN" fetch "http://127.0.0.1:$PORT/ping" 5000 1
