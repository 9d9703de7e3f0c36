/* SPDX-License-Identifier: BSD-3-Clause */
/* http_ctl.c — control's HTTP service: config to listener and fetcher, counters in status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_log.h"
#include "http_ctl.h"

#define TAG "http"

static json_t *http_ctl_json(struct ctl *c)
{
	struct http_ctl *h = c->http;
	if (!h)
		return json_null();
	const struct dns_counters *d = dns_counters(h->dns);
	return json_pack("{s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "server",
	                 http_server_counters_json(h->server), "fetch",
	                 http_fetch_counters_json(h->fetch), "dns", "lookups",
	                 (json_int_t)d->lookups, "ok", (json_int_t)d->ok, "failed",
	                 (json_int_t)d->failed, "busy", (json_int_t)d->busy, "queries",
	                 (json_int_t)d->queries);
}

int http_ctl_open(struct ctl *c)
{
	const struct ctl_config *cfg = &c->cfg;
	struct http_ctl *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	struct http_server_cfg sc = {
	    .addr = cfg->http_addr,
	    .port = (uint16_t)cfg->http_port,
	    .max_conns = cfg->http_max_conns,
	    .max_body = cfg->http_max_body,
	    .idle_timeout_s = cfg->http_idle_s,
	    .max_pending = cfg->http_max_pending,
	    .static_dir = cfg->http_static_dir,
	    .static_prefix = "/demo/",
	};
	int rc = http_server_create(&h->server, c->loop, &sc);
	if (rc) {
		CTL_ERR(TAG, "cannot listen on %s:%u: %s", cfg->http_addr, cfg->http_port,
		        strerror(-rc));
		free(h);
		return rc;
	}
	struct http_fetch_cfg fc = {
	    .max_xfers = cfg->fetch_max_xfers,
	    .max_host_conns = cfg->fetch_host_conns,
	    .max_conns = cfg->fetch_conn_cache,
	    .max_body = 65536,
	};
	rc = http_fetch_create(&h->fetch, c->loop, &fc);
	if (rc) {
		CTL_ERR(TAG, "fetcher: %s", strerror(-rc));
		http_server_destroy(h->server);
		free(h);
		return rc;
	}
	struct dns_cfg dc = {.servers = cfg->dns_servers, .timeout_ms = 2000, .tries = 2,
	                     .max_lookups = 1024};
	rc = dns_create(&h->dns, c->loop, &dc);
	if (rc) {
		CTL_ERR(TAG, "resolver (dns_servers '%s'): %s", cfg->dns_servers, strerror(-rc));
		http_fetch_destroy(h->fetch);
		http_server_destroy(h->server);
		free(h);
		return rc;
	}
	c->http = h;
	c->http_json = http_ctl_json;
	CTL_INFO(TAG, "listening on http://%s:%u/ (/demo/: %s)", cfg->http_addr,
	         http_server_port(h->server),
	         *cfg->http_static_dir ? cfg->http_static_dir : "not served");
	return 0;
}

void http_ctl_close(struct ctl *c)
{
	struct http_ctl *h = c->http;
	if (!h)
		return;
	dns_destroy(h->dns);
	http_fetch_destroy(h->fetch);
	http_server_destroy(h->server);
	free(h);
	c->http = NULL;
	c->http_json = NULL;
}
