/* SPDX-License-Identifier: BSD-3-Clause */
/* test_http_loop.c — the listener and the fetcher over real loopback sockets, both driven by one
 * control loop: routing, 404/405/413 JSON, suspended answers, static files, bounded
 * connections; GET/POST parameters, signature header, keep-alive reuse, a held request not
 * delaying another, read/connect timeouts, retries, fallback with ErrorCode/ErrorUrl, 64 KB. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_loop.h"
#include "http.h"

struct fx {
	struct ctl_loop *loop;
	struct http_server *srv;
	struct http_fetch *f;
	char base[64];
	char dir[64];
	struct http_req *held[8];
	int nheld;
	uint64_t hold_timer;
	char last_form[1024];
	char last_sig[64];
	char last_url[512];
	int hits_fail;
};

struct done {
	int fired;
	struct http_result res;
	char body[80000];
	char url[512];
	char ctype[128];
	int which, first_error;
	double at_ms;
	char etag[HTTP_HDR_VALUE_MAX], lm[HTTP_HDR_VALUE_MAX], cc[HTTP_HDR_VALUE_MAX];
	char expires[HTTP_HDR_VALUE_MAX], date[HTTP_HDR_VALUE_MAX], age[HTTP_HDR_VALUE_MAX];
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_done(const struct http_result *r, void *arg)
{
	struct done *d = arg;
	d->fired++;
	d->res = *r;
	size_t n = r->body_len < sizeof(d->body) - 1 ? r->body_len : sizeof(d->body) - 1;
	memcpy(d->body, r->body, n);
	d->body[n] = 0;
	snprintf(d->url, sizeof(d->url), "%s", r->url);
	snprintf(d->ctype, sizeof(d->ctype), "%s", r->content_type);
	d->res.body = d->body;
	d->res.url = d->url;
	d->res.content_type = d->ctype;
	snprintf(d->etag, sizeof(d->etag), "%s", r->etag);
	snprintf(d->lm, sizeof(d->lm), "%s", r->last_modified);
	snprintf(d->cc, sizeof(d->cc), "%s", r->cache_control);
	snprintf(d->expires, sizeof(d->expires), "%s", r->expires);
	snprintf(d->date, sizeof(d->date), "%s", r->date);
	snprintf(d->age, sizeof(d->age), "%s", r->age);
	d->at_ms = now_ms();
}

static void on_wh(const struct http_result *r, int which, int first_error, void *arg)
{
	struct done *d = arg;
	on_done(r, arg);
	d->which = which;
	d->first_error = first_error;
}

/* Run the loop until *flag >= want or ms pass. */
static void pump(struct fx *x, const int *flag, int want, int ms)
{
	double end = now_ms() + ms;
	while ((!flag || *flag < want) && now_ms() < end)
		ctl_loop_once(x->loop, 20);
}

/* ---------------------------------------------------------------- routes */

static int h_echo(struct http_req *r, void *arg)
{
	struct fx *x = arg;
	const struct http_kv *kv;
	size_t nf = http_req_form_n(r, &kv);
	size_t o = 0;
	x->last_form[0] = 0;
	for (size_t i = 0; i < nf && o < sizeof(x->last_form) - 1; i++)
		o += (size_t)snprintf(x->last_form + o, sizeof(x->last_form) - o, "%s%s=%s",
		                      i ? "&" : "", kv[i].k, kv[i].v);
	const char *sig = http_req_header(r, "X-Twilio-Signature");
	snprintf(x->last_sig, sizeof(x->last_sig), "%s", sig ? sig : "");
	json_t *q = json_object();
	const struct http_kv *qk;
	size_t nq = http_req_query_n(r, &qk);
	for (size_t i = 0; i < nq; i++)
		json_object_set_new(q, qk[i].k, json_string(qk[i].v));
	const char *id = http_req_path_arg(r, "id");
	http_respond_json(r, 200,
	                  json_pack("{s:s, s:s, s:o, s:s, s:i}", "method", http_req_method(r), "id",
	                            id ? id : "", "query", q, "form", x->last_form, "nform",
	                            (int)nf));
	return HTTP_DONE;
}

static int h_fast(struct http_req *r, void *arg)
{
	const struct http_kv h[] = {{"Content-Type", "text/xml"}};
	const char doc[] = "<Response><Hangup/></Response>";
	http_respond(r, 200, h, 1, doc, sizeof(doc) - 1);
	return HTTP_DONE;
}

static int64_t hold_release(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct fx *x = arg;
	x->hold_timer = 0;
	for (int i = 0; i < x->nheld; i++) {
		const struct http_kv h[] = {{"Content-Type", "text/plain"}};
		http_respond(x->held[i], 200, h, 1, "late", 4);
	}
	x->nheld = 0;
	return CTL_TIMER_STOP;
}

/* a held request whose client went away: forget it */
static void hold_abort(struct http_req *r, void *arg)
{
	struct fx *x = arg;
	for (int i = 0; i < x->nheld; i++)
		if (x->held[i] == r) {
			x->held[i] = x->held[--x->nheld];
			break;
		}
}

/* /hold/{ms}: answered ms later from a loop timer (0: only when the test releases it) */
static int h_hold(struct http_req *r, void *arg)
{
	struct fx *x = arg;
	if (x->nheld == 8) {
		http_respond_error(r, 503, 20503, "test holds too many");
		return HTTP_DONE;
	}
	x->held[x->nheld++] = r;
	http_req_on_abort(r, hold_abort, x);
	int ms = atoi(http_req_path_arg(r, "ms"));
	if (ms > 0 && !x->hold_timer)
		x->hold_timer = ctl_loop_add_timer(x->loop, ms, hold_release, x);
	return HTTP_PENDING;
}

static int h_fail(struct http_req *r, void *arg)
{
	struct fx *x = arg;
	x->hits_fail++;
	http_respond(r, 500, NULL, 0, "oops", 4);
	return HTTP_DONE;
}

static int h_size(struct http_req *r, void *arg)
{
	size_t n = (size_t)atol(http_req_path_arg(r, "n"));
	char *b = malloc(n + 1);
	memset(b, 'x', n);
	const struct http_kv h[] = {{"Content-Type", "text/xml"}};
	http_respond(r, 200, h, 1, b, n);
	free(b);
	return HTTP_DONE;
}

/* /pick/{x}: this route declines names ending in .json; the next route answers those */
static int h_pick_first(struct http_req *r, void *arg)
{
	(void)arg;
	const char *x = http_req_path_arg(r, "x");
	size_t n = strlen(x);
	if (n > 5 && !strcmp(x + n - 5, ".json"))
		return HTTP_NEXT;
	http_respond(r, 200, NULL, 0, "first", 5);
	return HTTP_DONE;
}

static int h_pick_second(struct http_req *r, void *arg)
{
	(void)arg;
	http_respond(r, 200, NULL, 0, "second", 6);
	return HTTP_DONE;
}

/* /etag: a cacheable resource with validators; a matching If-None-Match gets 304. The
 * request's If-None-Match and X-Custom are remembered for the test. */
static int h_etag(struct http_req *r, void *arg)
{
	struct fx *x = arg;
	const char *inm = http_req_header(r, "If-None-Match");
	const char *cu = http_req_header(r, "X-Custom");
	snprintf(x->last_form, sizeof(x->last_form), "%s|%s", inm ? inm : "", cu ? cu : "");
	const struct http_kv h[] = {{"Content-Type", "audio/wav"},
	                            {"ETag", "\"v1\""},
	                            {"Last-Modified", "Sun, 22 Nov 2026 07:00:00 GMT"},
	                            {"Cache-Control", "max-age=0, must-revalidate"},
	                            {"Expires", "Thu, 01 Jan 1970 00:00:00 GMT"},
	                            {"Age", "3"}};
	if (inm && !strcmp(inm, "\"v1\""))
		http_respond(r, 304, h + 1, 5, NULL, 0);
	else
		http_respond(r, 200, h, 6, "RIFFdata", 8);
	return HTTP_DONE;
}

/* /moved: a redirect to /etag that carries its own (different) caching headers */
static int h_moved(struct http_req *r, void *arg)
{
	const struct http_kv h[] = {{"Location", "/etag"}, {"ETag", "\"redirect\""},
	                            {"Cache-Control", "no-store"}};
	http_respond(r, 302, h, 3, NULL, 0);
	return HTTP_DONE;
}

static int h_always304(struct http_req *r, void *arg)
{
	http_respond(r, 304, NULL, 0, NULL, 0);
	return HTTP_DONE;
}

static int setup(void **st)
{
	struct fx *x = calloc(1, sizeof(*x));
	assert_int_equal(ctl_loop_create(&x->loop, 4096), 0);
	snprintf(x->dir, sizeof(x->dir), "/tmp/vox-http-test.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	char p[128];
	snprintf(p, sizeof(p), "%s/voice.xml", x->dir);
	FILE *fp = fopen(p, "w");
	fputs("<Response><Say>hi</Say></Response>\n", fp);
	fclose(fp);
	struct http_server_cfg sc = {.addr = "127.0.0.1",
	                             .port = 0,
	                             .max_conns = 16,
	                             .max_body = 4096,
	                             .idle_timeout_s = 30,
	                             .max_pending = 4,
	                             .static_dir = x->dir,
	                             .static_prefix = "/demo/"};
	assert_int_equal(http_server_create(&x->srv, x->loop, &sc), 0);
	assert_int_not_equal(http_server_port(x->srv), 0);
	snprintf(x->base, sizeof(x->base), "http://127.0.0.1:%u", http_server_port(x->srv));
	assert_int_equal(http_server_route(x->srv, "*", "/echo/{id}", h_echo, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/fast", h_fast, x), 0);
	assert_int_equal(http_server_route(x->srv, "*", "/hold/{ms}", h_hold, x), 0);
	assert_int_equal(http_server_route(x->srv, "*", "/fail", h_fail, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/size/{n}", h_size, x), 0);
	assert_int_equal(http_server_route(x->srv, "POST", "/fb", h_echo, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/pick/{x}", h_pick_first, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/pick/{x}", h_pick_second, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/lone/{x}", h_pick_first, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/etag", h_etag, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/moved", h_moved, x), 0);
	assert_int_equal(http_server_route(x->srv, "GET", "/always304", h_always304, x), 0);
	struct http_fetch_cfg fc = {
	    .max_xfers = 16, .max_host_conns = 8, .max_conns = 16, .max_body = 65536};
	assert_int_equal(http_fetch_create(&x->f, x->loop, &fc), 0);
	*st = x;
	return 0;
}

static int teardown(void **st)
{
	struct fx *x = *st;
	http_fetch_destroy(x->f);
	http_server_destroy(x->srv);
	if (x->hold_timer)
		ctl_loop_del_timer(x->loop, x->hold_timer);
	ctl_loop_destroy(x->loop);
	char p[128];
	snprintf(p, sizeof(p), "%s/voice.xml", x->dir);
	unlink(p);
	rmdir(x->dir);
	free(x);
	return 0;
}

static void fetch(struct fx *x, const char *path, const char *method, const struct http_kv *kv,
                  size_t n, const char *token, struct done *d)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", x->base, path);
	struct http_request rq = {
	    .url = url, .method = method, .params = kv, .nparams = n, .auth_token = token};
	memset(d, 0, sizeof(*d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, d, NULL), 0);
	assert_int_equal(d->fired, 0); /* never from inside the call */
}

/* ---------------------------------------------------------------- tests */

/* Request headers go out; the caching headers of the final answer come back; a conditional
 * GET's 304 is a success; a 304 without a validator in the request stays an error. */
static void t_cache_headers_conditional(void **st)
{
	struct fx *x = *st;
	char url[512];
	snprintf(url, sizeof(url), "%s/etag", x->base);
	struct done d;
	memset(&d, 0, sizeof(d));
	const struct http_kv h1[] = {{"X-Custom", "yes"}};
	struct http_request rq = {.url = url, .method = "GET", .headers = h1, .nheaders = 1};
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, 0);
	assert_int_equal(d.res.status, 200);
	assert_string_equal(d.body, "RIFFdata");
	assert_string_equal(x->last_form, "|yes");
	assert_string_equal(d.etag, "\"v1\"");
	assert_string_equal(d.lm, "Sun, 22 Nov 2026 07:00:00 GMT");
	assert_string_equal(d.cc, "max-age=0, must-revalidate");
	assert_string_equal(d.expires, "Thu, 01 Jan 1970 00:00:00 GMT");
	assert_string_equal(d.age, "3");
	assert_true(strlen(d.date) > 10); /* the listener's own Date */

	/* conditional: 304 is an answer, with the validators again and no body */
	const struct http_kv h2[] = {{"If-None-Match", "\"v1\""}};
	rq.headers = h2;
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, 0);
	assert_int_equal(d.res.status, 304);
	assert_int_equal(d.res.body_len, 0);
	assert_string_equal(x->last_form, "\"v1\"|");
	assert_string_equal(d.etag, "\"v1\"");

	/* the same 304 to a request without the header named If-None-Match: an error */
	const struct http_kv h3[] = {{"X-If-None-Match", "\"v1\""}};
	rq.headers = h3;
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200); /* the server did not see a validator */

	/* a redirect's own headers are not the final answer's */
	snprintf(url, sizeof(url), "%s/moved", x->base);
	rq.headers = NULL;
	rq.nheaders = 0;
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200);
	assert_string_equal(d.etag, "\"v1\"");
	assert_string_equal(d.cc, "max-age=0, must-revalidate");

	/* no caching headers: "" */
	snprintf(url, sizeof(url), "%s/fast", x->base);
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_string_equal(d.etag, "");
	assert_string_equal(d.cc, "");

	/* header injection and too many headers are refused */
	const struct http_kv bad[] = {{"X-A", "1\r\nX-B: 2"}};
	rq.headers = bad;
	rq.nheaders = 1;
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), -EINVAL);
	const struct http_kv badk[] = {{"X A", "1"}};
	rq.headers = badk;
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), -EINVAL);
	rq.headers = h1;
	rq.nheaders = HTTP_MAX_REQ_HEADERS + 1;
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), -EINVAL);
}

/* Header names are case-blind (a lowercase If-None-Match is a validator too); a 304 to a request
 * without a validator is not a success (not a 2xx). */
static void t_conditional_304_rules(void **st)
{
	struct fx *x = *st;
	char url[512];
	snprintf(url, sizeof(url), "%s/always304", x->base);
	struct http_request rq0 = {.url = url, .method = "GET"};
	struct done d0;
	memset(&d0, 0, sizeof(d0));
	assert_int_equal(http_fetch_start(x->f, &rq0, on_done, &d0, NULL), 0);
	pump(x, &d0.fired, 1, 5000);
	assert_int_equal(d0.res.status, 304);
	assert_int_equal(d0.res.error, HTTP_ERR_RETRIEVAL);
	snprintf(url, sizeof(url), "%s/etag", x->base);
	const struct http_kv h[] = {{"if-none-match", "\"v1\""}};
	struct http_request rq = {.url = url, .method = "GET", .headers = h, .nheaders = 1};
	struct done d;
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 304);
	assert_int_equal(d.res.error, 0);
}

static void t_get_post_params_signature(void **st)
{
	struct fx *x = *st;
	const struct http_kv kv[] = {{"CallSid", "CA1"}, {"From", "+1 415"}, {"Digits", "1#"}};
	struct done d;
	fetch(x, "/echo/abc?pre=1#rc=0", "GET", kv, 3, "tok", &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.fired, 1);
	assert_int_equal(d.res.error, 0);
	assert_int_equal(d.res.status, 200);
	json_t *j = json_loads(d.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "abc");
	assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
	json_t *q = json_object_get(j, "query");
	assert_string_equal(json_string_value(json_object_get(q, "pre")), "1");
	assert_string_equal(json_string_value(json_object_get(q, "From")), "+1 415");
	assert_string_equal(json_string_value(json_object_get(q, "Digits")), "1#");
	json_decref(j);
	/* the fragment is not requested, the params are in the query; signature over that URL */
	assert_null(strchr(d.url, '#'));
	char want[29];
	assert_int_equal(http_signature("tok", d.url, NULL, 0, want), 0);
	assert_string_equal(x->last_sig, want);
	assert_non_null(strstr(d.url, "?pre=1&CallSid=CA1&From=%2B1+415&Digits=1%23"));

	fetch(x, "/echo/p", "POST", kv, 3, "tok", &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200);
	assert_string_equal(x->last_form, "CallSid=CA1&From=+1 415&Digits=1#");
	assert_int_equal(http_signature("tok", d.url, kv, 3, want), 0);
	assert_string_equal(x->last_sig, want);
	assert_int_equal(d.res.kind, HTTP_CT_OTHER); /* application/json */
}

static void t_keepalive_reuse(void **st)
{
	struct fx *x = *st;
	struct done a, b;
	fetch(x, "/fast", "GET", NULL, 0, NULL, &a);
	pump(x, &a.fired, 1, 5000);
	assert_int_equal(a.res.status, 200);
	assert_int_equal(a.res.kind, HTTP_CT_TWIML);
	assert_int_equal(a.res.new_conns, 1);
	fetch(x, "/fast", "GET", NULL, 0, NULL, &b);
	pump(x, &b.fired, 1, 5000);
	assert_int_equal(b.res.status, 200);
	assert_int_equal(b.res.new_conns, 0); /* the kept-alive connection was reused */
	assert_int_equal(http_fetch_counters(x->f)->conns_opened, 1);
}

static void t_held_does_not_delay(void **st)
{
	struct fx *x = *st;
	struct done slow, fast;
	double t0 = now_ms();
	fetch(x, "/hold/1500", "GET", NULL, 0, NULL, &slow);
	pump(x, NULL, 0, 100); /* the slow one is in and suspended */
	assert_int_equal(x->nheld, 1);
	fetch(x, "/fast", "GET", NULL, 0, NULL, &fast);
	pump(x, &fast.fired, 1, 5000);
	assert_int_equal(fast.res.status, 200);
	if (slow.fired)
		print_message("slow: err %d status %ld body %s detail after %.0f ms\n", slow.res.error, slow.res.status, slow.body, slow.at_ms - t0);
	assert_int_equal(slow.fired, 0);
	assert_true(fast.at_ms - t0 < 1000); /* not behind the 1.5 s one (loaded CI: margin) */
	pump(x, &slow.fired, 1, 5000);
	assert_int_equal(slow.res.status, 200);
	assert_string_equal(slow.body, "late");
	assert_true(slow.at_ms - t0 >= 1400);
	assert_int_equal(http_server_counters(x->srv)->resumed, 1);
}

static void t_read_timeout(void **st)
{
	struct fx *x = *st;
	struct done d;
	double t0 = now_ms();
	fetch(x, "/hold/0#rt=300&rc=0", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.fired, 1);
	assert_int_equal(d.res.error, HTTP_ERR_RETRIEVAL);
	assert_int_equal(d.res.status, 0);
	assert_int_equal(d.res.attempts, 1);
	assert_true(d.at_ms - t0 >= 290 && d.at_ms - t0 < 3000);
	/* rp=rt retries it once more */
	fetch(x, "/hold/0#rt=200&rc=1&rp=rt", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, HTTP_ERR_RETRIEVAL);
	assert_int_equal(d.res.attempts, 2);
	/* the total time bounds every try */
	t0 = now_ms();
	fetch(x, "/hold/0#tt=400&rt=15000", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, HTTP_ERR_RETRIEVAL);
	assert_true(d.at_ms - t0 < 3000);
	hold_release(x->loop, 0, x);
	pump(x, NULL, 0, 100);
}

static void t_connect_errors(void **st)
{
	struct fx *x = *st;
	/* a port nobody listens on: refused, retried once by default (two tries) */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(s, (struct sockaddr *)&a, &al);
	close(s);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", ntohs(a.sin_port));
	struct http_request rq = {.url = url, .method = "POST"};
	struct done d = {0};
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, HTTP_ERR_CONNECT);
	assert_int_equal(d.res.attempts, 2);
	/* a bad host name: 11210, not retried */
	rq.url = "http://no-such-host.invalid/x";
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 10000);
	assert_int_equal(d.res.error, HTTP_ERR_HOST);
	assert_int_equal(d.res.attempts, 1);
	/* an unknown retry policy: 11243, nothing requested */
	snprintf(url, sizeof(url), "%s/fail#rp=sometimes", x->base);
	rq.url = url;
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, HTTP_ERR_RETRY_POLICY);
	assert_int_equal(x->hits_fail, 0);
	/* not http(s), no method we know */
	rq.url = "ftp://h/x";
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), -EINVAL);
	rq.url = url;
	rq.method = "DELETE";
	assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d, NULL), -EINVAL);
}

static void t_fallback(void **st)
{
	struct fx *x = *st;
	char url[256], fb[256];
	snprintf(url, sizeof(url), "%s/fail", x->base);
	snprintf(fb, sizeof(fb), "%s/fb", x->base);
	const struct http_kv kv[] = {{"CallSid", "CA9"}};
	struct http_request rq = {.url = url, .method = "POST", .params = kv, .nparams = 1,
	                          .auth_token = "tok"};
	struct done d = {0};
	assert_int_equal(http_webhook_start(x->f, &rq, fb, "POST", on_wh, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.fired, 1);
	assert_int_equal(d.which, 1);
	assert_int_equal(d.first_error, HTTP_ERR_RETRIEVAL);
	assert_int_equal(d.res.error, 0);
	assert_int_equal(x->hits_fail, 1); /* a 5xx is not retried by default (rp=ct) */
	char want[512];
	snprintf(want, sizeof(want), "CallSid=CA9&ErrorCode=11200&ErrorUrl=%s", url);
	assert_string_equal(x->last_form, want);
	/* the primary answering: no fallback */
	snprintf(url, sizeof(url), "%s/echo/1", x->base);
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_webhook_start(x->f, &rq, fb, "POST", on_wh, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.which, 0);
	assert_int_equal(d.first_error, 0);
	assert_string_equal(x->last_form, "CallSid=CA9");
	/* rp=5xx retries the 500 before giving up */
	snprintf(url, sizeof(url), "%s/fail#rc=2&rp=5xx", x->base);
	x->hits_fail = 0;
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_webhook_start(x->f, &rq, NULL, NULL, on_wh, &d, NULL), 0);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.which, 0);
	assert_int_equal(d.res.error, HTTP_ERR_RETRIEVAL);
	assert_int_equal(d.res.status, 500);
	assert_int_equal(d.res.attempts, 3);
	assert_int_equal(x->hits_fail, 3);
}

static void t_body_limit(void **st)
{
	struct fx *x = *st;
	struct done d;
	fetch(x, "/size/65536", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, 0);
	assert_int_equal(d.res.body_len, 65536);
	fetch(x, "/size/70000", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.error, HTTP_ERR_TOO_LARGE);
	assert_int_equal(http_fetch_counters(x->f)->too_large, 1);
}

static void t_listener_errors(void **st)
{
	struct fx *x = *st;
	struct done d;
	fetch(x, "/nope", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 404);
	assert_int_equal(d.res.error, HTTP_ERR_RETRIEVAL);
	assert_string_equal(d.ctype, "application/json");
	json_t *j = json_loads(d.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "code")), 20404);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	json_decref(j);
	fetch(x, "/fast", "POST", NULL, 0, NULL, &d); /* GET-only route */
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 405);
	/* over max_body (4096): 413 with a JSON body */
	static char big[6000];
	memset(big, 'a', sizeof(big) - 1);
	const struct http_kv kv[] = {{"Twiml", big}};
	fetch(x, "/echo/1", "POST", kv, 1, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 413);
	j = json_loads(d.body, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 413);
	json_decref(j);
	assert_true(http_server_counters(x->srv)->too_large >= 1);
	/* a malformed form body: 400 */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(http_server_port(x->srv)),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof(a)), 0);
	const char req[] = "POST /echo/1 HTTP/1.1\r\nHost: x\r\nContent-Type: "
	                   "application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\na=%zz";
	assert_int_equal(write(s, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	char buf[512] = "";
	ssize_t n = 0;
	double end = now_ms() + 5000;
	while (n <= 0 && now_ms() < end) {
		ctl_loop_once(x->loop, 20);
		n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	}
	assert_true(n > 0);
	assert_non_null(strstr(buf, "HTTP/1.1 400"));
	close(s);
	/* a chunked body (no Content-Length) growing past max_body: 413 once it is all in */
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof(a)), 0);
	const char head[] = "POST /echo/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	assert_int_equal(write(s, head, sizeof(head) - 1), (ssize_t)sizeof(head) - 1);
	char chunk[1100];
	memcpy(chunk, "400\r\n", 5);
	memset(chunk + 5, 'b', 1024);
	memcpy(chunk + 5 + 1024, "\r\n", 2);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(write(s, chunk, 5 + 1024 + 2), 5 + 1024 + 2);
		ctl_loop_once(x->loop, 10);
	}
	assert_int_equal(write(s, "0\r\n\r\n", 5), 5);
	n = 0;
	end = now_ms() + 5000;
	while (n <= 0 && now_ms() < end) {
		ctl_loop_once(x->loop, 20);
		n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	}
	assert_true(n > 0);
	buf[n] = 0;
	assert_non_null(strstr(buf, "HTTP/1.1 413"));
	assert_non_null(strstr(buf, "\"status\":413"));
	close(s);
}

/* A handler that declines (HTTP_NEXT) hands the request to the next matching route; with none
 * left it is a 404 like any unknown path. */
static void t_route_declines(void **st)
{
	struct fx *x = *st;
	struct done d;
	fetch(x, "/pick/RE1", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200);
	assert_string_equal(d.body, "first");
	fetch(x, "/pick/RE1.json", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200);
	assert_string_equal(d.body, "second");
	fetch(x, "/lone/RE1.json", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 404);
}

static void t_static(void **st)
{
	struct fx *x = *st;
	struct done d;
	fetch(x, "/demo/voice.xml", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200);
	assert_int_equal(d.res.kind, HTTP_CT_TWIML);
	assert_string_equal(d.body, "<Response><Say>hi</Say></Response>\n");
	const struct http_kv kv[] = {{"CallSid", "CA1"}};
	fetch(x, "/demo/voice.xml", "POST", kv, 1, "t", &d); /* Twilio POSTs to documents */
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 200);
	fetch(x, "/demo/missing.xml", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 404);
	fetch(x, "/demo/.hidden", "GET", NULL, 0, NULL, &d);
	pump(x, &d.fired, 1, 5000);
	assert_int_equal(d.res.status, 404);
	assert_int_equal(http_server_counters(x->srv)->static_files, 2);
}

static void t_pending_bound_and_cancel(void **st)
{
	struct fx *x = *st;
	/* max_pending is 4: the fifth waiting request gets 503 */
	struct done d[5];
	struct http_xfer *xf[5];
	for (int i = 0; i < 5; i++) {
		char url[128];
		snprintf(url, sizeof(url), "%s/hold/0", x->base);
		struct http_request rq = {.url = url, .method = "GET"};
		memset(&d[i], 0, sizeof(d[i]));
		assert_int_equal(http_fetch_start(x->f, &rq, on_done, &d[i], &xf[i]), 0);
		pump(x, NULL, 0, 150);
	}
	int n503 = 0, waiting = 0;
	for (int i = 0; i < 5; i++) {
		if (d[i].fired && d[i].res.status == 503)
			n503++;
		else if (!d[i].fired)
			waiting++;
	}
	assert_int_equal(n503, 1);
	assert_int_equal(waiting, 4);
	assert_int_equal(http_server_counters(x->srv)->pending_full, 1);
	/* a cancelled transfer never calls back */
	for (int i = 0; i < 5; i++)
		if (!d[i].fired)
			http_fetch_cancel(x->f, xf[i]);
	/* the one refused was taken back from its owner (on_abort); the four stay pending and
	 * their late answers go to closed connections, harmlessly */
	assert_int_equal(http_server_counters(x->srv)->aborted_pending, 1);
	assert_int_equal(x->nheld, 4);
	pump(x, NULL, 0, 100);
	hold_release(x->loop, 0, x);
	pump(x, NULL, 0, 300);
	assert_int_equal(http_server_counters(x->srv)->resumed, 4);
	for (int i = 0; i < 5; i++)
		assert_true(d[i].fired <= 1);
	assert_int_equal(d[0].fired + d[1].fired + d[2].fired + d[3].fired + d[4].fired, 1);
}

/* Read what a raw client got so far; 1 when a 200 arrived, -1 when closed. */
static int raw_got(int fd)
{
	char buf[2048];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		return -1;
	if (n > 0) {
		buf[n] = 0;
		return strstr(buf, "200 OK") ? 1 : 0;
	}
	return 0;
}

/* Pump until `want` of fds[from..to) answered (or 3 s); returns how many did. */
static int raw_wait(struct fx *x, const int *fds, int from, int to, int want, int *got)
{
	int n = 0;
	double end = now_ms() + 3000;
	while (n < want && now_ms() < end) {
		ctl_loop_once(x->loop, 20);
		for (int i = from; i < to; i++)
			if (!got[i] && raw_got(fds[i]) == 1)
				got[i] = 1, n++;
	}
	return n;
}

/*
 * Raw keep-alive clients: max_conns (16) are served and stay open; the others wait in the
 * listen backlog (MHD stops accepting at the limit) until a served one closes.
 */
static void t_connections_bounded(void **st)
{
	struct fx *x = *st;
	enum { N = 24, MAX = 16 };
	int fds[N], got[N] = {0};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(http_server_port(x->srv)),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	const char req[] = "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n";
	for (int i = 0; i < N; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&a, sizeof(a)), 0);
		pump(x, NULL, 0, 10);
		assert_int_equal(write(fds[i], req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	}
	assert_int_equal(raw_wait(x, fds, 0, N, N, got), MAX);
	for (int i = 0; i < MAX; i++)
		assert_int_equal(got[i], 1); /* the first 16, in order of connection */
	/* the same connections serve a second request: kept alive */
	for (int i = 0; i < MAX; i++) {
		got[i] = 0;
		assert_int_equal(write(fds[i], req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	}
	assert_int_equal(raw_wait(x, fds, 0, MAX, MAX, got), MAX);
	for (int i = MAX; i < N; i++)
		assert_int_equal(got[i], 0);
	/* closing 8 served ones lets the 8 waiting in */
	for (int i = 0; i < N - MAX; i++)
		close(fds[i]);
	assert_int_equal(raw_wait(x, fds, MAX, N, N - MAX, got), N - MAX);
	for (int i = N - MAX; i < N; i++)
		close(fds[i]);
}

static void t_fetch_bounded(void **st)
{
	struct fx *x = *st;
	struct done d[17];
	char url[128];
	snprintf(url, sizeof(url), "%s/fast", x->base);
	struct http_request rq = {.url = url, .method = "GET"};
	int ok = 0, busy = 0;
	for (int i = 0; i < 17; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		int rc = http_fetch_start(x->f, &rq, on_done, &d[i], NULL);
		ok += rc == 0;
		busy += rc == -EBUSY;
	}
	assert_int_equal(ok, 16);
	assert_int_equal(busy, 1);
	assert_int_equal(http_fetch_counters(x->f)->busy, 1);
	int fired = 0;
	double end = now_ms() + 5000;
	while (fired < 16 && now_ms() < end) {
		ctl_loop_once(x->loop, 20);
		fired = 0;
		for (int i = 0; i < 17; i++)
			fired += d[i].fired;
	}
	assert_int_equal(fired, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(d[i].res.status, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(t_get_post_params_signature, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_cache_headers_conditional, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_conditional_304_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_keepalive_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_held_does_not_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_read_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_connect_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_fallback, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_body_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_listener_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_static, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_route_declines, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_pending_bound_and_cancel, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_connections_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_fetch_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
