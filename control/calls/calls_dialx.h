/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_dialx.h — pure decisions of <Dial>'s extras (answerOnBridge early media, the child
 * calls' status-callback events, ringTone, record modes), unit-tested alone. */
#ifndef CALLS_DIALX_H
#define CALLS_DIALX_H

#include <stdbool.h>
#include <stdint.h>

/* ---- answerOnBridge: the callee's early media relayed to the unanswered caller ------------- */
/* A call's early-media pairing (all zero: none): on = the caller gets the early media of noun
 * `leg`; ring183 = the caller had its 183 with our SDP (sent once per call). */
struct calls_early {
	bool on, ring183;
	uint8_t leg;
};
enum calls_early_act {
	CALLS_EARLY_RING183 = 1u << 0,  /* RING 183 (our SDP) on the caller first */
	CALLS_EARLY_UNBRIDGE = 1u << 1, /* UNBRIDGE the caller from the early leg first */
	CALLS_EARLY_BRIDGE = 1u << 2,   /* BRIDGE the caller with the leg */
};
/* A noun's leg sent a 1xx (early_media: with SDP). Relayed when the Dial has answerOnBridge, the
 * caller is not answered and no other leg's early media is relayed already (the first one
 * wins). Returns enum calls_early_act bits (0: nothing to do). */
unsigned calls_early_progress(struct calls_early *s, bool answer_on_bridge, bool caller_answered,
                              uint32_t leg, bool early_media);
/* The leg ended or failed (the dataplane unbridged the caller itself). */
void calls_early_gone(struct calls_early *s, uint32_t leg);
/* The engine bridges the caller with the winner: what to send (BRIDGE, after an UNBRIDGE when
 * another leg's early media was relayed). The pairing is over either way. */
unsigned calls_early_bridge(struct calls_early *s, uint32_t leg);

#endif /* CALLS_DIALX_H */
