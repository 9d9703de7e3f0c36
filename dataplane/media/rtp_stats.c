/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-source RTP receive statistics: RFC 3550 A.1 sequence checks, A.3 loss, A.8 jitter. */
#include <string.h>

#include "rtcp.h"
#include "rtp.h"

/* A.1 init_seq: (re)start the counters at seq. */
static void rtp_source_reset(struct rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
	s->have_transit = false;
	s->jitter = 0;
}

void rtp_source_init(struct rtp_source *s, uint32_t ssrc, uint16_t seq)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	rtp_source_reset(s, seq);
	/* the caller passes this same packet to update_seq next: it must look
	 * like the successor of max_seq to start probation */
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = RTP_MIN_SEQUENTIAL;
}

enum rtp_seq_res rtp_source_update_seq(struct rtp_source *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* packets must arrive in sequence before the source is valid */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				rtp_source_reset(s, seq);
				s->received++;
				return RTP_SEQ_OK;
			}
		} else {
			s->probation = RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return RTP_SEQ_PROBATION;
	}

	if (udelta < RTP_MAX_DROPOUT) {
		/* in order, with a permissible gap */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD; /* wrapped */
		s->max_seq = seq;
		s->received++;
		return RTP_SEQ_OK;
	}
	if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		/* a very large jump: accept it only if the next packet follows it,
		 * taking it as a sender restart without an SSRC change */
		if (seq == s->bad_seq) {
			rtp_source_reset(s, seq);
			s->received++;
			return RTP_SEQ_RESTART;
		}
		s->bad_seq = (seq + 1u) & (RTP_SEQ_MOD - 1);
		s->bad++;
		return RTP_SEQ_BAD;
	}
	/* duplicate or reordered within max_misorder */
	s->received++;
	s->misorder++;
	return RTP_SEQ_MISORDER;
}

void rtp_source_jitter(struct rtp_source *s, uint32_t rtp_ts, uint32_t arrival)
{
	uint32_t transit = arrival - rtp_ts;

	if (!s->have_transit) {
		s->transit = transit;
		s->have_transit = true;
		return;
	}
	uint32_t d = transit - s->transit;
	s->transit = transit;
	if ((int32_t)d < 0)
		d = 0u - d; /* |D|, without the signed overflow of -INT32_MIN */
	/* J += (|D| - J) / 16, kept scaled by 16 as in A.8 */
	s->jitter += d - ((s->jitter + 8) >> 4);
}

enum rtp_seq_res rtp_source_rx(struct rtp_source *s, uint16_t seq, uint32_t rtp_ts,
	uint32_t arrival)
{
	enum rtp_seq_res r = rtp_source_update_seq(s, seq);

	/* RFC 3550 6.4.1: jitter is updated for every data packet counted,
	 * misordered ones included; probation and 'bad' packets are not ours yet */
	if (r == RTP_SEQ_OK || r == RTP_SEQ_MISORDER || r == RTP_SEQ_RESTART)
		rtp_source_jitter(s, rtp_ts, arrival);
	return r;
}

void rtp_source_report(struct rtp_source *s, uint32_t now_q16, struct rtcp_report_block *rb)
{
	uint32_t expected = rtp_source_expected(s);
	int32_t lost = (int32_t)(expected - s->received);

	/* cumulative lost is a signed 24-bit field: clamp */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;

	uint32_t expected_interval = expected - s->expected_prior;
	uint32_t received_interval = s->received - s->received_prior;
	int32_t lost_interval = (int32_t)(expected_interval - received_interval);
	s->expected_prior = expected;
	s->received_prior = s->received;

	rb->ssrc = s->ssrc;
	if (expected_interval == 0 || lost_interval <= 0)
		rb->fraction_lost = 0;
	else
		rb->fraction_lost = (uint8_t)(((uint64_t)lost_interval << 8) / expected_interval);
	rb->cum_lost = lost;
	rb->ext_high_seq = rtp_source_ext_max(s);
	rb->jitter = rtp_source_jitter_ts(s);
	rb->lsr = s->lsr;
	rb->dlsr = s->lsr ? now_q16 - s->lsr_arrival : 0;
}

void rtp_source_sr_rx(struct rtp_source *s, uint64_t ntp, uint32_t now_q16)
{
	s->lsr = rtcp_ntp_mid32(ntp);
	s->lsr_arrival = now_q16;
}
