/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_calls_valid.c — Calls create and update parameters checked with Twilio's error codes
 * before the call router is asked (21201/21211 To, 21213/21212 From, 21205 Url, 21208 Timeout,
 * 32018 Twiml over 4000 characters, 21218 ApplicationSid, 21609 StatusCallback, ...). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rest_priv.h"

const char *const rest_call_events[] = {"initiated", "ringing", "answered", "completed", NULL};

static int rest_verr(struct rest_verr *e, unsigned status, int code, const char *msg)
{
	e->status = status;
	e->code = code;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	return -1;
}

/* sip:user@host, client:name, or an E.164 number */
static int rest_party_ok(const char *s, int allow_name)
{
	char n[STORE_E164_MAX + 1];
	if (!strncasecmp(s, "sip:", 4))
		return strlen(s) > 4 && strlen(s) < 256 && strchr(s, '@') && !strpbrk(s, " \t\r\n<>\"");
	if (!strncasecmp(s, "client:", 7))
		return strlen(s) > 7 && strlen(s) < 128 && !strpbrk(s, " \t\r\n<>\"");
	if (store_e164_normalize(s, n) == 0)
		return 1;
	if (!allow_name)
		return 0;
	size_t len = strlen(s);
	return len && len <= 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                     "0123456789_.+-") == len;
}

/* characters (code points) of a UTF-8 string: Twilio's limits count characters */
static size_t rest_utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int rest_common(struct rest_req *q, struct rest_call_in *in, struct rest_verr *e)
{
	in->url = rest_param(q, "Url");
	in->twiml = rest_param(q, "Twiml");
	in->method = rest_param(q, "Method");
	in->fallback_url = rest_param(q, "FallbackUrl");
	in->fallback_method = rest_param(q, "FallbackMethod");
	in->status_callback = rest_param(q, "StatusCallback");
	in->status_callback_method = rest_param(q, "StatusCallbackMethod");
	if (in->url && !*in->url)
		in->url = NULL;
	if (in->twiml && !*in->twiml)
		in->twiml = NULL;
	if (in->url && !rest_url_ok(in->url))
		return rest_verr(e, 400, 21205, "Url is not a valid URL");
	if (in->twiml && rest_utf8_chars(in->twiml) > REST_TWIML_MAX)
		return rest_verr(e, 400, 32018, "Twiml parameter is over 4000 characters");
	if (!rest_url_ok(in->fallback_url))
		return rest_verr(e, 400, 21205, "FallbackUrl is not a valid URL");
	if (!rest_url_ok(in->status_callback))
		return rest_verr(e, 400, 21609, "StatusCallback is not a valid URL");
	if (!(in->method = rest_method(in->method, "POST")) ||
	    !(in->fallback_method = rest_method(in->fallback_method, "POST")) ||
	    !(in->status_callback_method = rest_method(in->status_callback_method, "POST")))
		return rest_verr(e, 400, 20001, "Method, FallbackMethod and StatusCallbackMethod are "
		                                "GET or POST");
	const char *tl = rest_param(q, "TimeLimit");
	in->time_limit_s = 0;
	if (tl && *tl && rest_int(tl, 1, 86400, &in->time_limit_s))
		return rest_verr(e, 400, 20001, "TimeLimit must be an integer from 1 to 86400");
	return 0;
}

int rest_call_validate(struct rest_req *q, struct rest_call_in *in, struct rest_verr *e)
{
	memset(in, 0, sizeof(*in));
	in->to = rest_param(q, "To");
	in->from = rest_param(q, "From");
	in->caller_id = rest_param(q, "CallerId");
	in->application_sid = rest_param(q, "ApplicationSid");
	if (!in->to || !*in->to)
		return rest_verr(e, 400, 21201, "No 'To' number is specified");
	if (!rest_party_ok(in->to, 0))
		return rest_verr(e, 400, 21211, "Invalid 'To' Phone Number");
	if (!in->from || !*in->from)
		return rest_verr(e, 400, 21213, "No 'From' number is specified");
	if (!rest_party_ok(in->from, !strncasecmp(in->to, "sip:", 4) ||
	                                 !strncasecmp(in->to, "client:", 7)))
		return rest_verr(e, 400, 21212, "Invalid 'From' Phone Number");
	if (in->caller_id && *in->caller_id && !rest_party_ok(in->caller_id, 1))
		return rest_verr(e, 400, 21212, "Invalid CallerId");
	if (rest_common(q, in, e))
		return -1;
	if (in->application_sid && !*in->application_sid)
		in->application_sid = NULL;
	int n = !!in->url + !!in->twiml + !!in->application_sid;
	if (n == 0)
		return rest_verr(e, 400, 21205, "Url, Twiml or ApplicationSid is required");
	if (n > 1)
		return rest_verr(e, 400, 21205, "give only one of Url, Twiml and ApplicationSid");
	if (in->application_sid) {
		json_t *a = NULL;
		int ok = store_sid_valid(in->application_sid, "AP") &&
		         store_res_get(q->api->store, STORE_K_APP, in->application_sid, &a) == 0 &&
		         !strcmp(json_string_value(json_object_get(a, "account_sid")) ?: "", q->ac);
		json_decref(a);
		if (!ok)
			return rest_verr(e, 400, 21218, "Invalid ApplicationSid");
	}
	const char *to = rest_param(q, "Timeout");
	in->timeout_s = 60;
	if (to && *to && rest_int(to, 1, 600, &in->timeout_s))
		return rest_verr(e, 400, 21208, "Timeout must be an integer from 1 to 600");
	in->send_digits = rest_param(q, "SendDigits");
	if (in->send_digits &&
	    (strlen(in->send_digits) > 32 ||
	     strspn(in->send_digits, "0123456789ABCD#*wW") != strlen(in->send_digits)))
		return rest_verr(e, 400, 20001,
		                 "SendDigits may hold 0-9 A-D # * w W, at most 32");
	char bad[48];
	if (rest_param_words(q, "StatusCallbackEvent", rest_call_events, &in->events, bad,
	                     sizeof(bad))) {
		char m[128];
		snprintf(m, sizeof(m), "StatusCallbackEvent '%s' is not one of initiated ringing "
		                       "answered completed", bad);
		return rest_verr(e, 400, 20001, m);
	}
	unsigned rev;
	static const char *const rec_events[] = {"in-progress", "completed", "absent", NULL};
	if (rest_param_words(q, "RecordingStatusCallbackEvent", rec_events, &rev, bad, sizeof(bad)))
		return rest_verr(e, 400, 20001, "RecordingStatusCallbackEvent is in-progress, "
		                                "completed or absent");
	const char *rec = rest_param(q, "Record");
	in->record = 0;
	if (rec && (in->record = rest_bool(rec)) < 0)
		return rest_verr(e, 400, 20001, "Record must be true or false");
	in->sip_auth_username = rest_param(q, "SipAuthUsername");
	in->sip_auth_password = rest_param(q, "SipAuthPassword");
	if ((in->sip_auth_username && strlen(in->sip_auth_username) > 128) ||
	    (in->sip_auth_password && strlen(in->sip_auth_password) > 128))
		return rest_verr(e, 400, 20001, "SipAuthUsername and SipAuthPassword are at most 128 "
		                                "characters");
	return 0;
}

int rest_call_validate_update(struct rest_req *q, struct rest_call_in *in, const char **status,
                              struct rest_verr *e)
{
	memset(in, 0, sizeof(*in));
	if (rest_common(q, in, e))
		return -1;
	/* only what is given replaces the call's */
	if (!rest_has(q, "Method"))
		in->method = NULL;
	if (!rest_has(q, "FallbackMethod"))
		in->fallback_method = NULL;
	if (!rest_has(q, "StatusCallbackMethod"))
		in->status_callback_method = NULL;
	*status = rest_param(q, "Status");
	if (*status && strcmp(*status, "canceled") != 0 && strcmp(*status, "completed") != 0)
		return rest_verr(e, 400, 20001, "Status must be canceled or completed");
	if (in->url && in->twiml)
		return rest_verr(e, 400, 21205, "give only one of Url and Twiml");
	if (!*status && !in->url && !in->twiml && !in->status_callback &&
	    !rest_has(q, "StatusCallbackMethod") && !rest_has(q, "TimeLimit") &&
	    !rest_has(q, "FallbackUrl"))
		return rest_verr(e, 400, 20001, "nothing to update: give Url, Twiml or Status");
	return 0;
}

/* ---- the handlers: validate, then hand to the call router (rest_calls_write.c) ---- */

static int rest_verr_answer(struct rest_req *q, const struct rest_verr *e)
{
	return rest_error(q, e->status, e->code, "%s", e->msg);
}

int rest_calls_create(struct rest_req *q)
{
	struct rest_call_in in;
	struct rest_verr e;
	if (rest_call_validate(q, &in, &e))
		return rest_verr_answer(q, &e);
	int ok = rest_account_can_call(q->api->store, q->ac);
	if (ok != 1)
		return rest_error(q, 403, 20005, "Account not active: calls cannot be made");
	return rest_router_create(q, &in);
}

int rest_calls_update(struct rest_req *q, const char *sid, const json_t *rec)
{
	struct rest_call_in in;
	struct rest_verr e;
	const char *status;
	if (rest_call_validate_update(q, &in, &status, &e))
		return rest_verr_answer(q, &e);
	/* Twilio: a finished call cannot be redirected (21220); a Status for it changes nothing */
	if (rest_call_finished(rec)) {
		if (in.url || in.twiml)
			return rest_error(q, 400, 21220, "Call is not in-progress. Cannot redirect.");
		return rest_json(q, 200, rest_view_generic(rec, "Calls"));
	}
	/* canceled ends a call only while it is queued or ringing: no effect on one in progress */
	const char *now = json_string_value(json_object_get(rec, "status")) ?: "";
	if (status && !strcmp(status, "canceled") && !strcmp(now, "in-progress")) {
		status = NULL;
		if (!in.url && !in.twiml && !in.status_callback && !in.status_callback_method &&
		    !in.fallback_url && !in.fallback_method)
			return rest_json(q, 200, rest_view_generic(rec, "Calls"));
	}
	return rest_router_update(q, sid, &in, status, NULL, NULL);
}

int rest_members_dequeue(struct rest_req *q, const char *qsid, const char *csid, json_t *view)
{
	const char *url = rest_param(q, "Url"), *method = rest_method(rest_param(q, "Method"), "POST");
	if (!url || !*url) {
		json_decref(view);
		return rest_error(q, 400, 20001, "Missing required parameter Url");
	}
	if (!rest_url_ok(url)) {
		json_decref(view);
		return rest_error(q, 400, 11100, "Url is not a valid URL");
	}
	if (!method) {
		json_decref(view);
		return rest_error(q, 400, 20001, "Method must be GET or POST");
	}
	struct rest_call_in in = {.url = url, .method = method};
	return rest_router_update(q, csid, &in, NULL, qsid, view);
}
