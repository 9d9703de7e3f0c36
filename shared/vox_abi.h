/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_abi.h — the control/dataplane contract: version, limits, handles, addresses, records. */
#ifndef VOX_ABI_H
#define VOX_ABI_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

/*
 * Everything in this file crosses the process boundary through the shm file. Rules:
 *  - no pointers, only handles and byte offsets from the start of the shm file;
 *  - every record and shared struct has a _Static_assert on its size;
 *  - any change to a layout bumps VOX_ABI_VERSION (control refuses a different version).
 */
#define VOX_SHM_MAGIC 0x454e414c50584f56ull /* "VOXPLANE" little endian */
#define VOX_ABI_VERSION 1u

#define VOX_MAX_WORKERS 16u   /* worker lcores per node */
#define VOX_REC_SLOT 64u      /* one ring element */
#define VOX_REC_MAX_SLOTS 160u /* header + continuation: 159 * 64 = 10176 payload bytes max */
#define VOX_REC_MAX_PAYLOAD ((VOX_REC_MAX_SLOTS - 1u) * VOX_REC_SLOT)

/* ---------------------------------------------------------------------------------------
 * Leg handle: node:8 | lcore:8 | slot:24 | generation:24.
 * "lcore" is the worker index (0..n_workers-1), not the EAL lcore id. Generations start at a
 * random value every boot, so a handle from a previous boot is stale with high probability
 * even before control notices the new boot_id. Handle 0 is never valid.
 * --------------------------------------------------------------------------------------- */
typedef uint64_t vox_handle_t;

#define VOX_HANDLE_SLOT_MAX 0xffffffu
#define VOX_HANDLE_GEN_MASK 0xffffffu

static inline vox_handle_t vox_handle_make(uint32_t node, uint32_t lcore, uint32_t slot, uint32_t gen)
{
	return ((uint64_t)(node & 0xff) << 56) | ((uint64_t)(lcore & 0xff) << 48) |
	       ((uint64_t)(slot & 0xffffff) << 24) | (uint64_t)(gen & 0xffffff);
}
static inline uint32_t vox_handle_node(vox_handle_t h) { return (uint32_t)(h >> 56) & 0xff; }
static inline uint32_t vox_handle_lcore(vox_handle_t h) { return (uint32_t)(h >> 48) & 0xff; }
static inline uint32_t vox_handle_slot(vox_handle_t h) { return (uint32_t)(h >> 24) & 0xffffff; }
static inline uint32_t vox_handle_gen(vox_handle_t h) { return (uint32_t)h & 0xffffff; }

/* ---------------------------------------------------------------------------------------
 * Addresses: 16 bytes plus a family everywhere, so IPv6 needs no ABI change.
 * IPv4 addresses sit in addr[0..3], network byte order. Port in host byte order.
 * --------------------------------------------------------------------------------------- */
enum vox_af { VOX_AF_NONE = 0, VOX_AF_INET = 4, VOX_AF_INET6 = 6 };

struct vox_addr {
	uint8_t family; /* enum vox_af */
	uint8_t rsvd;
	uint16_t port;
	uint8_t addr[16];
};
_Static_assert(sizeof(struct vox_addr) == 20, "vox_addr is ABI");

/* ---------------------------------------------------------------------------------------
 * Records. A record is one 64-byte header slot followed by n_slots continuation slots that
 * carry `len` payload bytes. A record is enqueued with one bulk enqueue (all or nothing), so
 * a consumer that sees the header can always dequeue its continuation slots at once.
 * --------------------------------------------------------------------------------------- */
enum vox_rec_flag {
	VOX_RECF_TRUNCATED = 1u << 0, /* payload was cut to the configured maximum */
	VOX_RECF_REEMIT = 1u << 1,    /* state event re-emitted from leg state (ring was full, or a
					 new control attached before acknowledging it) */
};

struct vox_rec_hdr {
	uint16_t type;    /* enum vox_rec_type */
	uint16_t flags;   /* enum vox_rec_flag */
	uint16_t n_slots; /* continuation slots that follow */
	uint16_t worker;  /* worker index that produced (event) or must consume (command) it */
	uint32_t len;     /* payload bytes in the continuation slots */
	int32_t status;   /* result: 0 or a negative errno / SIP code, per type */
	uint64_t leg;     /* vox_handle_t, 0 when not about a leg */
	uint8_t tag[16];  /* control's opaque tag for the leg (e.g. its CallSid digest) */
	uint64_t req_id;  /* control request id, echoed by the answering event */
	uint64_t seq;     /* per-worker sequence number of events; control's for commands */
	uint64_t ts_ns;   /* CLOCK_REALTIME ns when produced */
};
_Static_assert(sizeof(struct vox_rec_hdr) == VOX_REC_SLOT, "record header is one slot");

/* Record types. Commands flow control -> worker, events worker -> control. */
enum vox_rec_type {
	VOX_REC_NONE = 0,

	/* commands (0x0001 - 0x7fff) */
	VOX_CMD_PING = 0x0001,       /* payload vox_ping; answered by EVT_PONG */
	VOX_CMD_LEG_CREATE = 0x0010, /* payload vox_leg_create; answered by LEG_CREATED/LEG_FAILED */
	VOX_CMD_LEG_END = 0x0011,    /* end a leg; answered by LEG_ENDED or STALE_HANDLE */
	VOX_CMD_SET_DEADLINE = 0x0012, /* payload vox_deadline */
	VOX_CMD_DIAG_BURST = 0x00f0, /* diagnostic: create `status` loopback legs at once (tests the
					 never-drop path for state events); ids req_id..+n-1 */

	/* events (0x8000 - 0xffff); state events are never dropped */
	VOX_EVT_PONG = 0x8001,       /* payload vox_ping (echoed, with the worker's times) */
	VOX_EVT_HELLO = 0x8002,      /* informational: worker started / saw a new control */
	VOX_EVT_STALE_HANDLE = 0x8003, /* command named a handle that is not live; status = cmd type */
	VOX_EVT_BAD_COMMAND = 0x8004,  /* malformed or unknown command; status = -errno */

	VOX_EVT_LEG_CREATED = 0x8010, /* state: leg exists; req_id echoes the creating command */
	VOX_EVT_LEG_FAILED = 0x8011,  /* state: leg could not be created or failed; status = cause */
	VOX_EVT_LEG_ENDED = 0x8012,   /* state: leg gone; status = cause (enum vox_end_cause) */
	VOX_EVT_LEG_OFFERED = 0x8013, /* state (SIP issue): inbound call offered */
	VOX_EVT_LEG_PROGRESS = 0x8014,
	VOX_EVT_LEG_ANSWERED = 0x8015,
	VOX_EVT_MEDIA_DONE = 0x8020,
	VOX_EVT_DIGITS = 0x8021,
	VOX_EVT_RECORDING_DONE = 0x8022,
};

/* State events change what control must believe about a leg: never dropped. */
static inline int vox_evt_is_state(uint16_t type)
{
	return type >= VOX_EVT_LEG_CREATED && type < 0x8100;
}

enum vox_end_cause {
	VOX_CAUSE_NONE = 0,
	VOX_CAUSE_CONTROL = 1,    /* control ended it */
	VOX_CAUSE_REMOTE = 2,     /* far end hung up */
	VOX_CAUSE_TIME_LIMIT = 3, /* deadline reached (SET_DEADLINE) */
	VOX_CAUSE_CONTROL_LOST = 4, /* waited on a control decision past its deadline */
	VOX_CAUSE_NO_RESOURCES = 5,
	VOX_CAUSE_SHUTDOWN = 6,
};

/* Payloads. */
struct vox_ping {
	uint64_t ctl_send_ns; /* control's CLOCK_MONOTONIC when sent */
	uint64_t dp_recv_ns;  /* worker's CLOCK_MONOTONIC when it handled the PING */
	uint64_t dp_tsc;      /* worker's TSC then */
	uint64_t rsvd;
};
_Static_assert(sizeof(struct vox_ping) == 32, "vox_ping is ABI");

enum vox_leg_kind {
	VOX_LEG_KIND_LOOPBACK = 1, /* diagnostic leg with no signalling (tests, voxctl) */
	VOX_LEG_KIND_SIP_IN = 2,
	VOX_LEG_KIND_SIP_OUT = 3,
};

struct vox_leg_create {
	uint32_t kind;        /* enum vox_leg_kind */
	uint32_t account_idx; /* control's account index, mirrored for usage limits */
	uint64_t deadline_ns; /* 0 = none; CLOCK_REALTIME ns */
};
_Static_assert(sizeof(struct vox_leg_create) == 16, "vox_leg_create is ABI");

struct vox_deadline {
	uint64_t deadline_ns; /* CLOCK_REALTIME ns; 0 clears */
	uint32_t account_idx;
	uint32_t rsvd;
};
_Static_assert(sizeof(struct vox_deadline) == 16, "vox_deadline is ABI");

/* Number of continuation slots for a payload of len bytes. */
static inline uint32_t vox_rec_slots_for(uint32_t len)
{
	return (len + VOX_REC_SLOT - 1) / VOX_REC_SLOT;
}

#endif /* VOX_ABI_H */
