/* SPDX-License-Identifier: BSD-3-Clause */
/* rtp_relay.c — relayed-stream rewriting: offsets, re-basing, PT mapping, G.711 law conversion. */
#include <stdatomic.h>
#include <string.h>

#include "rtp_relay.h"

#include "g711.h"
#include "rtp.h"

uint8_t rtp_relay_u2a[256];
uint8_t rtp_relay_a2u[256];

/* Filled once, on the first bridge (not in a constructor: the G.711 encoder's own tables are
 * built by one, in an order across files that nothing guarantees). 0 empty, 1 filling, 2 ready;
 * an lcore that finds another filling waits for it (command path, once per process). */
static _Atomic int tables_state;

void rtp_relay_tables_init(void)
{
	int z = 0;
	if (atomic_load_explicit(&tables_state, memory_order_acquire) == 2)
		return;
	if (atomic_compare_exchange_strong(&tables_state, &z, 1)) {
		for (int c = 0; c < 256; c++) {
			rtp_relay_u2a[c] = g711_alaw_encode(g711_ulaw_decode((uint8_t)c));
			rtp_relay_a2u[c] = g711_ulaw_encode(g711_alaw_decode((uint8_t)c));
		}
		atomic_store_explicit(&tables_state, 2, memory_order_release);
		return;
	}
	while (atomic_load_explicit(&tables_state, memory_order_acquire) != 2)
		;
}

void rtp_relay_init(struct rtp_relay *r, uint16_t next_seq, uint32_t next_ts)
{
	rtp_relay_tables_init();
	*r = (struct rtp_relay){0};
	r->out_seq = (uint16_t)(next_seq - 1u);
	r->out_ts = next_ts - RTP_RELAY_TS_STEP;
}

int rtp_relay_map(struct rtp_relay *r, uint32_t ssrc, uint16_t seq, uint32_t ts, uint16_t *oseq,
		  uint32_t *ots)
{
	int rebase = !r->have || ssrc != r->in_ssrc;
	int16_t ds = (int16_t)(uint16_t)(seq - r->in_seq);
	int32_t dt = (int32_t)(ts - r->in_ts);
	if (!rebase)
		rebase = ds > RTP_RELAY_SEQ_JUMP || ds < -RTP_RELAY_SEQ_BACK ||
			 dt > (int32_t)RTP_RELAY_TS_JUMP || dt < -(int32_t)RTP_RELAY_TS_BACK;
	if (rebase) {
		r->seq_off = (uint16_t)(r->out_seq + 1u - seq);
		r->ts_off = r->out_ts + RTP_RELAY_TS_STEP - ts;
		r->have = 1;
		r->in_ssrc = ssrc;
		r->rebases++;
		ds = 1; /* this packet is the newest */
	}
	*oseq = (uint16_t)(seq + r->seq_off);
	*ots = ts + r->ts_off;
	if (ds > 0) {
		r->in_seq = seq;
		r->in_ts = ts;
		r->out_seq = *oseq;
		r->out_ts = *ots;
	}
	return rebase;
}

enum rtp_relay_verdict rtp_relay_decide(const struct rtp_relay_side *to, int16_t in_dtmf_pt,
					uint8_t in_pt, uint8_t *out_pt)
{
	if (to->hold)
		return RTP_RELAY_DROP_HOLD;
	if (in_dtmf_pt >= 0 && in_pt == (uint8_t)in_dtmf_pt) {
		if (to->dtmf_pt < 0)
			return RTP_RELAY_DROP_EVENT;
		*out_pt = (uint8_t)to->dtmf_pt;
		return RTP_RELAY_EVENT;
	}
	if (in_pt != G711_PT_PCMU && in_pt != G711_PT_PCMA)
		return RTP_RELAY_DROP_PT;
	if (to->codec_pt == in_pt) {
		*out_pt = in_pt;
		return RTP_RELAY_PASS;
	}
	if (to->codec_pt != G711_PT_PCMU && to->codec_pt != G711_PT_PCMA)
		return RTP_RELAY_DROP_PT;
	*out_pt = (uint8_t)to->codec_pt;
	return RTP_RELAY_TRANSCODE;
}

enum rtp_relay_verdict rtp_relay_packet(struct rtp_relay *r, const struct rtp_relay_side *to,
					int16_t in_dtmf_pt, uint32_t out_ssrc, uint8_t *pkt,
					uint32_t len)
{
	struct rtp_hdr h;
	if (rtp_parse(pkt, len, &h) != RTP_ERR_OK)
		return RTP_RELAY_DROP_BAD;
	uint8_t pt = 0;
	enum rtp_relay_verdict v = rtp_relay_decide(to, in_dtmf_pt, h.pt, &pt);
	if (v >= RTP_RELAY_DROP_HOLD)
		return v;
	uint16_t seq;
	uint32_t ts;
	int m = rtp_relay_map(r, h.ssrc, h.seq, h.ts, &seq, &ts);
	/* an RFC 4733 event keeps its own marker semantics (M on the first packet of an event) */
	m = v == RTP_RELAY_EVENT ? h.marker : (h.marker | m);
	/* the 12 bytes as one 8-byte and one 4-byte store: a caller that sums the new header right
	   after (the UDP checksum update) gets its loads forwarded from these stores, where byte
	   stores would make it wait for them to reach the cache */
	uint8_t b[12] = {pkt[0], (uint8_t)((m ? 0x80 : 0) | pt), (uint8_t)(seq >> 8), (uint8_t)seq,
			 (uint8_t)(ts >> 24), (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts,
			 (uint8_t)(out_ssrc >> 24), (uint8_t)(out_ssrc >> 16), (uint8_t)(out_ssrc >> 8),
			 (uint8_t)out_ssrc};
	uint64_t w0;
	uint32_t w1;
	memcpy(&w0, b, 8);
	memcpy(&w1, b + 8, 4);
	memcpy(pkt, &w0, 8);
	memcpy(pkt + 8, &w1, 4);
	if (v == RTP_RELAY_TRANSCODE) {
		const uint8_t *t = h.pt == G711_PT_PCMU ? rtp_relay_u2a : rtp_relay_a2u;
		uint8_t *p = pkt + h.payload_off;
		for (uint32_t i = 0; i < h.payload_len; i++)
			p[i] = t[p[i]];
	}
	return v;
}
