/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_http.c — control's HTTP on one loop, for tools/bench/http/run.sh:
 *   bench-http serve PORT DIR        the listener: /demo/ from DIR and a trivial route /ping
 *   bench-http fetch URL N CONC      the fetcher: N GETs, CONC in flight, kept alive; prints
 *                                    requests/s and the connections opened */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_loop.h"
#include "http.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int h_ping(struct http_req *r, void *arg)
{
	const struct http_kv h[] = {{"Content-Type", "text/plain"}};
	http_respond(r, 200, h, 1, "pong\n", 5);
	return HTTP_DONE;
}

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	stop = 1;
}

static int serve(int port, const char *dir)
{
	struct ctl_loop *l;
	struct http_server *s;
	struct http_server_cfg c = {.addr = "127.0.0.1", .port = (uint16_t)port, .max_conns = 512,
	                            .max_body = 65536, .idle_timeout_s = 60, .max_pending = 16,
	                            .static_dir = dir, .static_prefix = "/demo/"};
	if (ctl_loop_create(&l, 4096) || http_server_create(&s, l, &c) ||
	    http_server_route(s, "GET", "/ping", h_ping, NULL))
		return fprintf(stderr, "bench-http: cannot serve on %d\n", port), 1;
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	while (!stop)
		ctl_loop_once(l, 100);
	http_server_destroy(s);
	ctl_loop_destroy(l);
	return 0;
}

struct load {
	struct http_fetch *f;
	struct http_request rq;
	long started, done, failed, n;
};

static void on_done(const struct http_result *r, void *arg)
{
	struct load *ld = arg;
	ld->done++;
	ld->failed += r->error != 0;
	if (ld->started < ld->n && http_fetch_start(ld->f, &ld->rq, on_done, ld, NULL) == 0)
		ld->started++;
}

static int fetch(const char *url, long n, int conc)
{
	struct ctl_loop *l;
	struct load ld = {.rq = {.url = url, .method = "GET"}, .n = n};
	struct http_fetch_cfg c = {.max_xfers = (uint32_t)conc + 1, .max_host_conns = (uint32_t)conc,
	                           .max_conns = (uint32_t)conc, .max_body = 65536};
	if (ctl_loop_create(&l, 4096) || http_fetch_create(&ld.f, l, &c))
		return 1;
	double t0 = now_s();
	for (int i = 0; i < conc && ld.started < n; i++)
		if (http_fetch_start(ld.f, &ld.rq, on_done, &ld, NULL) == 0)
			ld.started++;
	while (ld.done < ld.started)
		ctl_loop_once(l, 100);
	double dt = now_s() - t0;
	printf("fetcher: %ld GETs (%d in flight) in %.2f s: %.0f requests/s, %ld failed, %llu "
	       "connections opened\n",
	       ld.done, conc, dt, ld.done / dt, ld.failed,
	       (unsigned long long)http_fetch_counters(ld.f)->conns_opened);
	http_fetch_destroy(ld.f);
	ctl_loop_destroy(l);
	return ld.failed != 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]), argv[3]);
	if (argc == 5 && !strcmp(argv[1], "fetch"))
		return fetch(argv[2], atol(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: bench-http serve PORT DIR | fetch URL N CONC\n");
	return 2;
}
