/* SPDX-License-Identifier: BSD-3-Clause */
/* test_http_url.c — signature (Twilio's vector), fragment overrides, RFC 3986 resolution, form
 * encoding and content-type classes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

/* twilio-compat.md's vector */
static const struct http_kv vec_params[] = {
    {"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675309"}, {"Digits", "1234"},
    {"From", "+14158675309"},         {"To", "+18005551212"},
};
#define VEC_URL "https://mycompany.com/myapp.php?foo=1&bar=2"

static void t_signature_vector(void **st)
{
	char sig[29];
	assert_int_equal(http_signature("12345", VEC_URL, vec_params, 5, sig), 0);
	assert_string_equal(sig, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
	/* the order the parameters come in does not matter: they are sorted */
	struct http_kv rev[5];
	for (int i = 0; i < 5; i++)
		rev[i] = vec_params[4 - i];
	char sig2[29];
	assert_int_equal(http_signature("12345", VEC_URL, rev, 5, sig2), 0);
	assert_string_equal(sig2, sig);
	/* another token or URL changes it */
	assert_int_equal(http_signature("12346", VEC_URL, vec_params, 5, sig2), 0);
	assert_string_not_equal(sig2, sig);
}

static void t_signature_get_and_repeats(void **st)
{
	char sig[29];
	/* GET: the URL with its query alone (value from Python's hmac module) */
	assert_int_equal(http_signature("12345", VEC_URL, NULL, 0, sig), 0);
	assert_string_equal(sig, "zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
	/* a repeated name: its values sorted, each distinct pair once (Python's hmac again) */
	const struct http_kv rep[] = {{"X", "1"}, {"Caller", "B"}, {"Caller", "A"}, {"X", "1"}};
	assert_int_equal(http_signature("12345", VEC_URL, rep, 4, sig), 0);
	assert_string_equal(sig, "Dsm3p9lj4H5XxILMmnbGw9xn0fk=");
}

static void t_fragment(void **st)
{
	char u[128];
	struct http_overrides o;
	assert_int_equal(http_url_split_fragment("https://example.com/voice#ct=1000&rc=2", u,
	                                         sizeof(u), &o),
	                 0);
	assert_string_equal(u, "https://example.com/voice");
	assert_int_equal(o.ct_ms, 1000);
	assert_int_equal(o.rc, 2);
	assert_int_equal(o.rt_ms, 15000);
	assert_int_equal(o.tt_ms, 15000);
	assert_int_equal(o.rp, HTTP_RETRY_CT);
	/* no fragment: defaults, the URL unchanged (query kept) */
	assert_int_equal(http_url_split_fragment("http://h/p?a=1", u, sizeof(u), &o), 0);
	assert_string_equal(u, "http://h/p?a=1");
	assert_int_equal(o.ct_ms, 5000);
	assert_int_equal(o.rc, 1);
	/* clamped to Twilio's bounds; unknown keys ignored; policies combined */
	assert_int_equal(http_url_split_fragment(
	                     "http://h/p?a=1#ct=50&rt=99999&tt=20&rc=9&rp=5xx,ct&e=ashburn&sni=y",
	                     u, sizeof(u), &o),
	                 0);
	assert_string_equal(u, "http://h/p?a=1");
	assert_int_equal(o.ct_ms, 100);
	assert_int_equal(o.rt_ms, 15000);
	assert_int_equal(o.tt_ms, 100);
	assert_int_equal(o.rc, 5);
	assert_int_equal(o.rp, HTTP_RETRY_5XX | HTTP_RETRY_CT);
	assert_int_equal(http_url_split_fragment("http://h/#rp=all", u, sizeof(u), &o), 0);
	assert_int_equal(o.rp, HTTP_RETRY_ALL);
	/* bad values: -EINVAL, defaults kept, the URL still split */
	assert_int_equal(http_url_split_fragment("http://h/#rp=sometimes", u, sizeof(u), &o),
	                 -EINVAL);
	assert_string_equal(u, "http://h/");
	assert_int_equal(o.rp, HTTP_RETRY_CT);
	assert_int_equal(http_url_split_fragment("http://h/#ct=1e3", u, sizeof(u), &o), -EINVAL);
	assert_int_equal(http_url_split_fragment("http://h/#ct=", u, sizeof(u), &o), -EINVAL);
	assert_int_equal(o.ct_ms, 5000);
	/* an empty fragment is fine */
	assert_int_equal(http_url_split_fragment("http://h/#", u, sizeof(u), &o), 0);
	assert_int_equal(http_url_split_fragment("http://h/long", u, 5, &o), -ENAMETOOLONG);
}

/* RFC 3986 §5.4.1 and §5.4.2 */
static const char *rfc_cases[][2] = {
    {"g:h", "g:h"},
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"},
    {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"},
    {"http:g", "http:g"},
};

static void t_resolve_rfc3986(void **st)
{
	char out[256];
	for (size_t i = 0; i < sizeof(rfc_cases) / sizeof(rfc_cases[0]); i++) {
		int rc = http_url_resolve("http://a/b/c/d;p?q", rfc_cases[i][0], out, sizeof(out));
		if (rc != 0 || strcmp(out, rfc_cases[i][1]) != 0)
			fail_msg("\"%s\": got \"%s\" (rc %d), want \"%s\"", rfc_cases[i][0], out, rc,
			         rfc_cases[i][1]);
	}
}

static void t_resolve_twiml(void **st)
{
	const char *base = "https://app.example.com/ivr/voice.xml?step=1";
	const char *cases[][2] = {
	    {"wait.xml", "https://app.example.com/ivr/wait.xml"},
	    {"/next", "https://app.example.com/next"},
	    {"../next", "https://app.example.com/next"},
	    {"?x=1", "https://app.example.com/ivr/voice.xml?x=1"},
	    {"//other.example.org/p", "https://other.example.org/p"},
	    {"http://x.test/a#ct=500", "http://x.test/a#ct=500"},
	    {"gather.xml#rc=2", "https://app.example.com/ivr/gather.xml#rc=2"},
	};
	char out[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(http_url_resolve(base, cases[i][0], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(http_url_resolve("/relative/base", "x", out, sizeof(out)), -EINVAL);
	assert_int_equal(http_url_resolve(base, "a-long-name.xml", out, 20), -ENAMETOOLONG);
}

static void t_form(void **st)
{
	const struct http_kv kv[] = {{"To", "+1 555"}, {"Body", "a&b=c/\xc3\xa9~_.-"}, {"E", ""}};
	char out[128];
	size_t len = 0;
	assert_int_equal(http_form_encode(kv, 3, out, sizeof(out), &len), 0);
	assert_string_equal(out, "To=%2B1+555&Body=a%26b%3Dc%2F%C3%A9~_.-&E=");
	assert_int_equal(len, strlen(out));
	len = 0;
	assert_int_equal(http_form_encode(kv, 3, out, 10, &len), -ENAMETOOLONG);
	/* decoding gives the values back */
	char d[] = "a%26b%3Dc%2F%C3%A9~_.-";
	int n = http_form_decode(d, strlen(d));
	assert_int_equal(n, (int)strlen(kv[1].v));
	assert_string_equal(d, kv[1].v);
	char plus[] = "%2B1+555";
	assert_int_equal(http_form_decode(plus, strlen(plus)), 6);
	assert_string_equal(plus, "+1 555");
	char bad1[] = "ab%4", bad2[] = "%zz", bad3[] = "%";
	assert_int_equal(http_form_decode(bad1, strlen(bad1)), -EINVAL);
	assert_int_equal(http_form_decode(bad2, strlen(bad2)), -EINVAL);
	assert_int_equal(http_form_decode(bad3, strlen(bad3)), -EINVAL);
	/* GET: the query string gets the params, with the right separator */
	const struct http_kv one[] = {{"Digits", "1#"}};
	assert_int_equal(http_url_add_query("http://h/p", one, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "http://h/p?Digits=1%23");
	assert_int_equal(http_url_add_query("http://h/p?a=1", one, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "http://h/p?a=1&Digits=1%23");
	assert_int_equal(http_url_add_query("http://h/p?", one, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "http://h/p?Digits=1%23");
	assert_int_equal(http_url_add_query("http://h/p?a=1", NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "http://h/p?a=1");
}

static void t_ctype(void **st)
{
	assert_int_equal(http_ctype_classify("text/xml; charset=utf-8"), HTTP_CT_TWIML);
	assert_int_equal(http_ctype_classify("Application/XML"), HTTP_CT_TWIML);
	assert_int_equal(http_ctype_classify("text/html"), HTTP_CT_TWIML);
	assert_int_equal(http_ctype_classify("audio/mpeg"), HTTP_CT_AUDIO);
	assert_int_equal(http_ctype_classify("audio/x-wav;rate=8000"), HTTP_CT_AUDIO);
	assert_int_equal(http_ctype_classify("text/plain"), HTTP_CT_TEXT);
	assert_int_equal(http_ctype_classify("application/json"), HTTP_CT_OTHER);
	assert_int_equal(http_ctype_classify("audio/"), HTTP_CT_OTHER);
	assert_int_equal(http_ctype_classify("text/xmlfoo"), HTTP_CT_OTHER);
	assert_int_equal(http_ctype_classify(""), HTTP_CT_NONE);
	assert_int_equal(http_ctype_classify(NULL), HTTP_CT_NONE);
}

static void t_basic_auth(void **st)
{
	char u[40], p[40];
	/* RFC 7617's example: Aladdin / open sesame */
	assert_int_equal(http_basic_auth_parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", u, sizeof(u), p,
	                                       sizeof(p)),
	                 0);
	assert_string_equal(u, "Aladdin");
	assert_string_equal(p, "open sesame");
	/* a secret may hold ':' (only the first one splits); an empty password is fine */
	assert_int_equal(http_basic_auth_parse("basic QUM6YTpi", u, sizeof(u), p, sizeof(p)), 0);
	assert_string_equal(u, "AC");
	assert_string_equal(p, "a:b");
	assert_int_equal(http_basic_auth_parse("Basic QUM6", u, sizeof(u), p, sizeof(p)), 0);
	assert_string_equal(p, "");
	assert_int_equal(http_basic_auth_parse(NULL, u, sizeof(u), p, sizeof(p)), -ENOENT);
	assert_int_equal(http_basic_auth_parse("Bearer xyz", u, sizeof(u), p, sizeof(p)), -ENOENT);
	assert_int_equal(http_basic_auth_parse("Basic QWxhZGRpbg==", u, sizeof(u), p, sizeof(p)),
	                 -EINVAL); /* no colon */
	assert_int_equal(http_basic_auth_parse("Basic QWxh!GRp", u, sizeof(u), p, sizeof(p)),
	                 -EINVAL);
	assert_int_equal(http_basic_auth_parse("Basic QUJD", u, sizeof(u), p, sizeof(p)), -EINVAL);
	assert_int_equal(http_basic_auth_parse("Basic ", u, sizeof(u), p, sizeof(p)), -EINVAL);
	assert_int_equal(http_basic_auth_parse("Basic QUFBQUFBQUE6eA==", u, 4, p, sizeof(p)),
	                 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_signature_vector), cmocka_unit_test(t_signature_get_and_repeats),
	    cmocka_unit_test(t_fragment),         cmocka_unit_test(t_resolve_rfc3986),
	    cmocka_unit_test(t_resolve_twiml),    cmocka_unit_test(t_form),
	    cmocka_unit_test(t_ctype),            cmocka_unit_test(t_basic_auth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
