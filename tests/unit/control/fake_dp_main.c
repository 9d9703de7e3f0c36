/* SPDX-License-Identifier: BSD-3-Clause */
/* fake_dp_main.c — the stand-in dataplane as a process, for control's end-to-end test. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_dp.h"

static volatile sig_atomic_t fake_stop;

static void fake_on_signal(int sig)
{
	fake_stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s INSTANCE RUN_BASE WORKERS [SECONDS]\n", argv[0]);
		return 64;
	}
	struct fake_dp d;
	struct fake_dp_opts o = {.n_workers = (uint32_t)atoi(argv[3]), .with_socket = 1};
	int secs = argc > 4 ? atoi(argv[4]) : 60;
	signal(SIGTERM, fake_on_signal);
	signal(SIGINT, fake_on_signal);
	int rc = fake_dp_start(&d, argv[1], argv[2], &o);
	if (rc) {
		fprintf(stderr, "fake_dp: start: %s\n", strerror(-rc));
		return 1;
	}
	/* write the stats rows a little so voxctl stats has something to show */
	struct vox_stats_block *blk = vox_shm_stats(&d.map);
	for (int t = 0; t < secs * 10 && !fake_stop; t++) {
		for (uint32_t r = 0; r < blk->n_rows; r++) {
			struct vox_stats_row *row = vox_stats_row(blk, r);
			row->loops += 1000;
			row->rx_pkts += 10 * (r + 1);
			row->rx_bytes += 2000 * (r + 1);
			row->tx_pkts += 10;
			row->tx_bytes += 2000;
		}
		vox_stats_drop(vox_stats_row(blk, 0), VOX_DROP_udp_port, 1);
		usleep(100000);
	}
	fake_dp_stop(&d, 1);
	return 0;
}
