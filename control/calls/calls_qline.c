/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_qline.c — a queue's line of members and the bundled hold music (see calls_qline.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calls_qline.h"

int cq_line_insert(struct cq_line *l, void *ref, uint64_t enq_us)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;
		if (cap > CQ_MEMBERS_MAX)
			cap = CQ_MEMBERS_MAX;
		if (cap <= l->n)
			return -ENOSPC;
		struct cq_member *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	uint32_t at = l->n;
	while (at > 0 && l->v[at - 1].enq_us > enq_us)
		at--; /* back at its old place (requeue, restore) */
	memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof(l->v[0]));
	l->v[at] = (struct cq_member){ref, enq_us};
	l->n++;
	return 0;
}

int cq_line_index(const struct cq_line *l, const void *ref)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i].ref == ref)
			return (int)i;
	return -1;
}

void cq_line_remove_at(struct cq_line *l, uint32_t i)
{
	if (i >= l->n)
		return;
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
}

void cq_line_figures(const struct cq_line *l, const void *ref, uint64_t now_us, uint32_t *position,
                     uint32_t *avg_s)
{
	uint64_t sum = 0;
	*position = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		if (ref && l->v[i].ref == ref)
			*position = i + 1;
		sum += now_us > l->v[i].enq_us ? now_us - l->v[i].enq_us : 0;
	}
	*avg_s = l->n ? (uint32_t)(sum / l->n / 1000000) : 0;
}

void cq_line_free(struct cq_line *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* I-vi-IV-V in C, each chord 2 s of eight 250 ms plucked notes over a low pad. */
int16_t *cq_hold_synth(size_t *n_out)
{
	static const double chords[4][4] = {
	    {261.63, 329.63, 392.00, 523.25}, /* C */
	    {220.00, 261.63, 329.63, 440.00}, /* Am */
	    {174.61, 220.00, 261.63, 349.23}, /* F */
	    {196.00, 246.94, 293.66, 392.00}, /* G */
	};
	static const int pattern[8] = {0, 1, 2, 3, 2, 1, 2, 1};
	const size_t n = (size_t)CQ_HOLD_RATE * CQ_HOLD_SECONDS;
	const size_t note = CQ_HOLD_RATE / 4, chord_len = note * 8;
	const double two_pi = 6.283185307179586;
	int16_t *pcm = malloc(n * sizeof(*pcm));
	if (!pcm)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t c = (i / chord_len) % 4, in_chord = i % chord_len;
		size_t k = in_chord / note, t = in_chord % note;
		double f = chords[c][pattern[k]];
		double ts = (double)t / CQ_HOLD_RATE;
		double env = (1.0 - exp(-ts * 200.0)) * exp(-ts * 6.0);
		double v = 0.55 * env * (sin(two_pi * f * ts) + 0.25 * sin(two_pi * 2 * f * ts));
		double tc = (double)in_chord / CQ_HOLD_RATE;
		double pad = 0.5 * (1 - cos(two_pi * (double)in_chord / (double)chord_len));
		v += 0.18 * pad * sin(two_pi * chords[c][0] / 2 * tc);
		long s = lrint(v * 9000.0);
		pcm[i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
	}
	*n_out = n;
	return pcm;
}
