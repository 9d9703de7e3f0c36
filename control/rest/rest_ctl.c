/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_ctl.c — the REST API inside control: on c->http's listener, over c->store. */
#include <errno.h>

#include "ctl.h"
#include "ctl_log.h"
#include "http_ctl.h"
#include "rest.h"

#define TAG "rest"

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
	return rc;
}

void rest_ctl_close(struct ctl *c)
{
	rest_destroy(c->rest);
	c->rest = NULL;
}
