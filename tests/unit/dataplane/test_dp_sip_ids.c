/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dp_sip_ids.c — the owner encoded in our tags, Call-IDs and branches, and the RTP port
 * partition: every identifier we mint routes back to the worker that minted it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"

static void test_minted_ids_route_home(void **state)
{
	for (uint32_t node = 0; node < 3; node++)
		for (uint16_t n = 1; n <= 16; n++)
			for (uint16_t w = 0; w < n; w++) {
				struct dp_lcore lc;
				struct dp_sip *s = calloc(1, sizeof(*s));
				memset(&lc, 0, sizeof(lc));
				lc.sip = s;
				lc.node_id = node;
				lc.widx = w;
				lc.n_workers = n;
				s->seed = 0x1234567890abcdefull * (w + 1);
				char id[64];
				for (int k = 0; k < 50; k++) {
					dp_sip_mint(&lc, id, sizeof(id), DP_SIP_TAG_PFX, 8, NULL);
					assert_int_equal(strlen(id), DP_SIP_TAG_LEN);
					assert_int_equal(dp_sip_id_owner(id, (uint32_t)strlen(id), DP_SIP_TAG_PFX, node, n), w);
					dp_sip_mint(&lc, id, sizeof(id), DP_SIP_BRANCH_PFX, 12, NULL);
					assert_memory_equal(id, "z9hG4bK", 7); /* RFC 3261 magic cookie */
					assert_int_equal(dp_sip_id_owner(id, (uint32_t)strlen(id), DP_SIP_BRANCH_PFX, node, n), w);
					dp_sip_mint(&lc, id, sizeof(id), DP_SIP_CALLID_PFX, 16, "@voxplane");
					assert_int_equal(dp_sip_id_owner(id, (uint32_t)strlen(id), DP_SIP_CALLID_PFX, node, n), w);
					/* another node's identifiers are not ours */
					assert_int_equal(dp_sip_id_owner(id, (uint32_t)strlen(id), DP_SIP_CALLID_PFX, node + 1, n), -1);
				}
				free(s);
			}
}

static void test_ids_are_unique(void **state)
{
	struct dp_lcore lc;
	struct dp_sip *s = calloc(1, sizeof(*s));
	memset(&lc, 0, sizeof(lc));
	lc.sip = s;
	lc.n_workers = 2;
	s->seed = 42;
	enum { N = 20000 };
	char (*ids)[32] = calloc(N, 32);
	for (int i = 0; i < N; i++)
		dp_sip_mint(&lc, ids[i], 32, DP_SIP_TAG_PFX, 8, NULL);
	qsort(ids, N, 32, (int (*)(const void *, const void *))strcmp);
	for (int i = 1; i < N; i++)
		assert_true(strcmp(ids[i - 1], ids[i]) != 0);
	free(ids);
	free(s);
}

static void test_foreign_ids_rejected(void **state)
{
	const char *bad[] = {"", "vx", "vx0", "vx00", "vxZZ01abcd", "z9hG4bK-1234", "vx0099abcdef", "abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dp_sip_id_owner(bad[i], (uint32_t)strlen(bad[i]), "vx", 0, 2), -1);
	/* worker index beyond the workers we have */
	assert_int_equal(dp_sip_id_owner("vx0005abcdef01", 14, "vx", 0, 2), -1);
	assert_int_equal(dp_sip_id_owner("vx0001abcdef01", 14, "vx", 0, 2), 1);
}

static void test_rtp_port_partition(void **state)
{
	for (uint16_t n = 1; n <= 16; n++)
		for (uint16_t w = 0; w < n; w++)
			for (uint32_t slot = 0; slot < 500; slot++) {
				uint32_t p = dp_rtp_port(20000, slot, w, n);
				assert_int_equal(p % 2, 0); /* RTP even, RTCP odd */
				assert_int_equal(dp_rtp_port_owner(20000, p, n), w);
				assert_int_equal(dp_rtp_port_owner(20000, p + 1, n), w); /* RTCP too */
			}
	/* distinct legs never share a port */
	assert_true(dp_rtp_port(20000, 1, 0, 2) != dp_rtp_port(20000, 0, 1, 2));
}

/* dp_div_workers (the packet path's port pair -> slot without a division) equals k / n for every
 * pair index a port can give and every worker count; beyond 2^16, and with no multiplier, it
 * divides. The owner derived from it is dp_rtp_port_owner's. */
static void test_div_workers_exact(void **state)
{
	struct dp_lcore lc;
	memset(&lc, 0, sizeof(lc));
	for (uint32_t n = 1; n <= VOX_MAX_WORKERS; n++) {
		lc.n_workers = (uint16_t)n;
		lc.nw_mul = ((1ull << 32) + n - 1) / n; /* as dp_lcore_create sets it */
		for (uint32_t k = 0; k <= 0xffffu; k++) {
			uint32_t q = dp_div_workers(&lc, k);
			if (q != k / n || k - q * n != dp_rtp_port_owner(0, 2 * k, (uint16_t)n))
				fail_msg("n %u k %u: %u", n, k, q);
		}
		assert_int_equal(dp_div_workers(&lc, 0x10000u + 7u * n), (0x10000u + 7u * n) / n);
		assert_int_equal(dp_div_workers(&lc, UINT32_MAX), UINT32_MAX / n);
	}
	lc.nw_mul = 0;
	lc.n_workers = 3;
	assert_int_equal(dp_div_workers(&lc, 1000), 333);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minted_ids_route_home),
		cmocka_unit_test(test_ids_are_unique),
		cmocka_unit_test(test_foreign_ids_rejected),
		cmocka_unit_test(test_rtp_port_partition),
		cmocka_unit_test(test_div_workers_exact),
	};
	return cmocka_run_group_tests_name("dataplane_sip_ids", tests, NULL, NULL);
}
