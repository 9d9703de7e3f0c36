/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_view.c — Twilio's JSON for stored records: the store's own "_" fields dropped, `uri`
 * (and for calls `subresource_uris`) filled in when the writer left them out, dates. */
#include <stdio.h>
#include <string.h>

#include "rest_priv.h"

void rest_set_dates(json_t *rec, uint64_t us, int created)
{
	char d[40];
	store_rfc2822(us, d);
	if (created) {
		json_object_set_new(rec, "date_created", json_string(d));
		json_object_set_new(rec, "_ts", json_integer((json_int_t)us));
	}
	json_object_set_new(rec, "date_updated", json_string(d));
}

json_t *rest_view_generic(const json_t *rec, const char *res_path)
{
	json_t *o = json_copy((json_t *)rec);
	if (o)
		rest_view_fill(o, res_path);
	return o;
}

void rest_view_fill(json_t *o, const char *res_path)
{
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(o, tmp, key, v)
	{
		if (key[0] == '_')
			json_object_del(o, key);
	}
	const char *sid = json_string_value(json_object_get(o, "sid"));
	const char *ac = json_string_value(json_object_get(o, "account_sid"));
	if (!sid || !ac)
		return;
	char base[192], u[256];
	snprintf(base, sizeof(base), REST_BASE "/Accounts/%s/%s/%s", ac, res_path, sid);
	if (!json_object_get(o, "uri")) {
		snprintf(u, sizeof(u), "%s.json", base);
		json_object_set_new(o, "uri", json_string(u));
	}
	if (!json_object_get(o, "api_version") && strcmp(res_path, "Queues") != 0 &&
	    strcmp(res_path, "Keys") != 0)
		json_object_set_new(o, "api_version", json_string(STORE_API_VERSION));
	if (!strcmp(res_path, "Calls") && !json_object_get(o, "subresource_uris")) {
		json_t *sr = json_object();
		static const char *const subs[][2] = {{"notifications", "Notifications"},
		                                      {"recordings", "Recordings"}};
		for (size_t i = 0; i < 2; i++) {
			snprintf(u, sizeof(u), "%s/%s.json", base, subs[i][1]);
			json_object_set_new(sr, subs[i][0], json_string(u));
		}
		json_object_set_new(o, "subresource_uris", sr);
	}
	if (!strcmp(res_path, "Recordings") && !json_object_get(o, "media_url")) {
		snprintf(u, sizeof(u), "%s.wav", base);
		json_object_set_new(o, "media_url", json_string(u));
	}
	if (!strcmp(res_path, "Queues")) {
		snprintf(u, sizeof(u), "%s/Members.json", base);
		json_object_set_new(o, "subresource_uris", json_pack("{s:s}", "members", u));
	}
}
