/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_store.c — LMDB writes/s for call records through the store: one submit at a time (every
 * write pays its own fsync), then with many in flight (group commit). Prints figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_loop.h"
#include "store.h"
#include "store_ent.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bench {
	struct store *s;
	struct ctl_loop *l;
	int done, in_flight, errors;
	uint64_t *lat; /* completion latency per write, ns */
	uint64_t *t0;
};
static struct bench B;

static void on_fd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	store_dispatch(arg);
}

static void on_done(void *arg, int status, const struct store_result *r)
{
	int i = (int)(intptr_t)arg;
	B.lat[i] = now_ns() - B.t0[i];
	B.done++;
	B.in_flight--;
	if (status)
		B.errors++;
}

/* A call record shaped like Twilio's (about 700 bytes of JSON). */
static int submit_call(int i, const char *ac)
{
	char sid[STORE_SID_LEN + 1], date[40];
	store_sid_new(sid, "CA");
	uint64_t us = store_now_us();
	store_rfc2822(us, date);
	json_t *rec = json_pack(
	    "{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:n, s:s, s:s, s:n,"
	    " s:s, s:s, s:s, s:s, s:n, s:n}",
	    "sid", sid, "account_sid", ac, "_ts", (json_int_t)us, "api_version", "2010-04-01",
	    "status", "completed", "direction", "inbound", "from", "+14155550100", "to",
	    "+15005550006", "from_formatted", "(415) 555-0100", "to_formatted", "(500) 555-0006",
	    "start_time", date, "end_time", date, "parent_call_sid", "price", "duration", "42",
	    "price_unit", "USD", "answered_by", "date_created", date, "date_updated", date,
	    "caller_name", "voxplane bench", "forwarded_from", "+14155550199", "group_sid",
	    "queue_time");
	struct store_batch *b = store_batch_new();
	if (!rec || !b || store_res_put(b, STORE_K_CALL, rec, 1) != 0) {
		fprintf(stderr, "bench-store: building the record failed\n");
		exit(1);
	}
	json_decref(rec);
	B.t0[i] = now_ns();
	int rc = store_submit(B.s, b, on_done, (void *)(intptr_t)i);
	if (rc == 0)
		B.in_flight++;
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void run(const char *name, int n, int window, const char *ac)
{
	struct store_stats s0, s1;
	store_get_stats(B.s, &s0);
	B.done = B.errors = 0;
	int next = 0;
	uint64_t t = now_ns();
	while (B.done < n) {
		while (B.in_flight < window && next < n)
			if (submit_call(next, ac) == 0)
				next++;
			else
				break; /* queue full: let completions drain */
		ctl_loop_once(B.l, 100);
	}
	double sec = (double)(now_ns() - t) / 1e9;
	store_get_stats(B.s, &s1);
	qsort(B.lat, (size_t)n, sizeof(B.lat[0]), cmp_u64);
	uint64_t commits = s1.commits - s0.commits;
	printf("%-26s %7d writes  %9.0f writes/s  %7llu commits  %6.1f per commit  "
	       "latency p50 %7.1f us  p99 %8.1f us%s\n",
	       name, n, n / sec, (unsigned long long)commits, commits ? (double)n / commits : 0.0,
	       B.lat[n / 2] / 1e3, B.lat[(size_t)n * 99 / 100] / 1e3, B.errors ? "  (ERRORS)" : "");
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : "/var/tmp";
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/vox-bench-store.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("bench-store: mkdtemp");
		return 1;
	}
	char err[256];
	struct store_cfg cfg = {.dir = dir, .map_size = 4ull << 30, .queue_max = 8192};
	if (store_open(&B.s, &cfg, err, sizeof(err)) || ctl_loop_create(&B.l, 64) ||
	    ctl_loop_add_file(B.l, store_fd(B.s), CTL_LOOP_READ, on_fd, B.s)) {
		fprintf(stderr, "bench-store: %s\n", err);
		return 1;
	}
	enum { N = 20000 };
	B.lat = calloc(N, sizeof(uint64_t));
	B.t0 = calloc(N, sizeof(uint64_t));
	char ac[STORE_SID_LEN + 1];
	store_sid_new(ac, "AC");
	printf("store benchmark: call records (~700 B JSON + index entry) in %s, fsync per commit\n",
	       dir);
	run("single submits (1 in flight)", 2000, 1, ac);
	run("load, 16 in flight", N, 16, ac);
	run("load, 256 in flight", N, 256, ac);
	run("load, 4096 in flight", N, 4096, ac);
	/* reads on the loop thread: fetch by SID and a list page of 50, as the REST API will */
	json_t *page;
	char next[STORE_CURSOR_LEN + 1];
	if (store_res_list(B.s, STORE_K_CALL, ac, NULL, 0, 1000, STORE_LIST_NEWEST_FIRST, &page,
	                   next) || json_array_size(page) != 1000) {
		fprintf(stderr, "bench-store: list failed\n");
		return 1;
	}
	enum { R = 200000 };
	uint64_t t = now_ns();
	for (int i = 0; i < R; i++) {
		const char *sid =
		    json_string_value(json_object_get(json_array_get(page, (size_t)i % 1000), "sid"));
		json_t *rec;
		if (store_res_get(B.s, STORE_K_CALL, sid, &rec) != 0) {
			fprintf(stderr, "bench-store: get failed\n");
			return 1;
		}
		json_decref(rec);
	}
	double sec = (double)(now_ns() - t) / 1e9;
	printf("%-26s %7d reads   %9.0f reads/s   (%.2f us each, JSON parse included)\n",
	       "fetch a call by SID", R, R / sec, sec * 1e6 / R);
	json_decref(page);
	enum { P = 5000 };
	t = now_ns();
	for (int i = 0; i < P; i++) {
		if (store_res_list(B.s, STORE_K_CALL, ac, NULL, (uint32_t)(i % 100) * 50, 50,
		                   STORE_LIST_NEWEST_FIRST, &page, next) || json_array_size(page) != 50) {
			fprintf(stderr, "bench-store: page failed\n");
			return 1;
		}
		json_decref(page);
	}
	sec = (double)(now_ns() - t) / 1e9;
	printf("%-26s %7d pages   %9.0f pages/s   (%.1f us each, of %lld calls)\n",
	       "list page of 50 (skip)", P, P / sec, sec * 1e6 / P,
	       (long long)store_count(B.s, STORE_DB_CALLS));
	struct store_stats st;
	store_get_stats(B.s, &st);
	printf("largest group %llu batches; %lld calls stored, %.1f ms in write txns in all\n",
	       (unsigned long long)st.max_group, (long long)store_count(B.s, STORE_DB_CALLS),
	       st.commit_ns / 1e6);
	ctl_loop_del_file(B.l, store_fd(B.s), CTL_LOOP_READ);
	store_close(B.s);
	ctl_loop_destroy(B.l);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
