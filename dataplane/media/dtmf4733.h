/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 4733 telephone-events: payload codec, per-leg receiver and sender state machines. */
#ifndef VOX_MEDIA_DTMF4733_H
#define VOX_MEDIA_DTMF4733_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTMF4733_PAYLOAD_LEN 4
#define DTMF4733_END_REPEATS 3
/* a receiver ends an event with no packets for this long (no E bit seen) */
#define DTMF4733_RX_TIMEOUT_MS 1000

/* RFC 4733 section 2.3 */
struct dtmf_event {
	uint8_t event;     /* 0-9, 10 '*', 11 '#', 12-15 A-D; others are not DTMF */
	bool end;          /* E bit */
	uint8_t volume;    /* 0..63, -dBm0 */
	uint16_t duration; /* timestamp units since the event's RTP timestamp */
};

/* Parse one event report (the first 4 octets; redundancy is not handled).
 * Returns 0, or -EINVAL when len < 4. */
int dtmf_event_parse(const uint8_t *p, size_t len, struct dtmf_event *ev);
void dtmf_event_write(uint8_t p[DTMF4733_PAYLOAD_LEN], const struct dtmf_event *ev);

/* '0'-'9', '*', '#', 'A'-'D' for events 0-15, else 0. */
char dtmf_event_char(uint8_t event);
/* The event code for a DTMF character (either case for A-D), or -EINVAL. */
int dtmf_char_event(char c);

enum dtmf_report_kind {
	DTMF_REPORT_START, /* first packet of a new event */
	DTMF_REPORT_END,   /* event over: E bit, timeout or superseded */
};

struct dtmf_report {
	enum dtmf_report_kind kind;
	char digit;        /* 0 when the event is not a DTMF digit */
	uint8_t event;
	uint8_t volume;
	bool e_bit;        /* END only: true if ended by the E bit */
	uint32_t ts;       /* RTP timestamp identifying the event */
	uint32_t duration; /* END only: timestamp units */
};

/* Receiver for one leg's telephone-event stream. Written only by the
 * owning lcore. */
struct dtmf4733_rx {
	bool active;       /* an event is in progress */
	bool have_last;    /* ts/event below name the current or last event */
	uint32_t ts;
	uint8_t event;
	uint8_t volume;
	uint32_t duration;
	uint64_t last_ms;  /* arrival of the latest packet of the current event */
	uint32_t n_events;
	uint32_t n_dup;    /* packets of an already reported end, or stale */
	uint32_t n_bad;    /* too short */
};

void dtmf4733_rx_init(struct dtmf4733_rx *rx);

#define DTMF4733_RX_MAX_REPORTS 3

/* Feed one telephone-event packet (RTP timestamp and payload). Writes up to
 * 3 reports to out, in order: END of a superseded event whose end packets
 * were lost, START of a new event, END of the event (E bit). Each key press
 * yields exactly one START and one END. Returns the number written. */
unsigned dtmf4733_rx_packet(struct dtmf4733_rx *rx, uint32_t ts, const uint8_t *payload,
	size_t len, uint64_t now_ms, struct dtmf_report out[DTMF4733_RX_MAX_REPORTS]);

/* End an event whose end packets were all lost. Returns 1 and fills *out
 * when an event timed out, else 0. Call from the leg's timer. */
unsigned dtmf4733_rx_poll(struct dtmf4733_rx *rx, uint64_t now_ms, struct dtmf_report *out);

/* Sender: the packets for one digit, all with the event's timestamp: a
 * first update (marker set) and further updates, one per interval, until
 * the duration is reached (ceil(duration / interval) in all), then three
 * packets with the E bit and the final duration. The caller paces them:
 * one per interval, the end packets back to back or one per interval. */
struct dtmf4733_tx {
	uint32_t ts;        /* RTP timestamp of the event (all its packets) */
	uint32_t total;     /* event duration, timestamp units */
	uint32_t sent_dur;  /* duration in the last update */
	uint16_t interval;  /* update spacing, timestamp units (400 = 50 ms) */
	uint8_t event;
	uint8_t volume;
	uint8_t ends_left;
	bool first;
	bool active;
};

/* Start a digit. Returns 0, or -EINVAL for a non-DTMF character, a zero
 * interval, or a duration that does not fit 16 bits. */
int dtmf4733_tx_start(struct dtmf4733_tx *tx, char digit, uint32_t ts, uint32_t duration,
	uint16_t interval, uint8_t volume);

/* Produce the next packet: payload, the marker bit and the timestamp to use.
 * Returns true while a packet was produced, false once the event is done. */
bool dtmf4733_tx_next(struct dtmf4733_tx *tx, uint8_t payload[DTMF4733_PAYLOAD_LEN],
	bool *marker, uint32_t *ts);

#endif
