/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_rec.h — framing of records into 64-byte ring slots; all-or-nothing send, whole-record receive. */
#ifndef VOX_REC_H
#define VOX_REC_H

#include <stdint.h>

#include "vox_abi.h"

struct rte_ring;

/*
 * Encode header + payload into `slots` (room for VOX_REC_MAX_SLOTS). A payload longer than
 * max_payload (itself capped at VOX_REC_MAX_PAYLOAD) is cut and the record flagged TRUNCATED.
 * Writes h->n_slots and h->len into the encoded header. Returns the number of slots used.
 */
uint32_t vox_rec_encode(void *slots, const struct vox_rec_hdr *h, const void *payload, uint32_t len,
			uint32_t max_payload);

/*
 * Encode and enqueue one record with a single bulk enqueue: either every slot is published
 * or none. Single producer. Returns 0, or -ENOBUFS when the ring lacks room (nothing written).
 * `truncated` (may be NULL) is set to 1 when the payload had to be cut.
 */
int vox_rec_send(struct rte_ring *r, const struct vox_rec_hdr *h, const void *payload, uint32_t len,
		 uint32_t max_payload, int *truncated);

/* Publish already-encoded slots all-or-nothing. Returns 0 or -ENOBUFS. */
int vox_rec_send_slots(struct rte_ring *r, const void *slots, uint32_t n_slots);

/*
 * Dequeue one whole record into `buf` (buf_slots slots). Single consumer.
 * Returns the slots used (>= 1), 0 when the ring is empty, -EMSGSIZE when the record did not
 * fit (it is consumed and discarded), -EPROTO when the header is impossible (n_slots beyond
 * VOX_REC_MAX_SLOTS or len beyond n_slots); the ring is then drained to resynchronise.
 */
int vox_rec_recv(struct rte_ring *r, void *buf, uint32_t buf_slots);

/* Payload of a received record (right after the header slot). */
static inline const void *vox_rec_payload(const void *buf)
{
	return (const char *)buf + VOX_REC_SLOT;
}

/* Records waiting in a ring, in slots (cheap, may be stale). */
uint32_t vox_rec_ring_count(const struct rte_ring *r);
/* Free slots in a ring. */
uint32_t vox_rec_ring_free(const struct rte_ring *r);

/* Crash recovery for a new single producer / consumer: forget any enqueue or dequeue that a
 * previous owner started but did not finish (head reset to tail). Call before first use. */
void vox_rec_reset_producer(struct rte_ring *r);
void vox_rec_reset_consumer(struct rte_ring *r);

#endif /* VOX_REC_H */
