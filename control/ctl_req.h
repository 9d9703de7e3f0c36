/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_req.h — requests to the workers that wait for events: ping, leg create/end, diag. */
#ifndef CTL_REQ_H
#define CTL_REQ_H

#include <stdint.h>

#include "ctl.h"

/*
 * A pending request owns a range of request ids [base, base + n) and a timeout timer. Events
 * carrying one of its ids (or, for a leg end, naming its handle) fill its items; when every
 * item is in, or the timer fires, the answer is built as JSON and handed to ctl_reply() for
 * the admin client that asked. Each item is filled once: a re-emitted event changes nothing.
 */

#define CTL_REQ_PING_MS 1000
#define CTL_REQ_LEG_MS 2000
#define CTL_REQ_MAX_LEGS 10000 /* diag leg-create N, N at most */

/* Each returns 0 (the answer comes later through ctl_reply) or -errno with nothing pending:
 * -ENOTCONN (no dataplane), -EINVAL, -ENOMEM, -ENOBUFS. */
int ctl_req_ping(struct ctl *c, uint64_t client);
int ctl_req_leg_create(struct ctl *c, uint64_t client, uint32_t n);
int ctl_req_leg_end(struct ctl *c, uint64_t client, vox_handle_t leg);

/* Fire-and-forget: DIAG_BURST of n legs on worker w; *req_base receives the first id. */
int ctl_req_burst(struct ctl *c, uint32_t w, uint32_t n, uint64_t *req_base);
/* LEG_END for every known leg. *sent receives the count. Returns 0 or -ENOTCONN. */
int ctl_req_end_all(struct ctl *c, uint32_t *sent);

/* Reserve n consecutive request ids (never 0). Returns the first. */
uint64_t ctl_req_ids(struct ctl *c, uint32_t n);

/* Offer an event to the pending requests (called after the event was handled). */
void ctl_req_on_event(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
/* Answer every pending request with {"error": why} (detach, exit). */
void ctl_req_fail_all(struct ctl *c, const char *why);
uint32_t ctl_req_pending(const struct ctl *c);

#endif /* CTL_REQ_H */
