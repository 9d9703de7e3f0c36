/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.h — voxplane-control's process context, passed explicitly to every module (private). */
#ifndef CTL_H
#define CTL_H

#include <stdint.h>

#include <jansson.h>

#include "vox_abi.h"
#include "vox_layout.h"
#include "vox_names.h"

#include "ctl_config.h"
#include "ctl_loop.h"

struct ctl_legs;
struct ctl_admin;
struct ctl_req;
struct ctl_script;
struct store;
struct http_ctl;
struct rest;
struct ctl_calls;

/* A request's answer goes to an admin client id (0: nobody). The default sink is the admin
 * socket; tests install their own to see the JSON. Steals `reply`. */
typedef void ctl_reply_fn(void *arg, uint64_t client, json_t *reply);

/* Per-worker queue of commands that found the command ring full (bounded). */
struct ctl_cmd {
	struct vox_rec_hdr h;
	uint32_t len;
	uint8_t payload[VOX_REC_SLOT]; /* payloads up to one slot live here */
	uint8_t *big;                  /* longer ones on the heap, freed once sent or dropped */
};
struct ctl_cmdq {
	struct ctl_cmd *q;
	uint32_t head, count; /* ring of cfg.cmd_queue entries */
};

/* Event counters by type are indexed through ctl_dp's event table. */
#define CTL_EVT_TYPES_MAX 24

struct ctl_counters {
	uint64_t events[CTL_EVT_TYPES_MAX];
	uint64_t events_unknown;
	uint64_t duplicates; /* state events that changed nothing (REEMIT of a known fact) */
	uint64_t stale_handles;
	uint64_t reemits;
	uint64_t truncated;
	uint64_t rec_errors; /* -EMSGSIZE / -EPROTO from vox_rec_recv */
	uint64_t cmds_sent;
	uint64_t cmds_queued;
	uint64_t cmd_overflow; /* local queue full: command refused */
	uint64_t legs_full;    /* the legs table was at its bound */
	uint64_t mirror_busy;  /* mirror entries skipped at attach: kept changing */
	uint64_t attaches;
	uint64_t detaches;
};

/* The attached shm file. */
struct ctl_shm {
	struct vox_shm_map map; /* map.hdr == NULL: not attached */
	uint64_t boot_id;
	uint64_t dev, ino; /* identity of the mapped file */
};

struct ctl {
	struct ctl_config cfg;
	struct vox_names names;
	struct ctl_loop *loop;
	struct ctl_legs *legs;
	struct ctl_admin *admin;
	ctl_reply_fn *reply;
	void *reply_arg;

	/* attachment (ctl_attach.c) */
	struct ctl_shm shm;
	int attached;
	int dp_fd;        /* connection to the dataplane's socket, -1 when none */
	int evt_fd;       /* the dataplane's eventfd (doorbell), -1 when none */
	uint8_t dp_rx[8]; /* boot_id bytes as they arrive */
	uint32_t dp_rx_len;
	uint64_t hb_timer, attach_timer, drain_timer;
	uint64_t start_ns;
	int wait_warned;
	int fatal; /* refused for good (another control, other ABI): exit 1 */
	char fatal_msg[256];

	/* records (ctl_dp.c) and requests (ctl_req.c) */
	struct ctl_cmdq cmdq[VOX_MAX_WORKERS];
	struct ctl_counters cnt;
	uint64_t cmd_seq;
	uint64_t next_req_id;
	struct ctl_req *reqs;
	unsigned char *rxbuf; /* VOX_REC_MAX_SLOTS slots */

	/* scripted mode (ctl_script.c): NULL unless cfg.script names a file */
	struct ctl_script *script;

	/* the shared media pool (ctl_pool.c): NULL while detached */
	struct ctl_pool *pool;

	/* the LMDB store (control/store/ctl_store.c): NULL until opened */
	struct store *store;
	/* HTTP listener and fetcher (control/http): NULL until http_ctl_open; http_json adds
	 * their counters to `status` without ctl_core linking control/http */
	struct http_ctl *http;
	json_t *(*http_json)(struct ctl *c);
	/* the REST API (control/rest): NULL until rest_ctl_open; rest_json adds its counters to
	 * `status` */
	struct rest *rest;
	json_t *(*rest_json)(struct ctl *c);
	/* recordings and digits (ctl_rec.c) */
	struct ctl_rec *rec;
	/* the call router (control/calls): NULL until ctl_calls_open; calls_event gets every
	 * event after the script hook (ctl_dp.c), calls_json adds its counters to `status` */
	struct ctl_calls *calls;
	void (*calls_event)(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
	json_t *(*calls_json)(struct ctl *c);
	/* after an attach (legs rebuilt from the mirror) with 1, after a detach with 0 */
	void (*calls_attach)(struct ctl *c, int attached);
	/* admin `call create ...` (answered after the commit) */
	json_t *(*calls_admin_create)(struct ctl *c, uint64_t client, int argc, char **argv);
};

/* Set up / tear down the pieces of a ctl that need no running dataplane: legs table, command
 * queues, receive buffer. cfg and names must be filled first. Returns 0 or -ENOMEM. */
int ctl_init(struct ctl *c, struct ctl_loop *loop);
void ctl_fini(struct ctl *c);

/* Deliver a request's answer through c->reply. Steals `reply`. */
void ctl_reply(struct ctl *c, uint64_t client, json_t *reply);

/* mkdir -p with mode 0755 for each missing component. Returns 0 or -errno. */
int ctl_mkdirs(const char *dir);

/* CLOCK_MONOTONIC / CLOCK_REALTIME in ns. */
uint64_t ctl_mono_ns(void);
uint64_t ctl_real_ns(void);

#endif /* CTL_H */
