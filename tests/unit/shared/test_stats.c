/* SPDX-License-Identifier: BSD-3-Clause */
/* test_stats.c — shared/vox_stats: the directory names every field, offsets distinct and right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vox_stats.h"

static const char *const core_names[] = {
#define N(name, kind, help) #name,
    VOX_STATS_CORE(N)
#undef N
};
static const char *const drop_names[] = {
#define D(name, help) "drop_" #name,
    VOX_DROP_REASONS(D)
#undef D
};
#define N_CORE (sizeof(core_names) / sizeof(core_names[0]))
#define N_DROP (sizeof(drop_names) / sizeof(drop_names[0]))

static void test_directory(void **state)
{
	(void)state;
	uint32_t rows = 3;
	uint64_t size = vox_stats_block_size(rows);
	struct vox_stats_block *blk = aligned_alloc(64, (size + 63) & ~63ull);
	memset(blk, 0xee, size);
	vox_stats_block_init(blk, rows);
	assert_int_equal(blk->n_fields, N_CORE + N_DROP);
	assert_int_equal(blk->n_rows, rows);
	assert_int_equal(blk->row_stride % 64, 0);
	assert_true(blk->row_stride >= sizeof(struct vox_stats_row));
	assert_int_equal(blk->dir_entry_size, sizeof(struct vox_stats_dir_entry));
	assert_true(blk->off_rows >= blk->off_dir + blk->n_fields * blk->dir_entry_size);
	assert_true(blk->off_rows + (uint64_t)rows * blk->row_stride <= size);
	/* every field is found by name; offsets are distinct, aligned, inside a row */
	char seen[sizeof(struct vox_stats_row)] = {0};
	for (size_t i = 0; i < N_CORE + N_DROP; i++) {
		const char *name = i < N_CORE ? core_names[i] : drop_names[i - N_CORE];
		const struct vox_stats_dir_entry *e = vox_stats_find(blk, name);
		if (!e)
			fail_msg("field %s not in the directory", name);
		assert_true(e->offset % 8 == 0);
		assert_true(e->offset + 8 <= sizeof(struct vox_stats_row));
		assert_false(seen[e->offset]);
		seen[e->offset] = 1;
		assert_true(e->kind == VOX_STATS_COUNTER || e->kind == VOX_STATS_GAUGE);
		assert_true(strlen(e->help) > 0);
	}
	assert_null(vox_stats_find(blk, "no_such_field"));
	assert_int_equal(vox_stats_find(blk, "legs_active")->kind, VOX_STATS_GAUGE);
	assert_int_equal(vox_stats_find(blk, "rx_pkts")->offset,
	                 offsetof(struct vox_stats_row, rx_pkts));
	/* rows are zeroed; writes through the struct are read back through the directory */
	for (uint32_t r = 0; r < rows; r++)
		for (size_t i = 0; i < N_CORE; i++)
			assert_int_equal(vox_stats_get(blk, r, vox_stats_find(blk, core_names[i])),
			                 0);
	struct vox_stats_row *row = vox_stats_row(blk, 2);
	row->rx_pkts = 17;
	vox_stats_drop(row, VOX_DROP_udp_csum, 3);
	vox_stats_drop(row, VOX_DROP_udp_csum, 2);
	assert_int_equal(vox_stats_get(blk, 2, vox_stats_find(blk, "rx_pkts")), 17);
	assert_int_equal(vox_stats_get(blk, 2, vox_stats_find(blk, "drop_udp_csum")), 5);
	assert_int_equal(vox_stats_get(blk, 2, vox_stats_find(blk, "drops")), 5);
	assert_int_equal(vox_stats_get(blk, 1, vox_stats_find(blk, "drops")), 0);
	free(blk);
}

static void test_names_fit(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_DROP; i++)
		assert_true(strlen(drop_names[i]) <
		            sizeof(((struct vox_stats_dir_entry *)0)->name));
	for (size_t i = 0; i < N_CORE; i++)
		assert_true(strlen(core_names[i]) <
		            sizeof(((struct vox_stats_dir_entry *)0)->name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_directory),
	    cmocka_unit_test(test_names_fit),
	};
	return cmocka_run_group_tests_name("shared_stats", tests, NULL, NULL);
}
