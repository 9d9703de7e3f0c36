/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_list.c — list pages: PageSize/Page/PageToken, filters over the per-account list walk
 * (bounded), and Twilio's envelope with exactly one array. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_priv.h"

int rest_page_params(struct rest_req *q, long *page, long *size, const char **token)
{
	const char *ps = http_req_query(q->h, "PageSize"), *pg = http_req_query(q->h, "Page");
	const char *tk = http_req_query(q->h, "PageToken");
	*size = REST_PAGE_DEFAULT;
	*page = 0;
	*token = NULL;
	if (ps && rest_int(ps, 1, REST_PAGE_MAX, size)) {
		rest_error(q, 400, 20001, "PageSize must be an integer from 1 to %d", REST_PAGE_MAX);
		return -1;
	}
	if (pg && rest_int(pg, 0, 10000000, page)) {
		rest_error(q, 400, 20001, "Page must be a non-negative integer");
		return -1;
	}
	if (tk && *tk) {
		if (strlen(tk) != 2 + STORE_CURSOR_LEN || strncmp(tk, "PA", 2) != 0 ||
		    !store_sid_valid(tk + 2 + 16, NULL)) {
			rest_error(q, 400, 20001, "PageToken is not valid");
			return -1;
		}
		*token = tk + 2;
	}
	return 0;
}

/* path?filters&PageSize=..&Page=..[&PageToken=PA..] */
static json_t *rest_page_uri(struct rest_req *q, const char *path, const char *const *fp, long size,
                             long page, const char *token)
{
	char buf[2048];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s?", path);
	const struct http_kv *kv;
	size_t n = http_req_query_n(q->h, &kv);
	for (size_t i = 0; fp && i < n; i++) {
		for (int f = 0; fp[f]; f++) {
			if (strcmp(kv[i].k, fp[f]) != 0)
				continue;
			if (http_form_encode(&kv[i], 1, buf, sizeof(buf) - 128, &len) == 0 &&
			    len < sizeof(buf) - 128)
				buf[len++] = '&';
			buf[len] = 0;
		}
	}
	if (len >= sizeof(buf) - 128)
		len = sizeof(buf) - 128;
	snprintf(buf + len, sizeof(buf) - len, "PageSize=%ld&Page=%ld%s%s", size, page,
	         token ? "&PageToken=PA" : "", token ? token : "");
	return json_string(buf);
}

json_t *rest_page_envelope(struct rest_req *q, const char *path, const char *key, json_t *items,
                           long page, long size, const char *next_token,
                           const char *const *filter_params)
{
	const char *cur_tok = http_req_query(q->h, "PageToken");
	long nitems = (long)json_array_size(items);
	long start = page * size;
	json_t *o = json_object();
	if (!o) {
		json_decref(items);
		return NULL;
	}
	json_object_set_new(o, key, items);
	json_object_set_new(o, "page", json_integer(page));
	json_object_set_new(o, "page_size", json_integer(size));
	json_object_set_new(o, "start", json_integer(start));
	json_object_set_new(o, "end", json_integer(nitems ? start + nitems - 1 : start));
	json_object_set_new(o, "uri",
	                    rest_page_uri(q, path, filter_params, size, page,
	                                  cur_tok && *cur_tok && strlen(cur_tok) > 2 ? cur_tok + 2 : NULL));
	json_object_set_new(o, "first_page_uri", rest_page_uri(q, path, filter_params, size, 0, NULL));
	json_object_set_new(o, "next_page_uri",
	                    next_token && *next_token
	                        ? rest_page_uri(q, path, filter_params, size, page + 1,
	                                        strcmp(next_token, REST_NEXT_BY_PAGE) ? next_token : NULL)
	                        : json_null());
	json_object_set_new(o, "previous_page_uri",
	                    page > 0 ? rest_page_uri(q, path, filter_params, size, page - 1, NULL)
	                             : json_null());
	return o;
}

static void rest_cursor_of(const json_t *rec, char out[STORE_CURSOR_LEN + 1])
{
	snprintf(out, STORE_CURSOR_LEN + 1, "%016llx%s",
	         (unsigned long long)json_integer_value(json_object_get(rec, "_ts")),
	         json_string_value(json_object_get(rec, "sid")) ?: "");
}

int rest_list_page(struct rest_req *q, const struct rest_list *l)
{
	long page, size;
	const char *token;
	if (rest_page_params(q, &page, &size, &token))
		return HTTP_DONE;
	uint32_t skip = token ? 0 : (uint32_t)(page * size > 100000000 ? 100000000 : page * size);
	char next[STORE_CURSOR_LEN + 1] = "";
	json_t *out = json_array();
	int rc = 0;
	if (!l->filter) {
		json_t *items;
		rc = store_res_list(q->api->store, l->kind, l->account, token, skip, (uint32_t)size,
		                    l->flags, &items, next);
		if (!rc) {
			size_t i;
			json_t *rec;
			json_array_foreach(items, i, rec)
				json_array_append_new(out, l->view(rec, l->varg));
			json_decref(items);
		}
	} else {
		char cur[STORE_CURSOR_LEN + 1];
		snprintf(cur, sizeof(cur), "%s", token ? token : "");
		uint32_t scanned = 0;
		int more = 0;
		while (!rc && !more && scanned < REST_SCAN_MAX) {
			json_t *items;
			char nx[STORE_CURSOR_LEN + 1];
			rc = store_res_list(q->api->store, l->kind, l->account, cur, 0, 1000, l->flags,
			                    &items, nx);
			if (rc)
				break;
			size_t i;
			json_t *rec;
			char last[STORE_CURSOR_LEN + 1] = "";
			if (json_array_size(items)) /* before the views, which may change records */
				rest_cursor_of(json_array_get(items, json_array_size(items) - 1), last);
			json_array_foreach(items, i, rec)
			{
				scanned++;
				if (!l->filter(rec, l->farg))
					continue;
				if (skip) {
					skip--;
					continue;
				}
				if ((long)json_array_size(out) == size) {
					more = 1;
					break;
				}
				rest_cursor_of(rec, next);
				json_array_append_new(out, l->view(rec, l->varg));
			}
			if (last[0])
				memcpy(cur, last, sizeof(cur));
			json_decref(items);
			if (!nx[0]) {
				cur[0] = 0; /* the end: nothing after */
				break;
			}
		}
		if (!more && scanned >= REST_SCAN_MAX && !rc && cur[0]) {
			/* the scan bound: a short page whose next page goes on from the last record
			 * examined, so the loop is never held long and the client still sees all */
			memcpy(next, cur, sizeof(next));
			more = 1;
			q->api->cnt.scan_bounded++;
		}
		if (!more)
			next[0] = 0;
	}
	if (rc) {
		json_decref(out);
		if (rc == -EINVAL)
			return rest_error(q, 400, 20001, "PageToken is not valid for this list");
		return rest_store_error(q, rc);
	}
	return rest_json(q, 200,
	                 rest_page_envelope(q, l->path, l->key, out, page, size, next, l->filter_params));
}
