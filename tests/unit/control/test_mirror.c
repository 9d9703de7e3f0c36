/* SPDX-License-Identifier: BSD-3-Clause */
/* test_mirror.c — the leg mirror's seqlock: a reader never sees a torn entry. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vox_layout.h"

#include "ctl_attach.h"
#include "ctl_legs.h"
#include "ctl_test.h"

struct mir_fx {
	struct vox_shm_map map;
	char path[128];
	_Atomic int stop;
	_Atomic uint64_t writes;
};

/* Every field is derived from one value x, so any mix of two writes is detectable. */
static void mir_fill(struct vox_leg_mirror *e, uint64_t x)
{
	e->state = 1 + (uint32_t)(x % 6);
	e->handle = vox_handle_make(0, 0, 5, (uint32_t)x);
	for (int i = 0; i < 16; i++)
		e->tag[i] = (uint8_t)(x + (uint64_t)i);
	e->account_idx = (uint32_t)x;
	e->kind = (uint32_t)(x * 3);
	e->bridge_peer = ~x;
	e->media_op = (uint32_t)(x ^ 0x5555);
	e->flags = (uint32_t)(x >> 3);
	e->deadline_ns = x * 7;
	e->created_ns = x * 11;
	e->rtp_rx = (uint32_t)x + 1;
	e->rtp_tx = (uint32_t)x + 2;
	e->lost = (uint32_t)x + 3;
	e->jitter_us = (uint32_t)x + 4;
	e->rtt_us = (uint32_t)x + 5;
	e->jb_depth_ms = (uint32_t)x + 6;
}

static int mir_consistent(const struct vox_leg_mirror *e)
{
	uint64_t x = e->created_ns / 11;
	struct vox_leg_mirror want;
	memset(&want, 0, sizeof(want));
	mir_fill(&want, x);
	/* compare everything after seq (pad included: both zero) */
	return memcmp((const char *)e + sizeof(e->seq), (const char *)&want + sizeof(want.seq),
	              sizeof(want) - sizeof(want.seq)) == 0;
}

static void *mir_writer(void *arg)
{
	struct mir_fx *fx = arg;
	struct vox_leg_mirror *e = vox_shm_mirror(&fx->map, 0, 5);
	for (uint64_t x = 1; !atomic_load_explicit(&fx->stop, memory_order_relaxed); x++) {
		vox_mirror_write_begin(e);
		mir_fill(e, x);
		vox_mirror_write_end(e);
		atomic_store_explicit(&fx->writes, x, memory_order_relaxed);
	}
	return NULL;
}

static int mir_setup(void **state)
{
	static struct mir_fx fx;
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.path, sizeof(fx.path), "/dev/shm/voxplane-mir%d.shm", (int)getpid());
	struct vox_shm_params p = {.n_workers = 1,
	                           .cmd_ring_slots = 64,
	                           .evt_ring_slots = 64,
	                           .bulk_ring_bytes = 4096,
	                           .mirror_slots = 8,
	                           .pool_bytes = 4096};
	assert_int_equal(vox_shm_create(&fx.map, fx.path, &p), 0);
	vox_shm_publish(&fx.map);
	mir_fill(vox_shm_mirror(&fx.map, 0, 5), 0);
	*state = &fx;
	return 0;
}

static int mir_teardown(void **state)
{
	struct mir_fx *fx = *state;
	vox_shm_unmap(&fx->map);
	unlink(fx->path);
	return 0;
}

static void test_no_torn_reads(void **state)
{
	struct mir_fx *fx = *state;
	/* read through a second mapping, as control does */
	struct vox_shm_map rd;
	assert_int_equal(vox_shm_attach(&rd, fx->path, 0, NULL), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, mir_writer, fx), 0);
	const struct vox_leg_mirror *e = vox_shm_mirror(&rd, 0, 5);
	uint64_t ok = 0, busy = 0, changed = 0, last = 0;
	uint64_t end = ctl_mono_ns() + 700ull * 1000000ull;
	while (ctl_mono_ns() < end || ok < 1000) {
		struct vox_leg_mirror snap;
		if (vox_mirror_read(e, &snap, 4) != 0) {
			busy++;
			continue;
		}
		assert_int_equal(snap.seq & 1u, 0);
		if (!mir_consistent(&snap))
			fail_msg("torn read: created_ns %llu handle %llx tag0 %u",
			         (unsigned long long)snap.created_ns,
			         (unsigned long long)snap.handle, snap.tag[0]);
		if (snap.created_ns != last)
			changed++;
		last = snap.created_ns;
		ok++;
	}
	atomic_store(&fx->stop, 1);
	pthread_join(t, NULL);
	print_message("reads ok %llu (distinct %llu), busy %llu, writes %llu\n",
	              (unsigned long long)ok, (unsigned long long)changed, (unsigned long long)busy,
	              (unsigned long long)atomic_load(&fx->writes));
	assert_true(changed > 10); /* the reader did see the writer's progress */
	vox_shm_unmap(&rd);
}

/* Control's rebuild reads the mirror under the same concurrent writes without tearing. */
static void test_rebuild_under_writes(void **state)
{
	struct mir_fx *fx = *state;
	struct ctl c;
	assert_int_equal(ctl_test_make(&c, "mirr", "/tmp"), 0);
	assert_int_equal(vox_shm_attach(&c.shm.map, fx->path, 0, NULL), 0);
	c.attached = 1;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, mir_writer, fx), 0);
	for (int i = 0; i < 2000; i++) {
		uint32_t n = ctl_attach_rebuild_legs(&c);
		if (n == 0) {
			continue; /* busy for 1000 tries: counted, skipped */
		}
		assert_int_equal(n, 1);
		assert_int_equal(ctl_legs_count(c.legs), 1);
	}
	atomic_store(&fx->stop, 1);
	pthread_join(t, NULL);
	vox_shm_unmap(&c.shm.map);
	c.attached = 0;
	ctl_test_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_torn_reads, mir_setup, mir_teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_under_writes, mir_setup, mir_teardown),
	};
	return cmocka_run_group_tests_name("control_mirror", tests, NULL, NULL);
}
