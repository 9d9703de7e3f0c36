/* SPDX-License-Identifier: BSD-3-Clause */
/* test_bytering.c — shared/vox_bytering: chunks, wrap with PAD and short tails, refusal when full.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vox_bytering.h"

#define BR_SIZE 256u

struct br_fx {
	struct vox_bytering *br;
	unsigned char data[BR_SIZE];
};

static int br_setup(void **state)
{
	static struct br_fx fx;
	fx.br = aligned_alloc(64, (vox_bytering_memsize(BR_SIZE) + 63) & ~63ull);
	vox_bytering_init(fx.br, BR_SIZE);
	for (unsigned i = 0; i < sizeof(fx.data); i++)
		fx.data[i] = (unsigned char)(i ^ 0x5a);
	*state = &fx;
	return 0;
}

static int br_teardown(void **state)
{
	struct br_fx *fx = *state;
	assert_null(vox_bytering_peek(fx->br)); /* every test drains what it wrote */
	free(fx->br);
	return 0;
}

static uint64_t br_used(const struct vox_bytering *br)
{
	return atomic_load(&br->head) - atomic_load(&br->tail);
}

static void br_get(struct br_fx *fx, uint32_t len, uint64_t leg, uint16_t stream)
{
	const struct vox_bulk_chunk *c = vox_bytering_peek(fx->br);
	assert_non_null(c);
	assert_int_equal(c->type, VOX_BULK_AUDIO);
	assert_int_equal(c->len, len);
	assert_int_equal(c->leg, leg);
	assert_int_equal(c->stream, stream);
	assert_memory_equal((const unsigned char *)(c + 1), fx->data, len);
	vox_bytering_pop(fx->br, c);
}

static void test_put_get(void **state)
{
	struct br_fx *fx = *state;
	assert_null(vox_bytering_peek(fx->br));
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 1, 0x99, fx->data, 5), 0);
	assert_int_equal(br_used(fx->br), 16 + 8); /* header + data padded to 8 */
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 2, 0x98, fx->data, 0), 0);
	br_get(fx, 5, 0x99, 1);
	br_get(fx, 0, 0x98, 2);
	assert_int_equal(br_used(fx->br), 0);
}

static void test_too_big(void **state)
{
	struct br_fx *fx = *state;
	/* more than half the ring never fits */
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 1, fx->data, BR_SIZE / 2),
	                 -EMSGSIZE);
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 1, fx->data, BR_SIZE / 2 - 16),
	                 0);
	br_get(fx, BR_SIZE / 2 - 16, 1, 0);
}

static void test_full_refused(void **state)
{
	struct br_fx *fx = *state;
	/* 64-byte chunks (16 + 48): 4 fill the ring exactly */
	for (int i = 0; i < 4; i++)
		assert_int_equal(
		    vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, (uint64_t)i, fx->data, 48), 0);
	assert_int_equal(br_used(fx->br), BR_SIZE);
	uint64_t head = atomic_load(&fx->br->head);
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 9, fx->data, 1), -ENOBUFS);
	assert_int_equal(atomic_load(&fx->br->head), head); /* nothing written */
	br_get(fx, 48, 0, 0);
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 4, fx->data, 48), 0);
	for (int i = 1; i <= 4; i++)
		br_get(fx, 48, (uint64_t)i, 0);
}

static void test_wrap_pad(void **state)
{
	struct br_fx *fx = *state;
	/* 200 bytes in, 200 out: offset 200, 56 left to the end */
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 1, fx->data, 104), 0);
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 2, fx->data, 64), 0);
	br_get(fx, 104, 1, 0);
	br_get(fx, 64, 2, 0);
	/* a 80-byte chunk does not fit in 56: a PAD chunk covers the end, the data starts at 0 */
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 3, fx->data, 64), 0);
	assert_int_equal(br_used(fx->br), 56 + 80);
	const struct vox_bulk_chunk *pad = (const void *)(fx->br->data + 200);
	assert_int_equal(pad->type, VOX_BULK_PAD);
	assert_int_equal(pad->len, 56 - 16);
	br_get(fx, 64, 3, 0); /* the reader skips the PAD */
	assert_int_equal(br_used(fx->br), 0);
}

static void test_wrap_short_tail(void **state)
{
	struct br_fx *fx = *state;
	/* leave 8 bytes at the end: too few for even a PAD header */
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 1, fx->data, 104),
	                 0); /* 120 */
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 2, fx->data, 112),
	                 0); /* 128 */
	br_get(fx, 104, 1, 0);
	br_get(fx, 112, 2, 0);
	assert_int_equal(atomic_load(&fx->br->tail) % BR_SIZE, 248);
	assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, 0, 3, fx->data, 16), 0);
	assert_int_equal(br_used(fx->br), 8 + 32);
	br_get(fx, 16, 3, 0);
	/* and many laps later the counts still add up */
	for (int i = 0; i < 1000; i++) {
		uint32_t len = (uint32_t)(i * 37) % 100;
		assert_int_equal(vox_bytering_put(fx->br, VOX_BULK_AUDIO, (uint16_t)i, (uint64_t)i,
		                                  fx->data, len),
		                 0);
		br_get(fx, len, (uint64_t)i, (uint16_t)i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_put_get, br_setup, br_teardown),
	    cmocka_unit_test_setup_teardown(test_too_big, br_setup, br_teardown),
	    cmocka_unit_test_setup_teardown(test_full_refused, br_setup, br_teardown),
	    cmocka_unit_test_setup_teardown(test_wrap_pad, br_setup, br_teardown),
	    cmocka_unit_test_setup_teardown(test_wrap_short_tail, br_setup, br_teardown),
	};
	return cmocka_run_group_tests_name("shared_bytering", tests, NULL, NULL);
}
