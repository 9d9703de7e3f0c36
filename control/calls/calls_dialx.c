/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_dialx.c — pure decisions of <Dial>'s extras (see calls_dialx.h). */
#include <stddef.h>

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
