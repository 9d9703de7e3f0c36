/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_store.c — control's use of the store: open on the loop, dev account, admin requests. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_log.h"
#include "ctl_store.h"
#include "store.h"
#include "store_ent.h"

#define TAG "store"
#define CTL_STORE_LIST_MAX 1000

static void ctl_store_on_fd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct ctl *c = arg;
	store_dispatch(c->store);
}

/* ---- the dev account ---- */

static int ctl_store_write_dev(const char *dir, const char *sid, const char *token)
{
	char path[512], tmp[520], body[160];
	snprintf(path, sizeof(path), "%s/" CTL_STORE_DEV_FILE, dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int len = snprintf(body, sizeof(body), "VOX_ACCOUNT_SID=%s\nVOX_AUTH_TOKEN=%s\n", sid, token);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int rc = fchmod(fd, 0600) == 0 && write(fd, body, (size_t)len) == len && fsync(fd) == 0
	             ? 0
	             : -errno;
	close(fd);
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

struct ctl_store_pending {
	struct ctl *c;
	uint64_t client;
	json_t *rec;
	int dev;
};

static void ctl_store_dev_done(void *arg, int status, const struct store_result *r)
{
	struct ctl_store_pending *p = arg;
	const char *sid = json_string_value(json_object_get(p->rec, "sid"));
	const char *tok = json_string_value(json_object_get(p->rec, "auth_token"));
	if (status) {
		CTL_ERR(TAG, "dev account not stored: %s", strerror(-status));
	} else {
		int rc = ctl_store_write_dev(p->c->cfg.data_dir, sid, tok);
		if (rc)
			CTL_ERR(TAG, "writing %s/" CTL_STORE_DEV_FILE ": %s", p->c->cfg.data_dir,
			        strerror(-rc));
		else
			CTL_INFO(TAG, "dev account %s created; SID and token in %s/" CTL_STORE_DEV_FILE,
			         sid, p->c->cfg.data_dir);
	}
	json_decref(p->rec);
	free(p);
}

static int ctl_store_dev_account(struct ctl *c)
{
	int64_t n = store_count(c->store, STORE_DB_ACCOUNTS);
	if (n != 0)
		return n < 0 ? (int)n : 0;
	struct ctl_store_pending *p = calloc(1, sizeof(*p));
	struct store_batch *b = store_batch_new();
	if (p)
		p->rec = store_account_new("voxplane dev account", NULL);
	if (!p || !b || !p->rec) {
		if (p)
			json_decref(p->rec);
		free(p);
		store_batch_free(b);
		return -ENOMEM;
	}
	p->c = c;
	int rc = store_res_put(b, STORE_K_ACCOUNT, p->rec, 1);
	if (rc) {
		store_batch_free(b);
	} else {
		rc = store_submit(c->store, b, ctl_store_dev_done, p);
		if (!rc)
			return 0;
	}
	json_decref(p->rec);
	free(p);
	return rc;
}

int ctl_store_open(struct ctl *c)
{
	char err[256];
	struct store_cfg sc = {.dir = c->cfg.data_dir,
	                       .map_size = (uint64_t)c->cfg.store_map_mb << 20,
	                       .queue_max = c->cfg.store_queue};
	int rc = store_open(&c->store, &sc, err, sizeof(err));
	if (rc) {
		CTL_ERR(TAG, "%s", err);
		return rc;
	}
	rc = ctl_loop_add_file(c->loop, store_fd(c->store), CTL_LOOP_READ, ctl_store_on_fd, c);
	if (!rc)
		rc = ctl_store_dev_account(c);
	if (rc) {
		CTL_ERR(TAG, "start-up: %s", strerror(-rc));
		ctl_store_close(c);
		return rc;
	}
	CTL_INFO(TAG, "store open in %s (%lld accounts before start-up)", c->cfg.data_dir,
	         (long long)store_count(c->store, STORE_DB_ACCOUNTS));
	return 0;
}

void ctl_store_close(struct ctl *c)
{
	if (!c->store)
		return;
	ctl_loop_del_file(c->loop, store_fd(c->store), CTL_LOOP_READ | CTL_LOOP_WRITE);
	store_close(c->store);
	c->store = NULL;
}

json_t *ctl_store_stats_json(struct ctl *c)
{
	return c->store ? store_stats_json(c->store) : json_null();
}

/* ---- admin requests ---- */

static json_t *ctl_store_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *ctl_store_err(const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", msg);
}

static int ctl_store_hex(char h)
{
	return h >= '0' && h <= '9' ? h - '0'
	       : h >= 'a' && h <= 'f' ? h - 'a' + 10
	       : h >= 'A' && h <= 'F' ? h - 'A' + 10
	                              : -1;
}

/* Percent-decode in place. Returns 0, or -EINVAL (bad escape, or a NUL or control char). */
static int ctl_store_unpct(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '%') {
			int hi = ctl_store_hex(r[1]), lo = hi < 0 ? -1 : ctl_store_hex(r[2]);
			if (lo < 0)
				return -EINVAL;
			*w = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w = *r;
		}
		if ((unsigned char)*w < 0x20 || *w == 0x7f)
			return -EINVAL;
		w++;
	}
	*w = 0;
	return 0;
}

/* Options "--name value" into vals[] by names[]; unknown names or missing values are errors. */
static json_t *ctl_store_opts(int argc, char **argv, const char *const *names, int n,
                              const char **vals)
{
	for (int i = 0; i < n; i++)
		vals[i] = NULL;
	for (int i = 0; i < argc; i += 2) {
		int k = 0;
		while (k < n && strcmp(argv[i], names[k]) != 0)
			k++;
		if (k == n)
			return ctl_store_err("unknown option '%s'", argv[i]);
		if (i + 1 >= argc)
			return ctl_store_err("%s needs a value", argv[i]);
		if (ctl_store_unpct(argv[i + 1]))
			return ctl_store_err("%s: bad value (control characters or a bad %% escape)",
			                     argv[i]);
		json_t *utf8 = json_string(argv[i + 1]); /* NULL unless valid UTF-8 */
		if (!utf8)
			return ctl_store_err("%s: not valid UTF-8", argv[i]);
		json_decref(utf8);
		vals[k] = argv[i + 1];
	}
	return NULL;
}

static json_t *ctl_store_no_store(void)
{
	return ctl_store_err("the store is not open");
}

static json_t *ctl_store_submit_err(int rc)
{
	if (rc == -ENOBUFS)
		return ctl_store_err("the store's write queue is full; try again");
	return ctl_store_err("store: %s", strerror(-rc));
}

/* A create request: the reply (the record's view) goes out once the batch is committed. */
static void ctl_store_created(void *arg, int status, const struct store_result *r)
{
	struct ctl_store_pending *p = arg;
	json_t *ans;
	if (status == -EEXIST && json_object_get(p->rec, "phone_number"))
		ans = ctl_store_err("phone number %s is already in use",
		                    json_string_value(json_object_get(p->rec, "phone_number")));
	else if (status)
		ans = ctl_store_err("not stored: %s", strerror(-status));
	else if (json_object_get(p->rec, "phone_number"))
		ans = store_number_view(p->rec);
	else
		ans = store_account_view(p->rec);
	ctl_reply(p->c, p->client, ans);
	json_decref(p->rec);
	free(p);
}

static json_t *ctl_store_create(struct ctl *c, uint64_t client, enum store_kind k, json_t *rec)
{
	struct ctl_store_pending *p = calloc(1, sizeof(*p));
	struct store_batch *b = store_batch_new();
	if (!p || !b) {
		free(p);
		store_batch_free(b);
		json_decref(rec);
		return ctl_store_err("out of memory");
	}
	*p = (struct ctl_store_pending){.c = c, .client = client, .rec = rec};
	int rc = store_res_put(b, k, rec, 1);
	if (rc) {
		store_batch_free(b);
	} else {
		rc = store_submit(c->store, b, ctl_store_created, p);
		if (!rc)
			return NULL; /* answered on commit */
	}
	json_decref(rec);
	free(p);
	return ctl_store_submit_err(rc);
}

json_t *ctl_store_adm_account_create(struct ctl *c, uint64_t client, int argc, char **argv)
{
	static const char *const names[] = {"--friendly-name", "--owner"};
	const char *v[2];
	if (!c->store)
		return ctl_store_no_store();
	json_t *e = ctl_store_opts(argc, argv, names, 2, v);
	if (e)
		return e;
	if (v[0] && strlen(v[0]) > 64)
		return ctl_store_err("friendly name longer than 64 characters");
	if (v[1]) {
		json_t *owner;
		int rc = store_res_get(c->store, STORE_K_ACCOUNT, v[1], &owner);
		if (rc)
			return ctl_store_err("no account %s", v[1]);
		json_decref(owner);
	}
	json_t *rec = store_account_new(v[0], v[1]);
	if (!rec)
		return ctl_store_err("out of memory or no random numbers");
	return ctl_store_create(c, client, STORE_K_ACCOUNT, rec);
}

struct ctl_store_all {
	json_t *arr;
	json_t *(*view)(const json_t *);
};

static int ctl_store_all_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct ctl_store_all *x = arg;
	json_t *rec = json_loadb(val, vlen, 0, NULL);
	if (rec) {
		json_array_append_new(x->arr, x->view(rec));
		json_decref(rec);
	}
	return 0;
}

json_t *ctl_store_adm_account_list(struct ctl *c, uint64_t client, int argc, char **argv)
{
	if (!c->store)
		return ctl_store_no_store();
	struct ctl_store_all x = {.arr = json_array(), .view = store_account_view};
	int rc = store_walk(c->store, STORE_DB_ACCOUNTS, NULL, 0, NULL, 0, CTL_STORE_LIST_MAX, 0,
	                    ctl_store_all_one, &x);
	if (rc < 0) {
		json_decref(x.arr);
		return ctl_store_err("store: %s", strerror(-rc));
	}
	return json_pack("{s:o}", "accounts", x.arr);
}

json_t *ctl_store_adm_number_add(struct ctl *c, uint64_t client, int argc, char **argv)
{
	static const char *const names[] = {
	    "--account",         "--number",          "--voice-url",
	    "--voice-method",    "--fallback-url",    "--fallback-method",
	    "--status-callback", "--status-callback-method", "--friendly-name",
	    "--application"};
	const char *v[10];
	if (!c->store)
		return ctl_store_no_store();
	json_t *e = ctl_store_opts(argc, argv, names, 10, v);
	if (e)
		return e;
	if (!v[0] || !v[1])
		return ctl_store_err("--account and --number are required");
	json_t *acct;
	if (store_res_get(c->store, STORE_K_ACCOUNT, v[0], &acct) != 0)
		return ctl_store_err("no account %s", v[0]);
	json_decref(acct);
	struct store_number_in in = {.account_sid = v[0],
	                             .phone_number = v[1],
	                             .voice_url = v[2],
	                             .voice_method = v[3],
	                             .voice_fallback_url = v[4],
	                             .voice_fallback_method = v[5],
	                             .status_callback = v[6],
	                             .status_callback_method = v[7],
	                             .friendly_name = v[8],
	                             .voice_application_sid = v[9]};
	char err[200];
	json_t *rec;
	if (store_number_new(&in, &rec, err, sizeof(err)) != 0)
		return ctl_store_err("%s", err);
	json_t *old;
	if (store_number_lookup(c->store, json_string_value(json_object_get(rec, "phone_number")),
	                        &old) == 0) {
		json_decref(old);
		e = ctl_store_err("phone number %s is already in use",
		                  json_string_value(json_object_get(rec, "phone_number")));
		json_decref(rec);
		return e;
	}
	return ctl_store_create(c, client, STORE_K_NUMBER, rec);
}

json_t *ctl_store_adm_number_list(struct ctl *c, uint64_t client, int argc, char **argv)
{
	static const char *const names[] = {"--account"};
	const char *v[1];
	if (!c->store)
		return ctl_store_no_store();
	json_t *e = ctl_store_opts(argc, argv, names, 1, v);
	if (e)
		return e;
	json_t *arr;
	if (v[0]) {
		json_t *recs;
		char next[STORE_CURSOR_LEN + 1];
		int rc = store_res_list(c->store, STORE_K_NUMBER, v[0], NULL, 0, CTL_STORE_LIST_MAX,
		                        0, &recs, next);
		if (rc)
			return ctl_store_err(rc == -EINVAL ? "bad account SID" : "store: %s",
			                     strerror(-rc));
		arr = json_array();
		size_t i;
		json_t *r;
		json_array_foreach(recs, i, r) json_array_append_new(arr, store_number_view(r));
		json_decref(recs);
	} else {
		struct ctl_store_all x = {.arr = json_array(), .view = store_number_view};
		int rc = store_walk(c->store, STORE_DB_NUMBERS, NULL, 0, NULL, 0, CTL_STORE_LIST_MAX, 0,
		                    ctl_store_all_one, &x);
		if (rc < 0) {
			json_decref(x.arr);
			return ctl_store_err("store: %s", strerror(-rc));
		}
		arr = x.arr;
	}
	return json_pack("{s:o}", "incoming_phone_numbers", arr);
}

json_t *ctl_store_adm_stats(struct ctl *c, uint64_t client, int argc, char **argv)
{
	if (!c->store)
		return ctl_store_no_store();
	json_t *o = store_stats_json(c->store);
	json_object_set_new(o, "data_dir", json_string(c->cfg.data_dir));
	json_object_set_new(o, "accounts", json_integer(store_count(c->store, STORE_DB_ACCOUNTS)));
	json_object_set_new(o, "numbers", json_integer(store_count(c->store, STORE_DB_NUMBERS)));
	json_object_set_new(o, "calls", json_integer(store_count(c->store, STORE_DB_CALLS)));
	return o;
}
