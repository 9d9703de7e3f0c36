/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_stats.c — stats block layout and the field directory built from the X-macro lists. */
#include <stddef.h>
#include <string.h>

#include "vox_stats.h"

#define VOX_STATS_ROW_STRIDE ((sizeof(struct vox_stats_row) + 63u) & ~63u)
#define VOX_STATS_N_CORE (sizeof((const char *[]){VOX_STATS_CORE(VOX_STATS_NAME_)}) / sizeof(char *))
#define VOX_STATS_NAME_(name, kind, help) #name,
#define VOX_STATS_N_FIELDS (VOX_STATS_N_CORE + VOX_DROP__COUNT)

static uint64_t stats_off_rows(void)
{
	uint64_t dir = (sizeof(struct vox_stats_block) + 63u) & ~63ull;
	return (dir + VOX_STATS_N_FIELDS * sizeof(struct vox_stats_dir_entry) + 63u) & ~63ull;
}

uint64_t vox_stats_block_size(uint32_t n_rows)
{
	return stats_off_rows() + (uint64_t)n_rows * VOX_STATS_ROW_STRIDE;
}

static void stats_set(struct vox_stats_dir_entry *e, const char *name, const char *prefix,
		      uint32_t kind, size_t off, const char *help)
{
	memset(e, 0, sizeof(*e));
	size_t pl = strlen(prefix);
	memcpy(e->name, prefix, pl);
	strncpy(e->name + pl, name, sizeof(e->name) - pl - 1);
	strncpy(e->help, help, sizeof(e->help) - 1);
	e->kind = kind;
	e->offset = (uint32_t)off;
}

void vox_stats_block_init(struct vox_stats_block *blk, uint32_t n_rows)
{
	memset(blk, 0, vox_stats_block_size(n_rows));
	blk->n_fields = VOX_STATS_N_FIELDS;
	blk->n_rows = n_rows;
	blk->row_stride = VOX_STATS_ROW_STRIDE;
	blk->dir_entry_size = sizeof(struct vox_stats_dir_entry);
	blk->off_dir = (sizeof(struct vox_stats_block) + 63u) & ~63ull;
	blk->off_rows = stats_off_rows();

	struct vox_stats_dir_entry *dir = (void *)((char *)blk + blk->off_dir);
	uint32_t i = 0;
#define VOX_STATS_C VOX_STATS_COUNTER
#define VOX_STATS_G VOX_STATS_GAUGE
#define VOX_STATS_DIR_CORE(name, kind, help)                                                       \
	stats_set(&dir[i++], #name, "", VOX_STATS_##kind, offsetof(struct vox_stats_row, name), help);
	VOX_STATS_CORE(VOX_STATS_DIR_CORE)
#define VOX_STATS_DIR_DROP(name, help)                                                             \
	stats_set(&dir[i++], #name, "drop_", VOX_STATS_COUNTER,                                    \
		  offsetof(struct vox_stats_row, drop) + VOX_DROP_##name * sizeof(uint64_t), help);
	VOX_DROP_REASONS(VOX_STATS_DIR_DROP)
}

struct vox_stats_row *vox_stats_row(struct vox_stats_block *blk, uint32_t r)
{
	return (struct vox_stats_row *)((char *)blk + blk->off_rows + (uint64_t)r * blk->row_stride);
}

const struct vox_stats_dir_entry *vox_stats_find(const struct vox_stats_block *blk, const char *name)
{
	const struct vox_stats_dir_entry *dir = (const void *)((const char *)blk + blk->off_dir);
	for (uint32_t i = 0; i < blk->n_fields; i++)
		if (strncmp(dir[i].name, name, sizeof(dir[i].name)) == 0)
			return &dir[i];
	return NULL;
}

uint64_t vox_stats_get(const struct vox_stats_block *blk, uint32_t r, const struct vox_stats_dir_entry *f)
{
	const volatile uint64_t *v = (const volatile uint64_t *)((const char *)blk + blk->off_rows +
								 (uint64_t)r * blk->row_stride + f->offset);
	return *v;
}
