/* SPDX-License-Identifier: BSD-3-Clause */
/* test_store_ent.c — SIDs, E.164 normalization, RFC 2822 dates, account and number records. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store_ent.h"

static void test_sid_format(void **state)
{
	static const char *const prefixes[] = {"AC", "PN", "AP", "CA", "RE", "NO", "QU", "SK"};
	char seen[200][STORE_SID_LEN + 1];
	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		for (int i = 0; i < 25; i++) {
			char *s = seen[p * 25 + (size_t)i];
			assert_int_equal(store_sid_new(s, prefixes[p]), 0);
			assert_int_equal(strlen(s), 34);
			assert_memory_equal(s, prefixes[p], 2);
			for (int k = 2; k < 34; k++)
				assert_true((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f'));
			assert_true(store_sid_valid(s, prefixes[p]));
			assert_true(store_sid_valid(s, NULL));
			assert_false(store_sid_valid(s, p ? "AC" : "PN"));
		}
	}
	/* 128 random bits: no two alike */
	for (int i = 0; i < 200; i++)
		for (int j = i + 1; j < 200; j++)
			assert_string_not_equal(seen[i], seen[j]);
	char s[STORE_SID_LEN + 1];
	assert_int_equal(store_sid_new(s, "ac"), -EINVAL);
	assert_int_equal(store_sid_new(s, "ACX"), -EINVAL);
	assert_int_equal(store_sid_new(s, NULL), -EINVAL);
	assert_false(store_sid_valid("AC0123456789abcdef0123456789ABCDEF", "AC")); /* upper hex */
	assert_false(store_sid_valid("AC0123456789abcdef0123456789abcde", "AC"));  /* 33 chars */
	assert_false(store_sid_valid("AC0123456789abcdef0123456789abcdef0", "AC")); /* 35 */
	assert_false(store_sid_valid("ac0123456789abcdef0123456789abcdef", NULL));
	assert_false(store_sid_valid("AC0123456789abcdef0123456789abcdeg", "AC"));
	assert_true(store_sid_valid("AC0123456789abcdef0123456789abcdef", "AC"));
	assert_false(store_sid_valid(NULL, "AC"));
	char tok[33];
	assert_int_equal(store_token_new(tok), 0);
	assert_int_equal(strlen(tok), 32);
	assert_true(strspn(tok, "0123456789abcdef") == 32);
}

static void test_e164(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"+15005550006", "+15005550006"},
	    {"+1 (500) 555-0006", "+15005550006"},
	    {"15005550006", "+15005550006"},
	    {"0044 20 7946 0958", "+442079460958"},
	    {"+44.20.7946.0958", "+442079460958"},
	    {"  +491701234567", "+491701234567"},
	    {"+123456789012345", "+123456789012345"}, /* 15 digits: the most */
	    {"+1234", "+1234"},
	};
	static const char *const bad[] = {
	    "", "+", "+123", "+1234567890123456", "+0441234567", "+1 500 555 000a", "abc",
	    "+1-500-555-0006;ext=1", "++15005550006", "+1\t5005550006", "sip:+15005550006", "0",
	};
	char out[STORE_E164_MAX + 1];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(store_e164_normalize(ok[i].in, out), 0);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (store_e164_normalize(bad[i], out) != -EINVAL)
			fail_msg("'%s' accepted as '%s'", bad[i], out);
	}
	assert_int_equal(store_e164_normalize(NULL, out), -EINVAL);
}

static void test_rfc2822(void **state)
{
	char d[40];
	store_rfc2822(1571418000ull * 1000000ull, d); /* the example in twilio-compat.md */
	assert_string_equal(d, "Fri, 18 Oct 2019 17:00:00 +0000");
	store_rfc2822(0, d);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	store_rfc2822(951782400ull * 1000000ull + 999999, d); /* leap day 2000, fraction dropped */
	assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 +0000");
}

static void test_account_record(void **state)
{
	json_t *a = store_account_new("Team A", NULL);
	assert_non_null(a);
	const char *sid = json_string_value(json_object_get(a, "sid"));
	assert_true(store_sid_valid(sid, "AC"));
	assert_string_equal(json_string_value(json_object_get(a, "owner_account_sid")), sid);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "active");
	assert_string_equal(json_string_value(json_object_get(a, "friendly_name")), "Team A");
	assert_int_equal(strlen(json_string_value(json_object_get(a, "auth_token"))), 32);
	json_t *sub = store_account_new(NULL, sid);
	assert_string_equal(json_string_value(json_object_get(sub, "owner_account_sid")), sid);
	/* no name: Twilio names an account after its SID */
	assert_string_equal(json_string_value(json_object_get(sub, "friendly_name")),
	                    json_string_value(json_object_get(sub, "sid")));
	json_t *v = store_account_view(a);
	assert_null(json_object_get(v, "_ts"));
	char uri[80];
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s.json", sid);
	assert_string_equal(json_string_value(json_object_get(v, "uri")), uri);
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Calls.json", sid);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "subresource_uris"), "calls")), uri);
	assert_non_null(json_object_get(v, "date_created"));
	char err[120];
	assert_int_equal(store_account_update(a, "Team B", "suspended", err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(a, "friendly_name")), "Team B");
	assert_string_equal(json_string_value(json_object_get(a, "status")), "suspended");
	assert_int_equal(store_account_update(a, NULL, "frozen", err, sizeof(err)), -EINVAL);
	assert_int_equal(store_account_update(a, "", NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(store_account_update(a, NULL, "closed", err, sizeof(err)), 0);
	assert_int_equal(store_account_update(a, NULL, "active", err, sizeof(err)), -EINVAL);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "closed");
	assert_string_equal(json_string_value(json_object_get(a, "friendly_name")), "Team B");
	assert_true(store_account_status_valid("suspended"));
	assert_false(store_account_status_valid("frozen"));
	json_decref(v);
	json_decref(sub);
	json_decref(a);
}

static void test_number_record(void **state)
{
	char err[200];
	json_t *n;
	struct store_number_in in = {.account_sid = "AC0123456789abcdef0123456789abcdef",
	                             .phone_number = "+1 500 555 0006",
	                             .voice_url = "http://127.0.0.1:8080/demo/voice.xml",
	                             .voice_method = "get"};
	assert_int_equal(store_number_new(&in, &n, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(n, "phone_number")), "+15005550006");
	assert_string_equal(json_string_value(json_object_get(n, "voice_method")), "GET");
	assert_string_equal(json_string_value(json_object_get(n, "voice_fallback_method")), "POST");
	assert_string_equal(json_string_value(json_object_get(n, "status_callback_method")), "POST");
	assert_true(json_is_null(json_object_get(n, "voice_fallback_url")));
	assert_true(store_sid_valid(json_string_value(json_object_get(n, "sid")), "PN"));
	json_t *v = store_number_view(n);
	assert_true(json_is_true(json_object_get(json_object_get(v, "capabilities"), "voice")));
	assert_null(json_object_get(v, "_ts"));
	json_decref(v);
	json_decref(n);

	struct store_number_in bad[] = {
	    {.account_sid = "PN0123456789abcdef0123456789abcdef", .phone_number = "+15005550006"},
	    {.account_sid = in.account_sid, .phone_number = "hello"},
	    {.account_sid = in.account_sid, .phone_number = "+15005550006", .voice_method = "PUT"},
	    {.account_sid = in.account_sid, .phone_number = "+15005550006", .voice_url = "ftp://x"},
	    {.account_sid = in.account_sid, .phone_number = "+15005550006",
	     .status_callback = "http://a b"},
	    {.account_sid = in.account_sid, .phone_number = "+15005550006",
	     .voice_application_sid = "AC0123456789abcdef0123456789abcdef"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(store_number_new(&bad[i], &n, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sid_format),     cmocka_unit_test(test_e164),
	    cmocka_unit_test(test_rfc2822),        cmocka_unit_test(test_account_record),
	    cmocka_unit_test(test_number_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
