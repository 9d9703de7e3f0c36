/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_queues.c — Queues (create FriendlyName/MaxSize, fetch, list, update, delete an empty
 * one; current_size and average_wait_time from the stored members) and Members (list, fetch by
 * CallSid or Front, POST Url/Method dequeues through the call router). Members are written by
 * the call router under rest_member_key() order (FIFO). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_priv.h"

#define REST_MEMBERS_MAX (REST_QUEUE_MAX * 2) /* bound on a member walk */

struct rest_members {
	json_t *arr;   /* each {"call_sid","_ts"} in queue order */
	uint64_t now;
};

static int rest_member_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct rest_members *m = arg;
	if (klen != REST_MEMBER_KEY_LEN)
		return 0;
	const uint8_t *k = key;
	uint64_t us = 0;
	for (int i = 0; i < 8; i++)
		us = us << 8 | k[STORE_SID_LEN + i];
	char ca[STORE_SID_LEN + 1];
	memcpy(ca, k + STORE_SID_LEN + 8, STORE_SID_LEN);
	ca[STORE_SID_LEN] = 0;
	(void)val, (void)vlen;
	json_array_append_new(m->arr, json_pack("{s:s, s:I}", "call_sid", ca, "_ts", (json_int_t)us));
	return 0;
}

/* The queue's members in order (new array) or NULL */
static json_t *rest_members_load(struct rest_req *q, const char *qsid)
{
	struct rest_members m = {.arr = json_array()};
	if (!m.arr)
		return NULL;
	if (store_walk(q->api->store, STORE_DB_QUEUE_MEMBERS, qsid, STORE_SID_LEN, NULL, 0,
	               REST_MEMBERS_MAX, 0, rest_member_one, &m) < 0) {
		json_decref(m.arr);
		return NULL;
	}
	return m.arr;
}

static json_t *rest_member_view(const char *ac, const char *qsid, const json_t *m, size_t pos,
                                uint64_t now)
{
	uint64_t us = (uint64_t)json_integer_value(json_object_get(m, "_ts"));
	const char *ca = json_string_value(json_object_get(m, "call_sid"));
	char d[40], u[192];
	store_rfc2822(us, d);
	snprintf(u, sizeof(u), REST_BASE "/Accounts/%s/Queues/%s/Members/%s.json", ac, qsid, ca);
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "call_sid", ca, "queue_sid", qsid,
	                 "date_enqueued", d, "position", (json_int_t)pos, "wait_time",
	                 (json_int_t)(now > us ? (now - us) / 1000000 : 0), "uri", u);
}

static json_t *rest_queue_view(struct rest_req *q, const json_t *rec)
{
	json_t *o = rest_view_generic(rec, "Queues");
	const char *sid = json_string_value(json_object_get(rec, "sid"));
	json_t *mem = sid ? rest_members_load(q, sid) : NULL;
	uint64_t now = store_now_us(), sum = 0;
	size_t i, n = json_array_size(mem);
	json_t *m;
	json_array_foreach(mem, i, m)
	{
		uint64_t us = (uint64_t)json_integer_value(json_object_get(m, "_ts"));
		sum += now > us ? (now - us) / 1000000 : 0;
	}
	json_decref(mem);
	json_object_set_new(o, "current_size", json_integer((json_int_t)n));
	json_object_set_new(o, "average_wait_time", json_integer(n ? (json_int_t)(sum / n) : 0));
	return o;
}

static json_t *rest_queue_view_cb(const json_t *rec, void *arg)
{
	return rest_queue_view(arg, rec);
}

/* Another queue of the account named `name`? (bounded scan of the account's queues) */
static int rest_queue_name_taken(struct rest_req *q, const char *name, const char *self)
{
	char cur[STORE_CURSOR_LEN + 1] = "", nx[STORE_CURSOR_LEN + 1];
	for (int pages = 0; pages < 100; pages++) {
		json_t *items;
		if (store_res_list(q->api->store, STORE_K_QUEUE, q->ac, cur, 0, 1000, 0, &items, nx))
			return 0;
		size_t i;
		json_t *r;
		int taken = 0;
		json_array_foreach(items, i, r)
		{
			const char *sid = json_string_value(json_object_get(r, "sid")) ?: "";
			if (!strcmp(json_string_value(json_object_get(r, "friendly_name")) ?: "", name) &&
			    (!self || strcmp(sid, self)))
				taken = 1;
		}
		json_decref(items);
		if (taken)
			return 1;
		if (!nx[0])
			return 0;
		memcpy(cur, nx, sizeof(cur));
	}
	return 0;
}

/* FriendlyName / MaxSize into rec; answers on error */
static int rest_queue_apply(struct rest_req *q, json_t *rec, int create)
{
	const char *name = rest_param(q, "FriendlyName"), *ms = rest_param(q, "MaxSize");
	if (create && (!name || !*name)) {
		rest_error(q, 400, 20001, "Missing required parameter FriendlyName");
		return -1;
	}
	if (name && (!*name || strlen(name) > REST_NAME_MAX)) {
		rest_error(q, 400, 20001, "FriendlyName must be 1 to %d characters", REST_NAME_MAX);
		return -1;
	}
	long max = create ? 1000 : 0;
	if (ms && rest_int(ms, 1, REST_QUEUE_MAX, &max)) {
		rest_error(q, 400, 20001, "MaxSize must be an integer from 1 to %d", REST_QUEUE_MAX);
		return -1;
	}
	if (name && rest_queue_name_taken(q, name, create ? NULL :
	                                  json_string_value(json_object_get(rec, "sid")))) {
		rest_error(q, 400, 22003, "A queue named '%s' already exists", name);
		return -1;
	}
	if (name)
		json_object_set_new(rec, "friendly_name", json_string(name));
	if (max)
		json_object_set_new(rec, "max_size", json_integer(max));
	return 0;
}

static int rest_queue_save(struct rest_req *q, json_t *rec, int create)
{
	struct store_batch *b = store_batch_new();
	int rc = b ? store_res_put(b, STORE_K_QUEUE, rec, create) : -ENOMEM;
	if (rc) {
		store_batch_free(b);
		return rest_error(q, 500, 20500, "internal error");
	}
	return rest_commit(q, b, create ? 201 : 200, rest_queue_view(q, rec));
}

static int rest_members(struct rest_req *q, const char *qsid)
{
	json_t *mem = rest_members_load(q, qsid);
	if (!mem)
		return rest_error(q, 500, 20500, "store error");
	uint64_t now = store_now_us();
	int v;
	if (q->nseg == 3) {
		if (strcmp(q->method, "GET") != 0) {
			json_decref(mem);
			return rest_error(q, 405, 20004, "Method not allowed");
		}
		long page, size;
		const char *tok;
		if (rest_page_params(q, &page, &size, &tok)) {
			json_decref(mem);
			return HTTP_DONE;
		}
		json_t *items = json_array();
		size_t n = json_array_size(mem);
		for (size_t i = (size_t)(page * size); i < n && (long)json_array_size(items) < size; i++)
			json_array_append_new(items,
			                      rest_member_view(q->ac, qsid, json_array_get(mem, i), i + 1, now));
		char path[160];
		snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/Queues/%s/Members.json", q->ac, qsid);
		int more = (size_t)(page * size) + json_array_size(items) < n;
		v = rest_json(q, 200, rest_page_envelope(q, path, "queue_members", items, page, size,
		                                         more ? REST_NEXT_BY_PAGE : NULL, NULL));
		json_decref(mem);
		return v;
	}
	/* Members/{CallSid|Front} */
	const char *who = q->seg[3];
	size_t idx = (size_t)-1, i;
	json_t *m;
	json_array_foreach(mem, i, m)
	{
		if (!strcmp(who, "Front") ? i == 0 :
		    !strcmp(json_string_value(json_object_get(m, "call_sid")) ?: "", who)) {
			idx = i;
			break;
		}
	}
	if (idx == (size_t)-1) {
		json_decref(mem);
		return rest_error(q, 404, 20404, "The queue member was not found");
	}
	json_t *view = rest_member_view(q->ac, qsid, json_array_get(mem, idx), idx + 1, now);
	char ca[STORE_SID_LEN + 1];
	snprintf(ca, sizeof(ca), "%s", json_string_value(json_object_get(json_array_get(mem, idx),
	                                                                  "call_sid")));
	json_decref(mem);
	if (!strcmp(q->method, "GET"))
		return rest_json(q, 200, view);
	if (!strcmp(q->method, "POST"))
		return rest_members_dequeue(q, qsid, ca, view);
	json_decref(view);
	return rest_error(q, 405, 20004, "Method not allowed");
}

int rest_queues(struct rest_req *q)
{
	char path[128];
	snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/Queues.json", q->ac);
	if (q->nseg == 1) {
		if (!strcmp(q->method, "GET")) {
			struct rest_list l = {.kind = STORE_K_QUEUE, .account = q->ac, .path = path,
			                      .key = "queues", .view = rest_queue_view_cb, .varg = q};
			return rest_list_page(q, &l);
		}
		if (strcmp(q->method, "POST") != 0)
			return rest_error(q, 405, 20004, "Method not allowed");
		char sid[STORE_SID_LEN + 1];
		if (store_sid_new(sid, "QU"))
			return rest_error(q, 500, 20500, "no random numbers");
		json_t *rec = json_pack("{s:s, s:s}", "sid", sid, "account_sid", q->ac);
		if (!rec)
			return rest_error(q, 500, 20500, "internal error");
		rest_set_dates(rec, store_now_us(), 1);
		int v = rest_queue_apply(q, rec, 1) ? HTTP_DONE : rest_queue_save(q, rec, 1);
		json_decref(rec);
		return v;
	}
	json_t *rec;
	if (q->nseg < 2 || rest_load(q, STORE_K_QUEUE, q->seg[1], &rec))
		return q->nseg < 2 ? rest_error(q, 404, 20404, "not found") : HTTP_DONE;
	int v;
	if (q->nseg >= 3) {
		v = !strcmp(q->seg[2], "Members") && q->nseg <= 4
		        ? rest_members(q, q->seg[1])
		        : rest_error(q, 404, 20404, "The requested resource was not found");
	} else if (!strcmp(q->method, "GET")) {
		v = rest_json(q, 200, rest_queue_view(q, rec));
	} else if (!strcmp(q->method, "POST")) {
		if (rest_queue_apply(q, rec, 0)) {
			v = HTTP_DONE;
		} else {
			rest_set_dates(rec, store_now_us(), 0);
			v = rest_queue_save(q, rec, 0);
		}
	} else if (!strcmp(q->method, "DELETE")) {
		json_t *mem = rest_members_load(q, q->seg[1]);
		if (json_array_size(mem)) {
			v = rest_error(q, 400, 20001, "The queue has members: dequeue them first");
		} else {
			struct store_batch *b = store_batch_new();
			int rc = b ? store_res_del(q->api->store, b, STORE_K_QUEUE, q->seg[1]) : -ENOMEM;
			if (rc) {
				store_batch_free(b);
				v = rest_store_error(q, rc);
			} else {
				v = rest_commit(q, b, 204, json_object());
			}
		}
		json_decref(mem);
	} else {
		v = rest_error(q, 405, 20004, "Method not allowed");
	}
	json_decref(rec);
	return v;
}
