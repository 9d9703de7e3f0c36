/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_ctl.c — the REST API inside control: on c->http's listener, over c->store. */
#include <errno.h>

#include <jansson.h>

#include "ctl.h"
#include "ctl_log.h"
#include "http_ctl.h"
#include "rest.h"

#define TAG "rest"

static json_t *rest_ctl_json(struct ctl *c)
{
	if (!c->rest)
		return json_null();
	const struct rest_counters *n = rest_get_counters(c->rest);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "requests",
	                 (json_int_t)n->requests, "auth_failed", (json_int_t)n->auth_failed,
	                 "client_errors", (json_int_t)n->client_errors, "server_errors",
	                 (json_int_t)n->server_errors, "writes", (json_int_t)n->writes,
	                 "store_refused", (json_int_t)n->store_refused, "scan_bounded",
	                 (json_int_t)n->scan_bounded, "media", (json_int_t)n->media);
}

int rest_ctl_open(struct ctl *c)
{
	if (!c->http || !c->http->server || !c->store) {
		CTL_ERR(TAG, "the REST API needs the listener and the store");
		return -EINVAL;
	}
	struct rest_cfg cfg = {.server = c->http->server, .store = c->store, .ctl = c,
	                       .data_dir = c->cfg.data_dir};
	int rc = rest_create(&c->rest, &cfg);
	if (rc)
		CTL_ERR(TAG, "routes: %d", rc);
	else
		c->rest_json = rest_ctl_json;
	return rc;
}

void rest_ctl_close(struct ctl *c)
{
	c->rest_json = NULL;
	rest_destroy(c->rest);
	c->rest = NULL;
}
