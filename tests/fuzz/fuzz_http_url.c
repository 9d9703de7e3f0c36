/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer driver for control/http's URL helpers: the input is split at the first NUL into a
 * base and a reference (or used whole): resolution, fragment overrides, form decoding, query
 * building, content-type classes. Asserts the invariants, not just "no crash". */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1);
	memcpy(a, data, size);
	a[size] = 0;
	size_t la = strlen(a);
	const char *ref = la < size ? a + la + 1 : "x";
	char out[512];
	int rc = http_url_resolve(a, ref, out, sizeof(out));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENAMETOOLONG || rc == -ENOMEM);
	if (rc == 0)
		FUZZ_CHECK(strlen(out) < sizeof(out) && strchr(out, ':'));
	struct http_overrides o;
	rc = http_url_split_fragment(a, out, sizeof(out), &o);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENAMETOOLONG);
	if (rc == 0) {
		FUZZ_CHECK(!strchr(out, '#'));
		FUZZ_CHECK(o.ct_ms >= 100 && o.ct_ms <= 10000 && o.rt_ms >= 100 && o.rt_ms <= 15000);
		FUZZ_CHECK(o.tt_ms >= 100 && o.tt_ms <= 15000 && o.rc <= 5 && o.rp && o.rp <= 15);
	}
	char *d = strdup(a);
	int n = http_form_decode(d, la);
	FUZZ_CHECK(n == -EINVAL || (n >= 0 && (size_t)n <= la));
	free(d);
	struct http_kv kv = {"k", a};
	rc = http_url_add_query("http://h/p", &kv, 1, out, sizeof(out));
	if (rc == 0) { /* what was encoded decodes back */
		char *v = strstr(out, "k=") + 2;
		int m = http_form_decode(v, strlen(v));
		FUZZ_CHECK(m == (int)la && memcmp(v, a, la) == 0);
	}
	http_ctype_classify(a);
	free(a);
	return 0;
}
