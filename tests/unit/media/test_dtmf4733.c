/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: RFC 4733 payload, receiver deduplication and sender packet sequence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "dtmf4733.h"

static void payload_codec(void **state)
{
	/* RFC 4733 figure 1: event 5, E=1, volume 10, duration 1600 */
	static const uint8_t wire[4] = { 0x05, 0x8a, 0x06, 0x40 };
	struct dtmf_event ev;
	uint8_t out[4];

	assert_int_equal(dtmf_event_parse(wire, 4, &ev), 0);
	assert_int_equal(ev.event, 5);
	assert_true(ev.end);
	assert_int_equal(ev.volume, 10);
	assert_int_equal(ev.duration, 1600);
	dtmf_event_write(out, &ev);
	assert_memory_equal(out, wire, 4);
	assert_int_equal(dtmf_event_parse(wire, 3, &ev), -EINVAL);
	/* R bit is ignored */
	static const uint8_t r[4] = { 11, 0x40 | 7, 0, 0 };
	assert_int_equal(dtmf_event_parse(r, 4, &ev), 0);
	assert_false(ev.end);
	assert_int_equal(ev.volume, 7);

	assert_int_equal(dtmf_event_char(10), '*');
	assert_int_equal(dtmf_event_char(11), '#');
	assert_int_equal(dtmf_event_char(15), 'D');
	assert_int_equal(dtmf_event_char(16), 0);
	assert_int_equal(dtmf_char_event('9'), 9);
	assert_int_equal(dtmf_char_event('b'), 13);
	assert_int_equal(dtmf_char_event('#'), 11);
	assert_int_equal(dtmf_char_event('x'), -EINVAL);
	assert_int_equal(dtmf_char_event('\0'), -EINVAL);
}

struct pkt {
	uint8_t p[4];
	bool m;
	uint32_t ts;
};

static unsigned gen(char d, uint32_t ts, uint32_t dur, struct pkt *v, unsigned max)
{
	struct dtmf4733_tx tx;
	unsigned n = 0;

	assert_int_equal(dtmf4733_tx_start(&tx, d, ts, dur, 400, 10), 0);
	while (n < max && dtmf4733_tx_next(&tx, v[n].p, &v[n].m, &v[n].ts))
		n++;
	return n;
}

static void sender_sequence(void **state)
{
	struct pkt v[32];
	struct dtmf_event ev;
	/* 130 ms at 8 kHz = 1040: updates 400, 800, 1040, then 3 x end 1040 */
	unsigned n = gen('7', 12345, 1040, v, 32);

	assert_int_equal(n, 3 + 3);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(v[i].ts, 12345);
		assert_int_equal(v[i].m, i == 0);
		assert_int_equal(dtmf_event_parse(v[i].p, 4, &ev), 0);
		assert_int_equal(ev.event, 7);
		assert_int_equal(ev.volume, 10);
		assert_int_equal(ev.end, i >= 3);
	}
	dtmf_event_parse(v[0].p, 4, &ev);
	assert_int_equal(ev.duration, 400);
	dtmf_event_parse(v[1].p, 4, &ev);
	assert_int_equal(ev.duration, 800);
	for (unsigned i = 2; i < n; i++) {
		dtmf_event_parse(v[i].p, 4, &ev);
		assert_int_equal(ev.duration, 1040);
	}

	struct dtmf4733_tx tx;
	assert_int_equal(dtmf4733_tx_start(&tx, 'x', 0, 800, 400, 10), -EINVAL);
	assert_int_equal(dtmf4733_tx_start(&tx, '1', 0, 70000, 400, 10), -EINVAL);
	assert_int_equal(dtmf4733_tx_start(&tx, '1', 0, 800, 0, 10), -EINVAL);
}

static unsigned feed(struct dtmf4733_rx *rx, const struct pkt *p, uint64_t now,
	struct dtmf_report *r)
{
	return dtmf4733_rx_packet(rx, p->ts, p->p, 4, now, r);
}

static void receiver_one_press_per_event(void **state)
{
	struct dtmf4733_rx rx;
	struct dtmf_report r[3];
	struct pkt v[32];
	unsigned starts = 0, ends = 0;
	uint64_t now = 0;

	dtmf4733_rx_init(&rx);
	/* "1" then "1" again (new timestamp), then "#" */
	const char seq[3] = { '1', '1', '#' };
	for (int k = 0; k < 3; k++) {
		unsigned n = gen(seq[k], 8000u * (uint32_t)k, 800, v, 32);
		for (unsigned i = 0; i < n; i++, now += 50) {
			unsigned c = feed(&rx, &v[i], now, r);
			for (unsigned j = 0; j < c; j++) {
				assert_int_equal(r[j].digit, seq[k]);
				assert_int_equal(r[j].ts, 8000u * (uint32_t)k);
				if (r[j].kind == DTMF_REPORT_START) {
					starts++;
					assert_int_equal(i, 0);
				} else {
					ends++;
					assert_true(r[j].e_bit);
					assert_int_equal(r[j].duration, 800);
					assert_int_equal(i, 2); /* first end packet */
				}
			}
		}
	}
	assert_int_equal(starts, 3);
	assert_int_equal(ends, 3);
	assert_int_equal(rx.n_events, 3);
	assert_int_equal(rx.n_dup, 3 * 2); /* two retransmitted ends each */
	assert_int_equal(dtmf4733_rx_poll(&rx, now + 5000, r), 0);
}

static void receiver_lost_packets(void **state)
{
	struct dtmf4733_rx rx;
	struct dtmf_report r[3];
	struct pkt a[32], b[32];
	unsigned na, nb, c;

	dtmf4733_rx_init(&rx);
	na = gen('5', 1000, 1200, a, 32); /* 3 updates, 3 ends */
	nb = gen('6', 9000, 800, b, 32);
	assert_int_equal(na, 6);
	assert_int_equal(nb, 5);

	/* first update lost: the second starts the event */
	assert_int_equal(feed(&rx, &a[1], 0, r), 1);
	assert_int_equal(r[0].kind, DTMF_REPORT_START);
	assert_int_equal(feed(&rx, &a[2], 50, r), 0);
	/* all end packets of '5' lost; '6' arrives: END('5', no E) + START('6') */
	c = feed(&rx, &b[0], 200, r);
	assert_int_equal(c, 2);
	assert_int_equal(r[0].kind, DTMF_REPORT_END);
	assert_int_equal(r[0].digit, '5');
	assert_false(r[0].e_bit);
	assert_int_equal(r[0].duration, 1200);
	assert_int_equal(r[1].kind, DTMF_REPORT_START);
	assert_int_equal(r[1].digit, '6');
	/* a straggler of '5' is ignored */
	assert_int_equal(feed(&rx, &a[3], 210, r), 0);
	/* '6' updates lost, its end arrives */
	c = feed(&rx, &b[4], 300, r);
	assert_int_equal(c, 1);
	assert_int_equal(r[0].kind, DTMF_REPORT_END);
	assert_true(r[0].e_bit);
	assert_int_equal(r[0].duration, 800);

	/* only an end packet of a new event: START and END from one packet */
	struct pkt e[32];
	gen('9', 20000, 400, e, 32);
	c = feed(&rx, &e[2], 400, r);
	assert_int_equal(c, 2);
	assert_int_equal(r[0].kind, DTMF_REPORT_START);
	assert_int_equal(r[1].kind, DTMF_REPORT_END);
	assert_int_equal(r[1].digit, '9');

	/* no end at all: the timeout ends it */
	gen('0', 30000, 4000, e, 32);
	assert_int_equal(feed(&rx, &e[0], 1000, r), 1);
	assert_int_equal(feed(&rx, &e[1], 1050, r), 0);
	assert_int_equal(dtmf4733_rx_poll(&rx, 1050 + DTMF4733_RX_TIMEOUT_MS - 1, r), 0);
	assert_int_equal(dtmf4733_rx_poll(&rx, 1050 + DTMF4733_RX_TIMEOUT_MS, r), 1);
	assert_int_equal(r[0].digit, '0');
	assert_false(r[0].e_bit);
	assert_int_equal(r[0].duration, 800);
	/* its late end packet does not report again */
	assert_int_equal(feed(&rx, &e[12], 2100, r), 0);

	assert_int_equal(dtmf4733_rx_packet(&rx, 1, e[0].p, 2, 0, r), 0);
	assert_int_equal(rx.n_bad, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(payload_codec),
		cmocka_unit_test(sender_sequence),
		cmocka_unit_test(receiver_one_press_per_event),
		cmocka_unit_test(receiver_lost_packets),
	};
	return cmocka_run_group_tests_name("media_dtmf4733", tests, NULL, NULL);
}
