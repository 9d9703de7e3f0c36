/* SPDX-License-Identifier: BSD-3-Clause */
/* http_ctl.h — control's HTTP service: the listener and the fetcher built from the config. */
#ifndef HTTP_CTL_H
#define HTTP_CTL_H

#include "dns.h"
#include "http.h"

struct ctl;

/* What control holds (c->http). */
struct http_ctl {
	struct http_server *server;
	struct http_fetch *fetch;
	struct dns *dns; /* SIP host resolution for <Dial><Sip> */
};

/* Start the listener on http_addr:http_port (static files from http_static_dir under /demo/),
 * the fetcher and the SIP host resolver. Returns 0 or -errno (the address is taken: -EADDRINUSE), logged. */
int http_ctl_open(struct ctl *c);
void http_ctl_close(struct ctl *c);

#endif /* HTTP_CTL_H */
