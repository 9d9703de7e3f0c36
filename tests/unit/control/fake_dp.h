/* SPDX-License-Identifier: BSD-3-Clause */
/* fake_dp.h — a stand-in dataplane for control's tests: real shm file, real rings, one thread. */
#ifndef FAKE_DP_H
#define FAKE_DP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vox_layout.h"
#include "vox_names.h"

/*
 * Creates the shm file with vox_shm_create (no EAL) and, from a thread, plays every worker:
 * answers PING with PONG, LEG_CREATE with LEG_CREATED (mirror entry written under its seqlock),
 * LEG_END with LEG_ENDED or STALE_HANDLE, DIAG_BURST with n LEG_CREATED; rings control's
 * doorbell following the wake-up protocol. Optionally listens on names.dp_sock and hands out
 * boot_id plus the eventfd like the real dataplane.
 */
struct fake_dp {
	struct vox_names names;
	struct vox_shm_map map;
	uint32_t n_workers;
	int evfd;
	int lfd;      /* listening socket, -1 when not serving one */
	int conns[8]; /* accepted control connections (closed at stop: control sees EOF) */
	int n_conns;
	pthread_t thr;
	int running;
	_Atomic int stop;
	_Atomic int paused; /* 1: the thread leaves the command rings alone */
	uint32_t gen;       /* next generation */
	_Atomic uint64_t cmds, evts, wakeups;
};

struct fake_dp_opts {
	uint32_t n_workers;
	uint32_t cmd_slots, evt_slots, mirror_slots;
	int with_socket;
};

/* Create the file under instance `id` and run_base, publish it, start the thread.
 * Returns 0 or -errno. */
int fake_dp_start(struct fake_dp *d, const char *id, const char *run_base,
                  const struct fake_dp_opts *o);
/* Stop the thread, optionally unlink the file and socket, unmap. */
void fake_dp_stop(struct fake_dp *d, int unlink_file);

/* Emit one event from worker w (the test acting as the worker). Returns vox_rec_send's rc. */
int fake_dp_emit(struct fake_dp *d, uint32_t w, uint16_t type, uint64_t leg, uint64_t req_id,
                 int32_t status, uint16_t flags, const void *payload, uint32_t len);
/* Create a leg on worker w as the worker would (mirror + LEG_CREATED). Returns its handle. */
uint64_t fake_dp_leg_create(struct fake_dp *d, uint32_t w, uint64_t req_id, int emit);

#endif /* FAKE_DP_H */
