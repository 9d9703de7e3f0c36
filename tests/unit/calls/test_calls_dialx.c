/* SPDX-License-Identifier: BSD-3-Clause */
/* test_calls_dialx.c — the pure decisions of <Dial>'s extras: answerOnBridge early media (which
 * leg's early media the caller gets, the one 183, the switch to another winner). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calls_dialx.h"

static void test_early_first_leg_wins(void **st)
{
	(void)st;
	struct calls_early e;
	memset(&e, 0, sizeof(e));
	/* no answerOnBridge, caller answered, a 180 without SDP: nothing */
	assert_int_equal(calls_early_progress(&e, false, false, 0, true), 0);
	assert_int_equal(calls_early_progress(&e, true, true, 0, true), 0);
	assert_int_equal(calls_early_progress(&e, true, false, 0, false), 0);
	assert_false(e.on);
	assert_false(e.ring183);
	/* leg 1's 183 with SDP: 183 on the caller, then the bridge */
	assert_int_equal(calls_early_progress(&e, true, false, 1, true),
	                 CALLS_EARLY_RING183 | CALLS_EARLY_BRIDGE);
	assert_true(e.on);
	assert_int_equal(e.leg, 1);
	/* its retransmitted 183, or leg 2's: the caller keeps leg 1's */
	assert_int_equal(calls_early_progress(&e, true, false, 1, true), 0);
	assert_int_equal(calls_early_progress(&e, true, false, 2, true), 0);
	/* leg 1 fails: leg 2's next early media is relayed, without a second 183 */
	calls_early_gone(&e, 2); /* another leg's end changes nothing */
	assert_true(e.on);
	calls_early_gone(&e, 1);
	assert_false(e.on);
	assert_int_equal(calls_early_progress(&e, true, false, 2, true), CALLS_EARLY_BRIDGE);
	assert_int_equal(e.leg, 2);
	/* a leg index past what the state holds is refused, not truncated */
	calls_early_gone(&e, 2);
	assert_int_equal(calls_early_progress(&e, true, false, 300, true), 0);
}

static void test_early_bridge_winner(void **st)
{
	(void)st;
	struct calls_early e;
	memset(&e, 0, sizeof(e));
	/* nothing early: a plain BRIDGE */
	assert_int_equal(calls_early_bridge(&e, 0), CALLS_EARLY_BRIDGE);
	/* the early leg answers: BRIDGE (same peer, nothing to the dataplane), no UNBRIDGE */
	calls_early_progress(&e, true, false, 0, true);
	assert_int_equal(calls_early_bridge(&e, 0), CALLS_EARLY_BRIDGE);
	assert_false(e.on);
	/* another leg answers while leg 3's early media plays: UNBRIDGE first */
	memset(&e, 0, sizeof(e));
	calls_early_progress(&e, true, false, 3, true);
	assert_int_equal(calls_early_bridge(&e, 4), CALLS_EARLY_UNBRIDGE | CALLS_EARLY_BRIDGE);
	assert_false(e.on);
	assert_true(e.ring183); /* the call had its 183: a later Dial does not send another */
	assert_int_equal(calls_early_progress(&e, true, false, 0, true), CALLS_EARLY_BRIDGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_early_first_leg_wins),
	    cmocka_unit_test(test_early_bridge_winner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
