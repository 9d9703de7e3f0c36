/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_shm.h — layout of the shared-memory file between voxplane-dataplane and voxplane-control. */
#ifndef VOX_SHM_H
#define VOX_SHM_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vox_abi.h"

/*
 * The shm file (/dev/shm/<instance>.shm) is created by the dataplane at start and laid out as:
 *
 *   [vox_shm_hdr][cmd ring 0..n-1][evt ring 0..n-1][bulk ring 0..n-1][stats block]
 *   [leg mirror: n_workers * mirror_slots entries][media pool]
 *
 * Every region is 4 KiB aligned and addressed by a byte offset from the start of the file.
 * Rings are DPDK rte_ring objects initialised in place with element size VOX_REC_SLOT
 * (single producer, single consumer): control uses only the inline rte_ring_*_elem functions
 * and never calls rte_eal_init.
 *
 * Writers and readers:
 *  - vox_shm_hdr "static" part: written by the dataplane before it publishes `ready` (release);
 *    read-only afterwards. Readers load `ready` with acquire before reading anything else.
 *  - vox_shm_ctl: written only by control (the attached one, holding the flock).
 *  - vox_shm_worker[w]: written only by worker w.
 *  - stats rows: row w written only by worker w (row n_workers by the main lcore), plain
 *    non-atomic stores; readers tolerate torn reads of counters (each u64 is atomic on x86-64).
 *  - mirror entries of worker w: written only by worker w under the entry's seqlock.
 */

#define VOX_SHM_ALIGN 4096u

/* Written by control; one cache line per concern so workers' loads don't bounce. */
struct vox_shm_ctl {
	alignas(64) _Atomic uint64_t heartbeat_ns; /* CLOCK_MONOTONIC ns, every heartbeat_ms */
	_Atomic uint32_t pid;                      /* attached control's pid, 0 when none */
	_Atomic uint32_t heartbeat_ms;             /* control's promise: heartbeats at least this often */
	_Atomic uint64_t generation;               /* bumped at every attach (workers re-emit unacked
						      state events when it changes) */
	alignas(64) _Atomic uint32_t sleeping;     /* control is (about to be) in epoll_wait */
	alignas(64) _Atomic uint64_t acked_seq[VOX_MAX_WORKERS]; /* events handled, per worker */
};

/* Written by one worker. */
struct vox_shm_worker {
	alignas(64) _Atomic uint64_t epoch; /* quiescent epoch, bumped once per loop (media pool) */
	_Atomic uint64_t loop_ns;           /* CLOCK_MONOTONIC of its last housekeeping turn */
	_Atomic uint32_t lcore_id;          /* EAL lcore id */
	_Atomic uint32_t legs_active;
	_Atomic uint64_t evt_seq;           /* last event sequence number used */
	uint8_t pad[24];
};
_Static_assert(sizeof(struct vox_shm_worker) == 64, "vox_shm_worker is one line");

struct vox_shm_hdr {
	uint64_t magic;       /* VOX_SHM_MAGIC */
	uint32_t abi_version; /* VOX_ABI_VERSION */
	uint32_t hdr_size;    /* sizeof(struct vox_shm_hdr) */
	uint64_t total_size;  /* bytes in the file */
	uint64_t boot_id;     /* random on every dataplane start */
	uint32_t n_workers;
	uint32_t node_id;
	uint32_t dp_pid;
	uint32_t rec_slot;        /* VOX_REC_SLOT */
	uint32_t cmd_ring_slots;  /* capacity, per worker */
	uint32_t evt_ring_slots;
	uint32_t bulk_ring_bytes;
	uint32_t mirror_slots;    /* per worker */
	uint32_t max_sip_bytes;   /* raw SIP carried in request events at most */
	uint32_t rsvd0;
	uint64_t started_ns;      /* CLOCK_REALTIME at start */
	uint64_t tsc_hz;
	uint64_t off_cmd[VOX_MAX_WORKERS];
	uint64_t off_evt[VOX_MAX_WORKERS];
	uint64_t off_bulk[VOX_MAX_WORKERS];
	uint64_t off_stats, stats_size;
	uint64_t off_mirror, mirror_size;
	uint64_t off_pool, pool_size;
	uint64_t rsvd[8];
	alignas(64) _Atomic uint32_t ready; /* 1 once everything above is valid (release) */
	_Atomic uint32_t stopping;          /* dataplane is shutting down */
	alignas(64) struct vox_shm_ctl ctl;
	struct vox_shm_worker worker[VOX_MAX_WORKERS];
};

static inline void *vox_shm_at(void *base, uint64_t off)
{
	return (char *)base + off;
}

/* ---------------------------------------------------------------------------------------
 * Leg mirror: slot-indexed per worker, entry (w, s) at off_mirror + (w*mirror_slots+s)*128.
 * Seqlock: the writer makes seq odd, writes, makes it even; readers retry on odd or change.
 * --------------------------------------------------------------------------------------- */
enum vox_leg_state {
	VOX_LEG_FREE = 0,
	VOX_LEG_CREATED = 1,  /* exists, no signalling yet (loopback legs stay here) */
	VOX_LEG_OFFERED = 2,  /* inbound INVITE offered to control, waiting for its decision */
	VOX_LEG_DIALING = 3,
	VOX_LEG_RINGING = 4,
	VOX_LEG_ANSWERED = 5,
	VOX_LEG_ENDING = 6,
};

enum vox_media_flag {
	VOX_MEDIA_SRTP = 1u << 0,     /* media is SRTP */
	VOX_MEDIA_HAVE_RTT = 1u << 1, /* rtt_us is a measurement */
	VOX_MEDIA_TIMEOUT = 1u << 2,  /* no RTP for rtp_timeout_ms (LEG_MEDIA_TIMEOUT sent) */
};

struct vox_leg_mirror {
	_Atomic uint32_t seq;
	uint32_t state;        /* enum vox_leg_state */
	uint64_t handle;
	uint8_t tag[16];
	uint32_t account_idx;
	uint32_t kind;         /* enum vox_leg_kind */
	uint64_t bridge_peer;  /* handle of the bridged leg, 0 if none */
	uint32_t media_op;     /* current media operation (media issue), 0 = none */
	uint32_t flags;
	uint64_t deadline_ns;  /* CLOCK_REALTIME; 0 = none */
	uint64_t created_ns;   /* CLOCK_REALTIME */
	/* quality statistics (media issue fills them) */
	uint32_t rtp_rx, rtp_tx;
	uint32_t lost, jitter_us;
	uint32_t rtt_us, jb_depth_ms;
	/* what the peer's RTCP reports say about our stream (rtt_us above comes from them too) */
	uint32_t peer_lost, peer_jitter_us;
	uint8_t peer_loss_frac;  /* /256, of the last report interval */
	uint8_t media_flags;     /* enum vox_media_flag */
	uint16_t rsvd_m;
	uint32_t srtp_fail;      /* SRTP/SRTCP packets that failed authentication or replay */
	uint32_t rtcp_rx, rtcp_tx;
	uint8_t pad[8]; /* room for later fields without an ABI bump of the size */
};
_Static_assert(sizeof(struct vox_leg_mirror) == 128, "mirror entry is two lines");

/* Writer side (one worker). */
static inline void vox_mirror_write_begin(struct vox_leg_mirror *e)
{
	uint32_t s = atomic_load_explicit(&e->seq, memory_order_relaxed);
	atomic_store_explicit(&e->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}
static inline void vox_mirror_write_end(struct vox_leg_mirror *e)
{
	uint32_t s = atomic_load_explicit(&e->seq, memory_order_relaxed);
	atomic_store_explicit(&e->seq, s + 1, memory_order_release);
}

/* Reader side: copies a consistent snapshot into *out. Returns 0, or -EAGAIN when the entry
 * kept changing for `tries` attempts. */
static inline int vox_mirror_read(const struct vox_leg_mirror *e, struct vox_leg_mirror *out, int tries)
{
	while (tries-- > 0) {
		uint32_t s1 = atomic_load_explicit(&((struct vox_leg_mirror *)e)->seq, memory_order_acquire);
		if (s1 & 1u)
			continue;
		/* Field-wise volatile copy: the writer may be changing it; the seq check decides. */
		const volatile unsigned char *src = (const volatile unsigned char *)e;
		unsigned char *dst = (unsigned char *)out;
		for (size_t i = sizeof(e->seq); i < sizeof(*e); i++)
			dst[i] = src[i];
		atomic_thread_fence(memory_order_acquire);
		uint32_t s2 = atomic_load_explicit(&((struct vox_leg_mirror *)e)->seq, memory_order_relaxed);
		if (s1 == s2) {
			atomic_store_explicit(&out->seq, s1, memory_order_relaxed);
			return 0;
		}
	}
	return -11; /* -EAGAIN */
}

#endif /* VOX_SHM_H */
