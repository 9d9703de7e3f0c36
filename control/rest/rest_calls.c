/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_calls.c — Calls (fetch, list with To/From/Status/ParentCallSid/StartTime/EndTime
 * filters, delete of a finished call; create and update validated here and handed to the call
 * router), Recordings (list, fetch, delete, the media as WAV) and Notifications (list, fetch).
 * The call router writes call, recording and notification records as Twilio's JSON. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rest_priv.h"

/* list views in place (rest_list's records are the page's own) */
static json_t *rest_view_cb(const json_t *rec, void *arg)
{
	rest_view_fill((json_t *)rec, arg);
	return json_incref((json_t *)rec);
}

/* ---- filters ---- */

struct rest_time_f {
	const char *field; /* RFC 2822 field of the record */
	uint64_t lo, hi;
	int on;
};

struct rest_call_f {
	const char *to, *from, *status, *parent, *call_sid;
	struct rest_time_f t[2];
};

static uint64_t rest_rec_time(const json_t *rec, const char *field)
{
	uint64_t us = rest_rfc2822_us(json_string_value(json_object_get(rec, field)));
	if (!us && !strcmp(field, "start_time"))
		us = (uint64_t)json_integer_value(json_object_get(rec, "_ts"));
	if (!us && !strcmp(field, "date_created"))
		us = (uint64_t)json_integer_value(json_object_get(rec, "_ts"));
	return us;
}

static int rest_str_is(const json_t *rec, const char *field, const char *want)
{
	return !want || !strcmp(json_string_value(json_object_get(rec, field)) ?: "", want);
}

static int rest_call_keep(const json_t *rec, void *arg)
{
	struct rest_call_f *f = arg;
	if (!rest_str_is(rec, "to", f->to) || !rest_str_is(rec, "from", f->from) ||
	    !rest_str_is(rec, "status", f->status) || !rest_str_is(rec, "parent_call_sid", f->parent) ||
	    !rest_str_is(rec, "call_sid", f->call_sid))
		return 0;
	for (int i = 0; i < 2; i++) {
		if (!f->t[i].on)
			continue;
		uint64_t us = rest_rec_time(rec, f->t[i].field);
		if (!us || us < f->t[i].lo || us >= f->t[i].hi)
			return 0;
	}
	return 1;
}

/* Parse Name, Name<, Name> into one range (intersection). Answers on error. */
static int rest_time_filter(struct rest_req *q, const char *name, const char *field,
                            struct rest_time_f *t)
{
	static const char ops[] = {'=', '<', '>'};
	t->field = field;
	t->lo = 0;
	t->hi = UINT64_MAX;
	for (int i = 0; i < 3; i++) {
		char key[40];
		snprintf(key, sizeof(key), "%s%s", name, ops[i] == '=' ? "" : (char[]){ops[i], 0});
		const char *v = http_req_query(q->h, key);
		if (!v)
			continue;
		uint64_t lo, hi;
		if (rest_date_range(v, ops[i], &lo, &hi)) {
			rest_error(q, 400, 20001, "%s must be a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", key);
			return -1;
		}
		t->on = 1;
		if (lo > t->lo)
			t->lo = lo;
		if (hi < t->hi)
			t->hi = hi;
	}
	return 0;
}

static const char *const rest_call_statuses[] = {"queued", "ringing", "in-progress", "completed",
                                                 "busy", "failed", "no-answer", "canceled", NULL};

static int rest_calls_list(struct rest_req *q, const char *path)
{
	static const char *const fp[] = {"To", "From", "Status", "ParentCallSid", "StartTime",
	                                 "StartTime<", "StartTime>", "EndTime", "EndTime<",
	                                 "EndTime>", NULL};
	struct rest_call_f f = {.to = rest_param(q, "To"), .from = rest_param(q, "From"),
	                        .status = rest_param(q, "Status"),
	                        .parent = rest_param(q, "ParentCallSid")};
	if (f.status) {
		int ok = 0;
		for (int i = 0; rest_call_statuses[i]; i++)
			ok |= !strcmp(f.status, rest_call_statuses[i]);
		if (!ok)
			return rest_error(q, 400, 20001, "Status must be one of queued, ringing, "
			                                 "in-progress, completed, busy, failed, no-answer, "
			                                 "canceled");
	}
	if (rest_time_filter(q, "StartTime", "start_time", &f.t[0]) ||
	    rest_time_filter(q, "EndTime", "end_time", &f.t[1]))
		return HTTP_DONE;
	int any = f.to || f.from || f.status || f.parent || f.t[0].on || f.t[1].on;
	struct rest_list l = {.kind = STORE_K_CALL, .account = q->ac, .path = path, .key = "calls",
	                      .flags = STORE_LIST_NEWEST_FIRST, .filter = any ? rest_call_keep : NULL,
	                      .farg = &f, .filter_params = fp, .view = rest_view_cb, .varg = "Calls"};
	return rest_list_page(q, &l);
}

int rest_call_finished(const json_t *rec)
{
	static const char *const done[] = {"completed", "busy", "failed", "no-answer", "canceled"};
	const char *st = json_string_value(json_object_get(rec, "status")) ?: "";
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(st, done[i]))
			return 1;
	return 0;
}

static int rest_del(struct rest_req *q, enum store_kind k, const char *sid)
{
	struct store_batch *b = store_batch_new();
	int rc = b ? store_res_del(q->api->store, b, k, sid) : -ENOMEM;
	if (rc) {
		store_batch_free(b);
		return rest_store_error(q, rc);
	}
	return rest_commit(q, b, 204, json_object());
}

/* Recordings or Notifications of one call, or of the account */
static int rest_sub_list(struct rest_req *q, enum store_kind k, const char *call_sid)
{
	const char *res = k == STORE_K_RECORDING ? "Recordings" : "Notifications";
	char path[192];
	if (call_sid)
		snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/Calls/%s/%s.json", q->ac, call_sid,
		         res);
	else
		snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/%s.json", q->ac, res);
	static const char *const fp[] = {"CallSid", "DateCreated", "DateCreated<", "DateCreated>",
	                                 "MessageDate", "MessageDate<", "MessageDate>", "Log", NULL};
	struct rest_call_f f = {.call_sid = call_sid ? call_sid : rest_param(q, "CallSid")};
	if (rest_time_filter(q, k == STORE_K_RECORDING ? "DateCreated" : "MessageDate",
	                     "date_created", &f.t[0]))
		return HTTP_DONE;
	int any = f.call_sid || f.t[0].on;
	struct rest_list l = {.kind = k, .account = q->ac, .path = path,
	                      .key = k == STORE_K_RECORDING ? "recordings" : "notifications",
	                      .flags = STORE_LIST_NEWEST_FIRST, .filter = any ? rest_call_keep : NULL,
	                      .farg = &f, .filter_params = fp, .view = rest_view_cb,
	                      .varg = (void *)res};
	return rest_list_page(q, &l);
}

int rest_calls(struct rest_req *q)
{
	char path[128];
	snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/Calls.json", q->ac);
	if (q->nseg == 1) {
		if (!strcmp(q->method, "GET"))
			return rest_calls_list(q, path);
		if (!strcmp(q->method, "POST"))
			return rest_calls_create(q);
		return rest_error(q, 405, 20004, "Method not allowed");
	}
	if (q->nseg == 3 && !strcmp(q->method, "GET")) {
		json_t *rec;
		if (rest_load(q, STORE_K_CALL, q->seg[1], &rec))
			return HTTP_DONE;
		json_decref(rec);
		if (!strcmp(q->seg[2], "Recordings"))
			return rest_sub_list(q, STORE_K_RECORDING, q->seg[1]);
		if (!strcmp(q->seg[2], "Notifications"))
			return rest_sub_list(q, STORE_K_NOTIFICATION, q->seg[1]);
	}
	if (q->nseg != 2)
		return rest_error(q, 404, 20404, "The requested resource was not found");
	if (!strcmp(q->method, "POST")) {
		json_t *rec;
		if (rest_load(q, STORE_K_CALL, q->seg[1], &rec))
			return HTTP_DONE;
		int v = rest_calls_update(q, q->seg[1], rec);
		json_decref(rec);
		return v;
	}
	json_t *rec;
	if (rest_load(q, STORE_K_CALL, q->seg[1], &rec))
		return HTTP_DONE;
	int v;
	if (!strcmp(q->method, "GET"))
		v = rest_json(q, 200, rest_view_generic(rec, "Calls"));
	else if (!strcmp(q->method, "DELETE"))
		v = rest_call_finished(rec) ? rest_del(q, STORE_K_CALL, q->seg[1])
		                       : rest_error(q, 400, 20001, "Cannot delete a call that has not "
		                                                   "finished");
	else
		v = rest_error(q, 405, 20004, "Method not allowed");
	json_decref(rec);
	return v;
}

static int rest_fetch_del(struct rest_req *q, enum store_kind k, const char *res)
{
	if (q->nseg == 1) {
		if (!strcmp(q->method, "GET"))
			return rest_sub_list(q, k, NULL);
		return rest_error(q, 405, 20004, "Method not allowed");
	}
	if (q->nseg != 2)
		return rest_error(q, 404, 20404, "The requested resource was not found");
	json_t *rec;
	if (rest_load(q, k, q->seg[1], &rec))
		return HTTP_DONE;
	int v;
	if (!strcmp(q->method, "GET")) {
		v = rest_json(q, 200, rest_view_generic(rec, res));
	} else if (!strcmp(q->method, "DELETE")) {
		v = rest_del(q, k, q->seg[1]);
		if (k == STORE_K_RECORDING && v == HTTP_PENDING) {
			char f[400];
			snprintf(f, sizeof(f), "%s/recordings/%s.wav", q->api->data_dir, q->seg[1]);
			unlink(f); /* the record's deletion is committing; the media goes with it */
		}
	} else {
		v = rest_error(q, 405, 20004, "Method not allowed");
	}
	json_decref(rec);
	return v;
}

int rest_recordings(struct rest_req *q)
{
	return rest_fetch_del(q, STORE_K_RECORDING, "Recordings");
}

int rest_notifications(struct rest_req *q)
{
	if (!strcmp(q->method, "DELETE"))
		return rest_error(q, 405, 20004, "Method not allowed");
	return rest_fetch_del(q, STORE_K_NOTIFICATION, "Notifications");
}

int rest_recording_media(struct rest_req *q)
{
	json_t *acct;
	if (store_res_get(q->api->store, STORE_K_ACCOUNT, q->ac, &acct) != 0)
		return rest_error(q, 404, 20404, "The requested resource was not found");
	int need_auth = json_is_true(json_object_get(acct, "_media_auth"));
	json_decref(acct);
	if (need_auth && (rest_auth(q) || rest_access(q, q->ac)))
		return HTTP_DONE;
	json_t *rec;
	if (rest_load(q, STORE_K_RECORDING, q->seg[1], &rec))
		return HTTP_DONE;
	json_decref(rec);
	char f[400];
	snprintf(f, sizeof(f), "%s/recordings/%s.wav", q->api->data_dir, q->seg[1]);
	int fd = open(f, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return rest_error(q, 404, 20404, "The recording's media was not found");
	}
	http_respond_fd(q->h, 200, "audio/x-wav", fd, (uint64_t)st.st_size);
	q->api->cnt.media++;
	return HTTP_DONE;
}
