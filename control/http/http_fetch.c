/* SPDX-License-Identifier: BSD-3-Clause */
/* http_fetch.c — the fetcher: libcurl multi on control's loop, Twilio's timeouts and retries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ctl_log.h"
#include "ctl_loop.h"
#include "http.h"

#define TAG "fetch"
#define FETCH_URL_MAX 8192

/*
 * libcurl's multi-socket interface: curl tells us which sockets to watch (socket callback ->
 * ctl_loop file events) and when to call back (timer callback -> one loop timer); we hand
 * readiness back with curl_multi_socket_action and collect finished transfers. The multi handle
 * keeps a bounded cache of kept-alive connections shared by every transfer (per host at most
 * max_host_conns), and multiplexes HTTP/2 streams on one connection when the server offers it.
 *
 * Twilio's timeouts per transfer: each try has a connect timeout (ct) and a read timeout (rt:
 * until the first byte after the request is sent, and between bytes, checked by a loop timer);
 * all tries together are bounded by tt. A failed try of a class in rp is retried up to rc times.
 */

struct http_fetch {
	struct ctl_loop *loop;
	CURLM *m;
	uint64_t timer;
	struct http_fetch_cfg cfg;
	char user_agent[128];
	uint32_t n;
	struct http_xfer *xfers; /* every live transfer, for destroy */
	struct http_fetch_counters cnt;
};

/* Response headers kept for callers that cache (http_result's etag ... age). */
enum { XH_ETAG, XH_LAST_MODIFIED, XH_CACHE_CONTROL, XH_EXPIRES, XH_DATE, XH_AGE, XH_N };
static const char *const xh_names[XH_N] = {"ETag", "Last-Modified", "Cache-Control",
                                           "Expires", "Date", "Age"};

struct http_xfer {
	struct http_fetch *f;
	struct http_xfer *next, *prev;
	CURL *e;
	http_fetch_done_fn *done;
	void *arg;
	char *url, *post;
	struct curl_slist *hdrs;
	struct http_overrides ov;
	uint64_t start_ns, deadline_ns, try_ns, last_rx_ns;
	uint64_t rt_timer, defer_timer;
	uint32_t attempts;
	int in_multi, too_large, rt_expired, defer_error;
	int conditional; /* the request carries a validator: 304 is an answer */
	char *rh[XH_N];  /* caching headers of the latest answer (see xh_names) */
	long conns;
	char *body;
	size_t len, cap;
	char errbuf[CURL_ERROR_SIZE];
};

static uint64_t f_now(const struct http_fetch *f)
{
	return ctl_loop_now_ns(f->loop);
}

static void f_check(struct http_fetch *f);

/* ---------------------------------------------------------------- curl <-> loop */

static void f_on_sock(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct http_fetch *f = arg;
	int ev = (mask & CTL_LOOP_READ ? CURL_CSELECT_IN : 0) |
	         (mask & CTL_LOOP_WRITE ? CURL_CSELECT_OUT : 0);
	int running;
	curl_multi_socket_action(f->m, fd, ev, &running);
	f_check(f);
}

static int f_sockfn(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http_fetch *f = userp;
	ctl_loop_del_file(f->loop, s, CTL_LOOP_READ | CTL_LOOP_WRITE);
	if (what == CURL_POLL_REMOVE)
		return 0;
	int mask = (what & CURL_POLL_IN ? CTL_LOOP_READ : 0) |
	           (what & CURL_POLL_OUT ? CTL_LOOP_WRITE : 0);
	if (ctl_loop_add_file(f->loop, s, mask, f_on_sock, f) != 0) {
		CTL_WARN(TAG, "cannot watch socket %d", (int)s);
		return -1;
	}
	return 0;
}

static int64_t f_on_timer(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct http_fetch *f = arg;
	f->timer = 0;
	int running;
	curl_multi_socket_action(f->m, CURL_SOCKET_TIMEOUT, 0, &running);
	f_check(f);
	return CTL_TIMER_STOP;
}

static int f_timerfn(CURLM *m, long ms, void *userp)
{
	struct http_fetch *f = userp;
	if (f->timer)
		ctl_loop_del_timer(f->loop, f->timer);
	f->timer = ms >= 0 ? ctl_loop_add_timer(f->loop, ms, f_on_timer, f) : 0;
	return 0;
}

/* ---------------------------------------------------------------- transfers */

static size_t f_write(char *p, size_t sz, size_t nm, void *arg)
{
	struct http_xfer *x = arg;
	size_t n = sz * nm;
	x->last_rx_ns = f_now(x->f);
	if (x->len + n > x->f->cfg.max_body) {
		x->too_large = 1;
		return 0; /* aborts the transfer (CURLE_WRITE_ERROR) */
	}
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < x->len + n + 1)
			cap *= 2;
		char *b = realloc(x->body, cap);
		if (!b)
			return 0;
		x->body = b;
		x->cap = cap;
	}
	memcpy(x->body + x->len, p, n);
	x->len += n;
	x->body[x->len] = 0;
	return n;
}

static void xh_clear(struct http_xfer *x)
{
	for (int i = 0; i < XH_N; i++) {
		free(x->rh[i]);
		x->rh[i] = NULL;
	}
}

/* One header line of an answer (curl calls once per line, status line and the blank line
 * included). A status line starts a new answer (a redirect's or a retry's): forget the last. */
static size_t f_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct http_xfer *x = arg;
	size_t n = sz * nm;
	x->last_rx_ns = f_now(x->f);
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		xh_clear(x);
		return n;
	}
	const char *colon = memchr(p, ':', n);
	if (!colon)
		return n;
	size_t klen = (size_t)(colon - p);
	for (int i = 0; i < XH_N; i++) {
		if (strlen(xh_names[i]) != klen || strncasecmp(p, xh_names[i], klen))
			continue;
		const char *v = colon + 1, *e = p + n;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t vl = (size_t)(e - v);
		if (vl > HTTP_HDR_VALUE_MAX - 1)
			vl = HTTP_HDR_VALUE_MAX - 1;
		free(x->rh[i]);
		x->rh[i] = strndup(v, vl); /* NULL when out of memory: reported as absent */
		break;
	}
	return n;
}

static void x_free(struct http_xfer *x)
{
	struct http_fetch *f = x->f;
	if (x->in_multi)
		curl_multi_remove_handle(f->m, x->e);
	if (x->rt_timer)
		ctl_loop_del_timer(f->loop, x->rt_timer);
	if (x->defer_timer)
		ctl_loop_del_timer(f->loop, x->defer_timer);
	if (x->e)
		curl_easy_cleanup(x->e);
	curl_slist_free_all(x->hdrs);
	xh_clear(x);
	if (x->prev)
		x->prev->next = x->next;
	else
		f->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	f->n--;
	free(x->url);
	free(x->post);
	free(x->body);
	free(x);
}

static void x_deliver(struct http_xfer *x, int error, long status)
{
	struct http_fetch *f = x->f;
	const char *ct = NULL;
	double total = (double)(f_now(f) - x->start_ns) / 1e6;
	if (x->e)
		curl_easy_getinfo(x->e, CURLINFO_CONTENT_TYPE, &ct);
	struct http_result res = {
	    .error = error,
	    .status = status,
	    .url = x->url,
	    .content_type = ct ? ct : "",
	    .kind = http_ctype_classify(ct),
	    .body = x->body ? x->body : "",
	    .body_len = x->len,
	    .attempts = x->attempts,
	    .new_conns = x->conns,
	    .total_ms = total,
	    .detail = x->errbuf,
	    .etag = x->rh[XH_ETAG] ? x->rh[XH_ETAG] : "",
	    .last_modified = x->rh[XH_LAST_MODIFIED] ? x->rh[XH_LAST_MODIFIED] : "",
	    .cache_control = x->rh[XH_CACHE_CONTROL] ? x->rh[XH_CACHE_CONTROL] : "",
	    .expires = x->rh[XH_EXPIRES] ? x->rh[XH_EXPIRES] : "",
	    .date = x->rh[XH_DATE] ? x->rh[XH_DATE] : "",
	    .age = x->rh[XH_AGE] ? x->rh[XH_AGE] : "",
	};
	if (error) {
		f->cnt.failed++;
		if (error == HTTP_ERR_TOO_LARGE)
			f->cnt.too_large++;
	} else {
		f->cnt.ok++;
	}
	x->done(&res, x->arg);
	x_free(x);
}

static int64_t x_on_rt(struct ctl_loop *l, uint64_t id, void *arg);
static void x_finish(struct http_xfer *x, CURLcode code);

/* (Re)start a try: timeouts from what is left of tt. Returns 0 or -1 (total time spent). */
static int x_try(struct http_xfer *x)
{
	struct http_fetch *f = x->f;
	uint64_t now = f_now(f);
	if (now >= x->deadline_ns)
		return -1;
	long left = (long)((x->deadline_ns - now) / 1000000ull);
	if (left < 1)
		left = 1;
	long ct = (long)x->ov.ct_ms < left ? (long)x->ov.ct_ms : left;
	curl_easy_setopt(x->e, CURLOPT_CONNECTTIMEOUT_MS, ct);
	curl_easy_setopt(x->e, CURLOPT_TIMEOUT_MS, left);
	x->len = 0;
	xh_clear(x);
	x->too_large = x->rt_expired = 0;
	x->last_rx_ns = 0;
	x->try_ns = now;
	x->attempts++;
	x->errbuf[0] = 0;
	if (curl_multi_add_handle(f->m, x->e) != CURLM_OK)
		return -1;
	x->in_multi = 1;
	x->rt_timer = ctl_loop_add_timer(f->loop, (int64_t)x->ov.rt_ms, x_on_rt, x);
	return 0;
}

/* The read-timeout watchdog: rt since the request went out (or since the last byte). */
static int64_t x_on_rt(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct http_xfer *x = arg;
	uint64_t now = f_now(x->f), ref;
	curl_off_t pre = 0;
	curl_easy_getinfo(x->e, CURLINFO_PRETRANSFER_TIME_T, &pre);
	if (pre <= 0 && !x->last_rx_ns)
		return x->ov.rt_ms; /* still connecting: ct bounds that */
	ref = x->try_ns + (uint64_t)pre * 1000ull;
	if (x->last_rx_ns > ref)
		ref = x->last_rx_ns;
	uint64_t rt = (uint64_t)x->ov.rt_ms * 1000000ull;
	if (now < ref + rt)
		return (int64_t)((ref + rt - now) / 1000000ull) + 1;
	x->rt_timer = 0;
	x->rt_expired = 1;
	snprintf(x->errbuf, sizeof(x->errbuf), "no answer within %u ms (read timeout)",
	         x->ov.rt_ms);
	/* finish as curl would have: out of the multi, then through the common path */
	curl_multi_remove_handle(x->f->m, x->e);
	x->in_multi = 0;
	x_finish(x, CURLE_OPERATION_TIMEDOUT);
	return CTL_TIMER_STOP;
}

/* Which retry class a failed try falls in (0: none), and its Twilio error. */
static uint32_t x_classify(struct http_xfer *x, CURLcode code, long status, int *err)
{
	if (x->too_large) {
		*err = HTTP_ERR_TOO_LARGE;
		return 0;
	}
	if (x->rt_expired) {
		*err = HTTP_ERR_RETRIEVAL;
		return HTTP_RETRY_RT;
	}
	curl_off_t conn_t = 0;
	long req_sz = 0;
	switch (code) {
	case CURLE_OK:
		if ((status >= 200 && status < 300) || (status == 304 && x->conditional)) {
			*err = 0;
			return 0;
		}
		*err = HTTP_ERR_RETRIEVAL;
		return status >= 500 ? HTTP_RETRY_5XX : status >= 400 ? HTTP_RETRY_4XX : 0;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_URL_MALFORMAT:
		*err = HTTP_ERR_HOST;
		return 0;
	case CURLE_COULDNT_CONNECT:
		*err = HTTP_ERR_CONNECT;
		return HTTP_RETRY_CT;
	case CURLE_OPERATION_TIMEDOUT:
		/* a reused connection has no connect time: what tells is whether the request went */
		curl_easy_getinfo(x->e, CURLINFO_CONNECT_TIME_T, &conn_t);
		curl_easy_getinfo(x->e, CURLINFO_REQUEST_SIZE, &req_sz);
		if (conn_t <= 0 && req_sz <= 0) {
			*err = HTTP_ERR_CONNECT;
			return HTTP_RETRY_CT;
		}
		*err = HTTP_ERR_RETRIEVAL; /* the total time ran out: no retry */
		return 0;
	case CURLE_TOO_MANY_REDIRECTS:
		*err = HTTP_ERR_REDIRECTS;
		return 0;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		*err = HTTP_ERR_SSL;
		return 0;
	default:
		*err = HTTP_ERR_RETRIEVAL;
		return 0;
	}
}

static void x_finish(struct http_xfer *x, CURLcode code)
{
	struct http_fetch *f = x->f;
	if (x->rt_timer) {
		ctl_loop_del_timer(f->loop, x->rt_timer);
		x->rt_timer = 0;
	}
	if (x->in_multi) {
		curl_multi_remove_handle(f->m, x->e);
		x->in_multi = 0;
	}
	long status = 0, nc = 0;
	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->e, CURLINFO_NUM_CONNECTS, &nc);
	x->conns += nc;
	f->cnt.conns_opened += (uint64_t)nc;
	int err = 0;
	uint32_t cls = x_classify(x, code, status, &err);
	if (err && !x->errbuf[0])
		snprintf(x->errbuf, sizeof(x->errbuf), "%s",
		         code ? curl_easy_strerror(code) : "non-2xx answer");
	if (err && (cls & x->ov.rp) && x->attempts <= x->ov.rc) {
		f->cnt.retries++;
		if (x_try(x) == 0)
			return;
	}
	x_deliver(x, err, x->too_large ? 0 : status);
}

static void f_check(struct http_fetch *f)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(f->m, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct http_xfer *x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		CURLcode code = msg->data.result;
		if (x)
			x_finish(x, code);
	}
}

/* An error known at start (a bad rp) is still reported from the loop, as any other. */
static int64_t x_on_defer(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct http_xfer *x = arg;
	x->defer_timer = 0;
	x_deliver(x, x->defer_error, 0);
	return CTL_TIMER_STOP;
}

static int x_setup(struct http_xfer *x, const struct http_request *req, const char *url0)
{
	struct http_fetch *f = x->f;
	int get = req->method && !strcasecmp(req->method, "GET");
	if (!get && req->method && strcasecmp(req->method, "POST"))
		return -EINVAL;
	char sig[29];
	x->url = malloc(FETCH_URL_MAX);
	if (!x->url)
		return -ENOMEM;
	int rc;
	if (get) {
		rc = http_url_add_query(url0, req->params, req->nparams, x->url, FETCH_URL_MAX);
		if (!rc && req->auth_token)
			rc = http_signature(req->auth_token, x->url, NULL, 0, sig);
	} else {
		snprintf(x->url, FETCH_URL_MAX, "%s", url0);
		size_t len = 0, cap = 1024;
		for (size_t i = 0; i < req->nparams; i++)
			cap += 3 * (strlen(req->params[i].k) + strlen(req->params[i].v ? req->params[i].v : "")) + 2;
		x->post = malloc(cap);
		rc = x->post ? http_form_encode(req->params, req->nparams, x->post, cap, &len) : -ENOMEM;
		if (!rc && req->auth_token)
			rc = http_signature(req->auth_token, x->url, req->params, req->nparams, sig);
	}
	if (rc)
		return rc == -ENAMETOOLONG ? -EINVAL : rc;
	char h[64];
	if (req->auth_token) {
		snprintf(h, sizeof(h), "X-Twilio-Signature: %s", sig);
		x->hdrs = curl_slist_append(x->hdrs, h);
	}
	if (req->nheaders > HTTP_MAX_REQ_HEADERS)
		return -EINVAL;
	for (size_t i = 0; i < req->nheaders; i++) {
		const char *k = req->headers[i].k, *v = req->headers[i].v ? req->headers[i].v : "";
		if (!k || !*k || strpbrk(k, "\r\n: ") || strpbrk(v, "\r\n"))
			return -EINVAL;
		char line[HTTP_HDR_VALUE_MAX + 64];
		if ((size_t)snprintf(line, sizeof(line), "%s: %s", k, v) >= sizeof(line))
			return -EINVAL;
		struct curl_slist *l = curl_slist_append(x->hdrs, line);
		if (!l)
			return -ENOMEM;
		x->hdrs = l;
		if (!strcasecmp(k, "If-None-Match") || !strcasecmp(k, "If-Modified-Since"))
			x->conditional = 1;
	}
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	if (!get)
		x->hdrs = curl_slist_append(x->hdrs,
		                            "Content-Type: application/x-www-form-urlencoded");
	x->e = curl_easy_init();
	if (!x->e || !x->hdrs)
		return -ENOMEM;
	CURL *e = x->e;
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, f_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, f_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* wait for a connection that may multiplex only where HTTP/2 can come (TLS ALPN): on
	 * plain http it would hold a request until the busy connection's answer arrived */
	if (!strncasecmp(x->url, "https:", 6))
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, f->cfg.insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, f->cfg.insecure ? 0L : 2L);
	if (get) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->post);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(x->post));
	}
	return 0;
}

int http_fetch_start(struct http_fetch *f, const struct http_request *req,
                     http_fetch_done_fn *done, void *arg, struct http_xfer **out)
{
	if (!req || !req->url || !done)
		return -EINVAL;
	if (f->n >= f->cfg.max_xfers) {
		f->cnt.busy++;
		return -EBUSY;
	}
	char *url0 = malloc(FETCH_URL_MAX);
	struct http_xfer *x = calloc(1, sizeof(*x));
	if (!x || !url0) {
		free(x);
		free(url0);
		return -ENOMEM;
	}
	x->f = f;
	x->done = done;
	x->arg = arg;
	x->next = f->xfers;
	if (f->xfers)
		f->xfers->prev = x;
	f->xfers = x;
	f->n++;
	x->start_ns = f_now(f);
	int rc = http_url_split_fragment(req->url, url0, FETCH_URL_MAX, &x->ov);
	int bad_frag = rc == -EINVAL;
	if (bad_frag)
		http_url_split_fragment(req->url, url0, FETCH_URL_MAX, &x->ov), rc = 0;
	if (!rc && strncasecmp(url0, "http://", 7) && strncasecmp(url0, "https://", 8))
		rc = -EINVAL;
	if (!rc)
		rc = x_setup(x, req, url0);
	free(url0);
	if (rc) {
		x_free(x);
		return rc;
	}
	f->cnt.started++;
	x->deadline_ns = x->start_ns + (uint64_t)x->ov.tt_ms * 1000000ull;
	if (bad_frag) {
		/* Twilio reports an unknown retry policy as 11243 and makes no request */
		x->defer_error = HTTP_ERR_RETRY_POLICY;
		snprintf(x->errbuf, sizeof(x->errbuf), "bad connection override in the fragment");
		x->defer_timer = ctl_loop_add_timer(f->loop, 0, x_on_defer, x);
	} else if (x_try(x) != 0) {
		x_free(x);
		return -ENOMEM;
	}
	if (out)
		*out = x;
	return 0;
}

void http_fetch_cancel(struct http_fetch *f, struct http_xfer *x)
{
	if (x)
		x_free(x);
}

int http_fetch_create(struct http_fetch **out, struct ctl_loop *l, const struct http_fetch_cfg *c)
{
	if (!c->max_xfers || !c->max_body)
		return -EINVAL;
	static int global_done;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -ENOMEM;
		global_done = 1;
	}
	struct http_fetch *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->loop = l;
	f->cfg = *c;
	snprintf(f->user_agent, sizeof(f->user_agent), "%s",
	         c->user_agent && *c->user_agent ? c->user_agent : "TwilioProxy/1.1 (voxplane)");
	f->m = curl_multi_init();
	if (!f->m) {
		free(f);
		return -ENOMEM;
	}
	curl_multi_setopt(f->m, CURLMOPT_SOCKETFUNCTION, f_sockfn);
	curl_multi_setopt(f->m, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->m, CURLMOPT_TIMERFUNCTION, f_timerfn);
	curl_multi_setopt(f->m, CURLMOPT_TIMERDATA, f);
	curl_multi_setopt(f->m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(f->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->max_host_conns);
	curl_multi_setopt(f->m, CURLMOPT_MAXCONNECTS, (long)c->max_conns);
	/* open connections (sockets in the loop) are bounded too: transfers beyond wait in curl's
	 * queue, themselves bounded by max_xfers */
	curl_multi_setopt(f->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->max_conns);
	*out = f;
	return 0;
}

void http_fetch_destroy(struct http_fetch *f)
{
	if (!f)
		return;
	while (f->xfers)
		x_free(f->xfers);
	if (f->timer)
		ctl_loop_del_timer(f->loop, f->timer);
	f->timer = 0;
	curl_multi_cleanup(f->m); /* closes the cached connections (socket callbacks run) */
	if (f->timer)
		ctl_loop_del_timer(f->loop, f->timer);
	free(f);
}

const struct http_fetch_counters *http_fetch_counters(const struct http_fetch *f)
{
	return &f->cnt;
}

json_t *http_fetch_counters_json(const struct http_fetch *f)
{
	if (!f)
		return json_null();
	const struct http_fetch_counters *c = &f->cnt;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "started",
	                 (json_int_t)c->started, "ok", (json_int_t)c->ok, "failed",
	                 (json_int_t)c->failed, "retries", (json_int_t)c->retries, "busy",
	                 (json_int_t)c->busy, "too_large", (json_int_t)c->too_large, "conns_opened",
	                 (json_int_t)c->conns_opened, "active", (int)f->n);
}
