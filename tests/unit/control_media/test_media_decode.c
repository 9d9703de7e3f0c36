/* SPDX-License-Identifier: BSD-3-Clause */
/* test_media_decode.c — control/media decoding through a real loop: formats, limits, queue. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "ctl_loop.h"
#include "ctl_media.h"

static void mf_cfg_default(struct ctl_media_cfg *c)
{
	ctl_media_cfg_default(c);
	c->tts = false;
}

#include "media_fx.h"


static char mt_dir[64];

static const char *mt_path(const char *name)
{
	static char buf[4][256];
	static int k;
	char *p = buf[k++ & 3];
	snprintf(p, 256, "%s/%.150s", mt_dir, name);
	return p;
}

static int mt_sox(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s", mt_dir, CTL_MEDIA_TEST_SOX, args);
	return system(cmd);
}

/* A 1 kHz tone with libsndfile (used for MP3, which sox cannot write here, and for exact
 * per-channel content). Returns 0, or -1 when libsndfile cannot write that format. */
static int mt_write_tone(const char *path, int format, int rate, int ch, double secs,
                         const double *gain)
{
	SF_INFO info = {.samplerate = rate, .channels = ch, .format = format};
	if (!sf_format_check(&info))
		return -1;
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	if (!sf)
		return -1;
	size_t n = (size_t)(secs * rate);
	float *buf = calloc(n * (size_t)ch, sizeof(float));
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < ch; c++)
			buf[i * ch + c] = (float)(gain[c] * sin(2 * M_PI * 1000.0 * i / rate));
	sf_count_t w = sf_writef_float(sf, buf, (sf_count_t)n);
	free(buf);
	sf_close(sf);
	return w == (sf_count_t)n ? 0 : -1;
}

static void *mt_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *p = malloc((size_t)n);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static int mt_group_setup(void **state)
{
	strcpy(mt_dir, "/tmp/ctlmedia.XXXXXX");
	if (!mkdtemp(mt_dir))
		return -1;
	/* sox: the reference tone, a long file, raw PCM at 16 kHz */
	if (mt_sox("-n -r 44100 -c 2 tone.wav synth 1.0 sine 1000") ||
	    mt_sox("-n -r 8000 -c 1 long.wav synth 3.0 sine 440") ||
	    mt_sox("-n -r 16000 -c 1 -e signed -b 16 -L -t raw t16k.raw synth 0.5 sine 1000") ||
	    mt_sox("-n -r 48000 -c 1 big.wav synth 30.0 sine 1000") ||
	    mt_sox("-n -r 22050 -c 1 tone.flac synth 0.25 sine 1000"))
		return -1;
	/* down-mix: left and right in opposite phase cancel; left alone halves */
	static const double opposite[2] = {0.5, -0.5}, left[2] = {0.8, 0.0};
	if (mt_write_tone(mt_path("opposite.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 2, 0.5,
	                  opposite) ||
	    mt_write_tone(mt_path("left.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 2, 0.5,
	                  left))
		return -1;
	static const double mono[1] = {0.5};
	mt_write_tone(mt_path("tone.mp3"), SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 1, 1.0,
	              mono); /* may fail: the MP3 test then skips */
	/* corrupt: a RIFF/WAVE header with garbage after it, and plain garbage */
	FILE *f = fopen(mt_path("corrupt.wav"), "wb");
	if (!f)
		return -1;
	fwrite("RIFF\x24\x10\x00\x00WAVEfmt \x10\x00\x00\x00\x07\x7f", 1, 22, f);
	for (int i = 0; i < 400; i++)
		fputc((i * 73 + 11) & 0xff, f);
	fclose(f);
	return 0;
}

static int mt_group_teardown(void **state)
{
	DIR *d = opendir(mt_dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlink(mt_path(e->d_name));
		closedir(d);
	}
	rmdir(mt_dir);
	return 0;
}

static uint64_t mt_decode_path(struct mf_fx *fx, const char *name, enum ctl_media_format f)
{
	struct ctl_media_src src = {.format = f, .path = mt_path(name)};
	uint64_t id = 0;
	assert_int_equal(ctl_media_submit_decode(fx->m, &src, mf_done, fx, &id), 0);
	assert_true(id != 0);
	return id;
}

static struct mf_res *mt_find(struct mf_fx *fx, uint64_t id)
{
	for (int i = 0; i < fx->done; i++)
		if (fx->r[i].id == id)
			return &fx->r[i];
	fail_msg("no completion for job %llu", (unsigned long long)id);
	return NULL;
}

/* Frequency from zero crossings, away from the edges. */
static double mt_freq(const int16_t *x, size_t n)
{
	size_t a = n / 10, b = n - n / 10, crossings = 0;
	for (size_t i = a + 1; i < b; i++)
		if ((x[i - 1] < 0) != (x[i] < 0))
			crossings++;
	return crossings / 2.0 / ((double)(b - a) / CTL_MEDIA_RATE);
}

static int mt_peak(const int16_t *x, size_t n)
{
	int p = 0;
	for (size_t i = n / 10; i < n - n / 10; i++)
		if (abs(x[i]) > p)
			p = abs(x[i]);
	return p;
}

static void test_wav_tone(void **state)
{
	struct mf_fx *fx = *state;
	mt_decode_path(fx, "tone.wav", CTL_MEDIA_AUTO);
	mf_run(fx, 1, 10);
	struct mf_res *r = &fx->r[0];
	assert_int_equal(r->status, 0);
	assert_int_equal(r->format, CTL_MEDIA_SNDFILE);
	assert_int_equal(r->src_rate, 44100);
	assert_int_equal(r->src_channels, 2);
	assert_true(r->n >= 7999 && r->n <= 8001);
	double f = mt_freq(r->samples, r->n);
	assert_true(f > 990 && f < 1010);
	assert_true(mt_peak(r->samples, r->n) > 20000); /* sox's default full-scale sine */
}

static void test_flac(void **state)
{
	struct mf_fx *fx = *state;
	mt_decode_path(fx, "tone.flac", CTL_MEDIA_SNDFILE);
	mf_run(fx, 1, 10);
	struct mf_res *r = &fx->r[0];
	assert_int_equal(r->status, 0);
	assert_int_equal(r->src_rate, 22050);
	assert_true(r->n >= 1999 && r->n <= 2001);
	double f = mt_freq(r->samples, r->n);
	assert_true(f > 980 && f < 1020);
}

static void test_wav_memory(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_src src = {.format = CTL_MEDIA_AUTO};
	src.data = mt_slurp(mt_path("tone.wav"), &src.len);
	assert_int_equal(ctl_media_submit_decode(fx->m, &src, mf_done, fx, NULL), 0);
	mt_decode_path(fx, "tone.wav", CTL_MEDIA_SNDFILE);
	mf_run(fx, 2, 10);
	assert_int_equal(fx->r[0].status, 0);
	assert_int_equal(fx->r[1].status, 0);
	/* the buffer (virtual I/O) and the file decode to the same samples */
	assert_int_equal(fx->r[0].n, fx->r[1].n);
	assert_memory_equal(fx->r[0].samples, fx->r[1].samples, fx->r[0].n * sizeof(int16_t));
}

static void test_downmix(void **state)
{
	struct mf_fx *fx = *state;
	mt_decode_path(fx, "opposite.wav", CTL_MEDIA_AUTO);
	mf_run(fx, 1, 10);
	mt_decode_path(fx, "left.wav", CTL_MEDIA_AUTO);
	mf_run(fx, 2, 10);
	struct mf_res *opp = &fx->r[0], *left = &fx->r[1];
	assert_int_equal(opp->status, 0);
	assert_int_equal(left->status, 0);
	assert_int_equal(opp->src_channels, 2);
	assert_true(opp->n >= 3999 && opp->n <= 4001);
	assert_true(mt_peak(opp->samples, opp->n) < 50); /* (L + R) / 2 cancels */
	int p = mt_peak(left->samples, left->n);         /* 0.8 / 2 of full scale */
	assert_true(p > 0.37 * 32768 && p < 0.43 * 32768);
	double f = mt_freq(left->samples, left->n);
	assert_true(f > 980 && f < 1020);
}

static void test_raw_16k(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_src src = {.format = CTL_MEDIA_RAW_S16LE, .raw_rate = 16000};
	src.path = mt_path("t16k.raw");
	assert_int_equal(ctl_media_submit_decode(fx->m, &src, mf_done, fx, NULL), 0);
	struct ctl_media_src mem = {.format = CTL_MEDIA_RAW_S16LE, .raw_rate = 16000};
	mem.data = mt_slurp(mt_path("t16k.raw"), &mem.len);
	assert_int_equal(ctl_media_submit_decode(fx->m, &mem, mf_done, fx, NULL), 0);
	mf_run(fx, 2, 10);
	for (int i = 0; i < 2; i++) {
		struct mf_res *r = &fx->r[i];
		assert_int_equal(r->status, 0);
		assert_int_equal(r->format, CTL_MEDIA_RAW_S16LE);
		assert_true(r->n >= 3999 && r->n <= 4001);
		double f = mt_freq(r->samples, r->n);
		assert_true(f > 980 && f < 1020);
	}
	/* raw needs a sane rate */
	struct ctl_media_src bad = {.format = CTL_MEDIA_RAW_S16LE, .path = "x", .raw_rate = 10};
	assert_int_equal(ctl_media_submit_decode(fx->m, &bad, mf_done, fx, NULL), -EINVAL);
	struct ctl_media_src none = {.format = CTL_MEDIA_AUTO};
	assert_int_equal(ctl_media_submit_decode(fx->m, &none, mf_done, fx, NULL), -EINVAL);
}

static void test_mp3(void **state)
{
	struct mf_fx *fx = *state;
	if (access(mt_path("tone.mp3"), R_OK) != 0) {
		print_message("no MP3 encoder in libsndfile here: MP3 not tested\n");
		skip();
	}
	mt_decode_path(fx, "tone.mp3", CTL_MEDIA_AUTO);
	struct ctl_media_src mem = {.format = CTL_MEDIA_MP3};
	mem.data = mt_slurp(mt_path("tone.mp3"), &mem.len);
	assert_int_equal(ctl_media_submit_decode(fx->m, &mem, mf_done, fx, NULL), 0);
	mf_run(fx, 2, 10);
	for (int i = 0; i < 2; i++) {
		struct mf_res *r = &fx->r[i];
		assert_int_equal(r->status, 0);
		assert_int_equal(r->format, CTL_MEDIA_MP3);
		assert_int_equal(r->src_rate, 44100);
		if (i == 0)
			print_message("MP3: %zu samples for 1.000 s\n", r->n);
		/* gapless decoding (LAME tag) gives the exact length; allow one MPEG frame */
		assert_true(r->n >= 8000 - 210 && r->n <= 8000 + 210);
		double f = mt_freq(r->samples, r->n);
		assert_true(f > 990 && f < 1010);
		int p = mt_peak(r->samples, r->n);
		assert_true(p > 0.45 * 32768 && p < 0.55 * 32768);
	}
	assert_int_equal(fx->r[0].n, fx->r[1].n);
}

static void test_corrupt(void **state)
{
	struct mf_fx *fx = *state;
	mt_decode_path(fx, "corrupt.wav", CTL_MEDIA_AUTO);
	mt_decode_path(fx, "no-such-file.wav", CTL_MEDIA_AUTO);
	struct ctl_media_src junk = {.format = CTL_MEDIA_MP3};
	junk.len = 3000;
	junk.data = malloc(junk.len);
	memset(junk.data, 0x5a, junk.len);
	assert_int_equal(ctl_media_submit_decode(fx->m, &junk, mf_done, fx, NULL), 0);
	mf_run(fx, 3, 10);
	int bad = 0, noent = 0;
	for (int i = 0; i < 3; i++) {
		assert_null(fx->r[i].samples);
		assert_true(fx->r[i].error[0] != '\0');
		bad += fx->r[i].status == -EBADMSG;
		noent += fx->r[i].status == -ENOENT;
	}
	assert_int_equal(bad, 2);
	assert_int_equal(noent, 1);
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.failed, 3);
	assert_int_equal(st.in_flight, 0);
}

static void test_limits(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_cfg c;
	ctl_media_cfg_default(&c);
	c.tts = false;
	c.max_duration_ms = 2000;
	c.max_input_bytes = 100000; /* big.wav is 2.9 MB */
	mf_reopen(fx, &c);
	uint64_t id_long = mt_decode_path(fx, "long.wav", CTL_MEDIA_AUTO); /* 3 s, 48 kB */
	uint64_t id_big = mt_decode_path(fx, "big.wav", CTL_MEDIA_AUTO);
	/* raw has no header: the limit bites while decoding */
	struct ctl_media_src raw = {.format = CTL_MEDIA_RAW_S16LE, .raw_rate = 8000};
	raw.len = 8000 * 2 * 3;
	raw.data = calloc(1, raw.len);
	assert_int_equal(ctl_media_submit_decode(fx->m, &raw, mf_done, fx, NULL), 0);
	mt_decode_path(fx, "tone.wav", CTL_MEDIA_AUTO); /* 1 s, 176 kB: within time, over size */
	mf_run(fx, 4, 10);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fx->r[i].status, -EFBIG);
		assert_null(fx->r[i].samples);
	}
	print_message("%s\n%s\n", mt_find(fx, id_long)->error, mt_find(fx, id_big)->error);
	assert_non_null(strstr(mt_find(fx, id_long)->error, "2000 ms"));
	assert_non_null(strstr(mt_find(fx, id_big)->error, "byte limit"));
}

/* queue_max jobs in flight, the rest refused at once with -ENOBUFS and counted */
static void test_queue_bound(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_cfg c;
	ctl_media_cfg_default(&c);
	c.tts = false;
	c.queue_max = 4;
	c.decode_threads = 1;
	mf_reopen(fx, &c);
	for (int i = 0; i < 10; i++)
		mt_decode_path(fx, "big.wav", CTL_MEDIA_AUTO);
	/* the refusals arrive on the next loop turn, before any 30 s decode can finish */
	ctl_loop_once(fx->l, 1000);
	assert_int_equal(fx->done, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(fx->r[i].status, -ENOBUFS);
		assert_true(fx->r[i].id >= 5); /* the first four were admitted */
	}
	mf_run(fx, 10, 10);
	for (int i = 6; i < 10; i++)
		assert_int_equal(fx->r[i].status, 0);
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.overflow, 6);
	assert_int_equal(st.submitted, 10);
	assert_int_equal(st.completed, 4);
	assert_int_equal(st.failed, 6);
	assert_int_equal(st.decodes, 4);
	/* and the bound frees up again */
	mt_decode_path(fx, "tone.wav", CTL_MEDIA_AUTO);
	mf_run(fx, 11, 10);
	assert_int_equal(fx->r[10].status, 0);
}

static int64_t mt_tick(struct ctl_loop *l, uint64_t id, void *arg)
{
	(*(int *)arg)++;
	return 1;
}

static uint64_t mt_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int mt_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * 20 submits each return in well under a millisecond, and the loop keeps turning (a 1 ms
 * timer keeps firing) while the pool decodes. Each call's CPU time is what is bounded per
 * call: on a loaded 2-CPU machine the wall clock of a single call can include a preemption
 * (once 1.3 ms with four test processes in parallel under ASan); the median wall time must
 * still be tiny.
 */
static void test_loop_not_blocked(void **state)
{
	struct mf_fx *fx = *state;
	int ticks = 0;
	uint64_t tid = ctl_loop_add_timer(fx->l, 1, mt_tick, &ticks);
	uint64_t wall[20], cpu_worst = 0;
	for (int i = 0; i < 20; i++) {
		struct ctl_media_src src = {.format = CTL_MEDIA_AUTO,
		                            .path = mt_path(i % 2 ? "big.wav" : "tone.wav")};
		uint64_t t0 = mf_now_ns(), c0 = mt_cpu_ns();
		assert_int_equal(ctl_media_submit_decode(fx->m, &src, mf_done, fx, NULL), 0);
		uint64_t c = mt_cpu_ns() - c0;
		wall[i] = mf_now_ns() - t0;
		if (c > cpu_worst)
			cpu_worst = c;
	}
	qsort(wall, 20, sizeof(wall[0]), mt_cmp_u64);
	print_message("20 submits: wall median %.1f us, worst %.1f us; cpu worst %.1f us\n",
	              wall[10] / 1e3, wall[19] / 1e3, cpu_worst / 1e3);
	assert_true(cpu_worst < 1000000); /* < 1 ms of work in every call */
	assert_true(wall[10] < 100000);   /* typical call < 0.1 ms of wall time */
	uint64_t t0 = mf_now_ns();
	mf_run(fx, 20, 10);
	uint64_t ms = (mf_now_ns() - t0) / 1000000;
	print_message("decodes took %llu ms, the loop ran %d 1-ms ticks meanwhile\n",
	              (unsigned long long)ms, ticks);
	for (int i = 0; i < 20; i++)
		assert_int_equal(fx->r[i].status, 0);
	/* the loop slept in epoll, not in the decoders: ticks kept coming */
	assert_true(ms < 20 || ticks >= (int)ms / 10);
	ctl_loop_del_timer(fx->l, tid);
}

static void test_cancel(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_cfg c;
	ctl_media_cfg_default(&c);
	c.tts = false;
	c.decode_threads = 1;
	mf_reopen(fx, &c);
	uint64_t ids[5];
	for (int i = 0; i < 5; i++) {
		struct ctl_media_src src = {.format = CTL_MEDIA_AUTO, .path = mt_path("tone.wav")};
		assert_int_equal(ctl_media_submit_decode(fx->m, &src, mf_done, fx, &ids[i]), 0);
	}
	assert_int_equal(ctl_media_cancel(fx->m, ids[3]), 0);
	assert_int_equal(ctl_media_cancel(fx->m, ids[3]), -ENOENT);
	mf_run(fx, 4, 10);
	for (int i = 0; i < 4; i++)
		assert_true(fx->r[i].id != ids[3]);
	assert_int_equal(ctl_media_cancel(fx->m, ids[0]), -ENOENT); /* already delivered */
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.cancelled, 1);
	assert_int_equal(st.in_flight, 0);
	/* give the cancelled job's completion time to be drained (it is freed, not reported) */
	for (int i = 0; i < 5; i++)
		ctl_loop_once(fx->l, 20);
	assert_int_equal(fx->done, 4);
}

/* destroy with jobs queued and running: no callback, nothing leaked (ASan) */
static void test_destroy_in_flight(void **state)
{
	struct mf_fx *fx = *state;
	for (int i = 0; i < 8; i++)
		mt_decode_path(fx, "big.wav", CTL_MEDIA_AUTO);
	ctl_media_destroy(fx->m);
	fx->m = NULL;
	assert_int_equal(fx->done, 0);
	mf_open(fx, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_wav_tone, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_flac, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_wav_memory, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_downmix, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_raw_16k, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_mp3, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_limits, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_queue_bound, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_loop_not_blocked, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_cancel, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_in_flight, mf_setup, mf_teardown),
	};
	return cmocka_run_group_tests_name("control_media_decode", tests, mt_group_setup,
	                                   mt_group_teardown);
}
