/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 4733 telephone-event payload, receiver (one report per key press) and sender. */
#include <errno.h>
#include <string.h>

#include "dtmf4733.h"

static const char dtmf_chars[16] = "0123456789*#ABCD";

int dtmf_event_parse(const uint8_t *p, size_t len, struct dtmf_event *ev)
{
	if (len < DTMF4733_PAYLOAD_LEN)
		return -EINVAL;
	ev->event = p[0];
	ev->end = p[1] & 0x80;
	ev->volume = p[1] & 0x3f; /* R bit ignored */
	ev->duration = (uint16_t)(p[2] << 8 | p[3]);
	return 0;
}

void dtmf_event_write(uint8_t p[DTMF4733_PAYLOAD_LEN], const struct dtmf_event *ev)
{
	p[0] = ev->event;
	p[1] = (uint8_t)((ev->end ? 0x80 : 0) | (ev->volume & 0x3f));
	p[2] = (uint8_t)(ev->duration >> 8);
	p[3] = (uint8_t)ev->duration;
}

char dtmf_event_char(uint8_t event)
{
	return event < 16 ? dtmf_chars[event] : 0;
}

int dtmf_char_event(char c)
{
	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	const char *p = c ? memchr(dtmf_chars, c, sizeof(dtmf_chars)) : NULL;
	return p ? (int)(p - dtmf_chars) : -EINVAL;
}

void dtmf4733_rx_init(struct dtmf4733_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

static void dtmf4733_report(const struct dtmf4733_rx *rx, enum dtmf_report_kind kind,
	bool e_bit, struct dtmf_report *out)
{
	out->kind = kind;
	out->event = rx->event;
	out->digit = dtmf_event_char(rx->event);
	out->volume = rx->volume;
	out->e_bit = e_bit;
	out->ts = rx->ts;
	out->duration = kind == DTMF_REPORT_END ? rx->duration : 0;
}

unsigned dtmf4733_rx_packet(struct dtmf4733_rx *rx, uint32_t ts, const uint8_t *payload,
	size_t len, uint64_t now_ms, struct dtmf_report out[DTMF4733_RX_MAX_REPORTS])
{
	struct dtmf_event ev;
	unsigned n = 0;

	if (dtmf_event_parse(payload, len, &ev) < 0) {
		rx->n_bad++;
		return 0;
	}

	/* The RTP timestamp names the event: same timestamp, same key press;
	 * the event code is checked too in case the sender reuses timestamps. */
	bool same = rx->have_last && ts == rx->ts && ev.event == rx->event;
	if (same && !rx->active) {
		rx->n_dup++; /* end retransmission, or a straggler after the end */
		return 0;
	}
	if (!same && rx->have_last && (int32_t)(ts - rx->ts) < 0) {
		rx->n_dup++; /* a late packet of an older event */
		return 0;
	}
	if (!same) {
		if (rx->active) /* previous event lost its end packets */
			dtmf4733_report(rx, DTMF_REPORT_END, false, &out[n++]);
		rx->active = true;
		rx->have_last = true;
		rx->ts = ts;
		rx->event = ev.event;
		rx->duration = 0;
		rx->n_events++;
		rx->volume = ev.volume;
		dtmf4733_report(rx, DTMF_REPORT_START, false, &out[n++]);
	}
	if (ev.duration > rx->duration)
		rx->duration = ev.duration;
	rx->volume = ev.volume;
	rx->last_ms = now_ms;
	if (ev.end) {
		rx->active = false;
		dtmf4733_report(rx, DTMF_REPORT_END, true, &out[n++]);
	}
	return n;
}

unsigned dtmf4733_rx_poll(struct dtmf4733_rx *rx, uint64_t now_ms, struct dtmf_report *out)
{
	if (!rx->active || now_ms - rx->last_ms < DTMF4733_RX_TIMEOUT_MS)
		return 0;
	rx->active = false;
	dtmf4733_report(rx, DTMF_REPORT_END, false, out);
	return 1;
}

int dtmf4733_tx_start(struct dtmf4733_tx *tx, char digit, uint32_t ts, uint32_t duration,
	uint16_t interval, uint8_t volume)
{
	int ev = dtmf_char_event(digit);

	if (ev < 0 || interval == 0 || duration == 0 || duration > UINT16_MAX || volume > 63)
		return -EINVAL;
	memset(tx, 0, sizeof(*tx));
	tx->ts = ts;
	tx->total = duration;
	tx->interval = interval;
	tx->event = (uint8_t)ev;
	tx->volume = volume;
	tx->ends_left = DTMF4733_END_REPEATS;
	tx->first = true;
	tx->active = true;
	return 0;
}

bool dtmf4733_tx_next(struct dtmf4733_tx *tx, uint8_t payload[DTMF4733_PAYLOAD_LEN],
	bool *marker, uint32_t *ts)
{
	struct dtmf_event ev = { .event = tx->event, .volume = tx->volume };

	if (!tx->active)
		return false;
	if (tx->sent_dur < tx->total) {
		/* each update covers the audio time up to the end of its interval */
		uint32_t d = tx->sent_dur + tx->interval;
		tx->sent_dur = d < tx->total ? d : tx->total;
	} else {
		ev.end = true;
	}
	if (ev.end && --tx->ends_left == 0)
		tx->active = false;
	ev.duration = (uint16_t)tx->sent_dur;
	dtmf_event_write(payload, &ev);
	*marker = tx->first;
	*ts = tx->ts;
	tx->first = false;
	return true;
}
