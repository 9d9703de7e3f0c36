/* SPDX-License-Identifier: BSD-3-Clause */
/* collect.c — the COLLECT state machine: pure logic on key presses and a millisecond clock. */
#include <string.h>

#include "collect.h"

/*
 * The first-digit timeout runs from the start until the first key; after a key the inter-digit
 * timeout runs from that key. A finish key ends the collect without entering the string (as
 * Twilio's finishOnKey). A key that is both a finish key and the max-th digit counts as the
 * finish key. Timeouts are checked by the caller's tick (20 ms), so they fire up to one tick
 * late, never early.
 */

int collect_key_bit(char c)
{
	/* RFC 4733 event numbering: 0-9, * = 10, # = 11, A-D = 12-15 */
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == '*')
		return 10;
	if (c == '#')
		return 11;
	if (c >= 'A' && c <= 'D')
		return 12 + (c - 'A');
	if (c >= 'a' && c <= 'd')
		return 12 + (c - 'a');
	return -1;
}

void collect_start(struct collect *c, uint8_t max, uint16_t finish, uint32_t first_ms,
		   uint32_t inter_ms, uint64_t now_ms)
{
	memset(c, 0, sizeof(*c));
	c->active = true;
	c->max = max == 0 ? 1 : max > COLLECT_MAX ? COLLECT_MAX : max;
	c->finish = finish;
	c->first_ms = first_ms;
	c->inter_ms = inter_ms;
	c->start_ms = c->last_ms = now_ms;
}

enum collect_end collect_digit(struct collect *c, char digit, uint64_t now_ms)
{
	int bit = collect_key_bit(digit);
	if (!c->active || bit < 0)
		return COLLECT_RUNNING;
	c->last_ms = now_ms;
	if (c->finish & (1u << bit)) {
		c->finish_key = digit;
		c->active = false;
		return COLLECT_FINISH_KEY;
	}
	c->d[c->n++] = digit;
	if (c->n >= c->max) {
		c->active = false;
		return COLLECT_MAX_DIGITS;
	}
	return COLLECT_RUNNING;
}

enum collect_end collect_poll(struct collect *c, uint64_t now_ms)
{
	if (!c->active)
		return COLLECT_RUNNING;
	uint32_t lim = c->n ? c->inter_ms : c->first_ms;
	uint64_t from = c->n ? c->last_ms : c->start_ms;
	if (lim && now_ms >= from + lim) {
		c->active = false;
		return COLLECT_TIMEOUT;
	}
	return COLLECT_RUNNING;
}
