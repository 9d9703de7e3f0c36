#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run.sh — net classify benchmark next to dpdk-testpmd io-forward, same EAL memory mode (~20 s).
# Usage: tools/bench/net/run.sh [build-dir]   (default: build). Needs root for EAL.
set -eu
BUILD=${1:-build}
BENCH=$BUILD/tools/bench/net/bench-net-classify
SECS=${BENCH_SECS:-3}
[ -x "$BENCH" ] || { echo "run.sh: $BENCH not built" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "run.sh: dpdk-testpmd not installed (dpdk-dev)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== bench-net-classify (1 lcore, --no-huge, net_ring RX/TX, ${SECS}s per mix)"
timeout 30 "$BENCH" --no-huge -m 512 --no-pci -l 0 --file-prefix benchnet$$ \
	--log-level='*:error' -- -s "$SECS" | tee "$TMP/ours"

echo "== dpdk-testpmd io-forward (1 forwarding lcore, --no-huge, 2x net_null, 8 s)"
# -a starts forwarding at once; SIGINT after 8 s makes testpmd stop, print totals and exit.
timeout -s INT 8 dpdk-testpmd --no-huge -m 512 --no-pci -l 0-1 --file-prefix tpmd$$ \
	--log-level='*:error' --vdev=net_null0 --vdev=net_null1 -- \
	--forward-mode=io --stats-period 1 -a --total-num-mbufs=16384 >"$TMP/tpmd" 2>&1 || true
# per-port Rx-pps of the last full stats period
TPMD=$(awk '/Rx-pps:/ { pps[n++ % 2] = $2 } END { if (n >= 2) printf "%.2f", (pps[0] + pps[1]) / 1e6 }' "$TMP/tpmd")
PORT=$(awk '/Rx-pps:/ { pps[n++ % 2] = $2 } END { if (n >= 2) printf "%.2f", pps[0] / 1e6 }' "$TMP/tpmd")
[ -n "$TPMD" ] || { echo "run.sh: no testpmd figures; its output:" >&2; tail -20 "$TMP/tpmd" >&2; exit 1; }

MIX=$(awk '/net-classify mix/ { print $4 }' "$TMP/ours")
RTP=$(awk '/net-classify rtp/ { print $4 }' "$TMP/ours")
echo "== summary (Mpps, one lcore)"
printf '%-44s %8s\n' "net_input_burst, mix (RTP/SIP/ICMP/ARP)" "$MIX"
printf '%-44s %8s\n' "net_input_burst, RTP only" "$RTP"
printf '%-44s %8s\n' "testpmd io-forward, per port" "$PORT"
printf '%-44s %8s\n' "testpmd io-forward, both ports (1 lcore)" "$TPMD"
