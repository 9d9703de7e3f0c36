/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_call.h — the call router's interface for the REST API (and later the event router):
 * place an outbound call, redirect or end a live call. The call module (control/calls/) owns
 * every live call: its interpreter, its legs, its record in the store. This header is the
 * contract between control/calls (implements it) and control/rest (calls it). */
#ifndef CTL_CALL_H
#define CTL_CALL_H

#include <jansson.h>

struct ctl;

/* StatusCallbackEvent bits */
enum ctl_call_ev {
	CTL_CALL_EV_INITIATED = 1u << 0,
	CTL_CALL_EV_RINGING = 1u << 1,
	CTL_CALL_EV_ANSWERED = 1u << 2,
	CTL_CALL_EV_COMPLETED = 1u << 3,
};

/* POST /Calls.json, already validated by the REST layer (Twilio's rules and codes: 21205,
 * 21208, 21211, 21212, 32018 ... are the REST layer's to answer). Strings may be NULL = absent;
 * the call module copies what it keeps. Exactly one of url / twiml / application_sid is set. */
struct ctl_call_create {
	const char *account_sid;
	const char *to, *from, *caller_id;
	const char *url, *method, *twiml, *application_sid;
	const char *fallback_url, *fallback_method;
	const char *status_callback, *status_callback_method;
	unsigned status_callback_events; /* enum ctl_call_ev; 0 = completed only (Twilio's default) */
	int timeout_s;                   /* ring timeout; Twilio default 60 */
	int time_limit_s;                /* 0 = default (4 h) */
	const char *send_digits;
	int record;
	const char *sip_auth_username, *sip_auth_password;
};

/* Redirect / end a live call (POST /Calls/{Sid}.json). status: NULL, "canceled" (only ends a
 * call not yet answered) or "completed" (ends it whatever its state). url/method or twiml
 * redirect the call's interpreter (a queued member dequeued through the Members resource is a
 * redirect too: queue = the queue it leaves, so its Enqueue action sees QueueResult=redirected).
 * The status-callback fields, if set, replace the call's. */
struct ctl_call_update {
	const char *account_sid;
	const char *call_sid;
	const char *url, *method, *twiml;
	const char *status;
	const char *fallback_url, *fallback_method;
	const char *status_callback, *status_callback_method;
	const char *queue_sid; /* dequeue through Members: the member must be in this queue */
};

/* Completion, on control's loop, after the store commit that holds the change. err: 0, or a
 * negative errno with a Twilio error code in *code (20404 unknown call, 21220 not in a state
 * that allows it, 20429 no capacity, 20001 bad request...). call: the call resource as Twilio's
 * JSON (borrowed; incref to keep). */
typedef void ctl_call_done_fn(void *arg, int err, int code, json_t *call);

/* Returns 0 (done will be called exactly once) or a negative errno (done never called). */
int ctl_call_create(struct ctl *c, const struct ctl_call_create *req, ctl_call_done_fn *done, void *arg);
int ctl_call_update(struct ctl *c, const struct ctl_call_update *req, ctl_call_done_fn *done, void *arg);

#endif /* CTL_CALL_H */
