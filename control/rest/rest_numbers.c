/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_numbers.c — IncomingPhoneNumbers (create with PhoneNumber, fetch, list with PhoneNumber
 * and FriendlyName filters, update the voice fields, delete) and Applications (the same voice
 * fields; referenced by numbers and calls). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rest_priv.h"

/* The voice fields shared by numbers and applications: PascalCase parameter, snake_case field,
 * kind (0 URL, 1 method, 2 application SID, 3 boolean, 4 name). */
static const struct {
	const char *param, *field;
	int kind;
} rest_voice[] = {
    {"FriendlyName", "friendly_name", 4},
    {"VoiceUrl", "voice_url", 0},
    {"VoiceMethod", "voice_method", 1},
    {"VoiceFallbackUrl", "voice_fallback_url", 0},
    {"VoiceFallbackMethod", "voice_fallback_method", 1},
    {"StatusCallback", "status_callback", 0},
    {"StatusCallbackMethod", "status_callback_method", 1},
    {"VoiceCallerIdLookup", "voice_caller_id_lookup", 3},
    {"VoiceApplicationSid", "voice_application_sid", 2},
};

/* Apply the given voice parameters to rec (app: no VoiceApplicationSid). Answers and returns -1
 * on a bad value. */
static int rest_voice_apply(struct rest_req *q, json_t *rec, int app)
{
	for (size_t i = 0; i < sizeof(rest_voice) / sizeof(rest_voice[0]); i++) {
		const char *v = rest_param(q, rest_voice[i].param);
		if (!v)
			continue;
		json_t *val = NULL;
		switch (rest_voice[i].kind) {
		case 0:
			if (!rest_url_ok(v)) {
				rest_error(q, 400, 21502, "%s is not a valid URL", rest_voice[i].param);
				return -1;
			}
			val = *v ? json_string(v) : json_null();
			break;
		case 1: {
			const char *m = rest_method(v, "POST");
			if (!m) {
				rest_error(q, 400, 20001, "%s must be GET or POST", rest_voice[i].param);
				return -1;
			}
			val = json_string(m);
			break;
		}
		case 2: {
			if (app)
				continue;
			if (*v) {
				json_t *a;
				if (rest_load(q, STORE_K_APP, v, &a))
					return -1;
				json_decref(a);
			}
			val = *v ? json_string(v) : json_null();
			break;
		}
		case 3: {
			int b = rest_bool(v);
			if (b < 0) {
				rest_error(q, 400, 20001, "%s must be true or false", rest_voice[i].param);
				return -1;
			}
			val = json_boolean(b);
			break;
		}
		case 4:
			if (strlen(v) > REST_NAME_MAX) {
				rest_error(q, 400, 20001, "FriendlyName must be at most %d characters",
				           REST_NAME_MAX);
				return -1;
			}
			val = json_string(v);
			break;
		}
		json_object_set_new(rec, rest_voice[i].field, val);
	}
	return 0;
}

/* Twilio's number fields this platform has no use for, with the values Twilio shows for a
 * voice-only number, so clients that read them find them */
static json_t *rest_number_view(const json_t *rec)
{
	json_t *o = store_number_view(rec);
	static const char *const nulls[] = {"sms_url", "sms_fallback_url", "sms_application_sid",
	                                    "trunk_sid", "emergency_address_sid", "address_sid",
	                                    "identity_sid", "bundle_sid"};
	for (size_t i = 0; o && i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!json_object_get(o, nulls[i]))
			json_object_set_new(o, nulls[i], json_null());
	static const char *const strs[][2] = {
	    {"sms_method", "POST"}, {"sms_fallback_method", "POST"}, {"origin", "hosted"},
	    {"status", "in-use"}, {"address_requirements", "none"}, {"voice_receive_mode", "voice"},
	    {"emergency_status", "Inactive"}, {"emergency_address_status", "unregistered"}};
	for (size_t i = 0; o && i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!json_object_get(o, strs[i][0]))
			json_object_set_new(o, strs[i][0], json_string(strs[i][1]));
	if (o && !json_object_get(o, "beta"))
		json_object_set_new(o, "beta", json_false());
	return o;
}

static json_t *rest_number_view_cb(const json_t *rec, void *arg)
{
	(void)arg;
	return rest_number_view(rec);
}

static json_t *rest_app_view_cb(const json_t *rec, void *arg)
{
	(void)arg;
	return rest_view_generic(rec, "Applications");
}

struct rest_num_filter {
	char number[STORE_E164_MAX + 1];
	const char *raw, *name;
};

static int rest_num_keep(const json_t *rec, void *arg)
{
	struct rest_num_filter *f = arg;
	const char *pn = json_string_value(json_object_get(rec, "phone_number")) ?: "";
	if (f->raw && (f->number[0] ? strcmp(pn, f->number) : !strstr(pn, f->raw)))
		return 0;
	if (f->name && !strstr(json_string_value(json_object_get(rec, "friendly_name")) ?: "", f->name))
		return 0;
	return 1;
}

/* Store rec (create or update) and answer with its view after the commit. */
static int rest_save(struct rest_req *q, enum store_kind k, json_t *rec, int create)
{
	struct store_batch *b = store_batch_new();
	int rc = b ? store_res_put(b, k, rec, create) : -ENOMEM;
	if (rc) {
		store_batch_free(b);
		return rest_error(q, 500, 20500, "internal error");
	}
	json_t *view = k == STORE_K_NUMBER ? rest_number_view(rec) : rest_app_view_cb(rec, NULL);
	return rest_commit(q, b, create ? 201 : 200, view);
}

static int rest_delete(struct rest_req *q, enum store_kind k, const char *sid)
{
	struct store_batch *b = store_batch_new();
	int rc = b ? store_res_del(q->api->store, b, k, sid) : -ENOMEM;
	if (rc) {
		store_batch_free(b);
		return rest_store_error(q, rc);
	}
	return rest_commit(q, b, 204, json_object());
}

static int rest_one(struct rest_req *q, enum store_kind k, int app)
{
	json_t *rec;
	if (rest_load(q, k, q->seg[1], &rec))
		return HTTP_DONE;
	int v;
	if (!strcmp(q->method, "GET")) {
		v = rest_json(q, 200, app ? rest_app_view_cb(rec, NULL) : rest_number_view(rec));
	} else if (!strcmp(q->method, "POST")) {
		if (rest_voice_apply(q, rec, app)) {
			v = HTTP_DONE;
		} else {
			rest_set_dates(rec, store_now_us(), 0);
			v = rest_save(q, k, rec, 0);
		}
	} else if (!strcmp(q->method, "DELETE")) {
		v = rest_delete(q, k, q->seg[1]);
	} else {
		v = rest_error(q, 405, 20004, "Method not allowed");
	}
	json_decref(rec);
	return v;
}

int rest_numbers(struct rest_req *q)
{
	char path[128];
	snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/IncomingPhoneNumbers.json", q->ac);
	if (q->nseg == 2)
		return rest_one(q, STORE_K_NUMBER, 0);
	if (q->nseg != 1)
		return rest_error(q, 404, 20404, "The requested resource was not found");
	if (!strcmp(q->method, "GET")) {
		static const char *const fp[] = {"PhoneNumber", "FriendlyName", NULL};
		struct rest_num_filter f = {.raw = rest_param(q, "PhoneNumber"),
		                            .name = rest_param(q, "FriendlyName")};
		if (f.raw && store_e164_normalize(f.raw, f.number))
			f.number[0] = 0; /* a partial number: substring match */
		struct rest_list l = {.kind = STORE_K_NUMBER, .account = q->ac, .path = path,
		                      .key = "incoming_phone_numbers",
		                      .filter = f.raw || f.name ? rest_num_keep : NULL, .farg = &f,
		                      .filter_params = fp, .view = rest_number_view_cb};
		return rest_list_page(q, &l);
	}
	if (strcmp(q->method, "POST") != 0)
		return rest_error(q, 405, 20004, "Method not allowed");
	const char *pn = rest_param(q, "PhoneNumber");
	if (!pn || !*pn)
		return rest_error(q, 400, 21421, "Missing required parameter PhoneNumber");
	char err[160];
	json_t *rec;
	struct store_number_in in = {.account_sid = q->ac, .phone_number = pn};
	if (store_number_new(&in, &rec, err, sizeof(err)))
		return rest_error(q, 400, 21421, "PhoneNumber is invalid: %s", err);
	if (rest_voice_apply(q, rec, 0)) {
		json_decref(rec);
		return HTTP_DONE;
	}
	json_t *fn = json_object_get(rec, "friendly_name");
	if (json_is_null(fn) || !json_string_length(fn))
		json_object_set(rec, "friendly_name", json_object_get(rec, "phone_number"));
	int v = rest_save(q, STORE_K_NUMBER, rec, 1);
	json_decref(rec);
	return v;
}

int rest_apps(struct rest_req *q)
{
	char path[128];
	snprintf(path, sizeof(path), REST_BASE "/Accounts/%s/Applications.json", q->ac);
	if (q->nseg == 2)
		return rest_one(q, STORE_K_APP, 1);
	if (q->nseg != 1)
		return rest_error(q, 404, 20404, "The requested resource was not found");
	if (!strcmp(q->method, "GET")) {
		static const char *const fp[] = {"FriendlyName", NULL};
		struct rest_num_filter f = {.name = rest_param(q, "FriendlyName")};
		struct rest_list l = {.kind = STORE_K_APP, .account = q->ac, .path = path,
		                      .key = "applications", .filter = f.name ? rest_num_keep : NULL,
		                      .farg = &f, .filter_params = fp, .view = rest_app_view_cb};
		return rest_list_page(q, &l);
	}
	if (strcmp(q->method, "POST") != 0)
		return rest_error(q, 405, 20004, "Method not allowed");
	char sid[STORE_SID_LEN + 1];
	if (store_sid_new(sid, "AP"))
		return rest_error(q, 500, 20500, "no random numbers");
	json_t *rec = json_pack(
	    "{s:s, s:s, s:s, s:n, s:s, s:n, s:s, s:n, s:s, s:b, s:s, s:n, s:s, s:n, s:s, s:n, s:n, s:b}",
	    "sid", sid, "account_sid", q->ac, "friendly_name", "", "voice_url", "voice_method", "POST",
	    "voice_fallback_url", "voice_fallback_method", "POST", "status_callback",
	    "status_callback_method", "POST", "voice_caller_id_lookup", 0, "api_version",
	    STORE_API_VERSION, "sms_url", "sms_method", "POST", "sms_fallback_url",
	    "sms_fallback_method", "POST", "sms_status_callback", "message_status_callback",
	    "public_application_connect_enabled", 1);
	if (!rec)
		return rest_error(q, 500, 20500, "internal error");
	rest_set_dates(rec, store_now_us(), 1);
	if (rest_voice_apply(q, rec, 1)) {
		json_decref(rec);
		return HTTP_DONE;
	}
	int v = rest_save(q, STORE_K_APP, rec, 1);
	json_decref(rec);
	return v;
}
