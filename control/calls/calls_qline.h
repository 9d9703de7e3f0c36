/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_qline.h — the pure parts of the call queues (no control, no store): a queue's line of
 * members in FIFO order by enqueue time (a requeued or restored member goes back to its old
 * place), the figures the wait application is told, and the bundled hold music. Unit-tested in
 * tests/unit/calls/test_calls_qline.c; used by calls_queue.c. */
#ifndef CALLS_QLINE_H
#define CALLS_QLINE_H

#include <stddef.h>
#include <stdint.h>

#define CQ_MEMBERS_MAX 5000 /* Twilio's MaxSize bound */

struct cq_member {
	void *ref; /* the member's call (an opaque reference) */
	uint64_t enq_us;
};

struct cq_line {
	struct cq_member *v; /* by enqueue time */
	uint32_t n, cap;
};

/* Insert at the place of enq_us (after members with the same or earlier time). 0, -ENOSPC (at
 * CQ_MEMBERS_MAX), -ENOMEM. */
int cq_line_insert(struct cq_line *l, void *ref, uint64_t enq_us);
int cq_line_index(const struct cq_line *l, const void *ref); /* -1 when not in line */
void cq_line_remove_at(struct cq_line *l, uint32_t i);
/* QueuePosition of ref (1 = next; 0 = not in line) and AvgQueueTime (seconds) at now_us. */
void cq_line_figures(const struct cq_line *l, const void *ref, uint64_t now_us, uint32_t *position,
                     uint32_t *avg_s);
void cq_line_free(struct cq_line *l);

/* The bundled hold music: 16 s of a soft arpeggio at 8 kHz, 16-bit (malloc'd; NULL when out of
 * memory). Deterministic: the same samples every time. */
#define CQ_HOLD_RATE 8000
#define CQ_HOLD_SECONDS 16
int16_t *cq_hold_synth(size_t *n_samples);

#endif /* CALLS_QLINE_H */
