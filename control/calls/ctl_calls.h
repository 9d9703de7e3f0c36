/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_calls.h — the call router inside control: inbound SIP legs to numbers, markup per call. */
#ifndef CTL_CALLS_H
#define CTL_CALLS_H

#include <jansson.h>

#include "vox_abi.h"

struct ctl;

/* Start the router (c->calls): a bounded call table, the media module (TTS, decoding), a
 * fetcher for <Play> audio and the recordings' media route. It takes the dataplane's events
 * through c->calls_event when c->script is NULL (router = twiml). Returns 0 or -errno (logged). */
int ctl_calls_open(struct ctl *c);
void ctl_calls_close(struct ctl *c);
/* Every event, after control's own view and the script hook (ctl_dp.c). */
void ctl_calls_on_event(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
/* Counters and live calls for `status`. New reference. */
json_t *ctl_calls_json(struct ctl *c);

#endif /* CTL_CALLS_H */
