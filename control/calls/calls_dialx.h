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

/* ---- a Dial's child call (outbound-dial): its statuses and status-callback events ----------- */
/* Events of statusCallbackEvent (the same bits as twiml.h's TWIML_EV_*, which the parser gives). */
enum calls_child_ev {
	CALLS_CHILD_INITIATED = 1u << 0,
	CALLS_CHILD_RINGING = 1u << 1,
	CALLS_CHILD_ANSWERED = 1u << 2,
	CALLS_CHILD_COMPLETED = 1u << 3,
};
/* Where a child call is: 0 new, then each status once and in order (a leg answered without a
 * 1xx skips ringing; a final status ends it). */
enum calls_child_phase {
	CALLS_CHILD_NEW = 0,
	CALLS_CHILD_QUEUED,
	CALLS_CHILD_RINGING_PH,
	CALLS_CHILD_UP,
	CALLS_CHILD_FINAL,
};
/* A step of the child call: ev is what happened (one CALLS_CHILD_* bit), final_status the
 * CallStatus of a COMPLETED step (completed busy no-answer failed canceled). Returns the
 * CallStatus to record (initiated's record status is "queued", its callback says initiated),
 * or NULL when the step is stale (out of order, repeated, after the end). *notify: the event is
 * subscribed (events 0 = completed only, Twilio's default for a noun with a statusCallback). */
const char *calls_child_step(uint8_t *phase, unsigned ev, const char *final_status,
                             unsigned events, bool *notify);
/* The final CallStatus of a child leg: completed when it was answered (whatever ended it),
 * canceled when we cancelled it unanswered, else by SIP code: 486/600/603 busy,
 * 408/480/487 no-answer, no final response no-answer, other failed. */
const char *calls_child_final(bool answered, bool canceled_by_us, uint16_t sip_code);

/* ---- ringTone: the ringing tone an answered caller hears while the callee rings ---------- */
struct calls_ring {
	uint16_t f1, f2;        /* Hz (f2 0: one frequency) */
	uint16_t on_ms, off_ms; /* cadence */
	bool twice;             /* two on_ms bursts 200 ms apart, then off_ms (double ring) */
};
/* Twilio's ringTone value (a country code: us, ca, uk/gb, ie, au, nz, de, at, ch, nl, be, it,
 * br, fr, es, pt, jp; case-insensitive) as a ringing tone (ITU-T E.180 values). Returns 0, or
 * -ENOENT for a code not in the table (*out is then North America's, what Twilio plays). */
int calls_ring_tone(const char *cc, struct calls_ring *out);

#endif /* CALLS_DIALX_H */
