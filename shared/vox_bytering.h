/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_bytering.h — per-worker SPSC byte ring in shm for bulk data (recording audio). */
#ifndef VOX_BYTERING_H
#define VOX_BYTERING_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/*
 * Chunks of [vox_bulk_chunk header][data, padded to 8 bytes]. A chunk never wraps: when the
 * contiguous room at the end is too small the producer writes a PAD chunk (or, when fewer than
 * 16 bytes are left, nothing: the consumer skips such a tail) and starts at offset 0.
 * head is written only by the producer (worker), tail only by the consumer (control);
 * both are free-running byte counts. A chunk that does not fit is refused whole (-ENOBUFS)
 * and the caller counts it as overflow.
 */
struct vox_bytering {
	alignas(64) _Atomic uint64_t head;
	alignas(64) _Atomic uint64_t tail;
	alignas(64) uint32_t size; /* data bytes, power of two */
	uint32_t rsvd;
	alignas(64) unsigned char data[];
};

enum vox_bulk_type { VOX_BULK_PAD = 0, VOX_BULK_AUDIO = 1 };

struct vox_bulk_chunk {
	uint32_t len;  /* data bytes after this header */
	uint16_t type; /* enum vox_bulk_type */
	uint16_t stream; /* per-leg stream (e.g. recording channel) */
	uint64_t leg;  /* vox_handle_t */
};
_Static_assert(sizeof(struct vox_bulk_chunk) == 16, "bulk chunk header is ABI");

static inline uint64_t vox_bytering_memsize(uint32_t size)
{
	return sizeof(struct vox_bytering) + size;
}

static inline void vox_bytering_init(struct vox_bytering *br, uint32_t size)
{
	atomic_store_explicit(&br->head, 0, memory_order_relaxed);
	atomic_store_explicit(&br->tail, 0, memory_order_relaxed);
	br->size = size;
	br->rsvd = 0;
}

static inline uint32_t vox_bytering_pad8(uint32_t n)
{
	return (n + 7u) & ~7u;
}

/* Producer: write one chunk. Returns 0 or -ENOBUFS (nothing written), -EMSGSIZE (never fits). */
static inline int vox_bytering_put(struct vox_bytering *br, uint16_t type, uint16_t stream,
				   uint64_t leg, const void *data, uint32_t len)
{
	uint32_t need = (uint32_t)sizeof(struct vox_bulk_chunk) + vox_bytering_pad8(len);
	if (need > br->size / 2)
		return -EMSGSIZE;
	uint64_t head = atomic_load_explicit(&br->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&br->tail, memory_order_acquire);
	uint32_t off = (uint32_t)(head & (br->size - 1));
	uint32_t to_end = br->size - off;
	uint32_t skip = to_end < need ? to_end : 0;
	if (head + skip + need - tail > br->size)
		return -ENOBUFS;
	if (skip) {
		if (skip >= sizeof(struct vox_bulk_chunk)) {
			struct vox_bulk_chunk pad = {.len = skip - (uint32_t)sizeof(pad), .type = VOX_BULK_PAD};
			memcpy(br->data + off, &pad, sizeof(pad));
		}
		off = 0;
	}
	struct vox_bulk_chunk c = {.len = len, .type = type, .stream = stream, .leg = leg};
	memcpy(br->data + off, &c, sizeof(c));
	memcpy(br->data + off + sizeof(c), data, len);
	atomic_store_explicit(&br->head, head + skip + need, memory_order_release);
	return 0;
}

/* Consumer: peek the next data chunk (PAD chunks and short tails are skipped). Returns a pointer
 * to the chunk header inside the ring, or NULL when empty. Call vox_bytering_pop() when done. */
static inline const struct vox_bulk_chunk *vox_bytering_peek(struct vox_bytering *br)
{
	for (;;) {
		uint64_t tail = atomic_load_explicit(&br->tail, memory_order_relaxed);
		uint64_t head = atomic_load_explicit(&br->head, memory_order_acquire);
		if (tail == head)
			return NULL;
		uint32_t off = (uint32_t)(tail & (br->size - 1));
		uint32_t to_end = br->size - off;
		if (to_end < sizeof(struct vox_bulk_chunk)) {
			atomic_store_explicit(&br->tail, tail + to_end, memory_order_release);
			continue;
		}
		const struct vox_bulk_chunk *c = (const void *)(br->data + off);
		if (c->type == VOX_BULK_PAD) {
			atomic_store_explicit(&br->tail, tail + sizeof(*c) + c->len, memory_order_release);
			continue;
		}
		return c;
	}
}

static inline void vox_bytering_pop(struct vox_bytering *br, const struct vox_bulk_chunk *c)
{
	uint64_t tail = atomic_load_explicit(&br->tail, memory_order_relaxed);
	atomic_store_explicit(&br->tail, tail + sizeof(*c) + vox_bytering_pad8(c->len),
			      memory_order_release);
}

#endif /* VOX_BYTERING_H */
