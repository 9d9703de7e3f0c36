/* SPDX-License-Identifier: BSD-3-Clause */
/* test_abi.c — shared/vox_abi: handle packing, slot arithmetic, event classes, shm layout sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vox_abi.h"
#include "vox_shm.h"

static void test_handle_packing(void **state)
{
	(void)state;
	vox_handle_t h = vox_handle_make(0xab, 0x0c, 0x123456, 0xfedcba);
	assert_int_equal(h, 0xab0c123456fedcbaull);
	assert_int_equal(vox_handle_node(h), 0xab);
	assert_int_equal(vox_handle_lcore(h), 0x0c);
	assert_int_equal(vox_handle_slot(h), 0x123456);
	assert_int_equal(vox_handle_gen(h), 0xfedcba);
	/* fields are masked, never spill into their neighbours */
	h = vox_handle_make(0x1ff, 0x1ff, 0x1ffffff, 0x1ffffff);
	assert_int_equal(h, 0xffffffffffffffffull);
	h = vox_handle_make(0, 1, VOX_HANDLE_SLOT_MAX, 0);
	assert_int_equal(vox_handle_lcore(h), 1);
	assert_int_equal(vox_handle_slot(h), VOX_HANDLE_SLOT_MAX);
	assert_int_equal(vox_handle_gen(h), 0);
	/* every combination of small values round-trips */
	for (uint32_t l = 0; l < VOX_MAX_WORKERS; l++)
		for (uint32_t s = 0; s < 70000; s += 997)
			for (uint32_t g = 1; g < (1u << 24); g += 0x10001) {
				h = vox_handle_make(3, l, s, g);
				assert_int_equal(vox_handle_node(h), 3);
				assert_int_equal(vox_handle_lcore(h), l);
				assert_int_equal(vox_handle_slot(h), s);
				assert_int_equal(vox_handle_gen(h), g);
			}
}

static void test_slots_and_types(void **state)
{
	(void)state;
	assert_int_equal(vox_rec_slots_for(0), 0);
	assert_int_equal(vox_rec_slots_for(1), 1);
	assert_int_equal(vox_rec_slots_for(64), 1);
	assert_int_equal(vox_rec_slots_for(65), 2);
	assert_int_equal(vox_rec_slots_for(VOX_REC_MAX_PAYLOAD), VOX_REC_MAX_SLOTS - 1);
	assert_true(vox_evt_is_state(VOX_EVT_LEG_CREATED));
	assert_true(vox_evt_is_state(VOX_EVT_LEG_ENDED));
	assert_true(vox_evt_is_state(VOX_EVT_RECORDING_DONE));
	assert_false(vox_evt_is_state(VOX_EVT_PONG));
	assert_false(vox_evt_is_state(VOX_EVT_STALE_HANDLE));
	assert_false(vox_evt_is_state(VOX_CMD_LEG_CREATE));
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vox_rec_hdr), VOX_REC_SLOT);
	assert_int_equal(offsetof(struct vox_rec_hdr, leg) % 8, 0);
	assert_int_equal(offsetof(struct vox_shm_hdr, ready) % 64, 0);
	assert_int_equal(offsetof(struct vox_shm_hdr, ctl) % 64, 0);
	assert_int_equal(offsetof(struct vox_shm_ctl, sleeping) % 64, 0);
	assert_int_equal(offsetof(struct vox_shm_hdr, worker) % 64, 0);
	assert_int_equal(sizeof(struct vox_leg_mirror), 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handle_packing),
	    cmocka_unit_test(test_slots_and_types),
	    cmocka_unit_test(test_layout),
	};
	return cmocka_run_group_tests_name("shared_abi", tests, NULL, NULL);
}
