/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_priv.h — internals shared by the REST API's files: the request context, parameters,
 * answers after commit, list pages, and each resource's handlers. */
#ifndef REST_PRIV_H
#define REST_PRIV_H

#include <stdint.h>

#include <jansson.h>

#include "http.h"
#include "rest.h"
#include "store.h"
#include "store_ent.h"

#define REST_BASE "/" STORE_API_VERSION
#define REST_PAGE_DEFAULT 50
#define REST_PAGE_MAX 1000
#define REST_SCAN_MAX 20000    /* records examined for one filtered list page (bound; the
                                 * next page goes on from there) */
#define REST_NAME_MAX 64       /* FriendlyName */
#define REST_QUEUE_MAX 5000    /* Queue MaxSize bound */
#define REST_TWIML_MAX 4000    /* Calls Twiml parameter */

struct rest {
	struct http_server *server;
	struct store *store;
	struct ctl *ctl;
	char data_dir[256];
	struct rest_counters cnt;
};

/* One API request, parsed. */
struct rest_req {
	struct rest *api;
	struct http_req *h;
	const char *method;    /* GET POST DELETE ... */
	char auth_ac[STORE_SID_LEN + 1]; /* the account the credentials belong to */
	json_t *auth_rec;      /* its record */
	char ac[STORE_SID_LEN + 1];      /* the account in the path ("" for /Accounts.json) */
	json_t *ac_rec;        /* its record (after access check) */
	/* path after /Accounts/{AC}/: up to 4 segments (seg[4] used while parsing), the last one's extension cut off */
	char seg[5][80];
	int nseg;
	char ext[8];           /* "json", "wav", "" ... of the last segment */
};

/* ---- answers (rest.c) ---- */
int rest_error(struct rest_req *q, unsigned status, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int rest_json(struct rest_req *q, unsigned status, json_t *body);
/* Submit batch b; answer `status` with `view` (stolen) once committed, or the store error.
 * Returns HTTP_PENDING or HTTP_DONE (answered already). Takes b and view in every case. */
int rest_commit(struct rest_req *q, struct store_batch *b, unsigned status, json_t *view);
/* Map a store error to Twilio's answer. */
int rest_store_error(struct rest_req *q, int err);

/* ---- parameters (rest_param.c) ---- */
/* A form (POST) or query (GET) value: the last one given, or NULL. */
const char *rest_param(struct rest_req *q, const char *name);
/* 1 if any value of it was given (even empty) */
int rest_has(struct rest_req *q, const char *name);
/* A list-typed parameter: every repeated value, each split at spaces, each word looked up in
 * `words` (NULL-terminated); the bit (1 << index) of each is or-ed into *bits. Returns 0, or
 * -EINVAL with the offending word in bad. No value: *bits = 0. */
int rest_param_words(struct rest_req *q, const char *name, const char *const *words,
                     unsigned *bits, char *bad, size_t badlen);
/* 1 when all of s (len bytes) is well-formed UTF-8 without NUL. */
int rest_utf8_ok(const char *s, size_t len);
/* Method: NULL/"" -> def; GET/POST (any case) -> canonical; else NULL */
const char *rest_method(const char *m, const char *def);
/* 1 for an absent/empty or absolute http(s) URL without spaces, < 4096 bytes */
int rest_url_ok(const char *u);
/* A bounded decimal integer: 0 and *out, or -EINVAL */
int rest_int(const char *s, long min, long max, long *out);
/* Boolean "true"/"false" (any case): 0/1, else -1 */
int rest_bool(const char *s);
/* Twilio date filter "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[Z]": [lo, hi) in µs.
 * op '=': that day (or that instant); '>': on or after; '<': on or before. Returns 0 / -EINVAL */
int rest_date_range(const char *s, char op, uint64_t *lo, uint64_t *hi);
/* RFC 2822 date of a record's field to µs (0 when absent or unparsable) */
uint64_t rest_rfc2822_us(const char *s);

/* Calls create validation (rest_calls_valid.c): fills the request or answers the error code. */
struct rest_call_in {
	const char *to, *from, *caller_id, *url, *method, *twiml, *application_sid;
	const char *fallback_url, *fallback_method, *status_callback, *status_callback_method;
	const char *send_digits, *sip_auth_username, *sip_auth_password;
	unsigned events;
	long timeout_s, time_limit_s;
	int record;
};
struct rest_verr {
	unsigned status;
	int code;
	char msg[160];
};
int rest_call_validate(struct rest_req *q, struct rest_call_in *in, struct rest_verr *e);
/* Update: Url/Method/Twiml/Status/... ; 0 or -EINVAL with e */
int rest_call_validate_update(struct rest_req *q, struct rest_call_in *in, const char **status,
                              struct rest_verr *e);
/* The callback events' names, in enum ctl_call_ev bit order */
extern const char *const rest_call_events[];

/* ---- lists (rest_list.c) ---- */
typedef int rest_filter_fn(const json_t *rec, void *arg); /* 1: keep */
struct rest_list {
	enum store_kind kind;
	const char *account;     /* list owner */
	const char *path;        /* e.g. /2010-04-01/Accounts/AC.../Calls.json */
	const char *key;         /* array name */
	unsigned flags;          /* STORE_LIST_NEWEST_FIRST */
	rest_filter_fn *filter;  /* NULL: every record */
	void *farg;
	const char *const *filter_params; /* query names to carry into page URIs */
	/* rec's view, a new reference; rec is the page's own copy: a view may change it in place
	 * and return it (json_incref) */
	json_t *(*view)(const json_t *rec, void *varg);
	void *varg;
};
int rest_list_page(struct rest_req *q, const struct rest_list *l);
#define REST_NEXT_BY_PAGE "-" /* next_token: a next page addressed by Page alone */
/* Build a page envelope from items already selected (accounts list, members). */
json_t *rest_page_envelope(struct rest_req *q, const char *path, const char *key, json_t *items,
                           long page, long size, const char *next_token,
                           const char *const *filter_params);
int rest_page_params(struct rest_req *q, long *page, long *size, const char **token);

/* ---- views (rest_view.c) ---- */
json_t *rest_view_generic(const json_t *rec, const char *res_path); /* res_path: "Calls" */
/* The same in place: drop "_" fields, add uri & co. */
void rest_view_fill(json_t *rec, const char *res_path);
void rest_set_dates(json_t *rec, uint64_t us, int created);

/* ---- auth (rest_auth.c) ---- */
/* Authenticate the request; answers 401 and returns -1 when not allowed. */
int rest_auth(struct rest_req *q);
/* May the authenticated account act on account `ac`? Loads q->ac_rec. Answers 404/401, -1. */
int rest_access(struct rest_req *q, const char *ac);
void rest_key_hash(const char *secret, char out[65]);

/* ---- handlers ---- */
int rest_accounts(struct rest_req *q);       /* /Accounts.json, /Accounts/{AC}.json */
int rest_keys(struct rest_req *q);
int rest_numbers(struct rest_req *q);
int rest_apps(struct rest_req *q);
int rest_calls(struct rest_req *q);
int rest_recordings(struct rest_req *q);
int rest_notifications(struct rest_req *q);
int rest_queues(struct rest_req *q);
/* calls create/update (rest_calls_write.c) */
int rest_calls_create(struct rest_req *q);
/* rec: the stored call (borrowed) */
int rest_calls_update(struct rest_req *q, const char *sid, const json_t *rec);
/* the call's status is final (completed busy failed no-answer canceled) */
int rest_call_finished(const json_t *rec);
/* POST Members/{CallSid|Front}: view = the member (stolen), answered once dequeued */
int rest_members_dequeue(struct rest_req *q, const char *qsid, const char *csid, json_t *view);
/* The call router's side: ctl_call_create/ctl_call_update (rest_calls_write.c). view: answer on
 * success (stolen; NULL: the call as the router returns it). */
int rest_router_create(struct rest_req *q, const struct rest_call_in *in);
int rest_router_update(struct rest_req *q, const char *call_sid, const struct rest_call_in *in,
                       const char *status, const char *queue_sid, json_t *view);

/* Fetch a record of kind k owned by q->ac; answers 404 when missing or foreign. */
int rest_load(struct rest_req *q, enum store_kind k, const char *sid, json_t **rec);

#endif /* REST_PRIV_H */
