/* SPDX-License-Identifier: BSD-3-Clause */
/* test_rest.c — the REST API over real HTTP on loopback (libcurl client thread) against a real
 * LMDB store in a temporary directory: auth and keys, subaccount isolation, error shapes and
 * hostile input, paging, each resource's validation, repeated and space-separated lists. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "ctl_loop.h"
#include "http.h"
#include "rest.h"
#include "rest_priv.h"
#include "store.h"
#include "store_ent.h"

struct fx {
	struct ctl_loop *loop;
	struct store *st;
	struct http_server *srv;
	struct rest *api;
	pthread_t th;
	volatile int stop;
	char dir[64], base[64];
	char ac[STORE_SID_LEN + 1], tok[33];
};

static void on_store(struct ctl_loop *l, int fd, void *arg, int mask)
{
	(void)l, (void)fd, (void)mask;
	store_dispatch(arg);
}

static void *loop_main(void *arg)
{
	struct fx *x = arg;
	while (!x->stop)
		ctl_loop_once(x->loop, 10);
	return NULL;
}

static void put_sync(struct fx *x, enum store_kind k, json_t *rec)
{
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_res_put(b, k, rec, 1), 0);
	assert_int_equal(store_submit(x->st, b, NULL, NULL), 0);
	store_drain(x->st);
}

/* a call record as the call router writes it */
static void seed_call(struct fx *x, const char *ac, const char *to, const char *status,
                      uint64_t us, char *sid_out)
{
	char sid[STORE_SID_LEN + 1], d[40];
	store_sid_new(sid, "CA");
	store_rfc2822(us, d);
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:n}", "sid", sid,
	                      "account_sid", ac, "to", to, "from", "+15005550006", "status", status,
	                      "direction", "outbound-api", "start_time", d, "_ts", (json_int_t)us,
	                      "date_created", d, "duration", json_null());
	put_sync(x, STORE_K_CALL, c);
	json_decref(c);
	if (sid_out)
		strcpy(sid_out, sid);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "/tmp/vox-rest-test.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	char err[128];
	struct store_cfg sc = {.dir = x->dir, .map_size = 64u << 20, .no_sync = 1};
	assert_int_equal(store_open(&x->st, &sc, err, sizeof(err)), 0);
	assert_int_equal(ctl_loop_create(&x->loop, 1024), 0);
	assert_int_equal(ctl_loop_add_file(x->loop, store_fd(x->st), CTL_LOOP_READ, on_store, x->st),
	                 0);
	struct http_server_cfg hc = {.addr = "127.0.0.1", .max_conns = 32, .max_body = 65536,
	                             .idle_timeout_s = 30, .max_pending = 64};
	assert_int_equal(http_server_create(&x->srv, x->loop, &hc), 0);
	snprintf(x->base, sizeof(x->base), "http://127.0.0.1:%u", http_server_port(x->srv));
	struct rest_cfg rc = {.server = x->srv, .store = x->st, .data_dir = x->dir};
	assert_int_equal(rest_create(&x->api, &rc), 0);
	json_t *a = store_account_new("main", NULL);
	strcpy(x->ac, json_string_value(json_object_get(a, "sid")));
	strcpy(x->tok, json_string_value(json_object_get(a, "auth_token")));
	put_sync(x, STORE_K_ACCOUNT, a);
	json_decref(a);
	*state = x;
	return 0;
}

static void start(struct fx *x)
{
	assert_int_equal(pthread_create(&x->th, NULL, loop_main, x), 0);
}

static int teardown(void **state)
{
	struct fx *x = *state;
	if (x->th) {
		x->stop = 1;
		pthread_join(x->th, NULL);
	}
	http_server_destroy(x->srv);
	ctl_loop_del_file(x->loop, store_fd(x->st), CTL_LOOP_READ);
	store_close(x->st);
	rest_destroy(x->api);
	ctl_loop_destroy(x->loop);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", x->dir);
	assert_int_equal(system(cmd), 0);
	free(x);
	return 0;
}

/* ---- client ---- */

struct buf {
	char *p;
	size_t n;
};

static size_t on_body(char *d, size_t sz, size_t nm, void *arg)
{
	struct buf *b = arg;
	b->p = realloc(b->p, b->n + sz * nm + 1);
	memcpy(b->p + b->n, d, sz * nm);
	b->n += sz * nm;
	b->p[b->n] = 0;
	return sz * nm;
}

static long last_status;
static char last_ctype[128];

/* method, path (printf), user/pass (NULL: none), body (NULL: none; raw bytes, blen) */
static json_t *req(struct fx *x, const char *method, const char *user, const char *pass,
                   const char *body, size_t blen, const char *fmt, ...)
{
	char path[8192], url[8300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(url, sizeof(url), "%s%s", x->base, path);
	CURL *c = curl_easy_init();
	struct buf b = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L); /* else curl waits for the body */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
	}
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &last_status);
	char *ct = NULL;
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(last_ctype, sizeof(last_ctype), "%s", ct ? ct : "");
	curl_easy_cleanup(c);
	json_t *j = b.p ? json_loads(b.p, 0, NULL) : NULL;
	free(b.p);
	return j;
}

#define GET(x, ...) req(x, "GET", (x)->ac, (x)->tok, NULL, 0, __VA_ARGS__)
#define POST(x, body, ...) req(x, "POST", (x)->ac, (x)->tok, body, strlen(body), __VA_ARGS__)
#define DEL(x, ...) req(x, "DELETE", (x)->ac, (x)->tok, NULL, 0, __VA_ARGS__)
#define ACC "/2010-04-01/Accounts/%s"

static void assert_error(json_t *j, long status, int code)
{
	assert_int_equal(last_status, status);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "code")), code);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
	assert_non_null(json_string_value(json_object_get(j, "message")));
	char more[64];
	snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%d", code);
	assert_string_equal(json_string_value(json_object_get(j, "more_info")), more);
	json_decref(j);
}

static const char *jstr(json_t *j, const char *k)
{
	return json_string_value(json_object_get(j, k));
}

/* ---- pure helpers ---- */

static void t_helpers(void **state)
{
	(void)state;
	assert_true(rest_utf8_ok("h\xc3\xa9llo", 6));
	assert_false(rest_utf8_ok("\xff", 1));
	assert_false(rest_utf8_ok("\xc0\xaf", 2)); /* overlong */
	assert_false(rest_utf8_ok("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(rest_utf8_ok("\xe2\x82", 2)); /* cut */
	uint64_t lo, hi;
	assert_int_equal(rest_date_range("2024-03-01", '=', &lo, &hi), 0);
	assert_int_equal(hi - lo, 86400ull * 1000000);
	assert_int_equal(lo, 1709251200ull * 1000000);
	assert_int_equal(rest_date_range("2024-03-01", '>', &lo, &hi), 0);
	assert_true(hi == UINT64_MAX && lo == 1709251200ull * 1000000);
	assert_int_equal(rest_date_range("2024-03-01T10:00:00Z", '<', &lo, &hi), 0);
	assert_int_equal(hi, (1709251200ull + 36001) * 1000000);
	assert_int_not_equal(rest_date_range("2024-13-01x", '=', &lo, &hi), 0);
	assert_int_not_equal(rest_date_range("yesterday", '=', &lo, &hi), 0);
	assert_int_equal(rest_rfc2822_us("Fri, 18 Oct 2019 17:00:00 +0000"), 1571418000ull * 1000000);
	long v;
	assert_int_equal(rest_int("600", 1, 600, &v), 0);
	assert_int_not_equal(rest_int("601", 1, 600, &v), 0);
	assert_int_not_equal(rest_int("6x", 1, 600, &v), 0);
	char h[65];
	rest_key_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---- auth ---- */

static void t_auth(void **state)
{
	struct fx *x = *state;
	start(x);
	json_t *j = req(x, "GET", NULL, NULL, NULL, 0, ACC ".json", x->ac);
	assert_error(j, 401, 20003);
	j = req(x, "GET", x->ac, "0123456789abcdef0123456789abcdef", NULL, 0, ACC ".json", x->ac);
	assert_error(j, 401, 20003);
	j = req(x, "GET", "nobody", "x", NULL, 0, ACC ".json", x->ac);
	assert_error(j, 401, 20003);
	j = GET(x, ACC ".json", x->ac);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "sid"), x->ac);
	assert_string_equal(jstr(j, "status"), "active");
	assert_non_null(json_object_get(json_object_get(j, "subresource_uris"), "calls"));
	json_decref(j);
	/* an API key: secret shown once, works as credentials, then deleted */
	j = POST(x, "FriendlyName=ci+key", ACC "/Keys.json", x->ac);
	assert_int_equal(last_status, 201);
	char sk[40], secret[40];
	strcpy(sk, jstr(j, "sid"));
	strcpy(secret, jstr(j, "secret"));
	assert_true(store_sid_valid(sk, "SK"));
	assert_string_equal(jstr(j, "friendly_name"), "ci key");
	json_decref(j);
	j = req(x, "GET", sk, secret, NULL, 0, ACC "/Keys/%s.json", x->ac, sk);
	assert_int_equal(last_status, 200);
	assert_null(json_object_get(j, "secret"));
	json_decref(j);
	/* only the hash is stored */
	json_t *rec;
	assert_int_equal(store_res_get(x->st, STORE_K_KEY, sk, &rec), 0);
	char *dump = json_dumps(rec, 0);
	assert_null(strstr(dump, secret));
	free(dump);
	json_decref(rec);
	j = req(x, "GET", sk, "wrong", NULL, 0, ACC "/Keys.json", x->ac);
	assert_error(j, 401, 20003);
	j = GET(x, ACC "/Keys.json?PageSize=5", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "keys")), 1);
	json_decref(j);
	j = DEL(x, ACC "/Keys/%s.json", x->ac, sk);
	assert_int_equal(last_status, 204);
	j = req(x, "GET", sk, secret, NULL, 0, ACC "/Keys.json", x->ac);
	assert_error(j, 401, 20003);
}

/* ---- subaccounts ---- */

static void t_subaccounts(void **state)
{
	struct fx *x = *state;
	start(x);
	json_t *j = POST(x, "FriendlyName=child", "/2010-04-01/Accounts.json");
	assert_int_equal(last_status, 201);
	char sub[40], subtok[40];
	strcpy(sub, jstr(j, "sid"));
	strcpy(subtok, jstr(j, "auth_token"));
	assert_string_equal(jstr(j, "owner_account_sid"), x->ac);
	json_decref(j);
	/* the parent sees both; the child only itself */
	j = GET(x, "/2010-04-01/Accounts.json");
	assert_int_equal(json_array_size(json_object_get(j, "accounts")), 2);
	json_decref(j);
	j = req(x, "GET", sub, subtok, NULL, 0, "/2010-04-01/Accounts.json");
	assert_int_equal(json_array_size(json_object_get(j, "accounts")), 1);
	json_decref(j);
	/* the parent works in the child's account; the child not in the parent's */
	j = POST(x, "PhoneNumber=%2B15005550100", ACC "/IncomingPhoneNumbers.json", sub);
	assert_int_equal(last_status, 201);
	char pn[40];
	strcpy(pn, jstr(j, "sid"));
	json_decref(j);
	j = req(x, "GET", sub, subtok, NULL, 0, ACC "/IncomingPhoneNumbers.json", x->ac);
	assert_error(j, 401, 20003);
	/* the parent's path does not reach the child's records */
	j = GET(x, ACC "/IncomingPhoneNumbers/%s.json", x->ac, pn);
	assert_error(j, 404, 20404);
	j = req(x, "GET", sub, subtok, NULL, 0, ACC "/IncomingPhoneNumbers/%s.json", sub, pn);
	assert_int_equal(last_status, 200);
	json_decref(j);
	/* suspend: recorded for the call router; calls refused */
	j = POST(x, "Status=suspended", ACC ".json", sub);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "status"), "suspended");
	json_decref(j);
	assert_int_equal(rest_account_can_call(x->st, sub), 0);
	assert_int_equal(rest_account_can_call(x->st, x->ac), 1);
	j = POST(x, "To=%2B15005550001&From=%2B15005550006&Url=http://x.test/a", ACC "/Calls.json",
	         sub);
	assert_error(j, 403, 20005);
	j = POST(x, "Status=sleeping", ACC ".json", sub);
	assert_error(j, 400, 20001);
	/* the suspended subaccount cannot reactivate itself; it may still rename itself */
	j = req(x, "POST", sub, subtok, "Status=active", 13, ACC ".json", sub);
	assert_error(j, 403, 20403);
	j = req(x, "POST", sub, subtok, "FriendlyName=kid", 16, ACC ".json", sub);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "status"), "suspended");
	json_decref(j);
	/* a third account is invisible */
	json_t *o = store_account_new("other", NULL);
	const char *osid = jstr(o, "sid");
	json_t *cp = json_deep_copy(o);
	put_sync(x, STORE_K_ACCOUNT, cp);
	json_decref(cp);
	j = GET(x, ACC ".json", osid);
	assert_error(j, 401, 20003);
	json_decref(o);
}

/* ---- a write is answered only after its commit ---- */

struct bg_post {
	struct fx *x;
	json_t *j;
	volatile int done;
};

static void *bg_post_main(void *arg)
{
	struct bg_post *b = arg;
	b->j = POST(b->x, "FriendlyName=held", ACC "/Queues.json", b->x->ac);
	b->done = 1;
	return NULL;
}

static void t_after_commit(void **state)
{
	struct fx *x = *state;
	start(x);
	store_test_hold_writer(x->st, 1);
	struct bg_post b = {.x = x};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, bg_post_main, &b), 0);
	usleep(500 * 1000);
	assert_false(b.done); /* not answered while the commit cannot happen */
	struct store_stats ss;
	store_get_stats(x->st, &ss);
	assert_int_equal(ss.in_flight, 1);
	store_test_hold_writer(x->st, 0);
	pthread_join(th, NULL);
	assert_int_equal(last_status, 201);
	char qs[40];
	strcpy(qs, jstr(b.j, "sid"));
	json_decref(b.j);
	/* stop the loop to read the store from this thread: the record is committed */
	x->stop = 1;
	pthread_join(x->th, NULL);
	x->th = 0;
	json_t *rec;
	assert_int_equal(store_res_get(x->st, STORE_K_QUEUE, qs, &rec), 0);
	assert_string_equal(jstr(rec, "friendly_name"), "held");
	json_decref(rec);
}

/* ---- errors and hostile input ---- */

static void t_hostile(void **state)
{
	struct fx *x = *state;
	start(x);
	json_t *j = GET(x, "/2010-04-01/Accounts/%s/Nothing.json", x->ac);
	assert_error(j, 404, 20404);
	assert_string_equal(last_ctype, "application/json");
	j = GET(x, "/2010-04-01/Accounts/ACnothex/Calls.json");
	assert_error(j, 404, 20404);
	j = POST(x, "FriendlyName=%ff%fe", ACC "/Queues.json", x->ac);
	assert_error(j, 400, 20001);
	j = GET(x, ACC "/IncomingPhoneNumbers.json?FriendlyName=%%C0%%AF", x->ac);
	assert_error(j, 400, 20001);
	j = POST(x, "FriendlyName=%zz", ACC "/Queues.json", x->ac);
	assert_int_equal(last_status, 400);
	json_decref(j);
	j = POST(x, "", ACC "/Queues.json", x->ac);
	assert_error(j, 400, 20001);
	/* a binary body */
	char bin[300];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 7 + 1);
	j = req(x, "POST", x->ac, x->tok, bin, sizeof(bin), ACC "/Queues.json", x->ac);
	assert_true(last_status == 400);
	json_decref(j);
	/* huge: over the body bound */
	size_t big = 70000;
	char *h = malloc(big + 1);
	memset(h, 'a', big);
	memcpy(h, "FriendlyName=", 13);
	h[big] = 0;
	j = req(x, "POST", x->ac, x->tok, h, big, ACC "/Queues.json", x->ac);
	assert_int_equal(last_status, 413);
	json_decref(j);
	/* a long name within the body bound */
	h[200] = 0;
	j = POST(x, h, ACC "/Queues.json", x->ac);
	assert_error(j, 400, 20001);
	free(h);
	/* deep and odd paths */
	j = GET(x, ACC "/Queues/a/b/c/d/e.json", x->ac);
	assert_error(j, 404, 20404);
	j = GET(x, ACC "/Calls/CA%%00.json", x->ac);
	assert_int_equal(last_status, 404);
	json_decref(j);
	j = GET(x, ACC "/Calls.xml", x->ac);
	assert_error(j, 404, 20404);
	j = GET(x, ACC "/Calls.json?PageSize=0", x->ac);
	assert_error(j, 400, 20001);
	j = GET(x, ACC "/Calls.json?PageSize=1001", x->ac);
	assert_error(j, 400, 20001);
	j = GET(x, ACC "/Calls.json?PageToken=PAxyz", x->ac);
	assert_error(j, 400, 20001);
	j = req(x, "PUT", x->ac, x->tok, NULL, 0, ACC "/Queues.json", x->ac);
	assert_error(j, 405, 20004);
	j = req(x, "HEAD", x->ac, x->tok, NULL, 0, ACC "/Queues.json", x->ac);
	assert_int_equal(last_status, 200); /* HEAD as GET, headers only */
	assert_null(j);
	/* still alive */
	j = GET(x, ACC ".json", x->ac);
	assert_int_equal(last_status, 200);
	json_decref(j);
}

/* ---- numbers and applications ---- */

static void t_numbers_apps(void **state)
{
	struct fx *x = *state;
	start(x);
	json_t *j = POST(x, "FriendlyName=IVR&VoiceUrl=https://example.com/v&VoiceMethod=GET",
	                 ACC "/Applications.json", x->ac);
	assert_int_equal(last_status, 201);
	char ap[40];
	strcpy(ap, jstr(j, "sid"));
	assert_string_equal(jstr(j, "voice_method"), "GET");
	assert_true(json_is_null(json_object_get(j, "voice_fallback_url")));
	json_decref(j);
	j = POST(x, "PhoneNumber=bogus", ACC "/IncomingPhoneNumbers.json", x->ac);
	assert_error(j, 400, 21421);
	j = POST(x, "FriendlyName=x", ACC "/IncomingPhoneNumbers.json", x->ac);
	assert_error(j, 400, 21421);
	j = POST(x, "PhoneNumber=%2B15005550006&VoiceUrl=ftp://x", ACC "/IncomingPhoneNumbers.json",
	         x->ac);
	assert_error(j, 400, 21502);
	j = POST(x, "PhoneNumber=%2B15005550006&VoiceMethod=PUT", ACC "/IncomingPhoneNumbers.json",
	         x->ac);
	assert_error(j, 400, 20001);
	j = POST(x, "PhoneNumber=%2B1+500-555-0006&FriendlyName=main", ACC "/IncomingPhoneNumbers.json",
	         x->ac);
	assert_int_equal(last_status, 201);
	char pn[40];
	strcpy(pn, jstr(j, "sid"));
	assert_string_equal(jstr(j, "phone_number"), "+15005550006");
	assert_string_equal(jstr(j, "sms_method"), "POST"); /* Twilio's fields, filled */
	assert_true(json_is_null(json_object_get(j, "trunk_sid")));
	assert_true(json_is_true(json_object_get(json_object_get(j, "capabilities"), "voice")));
	assert_null(json_object_get(j, "_ts"));
	json_decref(j);
	j = POST(x, "PhoneNumber=%2B15005550006", ACC "/IncomingPhoneNumbers.json", x->ac);
	assert_error(j, 400, 21422); /* taken */
	j = POST(x, "PhoneNumber=%2B15005550007&FriendlyName=second", ACC "/IncomingPhoneNumbers.json",
	         x->ac);
	json_decref(j);
	j = GET(x, ACC "/IncomingPhoneNumbers.json?PhoneNumber=%%2B15005550007", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "incoming_phone_numbers")), 1);
	assert_non_null(strstr(jstr(j, "uri"), "PhoneNumber=%2B15005550007"));
	json_decref(j);
	j = GET(x, ACC "/IncomingPhoneNumbers.json?FriendlyName=main", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "incoming_phone_numbers")), 1);
	json_decref(j);
	/* update voice fields and the application */
	char body[200];
	snprintf(body, sizeof(body), "VoiceApplicationSid=%s&VoiceFallbackUrl=http://f.test/x", ap);
	j = POST(x, body, ACC "/IncomingPhoneNumbers/%s.json", x->ac, pn);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "voice_application_sid"), ap);
	assert_string_equal(jstr(j, "voice_fallback_url"), "http://f.test/x");
	json_decref(j);
	j = POST(x, "VoiceApplicationSid=AP00000000000000000000000000000000",
	         ACC "/IncomingPhoneNumbers/%s.json", x->ac, pn);
	assert_error(j, 404, 20404);
	j = GET(x, ACC "/IncomingPhoneNumbers/%s.json", x->ac, pn);
	assert_string_equal(jstr(j, "voice_application_sid"), ap); /* unchanged */
	json_decref(j);
	j = DEL(x, ACC "/IncomingPhoneNumbers/%s.json", x->ac, pn);
	assert_int_equal(last_status, 204);
	j = GET(x, ACC "/IncomingPhoneNumbers/%s.json", x->ac, pn);
	assert_error(j, 404, 20404);
	j = DEL(x, ACC "/Applications/%s.json", x->ac, ap);
	assert_int_equal(last_status, 204);
}

/* ---- paging ---- */

static void t_paging(void **state)
{
	struct fx *x = *state;
	uint64_t t0 = 1700000000ull * 1000000;
	for (int i = 0; i < 7; i++)
		seed_call(x, x->ac, i % 2 ? "+15005550001" : "+15005550002",
		          i < 5 ? "completed" : "in-progress", t0 + (uint64_t)i * 86400ull * 1000000, NULL);
	start(x);
	json_t *j = GET(x, ACC "/Calls.json?PageSize=3", x->ac);
	assert_int_equal(last_status, 200);
	json_t *calls = json_object_get(j, "calls");
	assert_int_equal(json_array_size(calls), 3);
	/* exactly one array, the envelope's fields */
	const char *k;
	json_t *v;
	int arrays = 0;
	json_object_foreach(j, k, v) arrays += json_is_array(v);
	assert_int_equal(arrays, 1);
	assert_int_equal(json_integer_value(json_object_get(j, "page")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "page_size")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "start")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "end")), 2);
	assert_true(json_is_null(json_object_get(j, "previous_page_uri")));
	assert_non_null(strstr(jstr(j, "first_page_uri"), "PageSize=3&Page=0"));
	/* newest first */
	uint64_t a = rest_rfc2822_us(jstr(json_array_get(calls, 0), "start_time"));
	uint64_t b = rest_rfc2822_us(jstr(json_array_get(calls, 1), "start_time"));
	assert_true(a > b);
	assert_non_null(json_object_get(json_array_get(calls, 0), "subresource_uris"));
	assert_null(json_object_get(json_array_get(calls, 0), "_ts"));
	char next[512], first3[3][40];
	snprintf(next, sizeof(next), "%s", jstr(j, "next_page_uri"));
	assert_non_null(strstr(next, "Page=1&PageToken=PA"));
	for (int i = 0; i < 3; i++)
		strcpy(first3[i], jstr(json_array_get(calls, (size_t)i), "sid"));
	json_decref(j);
	/* a newer call arrives between pages: the token keeps the next page where it was */
	x->stop = 1;
	pthread_join(x->th, NULL);
	x->th = 0;
	x->stop = 0;
	seed_call(x, x->ac, "+15005550003", "queued", t0 + 100ull * 86400 * 1000000, NULL);
	start(x);
	/* follow next twice: 3 + 3 + 1, none seen before, then no next */
	int seen = 3;
	for (int p = 1; p <= 2; p++) {
		j = GET(x, "%s", next);
		assert_int_equal(last_status, 200);
		json_t *pc = json_object_get(j, "calls");
		seen += (int)json_array_size(pc);
		for (size_t i = 0; i < json_array_size(pc); i++)
			for (int k = 0; k < 3; k++)
				assert_string_not_equal(jstr(json_array_get(pc, i), "sid"), first3[k]);
		assert_int_equal(json_integer_value(json_object_get(j, "page")), p);
		json_t *n = json_object_get(j, "next_page_uri");
		if (p == 2)
			assert_true(json_is_null(n));
		else
			snprintf(next, sizeof(next), "%s", json_string_value(n));
		json_decref(j);
	}
	assert_int_equal(seen, 7);
	/* Page without a token counts from the newest (8 calls now) */
	j = GET(x, ACC "/Calls.json?PageSize=3&Page=2", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "start")), 6);
	json_decref(j);
	/* filters: Status, To, StartTime>, StartTime< and the carried query */
	j = GET(x, ACC "/Calls.json?Status=in-progress", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 2);
	json_decref(j);
	j = GET(x, ACC "/Calls.json?To=%%2B15005550001&PageSize=2", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 2);
	assert_non_null(strstr(jstr(j, "next_page_uri"), "To=%2B15005550001"));
	snprintf(next, sizeof(next), "%s", jstr(j, "next_page_uri"));
	json_decref(j);
	j = GET(x, "%s", next);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 1); /* 3 with that To */
	assert_true(json_is_null(json_object_get(j, "next_page_uri")));
	json_decref(j);
	/* t0 = 2023-11-14; days 0..6 */
	j = GET(x, ACC "/Calls.json?StartTime%%3E=2023-11-17", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 5); /* with the newer one */
	json_decref(j);
	j = GET(x, ACC "/Calls.json?StartTime%%3C=2023-11-15", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 2);
	json_decref(j);
	j = GET(x, ACC "/Calls.json?StartTime=2023-11-16", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "calls")), 1);
	json_decref(j);
	j = GET(x, ACC "/Calls.json?StartTime=soon", x->ac);
	assert_error(j, 400, 20001);
	j = GET(x, ACC "/Calls.json?Status=bogus", x->ac);
	assert_error(j, 400, 20001);
	/* empty page */
	j = GET(x, ACC "/Recordings.json", x->ac);
	assert_int_equal(json_array_size(json_object_get(j, "recordings")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "end")), 0);
	assert_true(json_is_null(json_object_get(j, "next_page_uri")));
	json_decref(j);
}

/* a filter matching little: pages stop at the scan bound and the next page goes on */
static void t_scan_bound(void **state)
{
	struct fx *x = *state;
	uint64_t t0 = 1600000000ull * 1000000;
	uint32_t n = REST_SCAN_MAX + 500;
	struct store_batch *b = store_batch_new();
	for (uint32_t i = 0; i < n; i++) {
		char sid[STORE_SID_LEN + 1];
		store_sid_new(sid, "CA");
		int hit = i == 3 || i == n - 3;
		json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:I}", "sid", sid, "account_sid", x->ac, "to",
		                      hit ? "+15005550999" : "+15005550001", "status", "completed", "_ts",
		                      (json_int_t)(t0 + i));
		assert_int_equal(store_res_put(b, STORE_K_CALL, c, 1), 0);
		json_decref(c);
		if (store_batch_ops(b) >= STORE_BATCH_MAX_OPS - 2 || i == n - 1) {
			assert_int_equal(store_submit(x->st, b, NULL, NULL), 0);
			b = i == n - 1 ? NULL : store_batch_new();
		}
	}
	store_drain(x->st);
	start(x);
	json_t *j = GET(x, ACC "/Calls.json?To=%%2B15005550999&PageSize=5", x->ac);
	assert_int_equal(last_status, 200);
	size_t found = json_array_size(json_object_get(j, "calls"));
	assert_true(found < 2); /* stopped at the bound */
	int pages = 1;
	while (json_is_string(json_object_get(j, "next_page_uri")) && pages < 10) {
		char next[512];
		snprintf(next, sizeof(next), "%s", jstr(j, "next_page_uri"));
		assert_non_null(strstr(next, "To=%2B15005550999"));
		json_decref(j);
		j = GET(x, "%s", next);
		assert_int_equal(last_status, 200);
		found += json_array_size(json_object_get(j, "calls"));
		pages++;
	}
	json_decref(j);
	assert_int_equal(found, 2);
	assert_true(pages >= 2 && pages < 10);
}

/* ---- calls: fetch, delete, create/update validation ---- */

static void t_calls(void **state)
{
	struct fx *x = *state;
	char live[40], done[40], ended[40];
	seed_call(x, x->ac, "+15005550001", "in-progress", store_now_us(), live);
	seed_call(x, x->ac, "+15005550001", "completed", store_now_us(), done);
	seed_call(x, x->ac, "+15005550001", "no-answer", store_now_us(), ended);
	start(x);
	json_t *j = GET(x, ACC "/Calls/%s.json", x->ac, live);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "sid"), live);
	assert_string_equal(jstr(j, "api_version"), "2010-04-01");
	assert_non_null(strstr(jstr(j, "uri"), live));
	json_decref(j);
	j = DEL(x, ACC "/Calls/%s.json", x->ac, live);
	assert_error(j, 400, 20001);
	j = DEL(x, ACC "/Calls/%s.json", x->ac, done);
	assert_int_equal(last_status, 204);
	j = GET(x, ACC "/Calls/%s.json", x->ac, done);
	assert_error(j, 404, 20404);
	static const struct {
		const char *body;
		int code;
	} bad[] = {
	    {"From=%2B15005550006&Url=http://a.test/", 21201},
	    {"To=abc&From=%2B15005550006&Url=http://a.test/", 21211},
	    {"To=%2B15005550001&Url=http://a.test/", 21213},
	    {"To=%2B15005550001&From=not+a+number&Url=http://a.test/", 21212},
	    {"To=%2B15005550001&From=%2B15005550006", 21205},
	    {"To=%2B15005550001&From=%2B15005550006&Url=notaurl", 21205},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&Timeout=601", 21208},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&Timeout=x", 21208},
	    {"To=%2B15005550001&From=%2B15005550006&ApplicationSid=AP00000000000000000000000000000000",
	     21218},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&StatusCallback=x", 21609},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&SendDigits=12x", 20001},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&StatusCallbackEvent=initiated"
	     "&StatusCallbackEvent=exploded",
	     20001},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&StatusCallbackEvent=ringing+"
	     "nope",
	     20001},
	    {"To=%2B15005550001&From=%2B15005550006&Url=http://a.test/&Method=PUT", 20001},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = POST(x, bad[i].body, ACC "/Calls.json", x->ac);
		print_message("case %zu: %s\n", i, bad[i].body);
		assert_error(j, 400, bad[i].code);
	}
	/* Twiml over 4000 characters */
	char *tw = malloc(4000 * 6 + 100);
	strcpy(tw, "To=%2B15005550001&From=%2B15005550006&Twiml=");
	size_t l = strlen(tw);
	memset(tw + l, 'a', 4001);
	tw[l + 4001] = 0;
	j = POST(x, tw, ACC "/Calls.json", x->ac);
	assert_error(j, 400, 32018);
	/* 4000 characters of two bytes each are within the limit (characters, not bytes) */
	tw[l] = 0;
	for (int i = 0; i < 4000; i++)
		strcat(tw + l, "%C3%A9");
	j = POST(x, tw, ACC "/Calls.json", x->ac);
	assert_error(j, 501, 20501);
	free(tw);
	/* valid, both list forms: no call router in this test, so 501 after validation */
	j = POST(x, "To=sip:bob@192.0.2.2&From=alice&Url=http://a.test/&StatusCallbackEvent=initiated"
	            "+ringing&StatusCallbackEvent=answered&Timeout=30",
	         ACC "/Calls.json", x->ac);
	assert_error(j, 501, 20501);
	/* update validation */
	j = POST(x, "Status=paused", ACC "/Calls/%s.json", x->ac, live);
	assert_error(j, 400, 20001);
	j = POST(x, "Url=bad", ACC "/Calls/%s.json", x->ac, live);
	assert_error(j, 400, 21205);
	j = POST(x, "Status=completed", ACC "/Calls/CA00000000000000000000000000000000.json", x->ac);
	assert_error(j, 404, 20404);
	/* a finished call cannot be redirected (21220); a Status for it answers it unchanged */
	j = POST(x, "Url=http://a.test/", ACC "/Calls/%s.json", x->ac, ended);
	assert_error(j, 400, 21220);
	j = POST(x, "Twiml=%3CResponse%2F%3E", ACC "/Calls/%s.json", x->ac, ended);
	assert_error(j, 400, 21220);
	j = POST(x, "Status=completed", ACC "/Calls/%s.json", x->ac, ended);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "status"), "no-answer");
	json_decref(j);
	/* canceled has no effect on a call in progress (no call router is asked) */
	j = POST(x, "Status=canceled", ACC "/Calls/%s.json", x->ac, live);
	assert_int_equal(last_status, 200);
	assert_string_equal(jstr(j, "status"), "in-progress");
	json_decref(j);
	/* ... with a Url beside it, the redirect still goes to the router (none here: 501) */
	j = POST(x, "Status=canceled&Url=http://a.test/", ACC "/Calls/%s.json", x->ac, live);
	assert_error(j, 501, 20501);
	j = POST(x, "Status=completed", ACC "/Calls/%s.json", x->ac, live);
	assert_error(j, 501, 20501);
}

/* list-typed parameters straight through the parser */
static int h_words(struct http_req *h, void *arg)
{
	(void)arg;
	struct rest_req q = {.h = h, .method = http_req_method(h)};
	unsigned bits;
	char bad[48];
	int rc = rest_param_words(&q, "StatusCallbackEvent", rest_call_events, &bits, bad, sizeof(bad));
	char out[96];
	int n = snprintf(out, sizeof(out), "%d %u %s %s", rc, bits, rc ? bad : "-",
	                 rest_param(&q, "Timeout") ?: "none");
	http_respond(h, 200, NULL, 0, out, (size_t)n);
	return HTTP_DONE;
}

static void t_list_params(void **state)
{
	struct fx *x = *state;
	assert_int_equal(http_server_route(x->srv, "POST", "/words", h_words, NULL), 0);
	start(x);
	static const struct {
		const char *body, *want;
	} cases[] = {
	    {"StatusCallbackEvent=initiated&StatusCallbackEvent=answered", "0 5 - none"},
	    {"StatusCallbackEvent=initiated+ringing+answered+completed", "0 15 - none"},
	    {"StatusCallbackEvent=ringing&StatusCallbackEvent=completed+initiated", "0 11 - none"},
	    {"StatusCallbackEvent=RINGING", "0 2 - none"},
	    {"StatusCallbackEvent=ringing+boom", "-22 2 boom none"},
	    {"Timeout=10&Timeout=20", "0 0 - 20"}, /* a repeated scalar: the last one */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char url[128];
		snprintf(url, sizeof(url), "%s/words", x->base);
		CURL *c = curl_easy_init();
		struct buf b = {0};
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, cases[i].body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		assert_int_equal(curl_easy_perform(c), CURLE_OK);
		curl_easy_cleanup(c);
		assert_string_equal(b.p, cases[i].want);
		free(b.p);
	}
}

/* ---- queues, members, recordings ---- */

static void t_queues(void **state)
{
	struct fx *x = *state;
	char qsid[40];
	start(x);
	json_t *j = POST(x, "FriendlyName=support", ACC "/Queues.json", x->ac);
	assert_int_equal(last_status, 201);
	strcpy(qsid, jstr(j, "sid"));
	assert_int_equal(json_integer_value(json_object_get(j, "max_size")), 1000);
	assert_int_equal(json_integer_value(json_object_get(j, "current_size")), 0);
	assert_true(json_is_integer(json_object_get(j, "average_wait_time")));
	json_decref(j);
	j = POST(x, "FriendlyName=support", ACC "/Queues.json", x->ac);
	assert_error(j, 400, 22003);
	j = POST(x, "FriendlyName=big&MaxSize=5001", ACC "/Queues.json", x->ac);
	assert_error(j, 400, 20001);
	j = POST(x, "MaxSize=5000", ACC "/Queues/%s.json", x->ac, qsid);
	assert_int_equal(json_integer_value(json_object_get(j, "max_size")), 5000);
	json_decref(j);
	/* members as the call router writes them: stop the loop thread to write from here */
	x->stop = 1;
	pthread_join(x->th, NULL);
	x->th = 0;
	x->stop = 0;
	uint64_t now = store_now_us();
	char cas[3][40];
	struct store_batch *b = store_batch_new();
	for (int i = 0; i < 3; i++) {
		store_sid_new(cas[i], "CA");
		uint8_t key[REST_MEMBER_KEY_LEN];
		uint64_t us = now - (uint64_t)(30 - i * 10) * 1000000;
		rest_member_key(key, qsid, us, cas[i]);
		json_t *m = json_pack("{s:s, s:s, s:I}", "call_sid", cas[i], "queue_sid", qsid, "_ts",
		                      (json_int_t)us);
		assert_int_equal(store_batch_put_json(b, STORE_DB_QUEUE_MEMBERS, key, sizeof(key), m, 0),
		                 0);
		json_decref(m);
	}
	/* a recording with its media file */
	char re[40];
	store_sid_new(re, "RE");
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:I}", "sid", re, "account_sid", x->ac, "call_sid",
	                      cas[0], "status", "completed", "_ts", (json_int_t)now);
	assert_int_equal(store_res_put(b, STORE_K_RECORDING, r, 1), 0);
	json_decref(r);
	assert_int_equal(store_submit(x->st, b, NULL, NULL), 0);
	store_drain(x->st);
	char p[256];
	snprintf(p, sizeof(p), "%s/recordings", x->dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/recordings/%s.wav", x->dir, re);
	FILE *f = fopen(p, "w");
	fputs("RIFF....WAVEfmt ", f);
	fclose(f);
	start(x);
	j = GET(x, ACC "/Queues/%s.json", x->ac, qsid);
	assert_int_equal(json_integer_value(json_object_get(j, "current_size")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "average_wait_time")), 20);
	json_decref(j);
	j = GET(x, ACC "/Queues/%s/Members.json?PageSize=2", x->ac, qsid);
	json_t *mem = json_object_get(j, "queue_members");
	assert_int_equal(json_array_size(mem), 2);
	assert_string_equal(jstr(json_array_get(mem, 0), "call_sid"), cas[0]);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(mem, 1), "position")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(mem, 0), "wait_time")), 30);
	char next[300];
	snprintf(next, sizeof(next), "%s", jstr(j, "next_page_uri"));
	json_decref(j);
	j = GET(x, "%s", next);
	mem = json_object_get(j, "queue_members");
	assert_int_equal(json_array_size(mem), 1);
	assert_string_equal(jstr(json_array_get(mem, 0), "call_sid"), cas[2]);
	json_decref(j);
	j = GET(x, ACC "/Queues/%s/Members/Front.json", x->ac, qsid);
	assert_string_equal(jstr(j, "call_sid"), cas[0]);
	assert_int_equal(json_integer_value(json_object_get(j, "position")), 1);
	json_decref(j);
	j = GET(x, ACC "/Queues/%s/Members/%s.json", x->ac, qsid, cas[1]);
	assert_int_equal(json_integer_value(json_object_get(j, "position")), 2);
	json_decref(j);
	j = POST(x, "Method=GET", ACC "/Queues/%s/Members/Front.json", x->ac, qsid);
	assert_error(j, 400, 20001);
	j = POST(x, "Url=nope", ACC "/Queues/%s/Members/Front.json", x->ac, qsid);
	assert_error(j, 400, 11100);
	j = DEL(x, ACC "/Queues/%s.json", x->ac, qsid);
	assert_error(j, 400, 20001); /* not empty */
	/* recordings: list by CallSid, fetch, media without credentials, then with media auth */
	j = GET(x, ACC "/Recordings.json?CallSid=%s", x->ac, cas[0]);
	assert_int_equal(json_array_size(json_object_get(j, "recordings")), 1);
	json_decref(j);
	j = GET(x, ACC "/Recordings.json?CallSid=%s", x->ac, cas[1]);
	assert_int_equal(json_array_size(json_object_get(j, "recordings")), 0);
	json_decref(j);
	j = req(x, "GET", NULL, NULL, NULL, 0, ACC "/Recordings/%s.wav", x->ac, re);
	assert_int_equal(last_status, 200);
	assert_string_equal(last_ctype, "audio/x-wav");
	j = req(x, "GET", NULL, NULL, NULL, 0, ACC "/Recordings/%s", x->ac, re);
	assert_int_equal(last_status, 200);
	j = req(x, "GET", NULL, NULL, NULL, 0, ACC "/Recordings/%s.json", x->ac, re);
	assert_error(j, 401, 20003);
	j = POST(x, "VoxMediaAuth=true", ACC ".json", x->ac);
	json_decref(j);
	j = req(x, "GET", NULL, NULL, NULL, 0, ACC "/Recordings/%s.wav", x->ac, re);
	assert_error(j, 401, 20003);
	j = GET(x, ACC "/Recordings/%s.wav", x->ac, re);
	assert_int_equal(last_status, 200);
	j = DEL(x, ACC "/Recordings/%s.json", x->ac, re);
	assert_int_equal(last_status, 204);
	assert_int_not_equal(access(p, F_OK), 0);
	j = GET(x, ACC "/Recordings/%s.wav", x->ac, re);
	assert_error(j, 404, 20404);
}

/* bounded random requests built from the API's own words and hostile bytes: every answer is a
 * 2xx or Twilio's error JSON, and the server stays up */
static void t_random(void **state)
{
	struct fx *x = *state;
	char ca[40], qu[40];
	seed_call(x, x->ac, "+15005550001", "completed", store_now_us(), ca);
	start(x);
	json_t *j = POST(x, "FriendlyName=r", ACC "/Queues.json", x->ac);
	strcpy(qu, jstr(j, "sid"));
	json_decref(j);
	const char *seg[] = {x->ac, "Calls", ca, "Queues", qu, "Members", "Front", "Recordings",
	                     "Notifications", "Keys", "IncomingPhoneNumbers", "Applications",
	                     "Accounts", "%ff", "%00", "..", "AC", "x.json", "", "%2F",
	                     "REffffffffffffffffffffffffffffffff"};
	const char *ext[] = {".json", "", ".wav", ".xml", ".json.json", "."};
	const char *meth[] = {"GET", "POST", "DELETE", "PUT", "HEAD"};
	const char *keys[] = {"FriendlyName", "To", "From", "Url", "Twiml", "Status", "PageSize",
	                      "Page", "PageToken", "StatusCallbackEvent", "MaxSize", "PhoneNumber",
	                      "Timeout", "%ff", "StartTime%3E"};
	const char *vals[] = {"x", "", "%ff%fe", "%C0%AF", "1001", "-1", "99999999999999999999",
	                      "sip:a@b", "%2B15005550006", "http://a.test/", "PAzz", "canceled",
	                      "initiated+ringing", "%00"};
	const char *es = getenv("VOX_TEST_SEED"); /* to replay a failure */
	unsigned seed = es ? (unsigned)strtoul(es, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
	print_message("seed %u\n", seed);
	srand(seed);
#define PICK(a) a[rand() % (int)(sizeof(a) / sizeof(a[0]))]
	for (int i = 0; i < 300; i++) {
		char path[1024] = "/2010-04-01/Accounts", body[1024] = "";
		int n = rand() % 6;
		for (int k = 0; k < n; k++) {
			strcat(path, "/");
			strcat(path, PICK(seg));
		}
		strcat(path, PICK(ext));
		int nb = rand() % 5;
		for (int k = 0; k < nb; k++) {
			if (k)
				strcat(body, "&");
			strcat(body, PICK(keys));
			strcat(body, "=");
			strcat(body, PICK(vals));
		}
		const char *m = PICK(meth);
		int q = !strcmp(m, "GET") && nb;
		if (q) {
			strcat(path, "?");
			strcat(path, body);
		}
		j = req(x, m, x->ac, x->tok, !q && nb ? body : NULL, strlen(body), "%s", path);
		if (last_status >= 400 && strcmp(m, "HEAD") != 0) {
			if (!j || !json_is_integer(json_object_get(j, "code")))
				fail_msg("%s %s [%s]: %ld without a JSON error", m, path, body, last_status);
		} else if (last_status < 200 || last_status >= 300) {
			if (strcmp(m, "HEAD") != 0)
				fail_msg("%s %s: status %ld", m, path, last_status);
		}
		json_decref(j);
	}
	j = GET(x, ACC ".json", x->ac);
	assert_int_equal(last_status, 200);
	json_decref(j);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_helpers),
	    cmocka_unit_test_setup_teardown(t_auth, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_subaccounts, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_after_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_hostile, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_numbers_apps, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_paging, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_calls, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_scan_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_list_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_queues, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_random, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
