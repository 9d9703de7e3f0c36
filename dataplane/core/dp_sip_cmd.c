/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_sip_cmd.c — control's commands on SIP legs: RING, ANSWER, REJECT, HANGUP, RESPOND, SET_ACL. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dp_media.h"

/* ---- commands ------------------------------------------------------------------------------ */

struct dp_leg *dp_sip_cmd_leg(struct dp_lcore *lc, const struct vox_rec_hdr *h)
{
	struct dp_leg *leg = lc->sip ? dp_leg_lookup(lc, h->leg) : NULL;
	if (!leg) {
		dp_ctl_stale(lc, h);
		return NULL;
	}
	/* an inbound leg gets control's tag (e.g. its CallSid digest) with the first command that
	 * carries one; the mirror shows it from then on */
	static const uint8_t zero[16];
	if (memcmp(leg->tag, zero, sizeof(zero)) == 0 && memcmp(h->tag, zero, sizeof(zero)) != 0)
		dp_leg_set_tag(lc, leg, h->tag);
	return leg;
}

const char *dp_sip_pstr(const void *pl, uint32_t len, struct vox_pstr p, char *buf, size_t cap)
{
	if (!p.len || (uint32_t)p.off + p.len > len || p.len >= cap)
		return NULL;
	memcpy(buf, (const char *)pl + p.off, p.len);
	buf[p.len] = 0;
	return buf;
}

void dp_sip_cmd_ring(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	if (leg->kind != VOX_LEG_KIND_SIP_IN || sl->final_sent) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	uint16_t code = h->status == 183 ? 183 : 180;
	int n = 0;
	if (code == 183 && sl->have_offer) {
		const struct sip_msg *inv = dp_sip_stored_invite(lc, sl);
		if (inv)
			n = dp_sip_sdp_answer(lc, sl, inv->buf + inv->body.off, inv->body.len, lc->sip->sdp,
				       sizeof(lc->sip->sdp));
	}
	char extra[256];
	dp_sip_answer_invite(lc, leg, code, code == 183 ? "Session Progress" : "Ringing",
		      dp_sip_contact_hdr(lc, extra, sizeof(extra)), n > 0 ? lc->sip->sdp : NULL, n > 0 ? (size_t)n : 0);
	dp_leg_set_state(lc, leg, VOX_LEG_RINGING);
	if (n > 0) {
		sl->early = 1;
		dp_srtp_leg_start(lc, leg); /* early media */
	}
}

void dp_sip_cmd_answer(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	if (leg->kind != VOX_LEG_KIND_SIP_IN || sl->final_sent) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	const struct sip_msg *inv = dp_sip_stored_invite(lc, sl);
	if (!inv) {
		dp_ctl_bad(lc, h, -ENOENT);
		return;
	}
	int n = inv->body.len ? dp_sip_sdp_answer(lc, sl, inv->buf + inv->body.off, inv->body.len, lc->sip->sdp,
					   sizeof(lc->sip->sdp))
			      : dp_sip_sdp_offer(lc, sl, lc->sip->sdp, sizeof(lc->sip->sdp));
	char extra[256];
	if (n <= 0 || dp_sip_answer_invite(lc, leg, 200, "OK", dp_sip_contact_hdr(lc, extra, sizeof(extra)), lc->sip->sdp,
				    (size_t)n) != 0) {
		dp_sip_answer_invite(lc, leg, 500, "Server Internal Error", NULL, NULL, 0);
		dp_sip_end_leg(lc, leg, VOX_CAUSE_NO_RESOURCES, 500, VOX_BY_LOCAL);
		return;
	}
	sl->answered = 1;
	sl->answered_ns = dp_now_ns(lc, lc->now_tsc);
	dp_leg_set_state(lc, leg, VOX_LEG_ANSWERED);
	dp_leg_state_event(lc, leg, VOX_EVT_LEG_ANSWERED, 0);
	dp_srtp_leg_start(lc, leg);
}

void dp_sip_cmd_reject(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	struct vox_sip_reply r;
	if (h->len < sizeof(r) || leg->kind != VOX_LEG_KIND_SIP_IN || sl->final_sent) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	memcpy(&r, pl, sizeof(r));
	if (r.code < 300 || r.code > 699) {
		dp_ctl_bad(lc, h, -ERANGE);
		return;
	}
	char reason[128], extra[1024];
	const char *rs = dp_sip_pstr(pl, h->len, r.reason, reason, sizeof(reason));
	const char *ex = dp_sip_pstr(pl, h->len, r.headers, extra, sizeof(extra));
	dp_sip_answer_invite(lc, leg, r.code, rs ? rs : sip_reason_phrase(r.code), ex, NULL, 0);
	dp_sip_end_leg(lc, leg, VOX_CAUSE_CONTROL, r.code, VOX_BY_LOCAL);
}

/* End a SIP leg the SIP way: BYE when answered, a final response when still unanswered. */
void dp_sip_leg_hangup(struct dp_lcore *lc, struct dp_leg *leg, int32_t cause, uint16_t code)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	if (leg->kind == VOX_LEG_KIND_SIP_IN && !sl->final_sent) {
		if (code < 300 || code > 699)
			code = 480;
		dp_sip_answer_invite(lc, leg, code, sip_reason_phrase(code), NULL, NULL, 0);
		dp_sip_end_leg(lc, leg, cause, code, VOX_BY_LOCAL);
		return;
	}
	dp_sip_send_bye(lc, leg);
	dp_sip_end_leg(lc, leg, cause, 0, VOX_BY_LOCAL);
}

void dp_sip_cmd_hangup(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	dp_sip_leg_hangup(lc, leg, VOX_CAUSE_CONTROL, (uint16_t)h->status);
}

void dp_sip_cmd_respond(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_sip *s = lc->sip;
	struct vox_sip_reply r;
	if (!s || h->len < sizeof(r)) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	memcpy(&r, pl, sizeof(r));
	uint32_t idx = r.txn & 0xffff, cookie = r.txn >> 16;
	struct txn *t = idx < s->txl.cap ? &s->txl.pool[idx] : NULL;
	if (!t || t->state == TXN_S_FREE || (t->user >> 48) != cookie || !s->txn_req[idx] ||
	    r.code < 100 || r.code > 699) {
		dp_ctl_stale(lc, h);
		return;
	}
	struct rte_mbuf *m = s->txn_req[idx];
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len;
	if (sip_msg_parse(&s->msg2, rte_pktmbuf_mtod_offset(m, const char *, hl), rte_pktmbuf_data_len(m) - hl) < 0) {
		dp_ctl_bad(lc, h, -EBADMSG);
		return;
	}
	char reason[128], extra[2048], body[4096], tag[DP_SIP_TAG_LEN + 2];
	const char *rs = dp_sip_pstr(pl, h->len, r.reason, reason, sizeof(reason));
	const char *ex = dp_sip_pstr(pl, h->len, r.headers, extra, sizeof(extra));
	const char *bd = dp_sip_pstr(pl, h->len, r.body, body, sizeof(body));
	dp_sip_mint(lc, tag, sizeof(tag), DP_SIP_TAG_PFX, 8, NULL);
	const struct sip_hdr *to = sip_msg_hdr(&s->msg2, SIP_HDR_TO);
	struct sip_nameaddr na;
	bool has_tag = to && sip_nameaddr_parse(&na, s->msg2.buf, to->value) == 0 && na.tag.len;
	dp_sip_respond(lc, t, &s->msg2, &s->txn_src[idx], r.code, rs ? rs : sip_reason_phrase(r.code),
		has_tag || r.code == 100 ? NULL : tag, ex, bd, bd ? r.body.len : 0);
	if (r.code >= 200) {
		rte_pktmbuf_free(m);
		s->txn_req[idx] = NULL;
	}
}

void dp_sip_cmd_set_acl(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	if (!lc->sip || h->len < offsetof(struct vox_acl, e)) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	struct vox_acl *a = &lc->sip->acl;
	uint32_t n;
	memcpy(&n, pl, sizeof(n));
	if (n > VOX_ACL_MAX || h->len < offsetof(struct vox_acl, e) + n * sizeof(a->e[0])) {
		dp_ctl_bad(lc, h, -ERANGE);
		return;
	}
	memcpy(a, pl, offsetof(struct vox_acl, e) + n * sizeof(a->e[0]));
}
