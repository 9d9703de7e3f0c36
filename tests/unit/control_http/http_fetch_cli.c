/* SPDX-License-Identifier: BSD-3-Clause */
/* http_fetch_cli.c — one webhook through control's fetcher, for the webapp tests:
 *   http-fetch [--method GET|POST] [--token T] [--fallback URL] [--param K=V]... [--repeat N]
 *              [--insecure] URL
 * prints one JSON line per result, and with --repeat N a summary (sequential, kept alive). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_loop.h"
#include "http.h"

struct cli {
	int done, which, first_error;
	long conns, ok;
};

static void on_result(const struct http_result *r, int which, int first_error, void *arg)
{
	struct cli *c = arg;
	c->done++;
	c->conns += r->new_conns;
	c->ok += r->error == 0;
	json_t *j = json_pack("{s:i, s:i, s:i, s:i, s:s, s:s, s:i, s:I, s:i, s:I, s:f, s:s, s:s%}",
	                      "which", which, "first_error", first_error, "error", r->error,
	                      "status", (int)r->status, "url", r->url, "content_type",
	                      r->content_type, "kind", (int)r->kind, "body_len",
	                      (json_int_t)r->body_len, "attempts", (int)r->attempts, "new_conns",
	                      (json_int_t)r->new_conns, "ms", r->total_ms, "detail",
	                      r->detail ? r->detail : "", "body", r->body,
	                      r->body_len < 200 ? r->body_len : (size_t)200);
	char *s = json_dumps(j, JSON_COMPACT);
	puts(s);
	fflush(stdout);
	free(s);
	json_decref(j);
}

int main(int argc, char **argv)
{
	struct http_kv kv[64];
	size_t n = 0;
	const char *method = "POST", *token = NULL, *fallback = NULL, *url = NULL;
	int repeat = 1, insecure = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--method") && i + 1 < argc)
			method = argv[++i];
		else if (!strcmp(a, "--token") && i + 1 < argc)
			token = argv[++i];
		else if (!strcmp(a, "--fallback") && i + 1 < argc)
			fallback = argv[++i];
		else if (!strcmp(a, "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(a, "--insecure"))
			insecure = 1;
		else if (!strcmp(a, "--param") && i + 1 < argc && n < 64) {
			char *kvs = argv[++i], *eq = strchr(kvs, '=');
			if (!eq)
				return fprintf(stderr, "--param K=V\n"), 2;
			*eq = 0;
			kv[n].k = kvs;
			kv[n++].v = eq + 1;
		} else if (a[0] != '-' && !url)
			url = a;
		else
			return fprintf(stderr, "http-fetch: bad argument %s\n", a), 2;
	}
	if (!url || repeat < 1)
		return fprintf(stderr, "usage: http-fetch [options] URL\n"), 2;
	struct ctl_loop *l;
	struct http_fetch *f;
	struct http_fetch_cfg fc = {.max_xfers = 64, .max_host_conns = 8, .max_conns = 16,
	                            .max_body = 65536, .insecure = insecure};
	if (ctl_loop_create(&l, 1024) || http_fetch_create(&f, l, &fc))
		return 1;
	struct cli c = {0};
	struct http_request rq = {.url = url, .method = method, .params = kv, .nparams = n,
	                          .auth_token = token};
	for (int i = 0; i < repeat; i++) {
		int rc = http_webhook_start(f, &rq, fallback, method, on_result, &c, NULL);
		if (rc) {
			fprintf(stderr, "http-fetch: %s\n", strerror(-rc));
			return 1;
		}
		while (c.done <= i)
			ctl_loop_once(l, 100);
	}
	if (repeat > 1)
		printf("{\"n\":%d,\"ok\":%ld,\"new_conns\":%ld}\n", repeat, c.ok, c.conns);
	http_fetch_destroy(f);
	ctl_loop_destroy(l);
	return 0;
}
