/* SPDX-License-Identifier: BSD-3-Clause */
/* bench-ctlmedia: control's media room — what a recording's audio costs control's loop with
 * the writer thread (ns per 20 ms chunk handed over, the thread's MB/s to a real file system),
 * and a <Play>/<Say> decision in the prompt cache (find + freshness + hold/release, ns). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calls_cache.h"
#include "ctl_loop.h"
#include "ctl_recw.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int done_n;
static void on_done(void *arg, const struct ctl_recw_done *d)
{
	(void)arg;
	(void)d;
	done_n++;
}

/* 64 recordings at once, 60 s of audio each (3000 chunks of 320 bytes), handed over as the
 * drain does (a flush every 64 rounds). Unpaced, the loop hands over far faster than real
 * time (1 MB/s for 64 calls) and the bounded queue drops (counted); paced, the bench waits
 * outside the timed part while more than 8 MB are queued, to measure the thread alone. */
static void bench_writer(const char *dir, int paced)
{
	done_n = 0;
	enum { FILES = 64, CHUNKS = 3000 };
	struct ctl_loop *loop;
	struct ctl_recw *w;
	if (ctl_loop_create(&loop, 64) || ctl_recw_create(&w, loop, 0, on_done, NULL)) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	char path[FILES][256];
	for (int f = 0; f < FILES; f++) {
		snprintf(path[f], sizeof(path[f]), "%s/bench-recw-%d-%d.wav", dir, (int)getpid(),
		         f);
		int fd = open(path[f], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ctl_recw_open(w, (uint32_t)f, fd, 1)) {
			perror(path[f]);
			exit(1);
		}
	}
	int16_t chunk[160];
	for (int i = 0; i < 160; i++)
		chunk[i] = (int16_t)(i * 97);
	uint64_t loop_ns = 0, t0 = now_ns();
	for (int c = 0; c < CHUNKS; c++) {
		uint64_t a = now_ns();
		for (int f = 0; f < FILES; f++)
			ctl_recw_write(w, (uint32_t)f, chunk, sizeof(chunk));
		if (c % 64 == 63)
			ctl_recw_flush(w);
		loop_ns += now_ns() - a;
		ctl_loop_once(loop, 0);
		struct ctl_recw_stats q;
		ctl_recw_get_stats(w, &q);
		while (paced && q.queued_bytes > (8u << 20)) {
			usleep(200);
			ctl_recw_get_stats(w, &q);
		}
	}
	uint64_t a = now_ns();
	for (int f = 0; f < FILES; f++)
		ctl_recw_close(w, (uint32_t)f, f % 2 == 0, 0); /* half of them trimmed */
	loop_ns += now_ns() - a;
	while (done_n < FILES)
		ctl_loop_once(loop, 100);
	uint64_t total = now_ns() - t0;
	struct ctl_recw_stats st;
	ctl_recw_get_stats(w, &st);
	double mb = (double)st.bytes_written / 1e6;
	printf("recording writer, %s: %d files x %d chunks (%.0f s of audio each), %.1f MB "
	       "written\n",
	       paced ? "paced to the thread" : "unpaced burst", FILES, CHUNKS, CHUNKS * 0.02, mb);
	printf("  loop side: %.0f ns per 320-byte chunk (copy + hand-over), %.1f ms in all\n",
	       (double)loop_ns / (FILES * (double)CHUNKS), loop_ns / 1e6);
	printf("  writer thread: %.0f MB/s to %s, completions after close: %d, overflows %llu, "
	       "max queued %.1f MB\n",
	       mb / (total / 1e9), dir, done_n, (unsigned long long)st.overflows,
	       st.max_queued_bytes / 1e6);
	ctl_recw_destroy(w);
	ctl_loop_destroy(loop);
	for (int f = 0; f < FILES; f++)
		unlink(path[f]);
}

static int retire(void *arg, vox_clip_t c)
{
	(void)arg;
	(void)c;
	return 0;
}

/* A full table (1024 prompts); a decision as op_play makes it on a hit. */
static void bench_cache(void)
{
	struct calls_cache *cc;
	if (calls_cache_create(&cc, CALLS_CACHE_MAX, 1, retire, NULL)) {
		fprintf(stderr, "cache setup failed\n");
		exit(1);
	}
	uint8_t keys[CALLS_CACHE_MAX][16];
	struct calls_http_policy p;
	calls_http_policy("max-age=3600", NULL, NULL, NULL, "\"e\"", NULL, 0, &p);
	for (uint32_t i = 0; i < CALLS_CACHE_MAX; i++) {
		for (int b = 0; b < 16; b++)
			keys[i][b] =
			    (uint8_t)((i * 2654435761u) >> (b % 4 * 8)) ^ (uint8_t)(b * 31);
		vox_clip_t c = i + 1;
		calls_cache_reserve(cc, 1);
		calls_cache_insert(cc, keys[i], CALLS_CACHE_PLAY, &c, 1, 50, &p, 1);
	}
	enum { N = 5000000 };
	uint64_t t0 = now_ns(), hits = 0;
	for (uint32_t n = 0; n < N; n++) {
		struct calls_cache_ent *e = calls_cache_find(cc, keys[(n * 7) % CALLS_CACHE_MAX]);
		if (e && calls_cache_use(cc, e, 2) == CALLS_CACHE_FRESH) {
			calls_cache_ref_t r = calls_cache_ref(cc, e);
			calls_cache_hold(cc, r, 2);
			calls_cache_release(cc, r, 3);
			hits++;
		}
	}
	uint64_t dt = now_ns() - t0;
	printf("prompt cache: %u entries, find + freshness + hold/release: %.1f ns per decision "
	       "(%llu hits of %u)\n",
	       calls_cache_count(cc), (double)dt / N, (unsigned long long)hits, N);
	calls_cache_destroy(cc);
}

int main(int argc, char **argv)
{
	bench_writer(argc > 1 ? argv[1] : "/tmp", 0);
	bench_writer(argc > 1 ? argv[1] : "/tmp", 1);
	bench_cache();
	return 0;
}
