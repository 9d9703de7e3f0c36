/* SPDX-License-Identifier: BSD-3-Clause */
/* test_recw.c — the recordings' writer thread with real files and a real control loop: data in
 * the order given across hand-overs, the completion only after the file is whole and closed,
 * a stalled writer (paused, as a stuck disk) never blocking the loop's calls and its bounded
 * queue counting what it drops; abort removes the file; the silence trim, pure and on a file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_loop.h"
#include "ctl_rec.h"
#include "ctl_recw.h"

struct fx {
	struct ctl_loop *loop;
	struct ctl_recw *w;
	char dir[64];
	struct ctl_recw_done got[8];
	int n_got;
	bool fd_closed_at_cb[8];
	int fds[8];
	char paths[8][128];
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* the fd of a file still open would still name it in /proc/self/fd */
static bool fd_names(int fd, const char *path)
{
	char l[64], t[PATH_MAX];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(l, t, sizeof(t) - 1);
	if (n < 0)
		return false;
	t[n] = 0;
	return strcmp(t, path) == 0;
}

static void on_done(void *arg, const struct ctl_recw_done *d)
{
	struct fx *x = arg;
	assert_true(x->n_got < 8);
	x->fd_closed_at_cb[x->n_got] = !fd_names(x->fds[d->id], x->paths[d->id]);
	x->got[x->n_got++] = *d;
}

static void pump(struct fx *x, int want, double ms)
{
	double end = now_ms() + ms;
	while (x->n_got < want && now_ms() < end)
		ctl_loop_once(x->loop, 20);
}

static int setup(void **st)
{
	struct fx *x = calloc(1, sizeof(*x));
	assert_int_equal(ctl_loop_create(&x->loop, 64), 0);
	snprintf(x->dir, sizeof(x->dir), "/tmp/vox-recw.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	char real[PATH_MAX];
	assert_non_null(realpath(x->dir, real));
	assert_true(strlen(real) < sizeof(x->dir));
	memcpy(x->dir, real, strlen(real) + 1);
	assert_int_equal(ctl_recw_create(&x->w, x->loop, 0, on_done, x), 0); /* 16 MiB */
	*st = x;
	return 0;
}

static int teardown(void **st)
{
	struct fx *x = *st;
	ctl_recw_destroy(x->w);
	ctl_loop_destroy(x->loop);
	for (int i = 0; i < 8; i++)
		if (x->paths[i][0])
			unlink(x->paths[i]);
	rmdir(x->dir);
	free(x);
	return 0;
}

static void open_file(struct fx *x, uint32_t id, uint32_t ch)
{
	snprintf(x->paths[id], sizeof(x->paths[id]), "%s/r%u.wav", x->dir, id);
	x->fds[id] = open(x->paths[id], O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(x->fds[id] >= 0);
	assert_int_equal(ctl_recw_open(x->w, id, x->fds[id], ch), 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 21];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 300 chunks of 320 bytes to two files interleaved, with flushes between: each file holds its
 * own bytes in order, the header's sizes match, and the callback saw the fd closed. */
static void t_order_and_completion(void **st)
{
	struct fx *x = *st;
	open_file(x, 3, 1);
	open_file(x, 5, 1);
	int16_t chunk[160];
	for (int c = 0; c < 300; c++) {
		for (int i = 0; i < 160; i++)
			chunk[i] = (int16_t)(c * 160 + i);
		assert_int_equal(ctl_recw_write(x->w, 3, chunk, sizeof(chunk)), 0);
		for (int i = 0; i < 160; i++)
			chunk[i] = (int16_t) - (c * 160 + i);
		assert_int_equal(ctl_recw_write(x->w, 5, chunk, sizeof(chunk)), 0);
		if (c % 7 == 0)
			ctl_recw_flush(x->w);
		if (c % 50 == 0)
			ctl_loop_once(x->loop, 0);
	}
	assert_int_equal(ctl_recw_close(x->w, 3, false, 0), 0);
	assert_int_equal(ctl_recw_close(x->w, 5, false, 0), 0);
	assert_int_equal(ctl_recw_write(x->w, 3, chunk, 2), -ENOENT); /* closed */
	assert_int_equal(ctl_recw_open(x->w, 3, 0, 1), -EBUSY);       /* until its completion */
	pump(x, 2, 5000);
	assert_int_equal(x->n_got, 2);
	assert_int_equal(x->got[0].id, 3); /* completions in the order of the closes */
	assert_int_equal(x->got[1].id, 5);
	for (int k = 0; k < 2; k++) {
		assert_true(x->fd_closed_at_cb[k]);
		assert_int_equal(x->got[k].err, 0);
		assert_int_equal(x->got[k].bytes, 300 * 320);
		assert_int_equal(x->got[k].dropped, 0);
		size_t len;
		const uint8_t *b = slurp(x->paths[x->got[k].id], &len);
		assert_int_equal(len, CTL_WAV_HDR + 300 * 320);
		assert_memory_equal(b, "RIFF", 4);
		assert_int_equal(le32(b + 40), 300 * 320);
		assert_int_equal(le32(b + 4), 36 + 300 * 320);
		const int16_t *s = (const int16_t *)(b + CTL_WAV_HDR);
		int sign = x->got[k].id == 3 ? 1 : -1;
		for (int i = 0; i < 300 * 160; i++)
			if (s[i] != (int16_t)(sign * i))
				fail_msg("file %u sample %d: %d", x->got[k].id, i, s[i]);
	}
	struct ctl_recw_stats ws;
	ctl_recw_get_stats(x->w, &ws);
	assert_int_equal(ws.bytes_written, 2 * 300 * 320);
	assert_int_equal(ws.queued_bytes, 0);
	assert_int_equal(ws.completed, 2);
	assert_int_equal(ws.overflows, 0);
	/* the id is free again */
	open_file(x, 3, 2);
	assert_int_equal(ctl_recw_abort(x->w, 3, x->paths[3]), 0);
	pump(x, 3, 5000);
	assert_true(x->got[2].aborted);
	assert_int_equal(access(x->paths[3], F_OK), -1); /* removed */
}

/* A stalled writer: the loop's calls return at once, the queue stops at its bound and counts
 * what it dropped; once the disk is back, what was queued is written and the drop reported. */
static void t_stall_overflow(void **st)
{
	struct fx *x = *st;
	ctl_recw_destroy(x->w);
	assert_int_equal(ctl_recw_create(&x->w, x->loop, 64 * 1024, on_done, x), 0);
	open_file(x, 1, 1);
	ctl_recw_pause(x->w, true);
	uint8_t buf[320];
	memset(buf, 0x11, sizeof(buf));
	double t0 = now_ms();
	int dropped_calls = 0;
	for (int c = 0; c < 1000; c++) { /* 320 KB against a 64 KB queue */
		if (ctl_recw_write(x->w, 1, buf, sizeof(buf)) == -ENOBUFS)
			dropped_calls++;
		if (c % 10 == 0)
			ctl_recw_flush(x->w);
	}
	ctl_recw_flush(x->w);
	double took = now_ms() - t0;
	struct ctl_recw_stats ws;
	ctl_recw_get_stats(x->w, &ws);
	assert_true(ws.queued_bytes <= 64 * 1024);
	assert_true(ws.queued_bytes > 0);
	assert_true(ws.overflows > 0);
	assert_int_equal(ws.queued_bytes + ws.overflow_bytes, 1000 * 320);
	assert_true(took < 1000); /* nothing waited for the stalled thread */
	(void)dropped_calls;
	assert_int_equal(ctl_recw_close(x->w, 1, false, 0), 0);
	ctl_loop_once(x->loop, 50);
	assert_int_equal(x->n_got, 0); /* not before the file is written and closed */
	ctl_recw_pause(x->w, false);
	pump(x, 1, 5000);
	assert_int_equal(x->n_got, 1);
	assert_int_equal(x->got[0].bytes, ws.queued_bytes);
	assert_int_equal(x->got[0].dropped, ws.overflow_bytes);
	assert_true(x->fd_closed_at_cb[0]);
}

static void tone(int16_t *p, size_t n, double amp)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (int16_t)(amp * sin(2 * M_PI * 440.0 * (double)i / 8000.0));
}

static void noise(int16_t *p, size_t n, int amp)
{
	unsigned s = 1;
	for (size_t i = 0; i < n; i++) {
		s = s * 1103515245u + 12345u;
		p[i] = (int16_t)((int)((s >> 16) % (2u * amp + 1)) - amp);
	}
}

static void t_trim_pure(void **st)
{
	(void)st;
	enum { F = CTL_RECW_FRAME };
	static int16_t a[100 * F];
	/* 30 frames of low noise, 40 of tone, 30 of noise */
	noise(a, sizeof(a) / 2, 60);
	tone(a + 30 * F, 40 * F, 3000);
	assert_int_equal(ctl_trim_first_sound(a, 100, 1, CTL_RECW_TRIM_RMS), 30);
	assert_int_equal(ctl_trim_end_sound(a, 100, 1, CTL_RECW_TRIM_RMS), 70);
	/* all silence (digital zero or noise under the threshold) */
	static int16_t z[10 * F];
	assert_int_equal(ctl_trim_first_sound(z, 10, 1, CTL_RECW_TRIM_RMS), 10);
	assert_int_equal(ctl_trim_end_sound(z, 10, 1, CTL_RECW_TRIM_RMS), 0);
	/* the threshold is an RMS: a sine of amplitude A has RMS A/sqrt(2) */
	tone(z, 10 * F, 200 * 1.41421356 * 0.95);
	assert_int_equal(ctl_trim_first_sound(z, 10, 1, 200), 10);
	tone(z, 10 * F, 200 * 1.41421356 * 1.05);
	assert_int_equal(ctl_trim_first_sound(z, 10, 1, 200), 0);
	/* stereo: a frame is F positions of 2 samples; sound on one channel counts */
	static int16_t s2[10 * F * 2];
	for (int i = 4 * F; i < 6 * F; i++)
		s2[2 * i + 1] = (int16_t)(i % 2 ? 4000 : -4000);
	assert_int_equal(ctl_trim_first_sound(s2, 10, 2, 200), 4);
	assert_int_equal(ctl_trim_end_sound(s2, 10, 2, 200), 6);
}

/* trim on a file through the thread: 1 s of silence, 0.5 s of tone, 0.3 s of silence plus a
 * partial frame -> 0.5 s left, the tone's samples in place, header sizes to match. */
static void t_trim_file(void **st)
{
	struct fx *x = *st;
	enum { F = CTL_RECW_FRAME };
	size_t n = 8000 + 4000 + 2400 + 37;
	int16_t *a = calloc(n, sizeof(*a));
	noise(a, n, 40);
	tone(a + 8000, 4000, 8000);
	open_file(x, 2, 1);
	for (size_t off = 0; off < n; off += 160) { /* as the drain would: chunks */
		size_t k = n - off < 160 ? n - off : 160;
		assert_int_equal(ctl_recw_write(x->w, 2, a + off, k * 2), 0);
	}
	assert_int_equal(ctl_recw_close(x->w, 2, true, 0), 0);
	pump(x, 1, 5000);
	assert_int_equal(x->n_got, 1);
	assert_int_equal(x->got[0].err, 0);
	assert_int_equal(x->got[0].written, n * 2);
	assert_int_equal(x->got[0].bytes, 4000 * 2);
	assert_int_equal(x->got[0].trim_lead, 8000 * 2);
	assert_int_equal(x->got[0].trim_tail, (2400 + 37) * 2);
	size_t len;
	const uint8_t *b = slurp(x->paths[2], &len);
	assert_int_equal(len, CTL_WAV_HDR + 8000);
	assert_int_equal(le32(b + 40), 8000);
	assert_memory_equal(b + CTL_WAV_HDR, a + 8000, 8000);
	free(a);
	/* all silence: an empty file, still a valid WAV */
	open_file(x, 4, 1);
	static int16_t z[1600];
	assert_int_equal(ctl_recw_write(x->w, 4, z, sizeof(z)), 0);
	assert_int_equal(ctl_recw_close(x->w, 4, true, 0), 0);
	pump(x, 2, 5000);
	assert_int_equal(x->got[1].bytes, 0);
	b = slurp(x->paths[4], &len);
	assert_int_equal(len, CTL_WAV_HDR);
	assert_int_equal(le32(b + 40), 0);
}

static void t_bad_args(void **st)
{
	struct fx *x = *st;
	assert_int_equal(ctl_recw_open(x->w, CTL_RECW_FILES, 5, 1), -EINVAL);
	assert_int_equal(ctl_recw_open(x->w, 0, -1, 1), -EINVAL);
	assert_int_equal(ctl_recw_open(x->w, 0, 5, 3), -EINVAL);
	assert_int_equal(ctl_recw_write(x->w, 7, "x", 1), -ENOENT);
	assert_int_equal(ctl_recw_close(x->w, 7, false, 0), -ENOENT);
	assert_int_equal(ctl_recw_abort(x->w, CTL_RECW_FILES + 1, NULL), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(t_order_and_completion, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_stall_overflow, setup, teardown),
	    cmocka_unit_test(t_trim_pure),
	    cmocka_unit_test_setup_teardown(t_trim_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_bad_args, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
