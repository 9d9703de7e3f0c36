/* SPDX-License-Identifier: BSD-3-Clause */
/* dns_resolve_cli.c — RFC 3263 lookups through control's resolver, for dns_test.sh:
 *   dns-resolve [--server IP:PORT] [--timeout MS] [--transport T] [--port N] HOST...
 * resolves every host at once on one loop; prints one JSON line per host, in argument order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_loop.h"
#include "dns.h"

struct one {
	const char *host;
	int done;
	double ms;
	struct dns_result r;
};

static void on_done(const struct dns_result *r, void *arg)
{
	struct one *o = arg;
	o->done = 1;
	o->r = *r;
}

int main(int argc, char **argv)
{
	const char *server = NULL, *transport = NULL;
	int port = 0, timeout = 500;
	struct one hosts[32];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--server") && i + 1 < argc)
			server = argv[++i];
		else if (!strcmp(argv[i], "--transport") && i + 1 < argc)
			transport = argv[++i];
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else if (n < 32)
			hosts[n++] = (struct one){.host = argv[i]};
	}
	struct ctl_loop *l;
	struct dns *d;
	struct dns_cfg c = {.servers = server, .timeout_ms = (uint32_t)timeout, .tries = 2,
	                    .max_lookups = 64};
	if (ctl_loop_create(&l, 1024) || dns_create(&d, l, &c))
		return fprintf(stderr, "dns-resolve: cannot start\n"), 1;
	for (int i = 0; i < n; i++) {
		int rc = dns_sip_resolve(d, hosts[i].host, (uint16_t)port, transport, on_done,
		                         &hosts[i], NULL);
		if (rc)
			return fprintf(stderr, "dns-resolve: %s: %s\n", hosts[i].host, strerror(-rc)), 1;
		if (hosts[i].done)
			return fprintf(stderr, "dns-resolve: called back inside the call\n"), 1;
	}
	for (int left = n; left;) {
		ctl_loop_once(l, 100);
		left = 0;
		for (int i = 0; i < n; i++)
			left += !hosts[i].done;
	}
	for (int i = 0; i < n; i++) {
		json_t *t = json_array();
		for (size_t k = 0; k < hosts[i].r.n; k++)
			json_array_append_new(t, json_pack("[s,i,s]", hosts[i].r.t[k].addr,
			                                   (int)hosts[i].r.t[k].port,
			                                   hosts[i].r.t[k].transport));
		json_t *o = json_pack("{s:s, s:s, s:o}", "host", hosts[i].host, "error",
		                      hosts[i].r.error == 0             ? ""
		                      : hosts[i].r.error == -ENOENT     ? "ENOENT"
		                      : hosts[i].r.error == -ETIMEDOUT  ? "ETIMEDOUT"
		                                                        : "EIO",
		                      "targets", t);
		char *s = json_dumps(o, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(o);
	}
	printf("{\"queries\":%llu}\n", (unsigned long long)dns_counters(d)->queries);
	dns_destroy(d);
	ctl_loop_destroy(l);
	return 0;
}
