/* SPDX-License-Identifier: BSD-3-Clause */
/* collect.h — COLLECT: digits gathered until max digits, a finish key or a timeout. */
#ifndef VOX_MEDIA_COLLECT_H
#define VOX_MEDIA_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#define COLLECT_MAX 32

/* Values equal to the ABI's enum vox_term_reason (dp_term.c asserts it). */
enum collect_end {
	COLLECT_RUNNING = 0,
	COLLECT_MAX_DIGITS = 1,
	COLLECT_FINISH_KEY = 2,
	COLLECT_TIMEOUT = 3,
};

struct collect {
	bool active;
	uint8_t max, n;
	char finish_key;        /* the key that ended it */
	uint16_t finish;        /* bit e: event e ends it (0-9 * # A-D = 0..15) */
	uint32_t first_ms, inter_ms;
	uint64_t start_ms, last_ms;
	char d[COLLECT_MAX];
};

/* Start; max 1..32 (else clamped). Times are any monotonic millisecond clock. */
void collect_start(struct collect *c, uint8_t max, uint16_t finish, uint32_t first_ms,
		   uint32_t inter_ms, uint64_t now_ms);
/* One key press. Returns the reason it ended, or COLLECT_RUNNING. Not a DTMF key, or no
 * collect active: ignored (COLLECT_RUNNING). */
enum collect_end collect_digit(struct collect *c, char digit, uint64_t now_ms);
/* Timeouts. Returns COLLECT_TIMEOUT once when one expired (and deactivates), else RUNNING. */
enum collect_end collect_poll(struct collect *c, uint64_t now_ms);
/* Bit of a key in a finish mask (-1 when not a DTMF key). */
int collect_key_bit(char digit);

#endif
