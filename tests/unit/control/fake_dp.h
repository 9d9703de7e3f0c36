/* SPDX-License-Identifier: BSD-3-Clause */
/* fake_dp.h — a stand-in dataplane for control's tests: real shm file, real rings, one thread. */
#ifndef FAKE_DP_H
#define FAKE_DP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vox_layout.h"
#include "vox_names.h"

/* A command the stand-in worker consumed (the log tests read back). */
#define FAKE_DP_LOG 128
#define FAKE_DP_LOG_PAYLOAD 1024
struct fake_dp_cmd {
	struct vox_rec_hdr h;
	uint64_t mono_ns; /* when the worker took it */
	uint8_t payload[FAKE_DP_LOG_PAYLOAD];
};

/* What the stand-in does with VOX_CMD_DIAL. */
enum fake_dp_dial {
	FAKE_DIAL_CREATE = 0, /* LEG_CREATED only (the far end "rings") */
	FAKE_DIAL_ANSWER = 1, /* LEG_CREATED then LEG_ANSWERED */
	FAKE_DIAL_FAIL = 2,   /* LEG_FAILED (status NO_RESOURCES) */
};

struct fake_dp;
struct fake_dp_job {
	void (*fn)(struct fake_dp *d, void *arg);
	void *arg;
};

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
	_Atomic int dial_mode; /* enum fake_dp_dial */
	/* work the test hands to the thread (event rings have one producer) */
	struct fake_dp_job *_Atomic job;
	_Atomic uint32_t n_log; /* entries of log[] written (release) */
	struct fake_dp_cmd log[FAKE_DP_LOG];
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

/*
 * SIP legs. The stand-in answers RING with LEG_PROGRESS, ANSWER with LEG_ANSWERED, REJECT and
 * HANGUP with LEG_ENDED (cause CONTROL), DIAL per dial_mode; SET_DEADLINE, RESPOND and
 * CANCEL_LEG are only logged. Every consumed command is logged (FAKE_DP_LOG at most).
 */

/* Run fn on the worker thread (directly when it is not running) and wait for it: event rings
 * are single-producer, so a test that emits while the thread answers commands goes here. */
void fake_dp_on_thread(struct fake_dp *d, void (*fn)(struct fake_dp *d, void *arg), void *arg);

/* Build an event payload: vox_sip_in describing the raw request `raw`, then raw itself, into
 * buf (cap bytes). Fields found: R-URI and its user, From/To and their users, From display
 * name, Call-ID, Contact, User-Agent, Content-Type, body. Returns the length, or 0 if too big. */
uint32_t fake_dp_sip_in(const char *raw, uint32_t txn, void *buf, uint32_t cap);
/* The three below run on the worker thread (fake_dp_on_thread).
 * An inbound call offered on worker w: mirror entry (OFFERED, SIP_IN) and LEG_OFFERED with
 * fake_dp_sip_in(raw_invite). Returns the handle (0: no free slot). */
uint64_t fake_dp_sip_offer(struct fake_dp *d, uint32_t w, const char *raw_invite);
/* A SIP request for control to decide (EVT_SIP_REQUEST) with server transaction txn. */
int fake_dp_sip_request(struct fake_dp *d, uint32_t w, uint64_t leg, const char *raw, uint32_t txn);
/* End a leg as the worker would (mirror freed, LEG_ENDED with cause and vox_leg_sip). */
int fake_dp_leg_end(struct fake_dp *d, uint64_t leg, int32_t cause, uint16_t sip_code);

#endif /* FAKE_DP_H */
