/* SPDX-License-Identifier: BSD-3-Clause */
/* Adaptive jitter buffer for one leg's 20 ms G.711 stream, with PLC. */
#ifndef VOX_MEDIA_JB_H
#define VOX_MEDIA_JB_H

#include <stdbool.h>
#include <stdint.h>

#include <spandsp.h>

#include "g711.h"
#include "rtp.h"

#define JB_FRAME_SAMPLES G711_FRAME_SAMPLES /* 20 ms at 8 kHz */
#define JB_SLOTS 32                         /* 640 ms of capacity */
#define JB_HIST_BINS 64                     /* delay histogram, 10 ms bins */
#define JB_MINWIN_BLOCKS 4                  /* baseline window, blocks of 64 packets */

struct jb_cfg {
	uint16_t min_ms;     /* lowest target delay (default 20) */
	uint16_t max_ms;     /* highest target delay (default 400, <= 600) */
	uint16_t init_ms;    /* target before any measurement (default 60) */
	uint16_t margin_ms;  /* added to the delay percentile (default 10) */
	uint8_t percentile;  /* of relative delay covered (default 95, 50..99) */
};

/* Per-leg counters; cumulative except depth/target/buffered. */
struct jb_stats {
	uint32_t depth_ms;   /* at the last jb_get: playout delay of the frame
	                      * played, over the fastest recent packet's */
	uint32_t target_ms;
	uint32_t buffered;   /* frames held */
	uint64_t put;        /* packets offered */
	uint64_t played;     /* frames played from packets */
	uint64_t late;       /* arrived after their playout time: dropped */
	uint64_t lost;       /* missing at playout time during speech */
	uint64_t concealed;  /* PLC frames (lost + stretched) */
	uint64_t reordered;  /* arrived after a higher sequence number */
	uint64_t overflow;   /* too far ahead of playout: dropped */
	uint64_t dup;        /* same timestamp already held */
	uint64_t bad;        /* not 160-byte PCMU/PCMA */
	uint64_t jump;       /* far outside the window, unconfirmed: dropped */
	uint64_t resync;     /* SSRC change or timestamp jump */
	uint64_t stretched;  /* frames inserted to grow the delay */
	uint64_t skipped;    /* frames dropped to shrink the delay */
	uint64_t silence;    /* silence frames (idle, before playout start) */
};

struct jb_slot {
	uint32_t ts;
	uint8_t used;
	uint8_t pt;
	uint8_t data[JB_FRAME_SAMPLES];
};

/* One leg's buffer. Fixed size, no allocation; touched only by the lcore
 * owning the leg (put on RX, get on its 20 ms playout tick). */
struct jb {
	struct jb_cfg cfg;
	bool started;
	bool idle;               /* no audio since start or last underrun */
	uint8_t jump_cnt;        /* consecutive packets far outside the window */
	uint8_t head;            /* slot of play_ts */
	uint16_t max_seq;
	uint16_t count;          /* frames held */
	uint16_t missing_run;    /* consecutive frames missing at playout */
	uint32_t ssrc;
	uint32_t play_ts;        /* RTP timestamp of the next frame to play */
	uint32_t transit_ref;    /* transit at (re)sync; relative transits below */
	int32_t min_rel;         /* baseline: smallest relative transit in window */
	int32_t win_min[JB_MINWIN_BLOCKS];
	uint16_t win_pkts;       /* packets in the current window block */
	uint8_t win_cur;
	uint32_t target_s;       /* target delay, samples */
	int32_t depth_s;         /* playout offset at the last jb_get, samples */
	uint64_t last_skip_us;
	uint32_t hist[JB_HIST_BINS]; /* relative delay, exponentially forgotten */
	uint32_t hist_total;
	struct jb_stats st;
	struct jb_slot slot[JB_SLOTS];
	plc_state_t plc;
};

/* Initialise jb; cfg NULL or zero fields take the defaults.
 * Returns 0 or -EINVAL (bounds out of order, max beyond capacity). */
int jb_init(struct jb *jb, const struct jb_cfg *cfg);

enum jb_put_res {
	JB_PUT_OK,
	JB_PUT_LATE,
	JB_PUT_DUP,
	JB_PUT_OVERFLOW,
	JB_PUT_JUMP,    /* far outside the window, awaiting confirmation: dropped */
	JB_PUT_BAD,
};

/* Offer one parsed RTP packet (h from rtp_parse, pkt the whole packet)
 * that arrived at now_us (any monotonic microsecond clock). */
enum jb_put_res jb_put(struct jb *jb, const struct rtp_hdr *h, const uint8_t *pkt,
	uint64_t now_us);

enum jb_frame {
	JB_FRAME_AUDIO,   /* decoded from a packet */
	JB_FRAME_PLC,     /* concealment */
	JB_FRAME_SILENCE, /* nothing to play */
};

/* Produce the next 20 ms of linear audio; call once per 20 ms at now_us. */
enum jb_frame jb_get(struct jb *jb, uint64_t now_us, int16_t out[JB_FRAME_SAMPLES]);

/* Counters with depth/target/buffered refreshed (now_us is unused today,
 * kept so a time-based depth can be added without changing callers). */
const struct jb_stats *jb_stats(struct jb *jb, uint64_t now_us);

#endif
