/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_legs.h — control's view of live legs: a bounded hash of handle -> leg facts. */
#ifndef CTL_LEGS_H
#define CTL_LEGS_H

#include <stdint.h>

#include "vox_abi.h"

/*
 * Open addressing with linear probing and backward-shift deletion (no tombstones), capacity a
 * power of two at least twice the bound, so probes stay short. Rebuilt from the shm mirror at
 * attach, then kept current by state events; dropped whole when the dataplane's boot changes.
 * Owned by the loop thread.
 */
struct ctl_legs;

struct ctl_leg {
	vox_handle_t handle; /* 0 = empty slot */
	uint32_t state;      /* enum vox_leg_state */
	uint16_t worker;
	uint16_t kind; /* enum vox_leg_kind, 0 when not known */
	uint8_t tag[16];
	uint64_t created_ns; /* CLOCK_REALTIME */
	uint64_t updated_ns; /* CLOCK_REALTIME of the last event about it */
};

/* Returns 0 or -ENOMEM/-EINVAL; *out on success only. */
int ctl_legs_create(struct ctl_legs **out, uint32_t max_legs);
void ctl_legs_destroy(struct ctl_legs *t);

/* Insert or update. Returns 1 when the handle was new, 0 when it was known (fields updated),
 * -ENOSPC when the table is at its bound. `*leg_out` (may be NULL) points at the entry. */
int ctl_legs_upsert(struct ctl_legs *t, const struct ctl_leg *leg, struct ctl_leg **leg_out);
struct ctl_leg *ctl_legs_find(struct ctl_legs *t, vox_handle_t h);
/* Remove. Returns 0 or -ENOENT. */
int ctl_legs_remove(struct ctl_legs *t, vox_handle_t h);
void ctl_legs_clear(struct ctl_legs *t);

uint32_t ctl_legs_count(const struct ctl_legs *t);
uint32_t ctl_legs_max(const struct ctl_legs *t);
/* Live legs on worker w (w < VOX_MAX_WORKERS). */
uint32_t ctl_legs_on_worker(const struct ctl_legs *t, uint32_t w);

/* Visit every leg; the callback must not insert or remove. Returns the number visited. */
typedef void ctl_legs_visit_fn(const struct ctl_leg *leg, void *arg);
uint32_t ctl_legs_foreach(const struct ctl_legs *t, ctl_legs_visit_fn *fn, void *arg);

/* Name of a vox_leg_state ("created", "offered", ...). */
const char *ctl_leg_state_name(uint32_t state);

#endif /* CTL_LEGS_H */
