/* SPDX-License-Identifier: BSD-3-Clause */
/* In-band DTMF: spandsp's Goertzel detector feeding a bounded per-leg digit queue. */
#include <errno.h>
#include <string.h>

#include "dtmf_inband.h"

static void dtmf_inband_digits(void *user, const char *digits, int len)
{
	struct dtmf_inband *d = user;

	for (int i = 0; i < len; i++) {
		d->digits++;
		if (d->len == DTMF_INBAND_QUEUE) {
			d->dropped++;
			continue;
		}
		d->q[(d->head + d->len) % DTMF_INBAND_QUEUE] = digits[i];
		d->len++;
	}
}

int dtmf_inband_init(struct dtmf_inband *d, int threshold_dbm0)
{
	if (threshold_dbm0 > 0 || threshold_dbm0 < -60)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	if (!dtmf_rx_init(&d->rx, dtmf_inband_digits, d))
		return -EINVAL;
	/* no dial-tone filter, default twists; threshold only when asked */
	dtmf_rx_parms(&d->rx, 0, -1, -1, threshold_dbm0 ? threshold_dbm0 : -99);
	return 0;
}

void dtmf_inband_rx(struct dtmf_inband *d, const int16_t *pcm, size_t n)
{
	dtmf_rx(&d->rx, pcm, (int)n);
}

char dtmf_inband_pop(struct dtmf_inband *d)
{
	if (d->len == 0)
		return 0;
	char c = d->q[d->head];
	d->head = (uint8_t)((d->head + 1) % DTMF_INBAND_QUEUE);
	d->len--;
	return c;
}

void dtmf_inband_fini(struct dtmf_inband *d)
{
	dtmf_rx_release(&d->rx);
}
