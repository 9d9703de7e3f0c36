/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_dialx.c — pure decisions of <Dial>'s extras (see calls_dialx.h). */
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "calls_dialx.h"

unsigned calls_early_progress(struct calls_early *s, bool answer_on_bridge, bool caller_answered,
                              uint32_t leg, bool early_media)
{
	if (!answer_on_bridge || caller_answered || !early_media || leg > UINT8_MAX || s->on)
		return 0;
	unsigned act = CALLS_EARLY_BRIDGE;
	if (!s->ring183)
		act |= CALLS_EARLY_RING183;
	s->ring183 = true;
	s->on = true;
	s->leg = (uint8_t)leg;
	return act;
}

void calls_early_gone(struct calls_early *s, uint32_t leg)
{
	if (s->on && s->leg == leg)
		s->on = false;
}

unsigned calls_early_bridge(struct calls_early *s, uint32_t leg)
{
	unsigned act = CALLS_EARLY_BRIDGE;
	if (s->on && s->leg != leg)
		act |= CALLS_EARLY_UNBRIDGE;
	s->on = false;
	return act;
}

const char *calls_child_step(uint8_t *phase, unsigned ev, const char *final_status,
                             unsigned events, bool *notify)
{
	uint8_t to;
	const char *st;
	switch (ev) {
	case CALLS_CHILD_INITIATED:
		to = CALLS_CHILD_QUEUED;
		st = "queued";
		break;
	case CALLS_CHILD_RINGING:
		to = CALLS_CHILD_RINGING_PH;
		st = "ringing";
		break;
	case CALLS_CHILD_ANSWERED:
		to = CALLS_CHILD_UP;
		st = "in-progress";
		break;
	case CALLS_CHILD_COMPLETED:
		to = CALLS_CHILD_FINAL;
		st = final_status ? final_status : "failed";
		break;
	default:
		return NULL;
	}
	*notify = false;
	if (to <= *phase)
		return NULL;
	*phase = to;
	*notify = ((events ? events : CALLS_CHILD_COMPLETED) & ev) != 0;
	return st;
}

const char *calls_child_final(bool answered, bool canceled_by_us, uint16_t sip_code)
{
	if (answered)
		return "completed";
	if (canceled_by_us)
		return "canceled";
	switch (sip_code) {
	case 486:
	case 600:
	case 603:
		return "busy";
	case 0:
	case 408:
	case 480:
	case 487:
		return "no-answer";
	default:
		return "failed";
	}
}

int calls_ring_tone(const char *cc, struct calls_ring *out)
{
	static const struct {
		const char *cc;
		struct calls_ring r;
	} tab[] = {
	    {"us", {440, 480, 2000, 4000, false}}, {"ca", {440, 480, 2000, 4000, false}},
	    {"uk", {400, 450, 400, 2000, true}},   {"gb", {400, 450, 400, 2000, true}},
	    {"ie", {400, 450, 400, 2000, true}},   {"au", {400, 425, 400, 2000, true}},
	    {"nz", {400, 450, 400, 2000, true}},   {"de", {425, 0, 1000, 4000, false}},
	    {"at", {425, 0, 1000, 5000, false}},   {"ch", {425, 0, 1000, 4000, false}},
	    {"nl", {425, 0, 1000, 4000, false}},   {"be", {425, 0, 1000, 3000, false}},
	    {"it", {425, 0, 1000, 4000, false}},   {"br", {425, 0, 1000, 4000, false}},
	    {"fr", {440, 0, 1500, 3500, false}},   {"es", {425, 0, 1500, 3000, false}},
	    {"pt", {425, 0, 1000, 5000, false}},   {"jp", {400, 0, 1000, 2000, false}},
	};
	*out = tab[0].r;
	for (size_t i = 0; cc && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(cc, tab[i].cc) == 0) {
			*out = tab[i].r;
			return 0;
		}
	return -ENOENT;
}
