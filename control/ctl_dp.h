/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_dp.h — records between control and the workers: event drain and dispatch, command send. */
#ifndef CTL_DP_H
#define CTL_DP_H

#include <stdint.h>

#include <jansson.h>

#include "ctl.h"

/*
 * Commands go out with vox_rec_send on worker w's command ring; when the ring is full they wait
 * in a bounded per-worker queue (flushed every loop turn, in order) and beyond that bound they
 * are refused and counted. Events are drained with a per-worker budget per turn, dispatched by
 * type through a table, counted per type, and acknowledged (ctl.acked_seq[w]) after handling.
 * State events are handled idempotently: a REEMIT of a known fact only bumps `duplicates`.
 */

/* Longest command payload control sends (the record format allows VOX_REC_MAX_PAYLOAD). */
#define CTL_DP_PAYLOAD_MAX 4096

/* Send a command to worker w; h->worker, h->seq and h->ts_ns are filled here. payload up to
 * CTL_DP_PAYLOAD_MAX bytes. Returns 0 (sent or queued), -ENOTCONN (not attached), -EINVAL (no such
 * worker, payload too big) or -ENOBUFS (ring and local queue full; counted). */
int ctl_dp_send(struct ctl *c, uint32_t w, struct vox_rec_hdr *h, const void *payload,
                uint32_t len);
/* Push queued commands into their rings. Returns the number still queued. */
uint32_t ctl_dp_flush(struct ctl *c);
/* Drain every worker's event ring (budget each). Returns 1 when records were left behind. */
int ctl_dp_drain(struct ctl *c);
/* Handle one event record (the drain's dispatch; tests feed records straight in). */
void ctl_dp_handle(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
/* Forget queued commands (detach). */
void ctl_dp_reset(struct ctl *c);

/* Arm the 1 ms drain timer while legs or requests are live or there is no doorbell; disarm
 * it otherwise. */
void ctl_dp_update_drain(struct ctl *c);

/* Loop hooks implementing control's half of the wake-up protocol (shared/README.md). */
int ctl_dp_before_sleep(struct ctl_loop *l, void *arg);
int ctl_dp_after_sleep(struct ctl_loop *l, void *arg);

/*
 * A command payload with strings: the fixed struct first, then the bytes its vox_pstr fields
 * point at (offsets from the payload start). Every command that carries strings builds its
 * payload this way:
 *     ctl_dp_pay_init(&p, sizeof(struct vox_sip_reply));
 *     r.reason = ctl_dp_pay_str(&p, "Busy Here", 9);
 *     ctl_dp_pay_fixed(&p, &r, sizeof(r));
 *     if (!p.err) ctl_dp_send(c, w, &h, p.buf, p.len);
 * p.err becomes -E2BIG when something did not fit (later calls then do nothing).
 */
struct ctl_dp_pay {
	uint32_t len; /* bytes used: the fixed part, then the strings */
	int err;
	uint8_t buf[CTL_DP_PAYLOAD_MAX];
};
/* Start a payload whose fixed part is `fixed` bytes (zeroed). */
void ctl_dp_pay_init(struct ctl_dp_pay *p, uint32_t fixed);
/* Append a string; returns where it landed ({0, 0} for an empty string or on error). */
struct vox_pstr ctl_dp_pay_str(struct ctl_dp_pay *p, const char *s, size_t len);
/* Copy the filled-in fixed struct to the front. */
void ctl_dp_pay_fixed(struct ctl_dp_pay *p, const void *fixed, uint32_t len);

/* Name of an event or command type ("LEG_CREATED"), or NULL. */
const char *ctl_dp_type_name(uint16_t type);
/* {"PONG": n, ...} with every event type. New reference. */
json_t *ctl_dp_events_json(const struct ctl *c);

#endif /* CTL_DP_H */
