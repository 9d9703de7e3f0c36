/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_rest.c — the REST API on one loop, for tools/bench/rest/run.sh:
 *   bench-rest DIR N PORT STATIC_DIR [WRITERS]
 * opens a store in DIR (fsync per commit, as control), seeds N call records for a new account
 * (one record per batch, up to 4096 batches in flight: LMDB writes/s printed), prints
 * "ACCOUNT sid token" and "CALL sid", then serves the API and STATIC_DIR under /demo/ on
 * 127.0.0.1:PORT until SIGTERM. With WRITERS > 0 it keeps WRITERS call-record writes in flight
 * while serving and prints the writes/s achieved under the read load on exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_loop.h"
#include "http.h"
#include "rest.h"
#include "store.h"
#include "store_ent.h"

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct store *st;
static char ac[STORE_SID_LEN + 1];
static uint64_t done_n, inflight, want_inflight;
static const char *const statuses[] = {"completed", "busy", "no-answer", "in-progress"};

static json_t *call_rec(uint64_t i, uint64_t us)
{
	char sid[STORE_SID_LEN + 1], d[40], to[20];
	store_sid_new(sid, "CA");
	store_rfc2822(us, d);
	snprintf(to, sizeof(to), "+1500555%04u", (unsigned)(i % 10000));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:n, "
	                 "s:s, s:s}",
	                 "sid", sid, "account_sid", ac, "to", to, "from", "+15005550006", "status",
	                 statuses[i % 4], "direction", "outbound-api", "start_time", d,
	                 "date_created", d, "date_updated", d, "_ts", (json_int_t)us, "duration", "42",
	                 "end_time", d, "api_version", "2010-04-01", "price", "price_unit", "USD",
	                 "answered_by", "human");
}

static void on_done(void *arg, int status, const struct store_result *r)
{
	(void)arg, (void)r;
	inflight--;
	if (!status)
		done_n++;
}

static void submit_one(uint64_t i)
{
	struct store_batch *b = store_batch_new();
	json_t *c = call_rec(i, store_now_us() - 1000000000ull + i);
	store_res_put(b, STORE_K_CALL, c, 1);
	json_decref(c);
	if (store_submit(st, b, on_done, NULL) == 0)
		inflight++;
}

static void on_store(struct ctl_loop *l, int fd, void *arg, int mask)
{
	(void)l, (void)fd, (void)arg, (void)mask;
	store_dispatch(st);
}

static uint64_t wseq;
static int64_t writer_tick(struct ctl_loop *l, uint64_t id, void *arg)
{
	(void)l, (void)id, (void)arg;
	while (inflight < want_inflight)
		submit_one(wseq++);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: bench-rest DIR N PORT STATIC_DIR [WRITERS]\n");
		return 2;
	}
	uint64_t n = strtoull(argv[2], NULL, 10);
	want_inflight = argc > 5 ? strtoull(argv[5], NULL, 10) : 0;
	char err[128];
	struct store_cfg sc = {.dir = argv[1], .map_size = 4096ull << 20, .queue_max = 8192};
	if (store_open(&st, &sc, err, sizeof(err))) {
		fprintf(stderr, "store: %s\n", err);
		return 1;
	}
	json_t *a = store_account_new("bench", NULL);
	snprintf(ac, sizeof(ac), "%s", json_string_value(json_object_get(a, "sid")));
	struct store_batch *b = store_batch_new();
	store_res_put(b, STORE_K_ACCOUNT, a, 1);
	store_submit(st, b, NULL, NULL);
	store_drain(st);
	double t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		while (inflight >= 4096) {
			store_dispatch(st);
			struct timespec ts = {0, 100000};
			nanosleep(&ts, NULL);
		}
		submit_one(i);
	}
	store_drain(st);
	double t1 = now_s();
	struct store_stats ss;
	store_get_stats(st, &ss);
	printf("store: %llu call records written in %.2f s: %.0f writes/s (4096 in flight, %llu "
	       "commits)\n",
	       (unsigned long long)done_n, t1 - t0, done_n / (t1 - t0), (unsigned long long)ss.commits);
	/* one call to fetch: the newest */
	json_t *items;
	char next[STORE_CURSOR_LEN + 1];
	store_res_list(st, STORE_K_CALL, ac, NULL, 0, 1, STORE_LIST_NEWEST_FIRST, &items, next);
	printf("ACCOUNT %s %s\nCALL %s\n", ac, json_string_value(json_object_get(a, "auth_token")),
	       json_string_value(json_object_get(json_array_get(items, 0), "sid")));
	fflush(stdout);
	json_decref(items);
	json_decref(a);

	struct ctl_loop *l;
	struct http_server *srv;
	struct rest *api;
	ctl_loop_create(&l, 1024);
	ctl_loop_add_file(l, store_fd(st), CTL_LOOP_READ, on_store, NULL);
	struct http_server_cfg hc = {.addr = "127.0.0.1", .port = (uint16_t)atoi(argv[3]),
	                             .max_conns = 512, .max_body = 262144, .idle_timeout_s = 60,
	                             .max_pending = 4096, .static_dir = argv[4],
	                             .static_prefix = "/demo/"};
	if (http_server_create(&srv, l, &hc)) {
		fprintf(stderr, "listen failed\n");
		return 1;
	}
	struct rest_cfg rc = {.server = srv, .store = st, .data_dir = argv[1]};
	rest_create(&api, &rc);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	if (want_inflight)
		ctl_loop_add_timer(l, 1, writer_tick, NULL);
	uint64_t d0 = done_n;
	double s0 = now_s();
	while (!stop)
		ctl_loop_once(l, 50);
	if (want_inflight)
		printf("store under read load: %.0f call-record writes/s (%llu in flight)\n",
		       (done_n - d0) / (now_s() - s0), (unsigned long long)want_inflight);
	http_server_destroy(srv);
	store_close(st);
	rest_destroy(api);
	ctl_loop_destroy(l);
	return 0;
}
