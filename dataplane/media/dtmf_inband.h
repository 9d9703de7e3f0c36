/* SPDX-License-Identifier: BSD-3-Clause */
/* In-band DTMF detection on linear audio: per-leg spandsp dtmf_rx plus a small digit queue. */
#ifndef VOX_MEDIA_DTMF_INBAND_H
#define VOX_MEDIA_DTMF_INBAND_H

#include <stddef.h>
#include <stdint.h>

#include <spandsp.h>
/* The detector is embedded (no allocation per leg), so its layout is needed. */
#include <spandsp/private/logging.h>
#include <spandsp/private/queue.h>
#include <spandsp/private/tone_generate.h>
#include <spandsp/private/dtmf.h>

#define DTMF_INBAND_QUEUE 16 /* digits held until popped; more are dropped */

/* One leg's detector; written and read only by the owning lcore. */
struct dtmf_inband {
	dtmf_rx_state_t rx;
	uint8_t head;
	uint8_t len;
	char q[DTMF_INBAND_QUEUE];
	uint32_t digits;   /* detected */
	uint32_t dropped;  /* detected while the queue was full */
};

/* Initialise; threshold_dbm0 is the weakest tone accepted (0: spandsp's
 * default). Returns 0 or -EINVAL (threshold above 0 or below -60). */
int dtmf_inband_init(struct dtmf_inband *d, int threshold_dbm0);

/* Run n samples (any length; usually one 160-sample frame) through the detector. */
void dtmf_inband_rx(struct dtmf_inband *d, const int16_t *pcm, size_t n);

/* Next detected digit ('0'-'9', '*', '#', 'A'-'D'), or 0 when none. */
char dtmf_inband_pop(struct dtmf_inband *d);

/* Release spandsp's internal state (nothing is freed; call on leg teardown). */
void dtmf_inband_fini(struct dtmf_inband *d);

#endif
