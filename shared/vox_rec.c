/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_rec.c — record framing over rte_ring (inline ring functions only: no EAL needed). */
#include <errno.h>
#include <string.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "vox_rec.h"

uint32_t vox_rec_encode(void *slots, const struct vox_rec_hdr *h, const void *payload, uint32_t len,
			uint32_t max_payload)
{
	struct vox_rec_hdr *out = slots;
	if (max_payload > VOX_REC_MAX_PAYLOAD)
		max_payload = VOX_REC_MAX_PAYLOAD;
	*out = *h;
	if (len > max_payload) {
		len = max_payload;
		out->flags |= VOX_RECF_TRUNCATED;
	}
	uint32_t n = vox_rec_slots_for(len);
	out->len = len;
	out->n_slots = (uint16_t)n;
	if (len) {
		char *p = (char *)slots + VOX_REC_SLOT;
		memcpy(p, payload, len);
		/* zero the tail of the last slot: no stale bytes cross the process boundary */
		memset(p + len, 0, n * VOX_REC_SLOT - len);
	}
	return 1 + n;
}

int vox_rec_send_slots(struct rte_ring *r, const void *slots, uint32_t n_slots)
{
	if (rte_ring_sp_enqueue_bulk_elem(r, slots, VOX_REC_SLOT, n_slots, NULL) != n_slots)
		return -ENOBUFS;
	return 0;
}

int vox_rec_send(struct rte_ring *r, const struct vox_rec_hdr *h, const void *payload, uint32_t len,
		 uint32_t max_payload, int *truncated)
{
	/* Payload-less records (most of them) skip the staging copy. */
	if (len == 0) {
		struct vox_rec_hdr one = *h;
		one.len = 0;
		one.n_slots = 0;
		if (truncated)
			*truncated = 0;
		return vox_rec_send_slots(r, &one, 1);
	}
	_Alignas(64) unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	uint32_t n = vox_rec_encode(buf, h, payload, len, max_payload);
	if (truncated)
		*truncated = (((struct vox_rec_hdr *)buf)->flags & VOX_RECF_TRUNCATED) != 0;
	return vox_rec_send_slots(r, buf, n);
}

int vox_rec_recv(struct rte_ring *r, void *buf, uint32_t buf_slots)
{
	_Alignas(64) unsigned char scratch[VOX_REC_SLOT];
	if (buf_slots < 1)
		return -EMSGSIZE;
	if (rte_ring_sc_dequeue_bulk_elem(r, buf, VOX_REC_SLOT, 1, NULL) != 1)
		return 0;
	struct vox_rec_hdr *h = buf;
	if (h->n_slots >= VOX_REC_MAX_SLOTS || h->len > (uint32_t)h->n_slots * VOX_REC_SLOT ||
	    rte_ring_count(r) < h->n_slots) {
		/* Cannot happen with a well-behaved producer: resynchronise by emptying. */
		unsigned int left = rte_ring_count(r);
		while (left--)
			rte_ring_sc_dequeue_bulk_elem(r, scratch, VOX_REC_SLOT, 1, NULL);
		return -EPROTO;
	}
	uint32_t n = h->n_slots;
	if (1 + n > buf_slots) {
		while (n--)
			rte_ring_sc_dequeue_bulk_elem(r, scratch, VOX_REC_SLOT, 1, NULL);
		return -EMSGSIZE;
	}
	if (n && rte_ring_sc_dequeue_bulk_elem(r, (char *)buf + VOX_REC_SLOT, VOX_REC_SLOT, n, NULL) != n)
		return -EPROTO;
	return (int)(1 + n);
}

uint32_t vox_rec_ring_count(const struct rte_ring *r)
{
	return rte_ring_count(r);
}

uint32_t vox_rec_ring_free(const struct rte_ring *r)
{
	return rte_ring_free_count(r);
}

void vox_rec_reset_producer(struct rte_ring *r)
{
	__atomic_store_n(&r->prod.head, __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}

void vox_rec_reset_consumer(struct rte_ring *r)
{
	__atomic_store_n(&r->cons.head, __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}
