/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_dialx.c — pure decisions of <Dial>'s extras (see calls_dialx.h). */
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
