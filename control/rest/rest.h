/* SPDX-License-Identifier: BSD-3-Clause */
/* rest.h — the Twilio-compatible REST API (/2010-04-01/Accounts/...) on control's HTTP listener,
 * over the LMDB store. Everything runs on the loop thread that owns the listener and the store. */
#ifndef REST_H
#define REST_H

#include <stddef.h>
#include <stdint.h>

/* for the call router: rest_account_can_call() and rest_member_key(), header-only */
#include "rest_router.h"

struct ctl;
struct http_server;
struct store;
struct rest;

struct rest_cfg {
	struct http_server *server; /* routes are added to it */
	struct store *store;        /* completions must be dispatched on the same loop */
	struct ctl *ctl;            /* for calls create/update (ctl_call.h); NULL: those are 501 */
	const char *data_dir;       /* recordings are data_dir/recordings/{RecordingSid}.wav */
	const char *base_url;       /* NULL or e.g. "http://127.0.0.1:8080" (unused in paths) */
};

struct rest_counters {
	uint64_t requests;      /* API requests handled */
	uint64_t auth_failed;   /* 401 answers */
	uint64_t client_errors; /* other 4xx answers */
	uint64_t server_errors; /* 5xx answers (store errors, 501 without a call router) */
	uint64_t writes;        /* writes submitted to the store */
	uint64_t store_refused; /* writes the store refused at submit (queue full: 429) */
	uint64_t scan_bounded;  /* filtered list pages cut at the scan bound */
	uint64_t media;         /* recording media answers */
};
const struct rest_counters *rest_get_counters(const struct rest *r);

/* Add the API's routes ("/2010-04-01/Accounts.json", ".../Accounts", ".../Accounts/ *").
 * Returns 0 or -errno. Destroy after the listener and after the store's last completion. */
int rest_create(struct rest **out, const struct rest_cfg *cfg);
void rest_destroy(struct rest *r);

/* Control: attach to c->http's listener and c->store (after http_ctl_open); close after
 * ctl_store_close. */
int rest_ctl_open(struct ctl *c);
void rest_ctl_close(struct ctl *c);

#endif /* REST_H */
