/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_ring.c — records through a shm command ring between two processes (vox_rec_send/recv). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_pause.h>

#include "vox_layout.h"
#include "vox_rec.h"

/*
 * The parent creates a real shm file with vox_shm_create and produces on worker 0's command
 * ring with vox_rec_send, one record per call (the way control sends commands); a forked
 * child maps the same file with vox_shm_attach (as control and voxctl do) and consumes with
 * vox_rec_recv, checking order and payload. Each case runs for N records or a time cap,
 * whichever comes first, so the whole run stays under 20 s.
 *   bench-ring [records] [cap_seconds]     defaults: 10000000 records, 4 s per case
 */

#define BENCH_RING_SLOTS 4096u

struct bench_result {
	uint64_t records, errors, t0_ns, t1_ns;
};

static uint64_t bench_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Spin briefly, then yield: on a loaded 2-core machine the peer may need our CPU. */
static void bench_wait(uint32_t *spins)
{
	if (++*spins < 4096)
		rte_pause();
	else {
		*spins = 0;
		sched_yield();
	}
}

/* Child: consume `n` records of payload `len` (or until the producer says stop via seq 0). */
static void bench_consumer(const char *path, uint32_t len, int out_fd)
{
	struct vox_shm_map m;
	struct bench_result res = {0};
	if (vox_shm_attach(&m, path, 2000, NULL) != 0)
		_exit(2);
	struct rte_ring *r = vox_shm_cmd_ring(&m, 0);
	_Alignas(64) static unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	uint64_t expect = 1;
	uint32_t spins = 0;
	for (;;) {
		int rc = vox_rec_recv(r, buf, VOX_REC_MAX_SLOTS);
		if (rc == 0) {
			bench_wait(&spins);
			continue;
		}
		spins = 0;
		if (!res.t0_ns)
			res.t0_ns = bench_ns();
		const struct vox_rec_hdr *h = (const void *)buf;
		if (rc < 0 || h->len != len) {
			res.errors++;
			continue;
		}
		if (h->seq == 0)
			break; /* end marker */
		if (h->seq != expect || (len && ((const unsigned char *)vox_rec_payload(
		                                    buf))[len - 1] != (uint8_t)h->seq))
			res.errors++;
		expect = h->seq + 1;
		res.records++;
	}
	res.t1_ns = bench_ns();
	if (write(out_fd, &res, sizeof(res)) != sizeof(res))
		_exit(3);
	vox_shm_unmap(&m);
	_exit(0);
}

static int bench_case(const char *path, struct vox_shm_map *m, uint32_t slots, uint64_t n,
                      double cap_s)
{
	uint32_t len = (slots - 1) * VOX_REC_SLOT;
	int p[2];
	if (pipe(p) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(p[0]);
		bench_consumer(path, len, p[1]);
	}
	close(p[1]);
	struct rte_ring *r = vox_shm_cmd_ring(m, 0);
	unsigned char payload[VOX_REC_MAX_PAYLOAD];
	memset(payload, 0xa5, sizeof(payload));
	struct vox_rec_hdr h = {.type = VOX_CMD_PING};
	uint64_t full = 0, sent = 0;
	uint64_t t0 = bench_ns(), deadline = t0 + (uint64_t)(cap_s * 1e9);
	for (uint64_t i = 1; i <= n; i++) {
		h.seq = i;
		if (len)
			payload[len - 1] = (uint8_t)i;
		uint32_t spins = 0;
		while (vox_rec_send(r, &h, payload, len, len, NULL) != 0) {
			full++;
			bench_wait(&spins);
		}
		sent = i;
		if ((i & 0xffff) == 0 && bench_ns() > deadline)
			break;
	}
	h.seq = 0;
	while (vox_rec_send(r, &h, payload, len, len, NULL) != 0)
		rte_pause();
	uint64_t t_send = bench_ns() - t0;
	struct bench_result res = {0};
	ssize_t got = read(p[0], &res, sizeof(res));
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	if (got != sizeof(res) || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-ring: consumer failed\n");
		return -EIO;
	}
	uint64_t t_all = res.t1_ns - t0;
	double per_s = (double)res.records / ((double)t_all / 1e9);
	printf("%2u-slot records (%4u B payload): %9llu records in %6.3f s: %6.2f M records/s, "
	       "%6.1f ns/record, %7.2f GB/s; producer waited %llu times, errors %llu%s\n",
	       slots, len, (unsigned long long)res.records, (double)t_all / 1e9, per_s / 1e6,
	       (double)t_all / (double)res.records, per_s * slots * VOX_REC_SLOT / 1e9,
	       (unsigned long long)full, (unsigned long long)res.errors,
	       sent < n ? " (time cap)" : "");
	(void)t_send;
	return res.errors || res.records != sent ? -EPROTO : 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
	double cap = argc > 2 ? atof(argv[2]) : 4.0;
	char path[96];
	snprintf(path, sizeof(path), "/dev/shm/voxplane-bench%d.shm", (int)getpid());
	struct vox_shm_params prm = {.n_workers = 1,
	                             .cmd_ring_slots = BENCH_RING_SLOTS,
	                             .evt_ring_slots = 64,
	                             .bulk_ring_bytes = 4096,
	                             .mirror_slots = 1,
	                             .pool_bytes = 4096};
	struct vox_shm_map m;
	int rc = vox_shm_create(&m, path, &prm);
	if (rc) {
		fprintf(stderr, "bench-ring: vox_shm_create: %s\n", strerror(-rc));
		return 1;
	}
	vox_shm_publish(&m);
	printf("bench-ring: producer (vox_rec_send, one record per call) -> consumer process "
	       "(vox_rec_recv), %u-slot ring, %llu records or %.0f s per case\n",
	       BENCH_RING_SLOTS, (unsigned long long)n, cap);
	static const uint32_t sizes[] = {1, 4, 16};
	int bad = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (bench_case(path, &m, sizes[i], n, cap) != 0)
			bad = 1;
	vox_shm_unmap(&m);
	unlink(path);
	return bad;
}
