/* SPDX-License-Identifier: BSD-3-Clause */
/* test_calls_dialx.c — the pure decisions of <Dial>'s extras: answerOnBridge early media (which
 * leg's early media the caller gets, the one 183, the switch to another winner) and a Dial
 * noun's child call (its statuses in order, once each, which are called back, the final one),
 * ringTone's country table. */
#include <errno.h>
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

/* The child call's statuses: each once, in order; ringing may be skipped; nothing after the end;
 * callbacks only for the subscribed events (none given: completed only). */
static void test_child_steps(void **st)
{
	(void)st;
	uint8_t ph = 0;
	bool n = true;
	unsigned all = CALLS_CHILD_INITIATED | CALLS_CHILD_RINGING | CALLS_CHILD_ANSWERED |
	               CALLS_CHILD_COMPLETED;
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_INITIATED, NULL, all, &n), "queued");
	assert_true(n);
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_RINGING, NULL, all, &n), "ringing");
	/* a second 1xx, a late initiated: stale */
	assert_null(calls_child_step(&ph, CALLS_CHILD_RINGING, NULL, all, &n));
	assert_false(n);
	assert_null(calls_child_step(&ph, CALLS_CHILD_INITIATED, NULL, all, &n));
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_ANSWERED, NULL, all, &n), "in-progress");
	assert_true(n);
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_COMPLETED, "completed", all, &n),
	                    "completed");
	assert_true(n);
	assert_null(calls_child_step(&ph, CALLS_CHILD_COMPLETED, "busy", all, &n));
	assert_null(calls_child_step(&ph, CALLS_CHILD_ANSWERED, NULL, all, &n));
	assert_null(calls_child_step(&ph, 1u << 7, NULL, all, &n)); /* not an event */

	/* answered without a 1xx; default subscription (0): completed only */
	ph = 0;
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_INITIATED, NULL, 0, &n), "queued");
	assert_false(n);
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_ANSWERED, NULL, 0, &n), "in-progress");
	assert_false(n);
	assert_null(calls_child_step(&ph, CALLS_CHILD_RINGING, NULL, 0, &n)); /* too late */
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_COMPLETED, NULL, 0, &n), "failed");
	assert_true(n);

	/* ringing only subscribed: a failed call's end is not called back */
	ph = 0;
	calls_child_step(&ph, CALLS_CHILD_INITIATED, NULL, CALLS_CHILD_RINGING, &n);
	assert_false(n);
	assert_string_equal(calls_child_step(&ph, CALLS_CHILD_COMPLETED, "no-answer",
	                                     CALLS_CHILD_RINGING, &n), "no-answer");
	assert_false(n);
}

static void test_child_final(void **st)
{
	(void)st;
	assert_string_equal(calls_child_final(true, true, 487), "completed");
	assert_string_equal(calls_child_final(false, true, 487), "canceled");
	assert_string_equal(calls_child_final(false, false, 486), "busy");
	assert_string_equal(calls_child_final(false, false, 603), "busy");
	assert_string_equal(calls_child_final(false, false, 480), "no-answer");
	assert_string_equal(calls_child_final(false, false, 408), "no-answer");
	assert_string_equal(calls_child_final(false, false, 0), "no-answer");
	assert_string_equal(calls_child_final(false, false, 503), "failed");
	assert_string_equal(calls_child_final(false, false, 404), "failed");
}

/* ringTone's table: a few countries' cadences; an unknown code is North America's, refused. */
static void test_ring_tone(void **st)
{
	(void)st;
	struct calls_ring r;
	assert_int_equal(calls_ring_tone("us", &r), 0);
	assert_true(r.f1 == 440 && r.f2 == 480 && r.on_ms == 2000 && r.off_ms == 4000 && !r.twice);
	assert_int_equal(calls_ring_tone("UK", &r), 0);
	assert_true(r.f1 == 400 && r.f2 == 450 && r.on_ms == 400 && r.off_ms == 2000 && r.twice);
	assert_int_equal(calls_ring_tone("gb", &r), 0);
	assert_true(r.twice);
	assert_int_equal(calls_ring_tone("de", &r), 0);
	assert_true(r.f1 == 425 && r.f2 == 0 && r.on_ms == 1000 && r.off_ms == 4000);
	assert_int_equal(calls_ring_tone("fr", &r), 0);
	assert_true(r.f1 == 440 && r.on_ms == 1500 && r.off_ms == 3500);
	assert_int_equal(calls_ring_tone("jp", &r), 0);
	assert_true(r.f1 == 400 && r.on_ms == 1000 && r.off_ms == 2000);
	assert_int_equal(calls_ring_tone("xx", &r), -ENOENT);
	assert_true(r.f1 == 440 && r.f2 == 480);
	assert_int_equal(calls_ring_tone("", &r), -ENOENT);
	assert_int_equal(calls_ring_tone("usa", &r), -ENOENT);
	assert_int_equal(calls_ring_tone(NULL, &r), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_early_first_leg_wins),
	    cmocka_unit_test(test_early_bridge_winner),
	    cmocka_unit_test(test_child_steps),
	    cmocka_unit_test(test_child_final),
	    cmocka_unit_test(test_ring_tone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
