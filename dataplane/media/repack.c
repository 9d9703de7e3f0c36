/* SPDX-License-Identifier: BSD-3-Clause */
/* repack.c — re-framing of in-order G.711 payloads into 160-sample frames. */
#include <string.h>

#include "repack.h"

/*
 * Only used for packets that are not already 20 ms (those go to the jitter buffer as they
 * are, keeping its reordering): a 30 ms stream becomes frames at ts0, ts0+160, ... whose
 * content straddles packets. Reordering inside such a stream costs the unfinished frame
 * (counted), the jitter buffer conceals it.
 */

int repack_put(struct repack *r, uint32_t ssrc, uint32_t ts, const uint8_t *p, uint32_t len,
	       struct repack_frame out[REPACK_MAX_OUT])
{
	if (len > REPACK_FRAME * REPACK_MAX_OUT) {
		r->refused++;
		return -1;
	}
	if (!r->have || ssrc != r->ssrc || ts != r->next_ts) {
		if (r->have) {
			r->restarts++;
			r->partial_dropped += r->fill ? 1u : 0u;
		}
		r->have = true;
		r->ssrc = ssrc;
		r->acc_ts = ts;
		r->fill = 0;
	}
	r->next_ts = ts + len;
	int n = 0;
	while (len) {
		uint32_t take = REPACK_FRAME - r->fill;
		if (take > len)
			take = len;
		memcpy(r->buf + r->fill, p, take);
		r->fill = (uint16_t)(r->fill + take);
		p += take;
		len -= take;
		if (r->fill == REPACK_FRAME) {
			out[n].ts = r->acc_ts;
			memcpy(out[n].data, r->buf, REPACK_FRAME);
			n++;
			r->acc_ts += REPACK_FRAME;
			r->fill = 0;
		}
	}
	return n;
}
