/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_acct.c — Accounts (fetch, list, create subaccount, update FriendlyName/Status) and Keys
 * (create returns the secret once, only its SHA-256 is stored; list, fetch, update, delete). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rest_priv.h"

static json_t *rest_account_view_cb(const json_t *rec, void *arg)
{
	(void)arg;
	return store_account_view(rec);
}

static int rest_name_ok(struct rest_req *q, const char *name)
{
	if (name && strlen(name) > REST_NAME_MAX) {
		rest_error(q, 400, 20001, "FriendlyName must be at most %d characters", REST_NAME_MAX);
		return 0;
	}
	return 1;
}

struct rest_acct_filter {
	const char *name, *status;
};

static int rest_acct_keep(const json_t *rec, void *arg)
{
	struct rest_acct_filter *f = arg;
	if (f->name && strcmp(json_string_value(json_object_get(rec, "friendly_name")) ?: "", f->name))
		return 0;
	if (f->status && strcmp(json_string_value(json_object_get(rec, "status")) ?: "", f->status))
		return 0;
	return 1;
}

static int rest_accounts_list(struct rest_req *q)
{
	const char *owner = json_string_value(json_object_get(q->auth_rec, "owner_account_sid"));
	if (owner && strcmp(owner, q->auth_ac) != 0) {
		/* a subaccount sees itself only */
		long page, size;
		const char *tok;
		if (rest_page_params(q, &page, &size, &tok))
			return HTTP_DONE;
		json_t *items = json_array();
		if (page == 0 && !tok)
			json_array_append_new(items, store_account_view(q->auth_rec));
		return rest_json(q, 200, rest_page_envelope(q, REST_BASE "/Accounts.json", "accounts",
		                                             items, page, size, NULL, NULL));
	}
	static const char *const fp[] = {"FriendlyName", "Status", NULL};
	struct rest_acct_filter f = {rest_param(q, "FriendlyName"), rest_param(q, "Status")};
	struct rest_list l = {
	    .kind = STORE_K_ACCOUNT,
	    .account = q->auth_ac,
	    .path = REST_BASE "/Accounts.json",
	    .key = "accounts",
	    .filter = f.name || f.status ? rest_acct_keep : NULL,
	    .farg = &f,
	    .filter_params = fp,
	    .view = rest_account_view_cb,
	};
	return rest_list_page(q, &l);
}

static int rest_accounts_create(struct rest_req *q)
{
	const char *owner = json_string_value(json_object_get(q->auth_rec, "owner_account_sid"));
	if (owner && strcmp(owner, q->auth_ac) != 0)
		return rest_error(q, 403, 20403, "a subaccount cannot create subaccounts");
	const char *name = rest_param(q, "FriendlyName");
	if (!rest_name_ok(q, name))
		return HTTP_DONE;
	char dflt[80];
	if (!name || !*name) {
		char d[40];
		store_rfc2822(store_now_us(), d);
		snprintf(dflt, sizeof(dflt), "SubAccount Created at %s", d);
		name = dflt;
	}
	json_t *rec = store_account_new(name, q->auth_ac);
	struct store_batch *b = store_batch_new();
	if (!rec || !b || store_res_put(b, STORE_K_ACCOUNT, rec, 1) != 0) {
		json_decref(rec);
		store_batch_free(b);
		return rest_error(q, 500, 20500, "internal error");
	}
	json_t *view = store_account_view(rec);
	json_decref(rec);
	return rest_commit(q, b, 201, view);
}

static int rest_account_update(struct rest_req *q)
{
	const char *name = rest_param(q, "FriendlyName"), *status = rest_param(q, "Status");
	const char *media = rest_param(q, "VoxMediaAuth");
	if (!rest_name_ok(q, name))
		return HTTP_DONE;
	if (status && !store_account_status_valid(status))
		return rest_error(q, 400, 20001, "Status must be active, suspended or closed");
	/* only the owner changes a subaccount's status: an account never its own (a suspended
	 * subaccount cannot reactivate itself) */
	if (status && !strcmp(q->ac, q->auth_ac))
		return rest_error(q, 403, 20403, "an account's status is changed by its owner account");
	int ma = media ? rest_bool(media) : -2;
	if (ma == -1)
		return rest_error(q, 400, 20001, "VoxMediaAuth must be true or false");
	char err[128];
	json_t *rec = json_deep_copy(q->ac_rec);
	if (!rec)
		return rest_error(q, 500, 20500, "internal error");
	if (store_account_update(rec, name && *name ? name : NULL, status, err, sizeof(err))) {
		json_decref(rec);
		return rest_error(q, 400, 20001, "%s", err);
	}
	if (ma >= 0)
		json_object_set_new(rec, "_media_auth", json_boolean(ma));
	struct store_batch *b = store_batch_new();
	if (!b || store_res_put(b, STORE_K_ACCOUNT, rec, 0) != 0) {
		json_decref(rec);
		store_batch_free(b);
		return rest_error(q, 500, 20500, "internal error");
	}
	json_t *view = store_account_view(rec);
	json_decref(rec);
	return rest_commit(q, b, 200, view);
}

int rest_accounts(struct rest_req *q)
{
	int one = q->ac[0] != 0;
	if (!one && !strcmp(q->method, "GET"))
		return rest_accounts_list(q);
	if (!one && !strcmp(q->method, "POST"))
		return rest_accounts_create(q);
	if (one && !strcmp(q->method, "GET"))
		return rest_json(q, 200, store_account_view(q->ac_rec));
	if (one && !strcmp(q->method, "POST"))
		return rest_account_update(q);
	return rest_error(q, 405, 20004, "Method not allowed");
}

/* ---- Keys ---- */

static json_t *rest_key_view(const json_t *rec, void *arg)
{
	(void)arg;
	json_t *o = json_object();
	static const char *const f[] = {"sid", "friendly_name", "date_created", "date_updated"};
	for (size_t i = 0; i < 4; i++)
		json_object_set(o, f[i], json_object_get(rec, f[i]) ?: json_null());
	return o;
}

int rest_keys(struct rest_req *q)
{
	char path[128];
	snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/Keys.json", q->ac);
	if (q->nseg == 1 && !strcmp(q->method, "GET")) {
		struct rest_list l = {.kind = STORE_K_KEY, .account = q->ac, .path = path,
		                      .key = "keys", .view = rest_key_view};
		return rest_list_page(q, &l);
	}
	if (q->nseg == 1 && !strcmp(q->method, "POST")) {
		const char *name = rest_param(q, "FriendlyName");
		if (!rest_name_ok(q, name))
			return HTTP_DONE;
		char sid[STORE_SID_LEN + 1], secret[33], h[65];
		if (store_sid_new(sid, "SK") || store_token_new(secret))
			return rest_error(q, 500, 20500, "no random numbers");
		rest_key_hash(secret, h);
		json_t *rec = json_pack("{s:s, s:s, s:s, s:s}", "sid", sid, "account_sid", q->ac,
		                        "friendly_name", name ? name : "", "_secret_sha256", h);
		struct store_batch *b = store_batch_new();
		if (rec)
			rest_set_dates(rec, store_now_us(), 1);
		if (!rec || !b || store_res_put(b, STORE_K_KEY, rec, 1) != 0) {
			json_decref(rec);
			store_batch_free(b);
			return rest_error(q, 500, 20500, "internal error");
		}
		json_t *view = rest_key_view(rec, NULL);
		json_object_set_new(view, "secret", json_string(secret)); /* shown this once */
		json_decref(rec);
		return rest_commit(q, b, 201, view);
	}
	if (q->nseg != 2)
		return rest_error(q, 404, 20404, "The requested resource was not found");
	json_t *rec;
	if (rest_load(q, STORE_K_KEY, q->seg[1], &rec))
		return HTTP_DONE;
	int v;
	if (!strcmp(q->method, "GET")) {
		v = rest_json(q, 200, rest_key_view(rec, NULL));
	} else if (!strcmp(q->method, "POST")) {
		const char *name = rest_param(q, "FriendlyName");
		struct store_batch *b = NULL;
		if (!rest_name_ok(q, name)) {
			v = HTTP_DONE;
		} else {
			if (name)
				json_object_set_new(rec, "friendly_name", json_string(name));
			rest_set_dates(rec, store_now_us(), 0);
			b = store_batch_new();
			if (!b || store_res_put(b, STORE_K_KEY, rec, 0) != 0) {
				store_batch_free(b);
				v = rest_error(q, 500, 20500, "internal error");
			} else {
				v = rest_commit(q, b, 200, rest_key_view(rec, NULL));
			}
		}
	} else if (!strcmp(q->method, "DELETE")) {
		struct store_batch *b = store_batch_new();
		int rc = b ? store_res_del(q->api->store, b, STORE_K_KEY, q->seg[1]) : -ENOMEM;
		if (rc) {
			store_batch_free(b);
			v = rest_store_error(q, rc);
		} else {
			v = rest_commit(q, b, 204, json_object());
		}
	} else {
		v = rest_error(q, 405, 20004, "Method not allowed");
	}
	json_decref(rec);
	return v;
}
