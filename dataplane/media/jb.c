/* SPDX-License-Identifier: BSD-3-Clause */
/* Adaptive jitter buffer: percentile delay target, reorder window, PLC, resync. */

/*
 * Design. Frames are held encoded in a ring of JB_SLOTS slots indexed from
 * the slot of play_ts, the RTP timestamp of the next frame to play; jb_get
 * decodes one frame per 20 ms tick. All timing is in 8 kHz sample units:
 * the caller's microsecond clock is converted to samples (A), and each
 * packet's transit A - ts is taken relative to a baseline, the smallest
 * transit over the last 192-256 packets (a windowed minimum, so that clock
 * skew in either direction moves the baseline). A packet's relative delay
 * j = transit - baseline goes into a 64-bin histogram (10 ms bins) whose
 * weights decay by 1/64 per packet; the target delay is the configured
 * percentile of that histogram plus a margin, clamped to [min, max]. A few
 * packets of larger delay move the tail past 5% (fast rise), while a calm
 * period needs ~190 packets to forget it (slow decay, ~4 s). The playout
 * offset, now - play_ts over the baseline, is steered to the target: too
 * shallow inserts one concealment frame per tick (silence when idle); too
 * deep skips missing frames freely and drops at most one real frame per
 * 200 ms. Missing frames during speech are concealed with spandsp's PLC;
 * three missing frames with nothing buffered mean the talker paused (idle).
 * An SSRC change, a marker bit on a far-off timestamp, or three packets in
 * a row far outside the window resynchronise: flush and restart playout at
 * the new stream, keeping the delay histogram.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "jb.h"

#define JB_US_PER_SAMPLE 125
#define JB_BIN_SAMPLES 80          /* 10 ms */
#define JB_HIST_SHIFT 6            /* forgetting factor 1 - 1/64 per packet */
#define JB_HIST_UNIT (1u << 18)    /* weight of one packet: total tends to 2^24 */
#define JB_WIN_PKTS 64
#define JB_HYST 80                 /* half a frame */
#define JB_IDLE_FRAMES 3
#define JB_SKIP_GAP_US 200000
#define JB_JUMP_CONFIRM 3
#define JB_REWIND_FRAMES 4
#define JB_CAP_SAMPLES (JB_SLOTS * JB_FRAME_SAMPLES)

/* Differences of 32-bit clocks wrap; subtract as unsigned, read as signed. */
static inline int32_t jb_sub(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline uint32_t jb_clock(uint64_t now_us)
{
	return (uint32_t)(now_us / JB_US_PER_SAMPLE);
}

int jb_init(struct jb *jb, const struct jb_cfg *cfg)
{
	struct jb_cfg c = { .min_ms = 20, .max_ms = 400, .init_ms = 60, .margin_ms = 10,
		.percentile = 95 };

	if (cfg) {
		if (cfg->min_ms)
			c.min_ms = cfg->min_ms;
		if (cfg->max_ms)
			c.max_ms = cfg->max_ms;
		if (cfg->init_ms)
			c.init_ms = cfg->init_ms;
		if (cfg->margin_ms)
			c.margin_ms = cfg->margin_ms;
		if (cfg->percentile)
			c.percentile = cfg->percentile;
	}
	/* keep two frames of room above the largest target */
	if (c.min_ms > c.max_ms || c.max_ms * 8u > JB_CAP_SAMPLES - 2 * JB_FRAME_SAMPLES ||
	    c.percentile < 50 || c.percentile > 99)
		return -EINVAL;
	if (c.init_ms < c.min_ms)
		c.init_ms = c.min_ms;
	if (c.init_ms > c.max_ms)
		c.init_ms = c.max_ms;
	memset(jb, 0, offsetof(struct jb, plc));
	jb->cfg = c;
	jb->target_s = c.init_ms * 8u;
	jb->idle = true;
	plc_init(&jb->plc);
	return 0;
}

static void jb_flush(struct jb *jb)
{
	for (unsigned i = 0; i < JB_SLOTS; i++)
		jb->slot[i].used = 0;
	jb->count = 0;
}

static void jb_resync(struct jb *jb, const struct rtp_hdr *h, uint32_t a)
{
	if (jb->started)
		jb->st.resync++;
	jb_flush(jb);
	jb->started = true;
	jb->idle = true;
	jb->jump_cnt = 0;
	jb->missing_run = 0;
	jb->ssrc = h->ssrc;
	jb->max_seq = h->seq;
	jb->play_ts = h->ts;
	jb->head = 0;
	jb->transit_ref = a - h->ts;
	jb->min_rel = 0;
	for (unsigned i = 0; i < JB_MINWIN_BLOCKS; i++)
		jb->win_min[i] = INT32_MAX;
	jb->win_cur = 0;
	jb->win_pkts = 0;
}

/* Windowed minimum of relative transit: JB_MINWIN_BLOCKS blocks of
 * JB_WIN_PKTS packets, the oldest block dropped when a new one opens. */
static void jb_win_add(struct jb *jb, int32_t rel)
{
	if (rel < jb->win_min[jb->win_cur])
		jb->win_min[jb->win_cur] = rel;
	int32_t m = INT32_MAX;
	for (unsigned i = 0; i < JB_MINWIN_BLOCKS; i++)
		m = jb->win_min[i] < m ? jb->win_min[i] : m;
	jb->min_rel = m;
	if (++jb->win_pkts >= JB_WIN_PKTS) {
		jb->win_pkts = 0;
		jb->win_cur = (uint8_t)((jb->win_cur + 1) % JB_MINWIN_BLOCKS);
		jb->win_min[jb->win_cur] = INT32_MAX;
	}
}

static void jb_hist_add(struct jb *jb, int32_t j)
{
	unsigned b = j <= 0 ? 0 : (unsigned)j / JB_BIN_SAMPLES;
	uint32_t total = 0;

	if (b >= JB_HIST_BINS)
		b = JB_HIST_BINS - 1;
	for (unsigned i = 0; i < JB_HIST_BINS; i++) {
		jb->hist[i] -= jb->hist[i] >> JB_HIST_SHIFT;
		total += jb->hist[i];
	}
	jb->hist[b] += JB_HIST_UNIT;
	jb->hist_total = total + JB_HIST_UNIT;

	/* percentile: upper edge of the bin where the tail exceeds 100 - p % */
	uint64_t tail = (uint64_t)jb->hist_total * (100u - jb->cfg.percentile) / 100u;
	uint64_t acc = 0;
	unsigned k = JB_HIST_BINS;
	while (k > 1) {
		acc += jb->hist[k - 1];
		if (acc > tail)
			break;
		k--;
	}
	uint32_t t = k * JB_BIN_SAMPLES + jb->cfg.margin_ms * 8u;
	uint32_t lo = jb->cfg.min_ms * 8u, hi = jb->cfg.max_ms * 8u;
	jb->target_s = t < lo ? lo : t > hi ? hi : t;
}

/* Before playout (re)starts, move play_ts back by back samples (whole
 * frames, at most JB_REWIND_FRAMES) if the ring slots it needs are free. */
static bool jb_rewind(struct jb *jb, uint32_t back)
{
	if (back % JB_FRAME_SAMPLES || back > JB_REWIND_FRAMES * JB_FRAME_SAMPLES)
		return false;
	unsigned k = back / JB_FRAME_SAMPLES;
	for (unsigned i = 1; i <= k; i++)
		if (jb->slot[(jb->head + JB_SLOTS - i) % JB_SLOTS].used)
			return false;
	jb->head = (uint8_t)((jb->head + JB_SLOTS - k) % JB_SLOTS);
	jb->play_ts -= back;
	return true;
}

enum jb_put_res jb_put(struct jb *jb, const struct rtp_hdr *h, const uint8_t *pkt,
	uint64_t now_us)
{
	uint32_t a = jb_clock(now_us);

	jb->st.put++;
	if (h->payload_len != JB_FRAME_SAMPLES ||
	    (h->pt != G711_PT_PCMU && h->pt != G711_PT_PCMA)) {
		jb->st.bad++;
		return JB_PUT_BAD;
	}
	if (!jb->started || h->ssrc != jb->ssrc)
		jb_resync(jb, h, a);

	int32_t rel = (int32_t)(a - h->ts - jb->transit_ref);
	int32_t j = jb_sub(rel, jb->min_rel);
	int32_t d = (int32_t)(h->ts - jb->play_ts);
	bool misaligned = d >= 0 && d % JB_FRAME_SAMPLES != 0;
	if (misaligned && jb->idle && jb->count == 0) {
		jb->play_ts += (uint32_t)(d % JB_FRAME_SAMPLES); /* realign in silence */
		misaligned = false;
	}
	bool far = misaligned || j > (int32_t)(jb->cfg.max_ms * 8u + 1600) ||
		j < -(int32_t)(JB_CAP_SAMPLES - 2 * JB_FRAME_SAMPLES);

	if (h->marker && (misaligned || j > (int32_t)(jb->target_s + 1600) || j < -1600)) {
		/* a talkspurt starting somewhere new: follow it at once */
		jb_resync(jb, h, a);
		rel = 0;
	} else if (far) {
		/* a timestamp jump, or one wild packet: wait for confirmation */
		if (++jb->jump_cnt < JB_JUMP_CONFIRM) {
			jb->st.jump++;
			return JB_PUT_JUMP;
		}
		jb_resync(jb, h, a);
		rel = 0;
	} else {
		jb->jump_cnt = 0;
	}

	jb_win_add(jb, rel);
	jb_hist_add(jb, jb_sub(rel, jb->min_rel));

	d = (int32_t)(h->ts - jb->play_ts);
	if (d < 0 && jb->idle && jb_rewind(jb, (uint32_t)-d))
		d = 0; /* talkspurt's first packets reordered: start earlier */
	if (d < 0) {
		jb->st.late++;
		return JB_PUT_LATE;
	}
	if (d >= JB_CAP_SAMPLES) {
		jb->st.overflow++;
		return JB_PUT_OVERFLOW;
	}
	struct jb_slot *s = &jb->slot[(jb->head + d / JB_FRAME_SAMPLES) % JB_SLOTS];
	if (s->used && s->ts == h->ts) {
		jb->st.dup++;
		return JB_PUT_DUP;
	}
	if (!s->used)
		jb->count++;
	s->used = 1;
	s->ts = h->ts;
	s->pt = h->pt;
	memcpy(s->data, pkt + h->payload_off, JB_FRAME_SAMPLES);
	if ((int16_t)(h->seq - jb->max_seq) < 0)
		jb->st.reordered++;
	else
		jb->max_seq = h->seq;
	return JB_PUT_OK;
}

static inline void jb_advance(struct jb *jb)
{
	struct jb_slot *s = &jb->slot[jb->head];

	if (s->used) { /* defensive: a frame that does not belong at play_ts */
		s->used = 0;
		jb->count--;
	}
	jb->play_ts += JB_FRAME_SAMPLES;
	jb->head = (uint8_t)((jb->head + 1) % JB_SLOTS);
}

static inline struct jb_slot *jb_head_frame(struct jb *jb)
{
	struct jb_slot *s = &jb->slot[jb->head];
	return s->used && s->ts == jb->play_ts ? s : NULL;
}

static inline int32_t jb_offset(const struct jb *jb, uint32_t a)
{
	return jb_sub((int32_t)(a - jb->play_ts - jb->transit_ref), jb->min_rel);
}

/*
 * spandsp 0.0.6 rotates its history buffer to start at buf_ptr when a
 * concealment begins, with a memcpy whose ranges overlap when buf_ptr is
 * below half the buffer (undefined behaviour; ASan reports it). Do that
 * rotation here with memmove first, so spandsp finds buf_ptr == 0 and skips it.
 */
static void jb_plc_fillin(struct jb *jb, int16_t out[JB_FRAME_SAMPLES])
{
	plc_state_t *p = &jb->plc;

	if (p->missing_samples == 0 && p->buf_ptr > 0 && p->buf_ptr < PLC_HISTORY_LEN) {
		int16_t head[PLC_HISTORY_LEN];
		size_t n = (size_t)p->buf_ptr;
		memcpy(head, p->history, n * sizeof(int16_t));
		memmove(p->history, p->history + n, (PLC_HISTORY_LEN - n) * sizeof(int16_t));
		memcpy(p->history + PLC_HISTORY_LEN - n, head, n * sizeof(int16_t));
		p->buf_ptr = 0;
	}
	plc_fillin(p, out, JB_FRAME_SAMPLES);
}

static enum jb_frame jb_silence(struct jb *jb, int16_t out[JB_FRAME_SAMPLES])
{
	memset(out, 0, JB_FRAME_SAMPLES * sizeof(out[0]));
	jb->st.silence++;
	return JB_FRAME_SILENCE;
}

enum jb_frame jb_get(struct jb *jb, uint64_t now_us, int16_t out[JB_FRAME_SAMPLES])
{
	if (!jb->started)
		return jb_silence(jb, out);

	int32_t err = jb_sub(jb_offset(jb, jb_clock(now_us)), (int32_t)jb->target_s);

	/* too deep: missing frames go for free; a real one at most every 200 ms */
	for (unsigned i = 0; i < JB_SLOTS && err >= JB_FRAME_SAMPLES + JB_HYST &&
	     !jb_head_frame(jb); i++) {
		if (!jb->idle)
			jb->st.lost++;
		jb_advance(jb);
		err -= JB_FRAME_SAMPLES;
	}
	struct jb_slot *s = jb_head_frame(jb);
	if (s && err >= JB_FRAME_SAMPLES + JB_HYST &&
	    now_us - jb->last_skip_us >= JB_SKIP_GAP_US) {
		s->used = 0;
		jb->count--;
		jb->st.skipped++;
		jb->last_skip_us = now_us;
		jb_advance(jb);
		s = jb_head_frame(jb);
	}

	jb->depth_s = jb_sub(err, -(int32_t)jb->target_s);

	/* too shallow: hold playout one frame */
	if (err < -JB_HYST) {
		if (jb->idle)
			return jb_silence(jb, out);
		jb_plc_fillin(jb, out);
		jb->st.stretched++;
		jb->st.concealed++;
		return JB_FRAME_PLC;
	}

	if (s) {
		g711_decode_pt(s->pt, out, s->data, JB_FRAME_SAMPLES);
		plc_rx(&jb->plc, out, JB_FRAME_SAMPLES);
		s->used = 0;
		jb->count--;
		jb->st.played++;
		jb->idle = false;
		jb->missing_run = 0;
		jb_advance(jb);
		return JB_FRAME_AUDIO;
	}

	jb_advance(jb);
	if (jb->idle || (jb->count == 0 && jb->missing_run >= JB_IDLE_FRAMES)) {
		jb->idle = true;
		return jb_silence(jb, out);
	}
	jb->missing_run++;
	jb->st.lost++;
	jb->st.concealed++;
	jb_plc_fillin(jb, out);
	return JB_FRAME_PLC;
}

const struct jb_stats *jb_stats(struct jb *jb, uint64_t now_us)
{
	(void)now_us;
	jb->st.depth_ms = jb->depth_s > 0 ? (uint32_t)jb->depth_s / 8 : 0;
	jb->st.target_ms = jb->target_s / 8;
	jb->st.buffered = jb->count;
	return &jb->st;
}
