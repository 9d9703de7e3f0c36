/* SPDX-License-Identifier: BSD-3-Clause */
/* test_base64.c — strict base64: RFC 4648 vectors, round trips, and what must be refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vox_base64.h"

static void test_rfc4648_vectors(void **state)
{
	/* RFC 4648 section 10 */
	static const char *const plain[] = {"f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 6; i++) {
		char out[16];
		uint8_t back[8];
		size_t n = strlen(plain[i]);
		assert_int_equal(vox_b64_encode((const uint8_t *)plain[i], n, out), strlen(enc[i]));
		assert_string_equal(out, enc[i]);
		assert_int_equal(vox_b64_decode(enc[i], strlen(enc[i]), back, n), 0);
		assert_memory_equal(back, plain[i], n);
	}
}

static void test_sdes_key_round_trip(void **state)
{
	uint8_t key[30], back[30];
	char txt[41];
	for (int i = 0; i < 30; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(vox_b64_encode(key, 30, txt), 40);
	assert_int_equal(vox_b64_decode(txt, 40, back, 30), 0);
	assert_memory_equal(back, key, 30);
}

static void test_refused(void **state)
{
	uint8_t out[8];
	assert_int_equal(vox_b64_decode("Zm9", 3, out, 2), -EINVAL);      /* not a multiple of 4 */
	assert_int_equal(vox_b64_decode("Zm9v", 4, out, 2), -EINVAL);     /* wrong length asked */
	assert_int_equal(vox_b64_decode("Zm 9", 4, out, 3), -EINVAL);     /* whitespace */
	assert_int_equal(vox_b64_decode("Zh==", 4, out, 1), -EINVAL);     /* trailing bits set */
	assert_int_equal(vox_b64_decode("Z=9v", 4, out, 3), -EINVAL);     /* padding inside */
	assert_int_equal(vox_b64_decode("", 0, out, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_sdes_key_round_trip),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}
