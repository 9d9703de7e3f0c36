/* SPDX-License-Identifier: BSD-3-Clause */
/* repack.h — G.711 packets of any ptime (10, 30, 40 ms...) cut into the 20 ms frames the
 * jitter buffer holds. */
#ifndef VOX_MEDIA_REPACK_H
#define VOX_MEDIA_REPACK_H

#include <stdbool.h>
#include <stdint.h>

#define REPACK_FRAME 160
#define REPACK_MAX_OUT 8 /* frames out of one packet: payloads above 160 ms are refused */

struct repack_frame {
	uint32_t ts;
	uint8_t data[REPACK_FRAME];
};

/* One stream's state: the samples of an unfinished frame, and where the next packet should
 * start. A packet that does not continue the stream (loss, reordering, a new SSRC) restarts the
 * framing at its own timestamp, dropping the unfinished part. */
struct repack {
	bool have;
	uint32_t ssrc;
	uint32_t next_ts; /* timestamp expected of the next packet */
	uint32_t acc_ts;  /* timestamp of buf[0] */
	uint16_t fill;
	uint32_t restarts, refused, partial_dropped;
	uint8_t buf[REPACK_FRAME];
};

/* Feed one packet's payload (len samples at ts). Writes the frames it completes to out and
 * returns their number (0..REPACK_MAX_OUT); -1 for a payload longer than 160 ms. */
int repack_put(struct repack *r, uint32_t ssrc, uint32_t ts, const uint8_t *payload, uint32_t len,
	       struct repack_frame out[REPACK_MAX_OUT]);

#endif
