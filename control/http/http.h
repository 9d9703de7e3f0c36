/* SPDX-License-Identifier: BSD-3-Clause */
/* http.h — control's HTTP: the listener (libmicrohttpd), the fetcher (libcurl multi), webhooks
 * with Twilio's signature, timeouts and fallback, and URL helpers. Everything runs on the
 * thread of the ctl_loop it was created with; nothing here blocks. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ctl_loop;

/* An ordered key/value pair (form parameters, headers). */
struct http_kv {
	const char *k, *v;
};

/* ---------------------------------------------------------------- URL helpers (http_url.c) */

/* Twilio's connection overrides from a URL fragment (#ct=&rt=&tt=&rc=&rp=). */
enum http_retry_on {
	HTTP_RETRY_CT = 1,  /* connection not established (refused, reset, connect timeout) */
	HTTP_RETRY_RT = 2,  /* read timeout */
	HTTP_RETRY_4XX = 4, /* a 4xx answer */
	HTTP_RETRY_5XX = 8, /* a 5xx answer */
	HTTP_RETRY_ALL = 15,
};
struct http_overrides {
	uint32_t ct_ms; /* connect timeout per try: 100..10000, default 5000 */
	uint32_t rt_ms; /* read timeout (first byte, and between bytes): 100..15000, default 15000 */
	uint32_t tt_ms; /* total time, retries included: 100..15000, default 15000 */
	uint32_t rc;    /* retries: 0..5, default 1 */
	uint32_t rp;    /* enum http_retry_on bits, default HTTP_RETRY_CT */
};
#define HTTP_ERR_RETRY_POLICY 11243 /* an `rp` value Twilio does not know */

/* Defaults above. */
void http_overrides_default(struct http_overrides *o);
/*
 * Split `url` at '#': the part before is copied to out (the URL that is requested and signed),
 * the fragment's overrides are parsed into o (defaults first). Numbers out of range are clamped
 * to Twilio's bounds; unknown keys (e, sni, edge) are ignored. Returns 0, -ENAMETOOLONG (out too
 * small) or -EINVAL (a non-numeric number or an unknown rp value; o keeps the defaults then).
 */
int http_url_split_fragment(const char *url, char *out, size_t outlen, struct http_overrides *o);

/* RFC 3986 §5.2: resolve `ref` against the absolute `base`. Returns 0, -EINVAL (base is not
 * absolute) or -ENAMETOOLONG. */
int http_url_resolve(const char *base, const char *ref, char *out, size_t outlen);

/* application/x-www-form-urlencoded (spaces as '+', unreserved kept) of n pairs, appended to out
 * at *len. Returns 0 or -ENAMETOOLONG. */
int http_form_encode(const struct http_kv *kv, size_t n, char *out, size_t outlen, size_t *len);
/* Decode %XX and '+' in place over s[0..len); returns the new length or -EINVAL (bad escape). */
int http_form_decode(char *s, size_t len);
/* url + ('?' or '&') + encoded params, for GET. Returns 0 or -ENAMETOOLONG. */
int http_url_add_query(const char *url, const struct http_kv *kv, size_t n, char *out,
                       size_t outlen);

enum http_ctype {
	HTTP_CT_NONE,  /* no Content-Type */
	HTTP_CT_TWIML, /* text/xml, application/xml, text/html */
	HTTP_CT_AUDIO, /* audio/... (played as if it were <Play>) */
	HTTP_CT_TEXT,  /* text/plain */
	HTTP_CT_OTHER,
};
enum http_ctype http_ctype_classify(const char *content_type);

/* X-Twilio-Signature: base64(HMAC-SHA1(token, url + sorted(POST params) as name+value)). For GET
 * pass n = 0 and the full URL with its query. out needs 29 bytes. Returns 0 or -ENOMEM. */
int http_signature(const char *token, const char *url, const struct http_kv *kv, size_t n,
                   char out[29]);

/* ---------------------------------------------------------------- listener (http_server.c) */

struct http_server;
struct http_req;

struct http_server_cfg {
	const char *addr;        /* IPv4 literal, e.g. "127.0.0.1" */
	uint16_t port;           /* 0: the kernel picks one (http_server_port tells) */
	uint32_t max_conns;      /* connections at once (beyond: refused, counted) */
	uint32_t max_body;       /* request body bytes (beyond: 413) */
	uint32_t idle_timeout_s; /* keep-alive connections idle this long are closed */
	uint32_t max_pending;    /* suspended requests at once (beyond: 503) */
	const char *static_dir;  /* files served under static_prefix ("" or NULL: none) */
	const char *static_prefix;
};

struct http_server_counters {
	uint64_t requests, responses, not_found, too_large, pending_full, bad_requests;
	uint64_t suspended, resumed, aborted_pending, static_files, conns_refused;
};

/* A handler returns HTTP_DONE after answering (http_respond*), HTTP_PENDING to answer later
 * from the loop (the connection is suspended until http_respond*), or HTTP_NEXT without
 * answering: not its request after all, the next matching route takes it (e.g. a media route
 * whose {name} also matches the REST API's "....json"). */
enum { HTTP_DONE = 0, HTTP_PENDING = 1, HTTP_NEXT = 2 };
typedef int http_handler_fn(struct http_req *r, void *arg);
/* Called when a pending request goes away unanswered: it could not be suspended (max_pending:
 * answered 503 instead) or the server is destroyed. The request is freed after: forget it.
 * A client closing a suspended connection is noticed only when the answer is sent (MHD does
 * not watch suspended sockets), so every pending request must be answered in bounded time. */
typedef void http_abort_fn(struct http_req *r, void *arg);

/* Start listening. Returns 0, -EINVAL, -EADDRINUSE (or another -errno), -ENOMEM. */
int http_server_create(struct http_server **out, struct ctl_loop *l,
                       const struct http_server_cfg *cfg);
/* Answers every pending request 503, closes every connection. */
void http_server_destroy(struct http_server *s);
uint16_t http_server_port(const struct http_server *s);
const struct http_server_counters *http_server_counters(const struct http_server *s);
json_t *http_server_counters_json(const struct http_server *s);

/*
 * Route `method` ("GET", "POST", ... or "*") and `pattern` to fn. A pattern is a path whose
 * segments are literals, `{name}` (one segment, captured) or a final `*` (the rest, captured as
 * "*"). Routes are tried in the order added. Returns 0, -EINVAL or -ENOSPC (HTTP_MAX_ROUTES).
 */
#define HTTP_MAX_ROUTES 128
int http_server_route(struct http_server *s, const char *method, const char *pattern,
                      http_handler_fn *fn, void *arg);

/* The request (valid until answered, or in a pending request until the answer is sent). */
const char *http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r);
/* A `{name}` capture of the matched route, or NULL. */
const char *http_req_path_arg(const struct http_req *r, const char *name);
/* A request header (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *r, const char *name);
/* HTTP Basic credentials from Authorization (RFC 7617): 0, -ENOENT (no Basic header), -EINVAL
 * (malformed, no ':' or a NUL inside) or -ENAMETOOLONG (user or pass does not fit). */
int http_req_basic_auth(const struct http_req *r, char *user, size_t ulen, char *pass,
                        size_t plen);
/* The same on a header value, for tests and other callers. */
int http_basic_auth_parse(const char *value, char *user, size_t ulen, char *pass, size_t plen);
/* The last value of a query argument / a form field (decoded), or NULL. */
const char *http_req_query(const struct http_req *r, const char *key);
const char *http_req_form(const struct http_req *r, const char *key);
/* All of them in order (repeated keys kept): count and the i-th pair. */
size_t http_req_query_n(const struct http_req *r, const struct http_kv **kv);
size_t http_req_form_n(const struct http_req *r, const struct http_kv **kv);
/* The raw body (NUL-terminated) and its length. */
const char *http_req_body(const struct http_req *r, size_t *len);
/* Tell `fn` if this pending request is dropped unanswered. */
void http_req_on_abort(struct http_req *r, http_abort_fn *fn, void *arg);

/* Answer: status, extra headers, body (copied). Works in the handler and later for a pending
 * request (the connection is resumed). Returns 0, -EALREADY (answered) or -ENOMEM. */
int http_respond(struct http_req *r, unsigned status, const struct http_kv *headers, size_t nh,
                 const void *body, size_t len);
/* JSON body (steals j), Content-Type application/json. */
int http_respond_json(struct http_req *r, unsigned status, json_t *j);
/* Twilio's error body {"code","message","more_info","status"}. */
int http_respond_error(struct http_req *r, unsigned status, int code, const char *message);
/* Stream a file (recordings, static files): fd is owned and closed by the server. */
int http_respond_fd(struct http_req *r, unsigned status, const char *content_type, int fd,
                    uint64_t size);

/* ---------------------------------------------------------------- fetcher (http_fetch.c) */

struct http_fetch;
struct http_xfer;

struct http_fetch_cfg {
	uint32_t max_xfers;      /* transfers at once (beyond: -EBUSY) */
	uint32_t max_host_conns; /* connections per host */
	uint32_t max_conns;      /* connections open at once and kept alive (cache size) */
	uint32_t max_body;       /* response body bytes (beyond: error 11750); 65536 for TwiML */
	int insecure;            /* 1: skip TLS verification (tests only) */
	const char *user_agent;
};

/* Twilio error codes a fetch reports (0: success, a 2xx answer). */
enum http_err {
	HTTP_ERR_RETRIEVAL = 11200,  /* non-2xx answer, read timeout, broken answer */
	HTTP_ERR_CONNECT = 11205,    /* connection refused/reset/timed out */
	HTTP_ERR_HOST = 11210,       /* the host name does not resolve */
	HTTP_ERR_REDIRECTS = 11215,  /* too many redirects */
	HTTP_ERR_SSL = 11220,        /* TLS handshake or verification */
	HTTP_ERR_TOO_LARGE = 11750,  /* the answer is over max_body */
};

struct http_result {
	int error;           /* 0 or enum http_err (or HTTP_ERR_RETRY_POLICY) */
	long status;         /* HTTP status (0 when none arrived) */
	const char *url;     /* the URL requested (fragment stripped, GET query added) */
	const char *content_type; /* "" when none */
	enum http_ctype kind;
	const char *body;    /* NUL-terminated, body_len bytes */
	size_t body_len;
	uint32_t attempts;   /* 1 + retries made */
	long new_conns;      /* connections opened for it (0: a kept-alive one was reused) */
	double total_ms;
	const char *detail;  /* libcurl's message when error */
	/* caching headers of the final answer (redirects and failed tries not included), ""
	 * when absent; values longer than HTTP_HDR_VALUE_MAX - 1 bytes are cut */
	const char *etag, *last_modified, *cache_control, *expires, *date, *age;
};
#define HTTP_HDR_VALUE_MAX 256

typedef void http_fetch_done_fn(const struct http_result *res, void *arg);

struct http_fetch_counters {
	uint64_t started, ok, failed, retries, busy, too_large, conns_opened;
};

struct http_request {
	const char *url;      /* may carry a #fragment of overrides */
	const char *method;   /* "GET" or "POST" (NULL: POST) */
	const struct http_kv *params;
	size_t nparams;
	const char *auth_token; /* X-Twilio-Signature with this token (NULL: none) */
	/* extra request headers (k: name, v: value; no CR/LF in either: -EINVAL), e.g. the
	 * validators of a conditional GET. A request with If-None-Match or If-Modified-Since
	 * takes a 304 answer as success (error 0, status 304, empty body). */
	const struct http_kv *headers;
	size_t nheaders;
};
#define HTTP_MAX_REQ_HEADERS 16

int http_fetch_create(struct http_fetch **out, struct ctl_loop *l, const struct http_fetch_cfg *c);
/* Cancels every transfer without calling back. */
void http_fetch_destroy(struct http_fetch *f);
/*
 * Start a request; `done` is called once from the loop (never from inside this call). Returns
 * 0 and the transfer in *xfer (optional, for http_fetch_cancel), -EBUSY (max_xfers), -EINVAL
 * (bad URL or method), -ENOMEM.
 */
int http_fetch_start(struct http_fetch *f, const struct http_request *req,
                     http_fetch_done_fn *done, void *arg, struct http_xfer **xfer);
/* Drop a transfer whose callback has not run yet; it never will. */
void http_fetch_cancel(struct http_fetch *f, struct http_xfer *x);
const struct http_fetch_counters *http_fetch_counters(const struct http_fetch *f);
json_t *http_fetch_counters_json(const struct http_fetch *f);

/* ---------------------------------------------------------------- webhooks (http_webhook.c) */

/* A request with a fallback: on failure of `req` (error != 0, which includes non-2xx), the
 * fallback URL is requested with the same params plus ErrorCode and ErrorUrl. `which` is 0
 * when the primary answered, 1 the fallback; first_error is the primary's error (0 if none). */
typedef void http_webhook_done_fn(const struct http_result *res, int which, int first_error,
                                  void *arg);
struct http_webhook;
int http_webhook_start(struct http_fetch *f, const struct http_request *req,
                       const char *fallback_url, const char *fallback_method,
                       http_webhook_done_fn *done, void *arg, struct http_webhook **out);
void http_webhook_cancel(struct http_fetch *f, struct http_webhook *w);

#endif /* HTTP_H */
