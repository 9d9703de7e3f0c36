/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_sip_uac.c — outbound SIP legs (DIAL): our INVITE, digest answers to 401/407, the ring
 * timeout's CANCEL, ACK for 2xx and non-2xx. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rte_mbuf.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dp_media.h"

/*
 * DIAL creates a leg in state DIALING on the worker control chose: our Call-ID, tag and branch
 * carry that worker, so every response and in-dialog request finds it without a lookup table.
 * 1xx → LEG_PROGRESS (RINGING; with an SDP answer: early media, bridgeable), 2xx → ACK +
 * LEG_ANSWERED, 401/407 → one retry with digest credentials (RFC 2617/7616 MD5, qop=auth when
 * offered), other finals → LEG_FAILED with the code. No answer within ring_timeout_ms →
 * CANCEL and LEG_FAILED 408; no response at all (timer B) → LEG_FAILED 408. A 2xx that crosses
 * our CANCEL is ACKed and BYEd.
 */

static void local_ip(struct dp_lcore *lc, char *ip, size_t cap)
{
	struct sip_addr a = {.family = 4};
	memcpy(a.ip, &lc->net.ifc->ip, 4);
	sip_addr_fmt(&a, ip, cap);
}

/* ---- digest --------------------------------------------------------------------------------- */

static void md5_hex(const char *in, size_t len, char out[33])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(in, len, d, &n, EVP_md5(), NULL);
	for (unsigned int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* value of param `name` in a challenge (quoted or token) into out; 0 if absent */
static int chal_param(const char *c, size_t len, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i + nl < len; i++) {
		if ((i == 0 || c[i - 1] == ' ' || c[i - 1] == ',' || c[i - 1] == '\t') &&
		    strncasecmp(c + i, name, nl) == 0) {
			size_t j = i + nl;
			while (j < len && c[j] == ' ')
				j++;
			if (j >= len || c[j] != '=')
				continue;
			j++;
			while (j < len && c[j] == ' ')
				j++;
			size_t o = 0;
			if (j < len && c[j] == '"') {
				for (j++; j < len && c[j] != '"' && o + 1 < cap; j++)
					out[o++] = c[j];
			} else {
				for (; j < len && c[j] != ',' && c[j] != ' ' && o + 1 < cap; j++)
					out[o++] = c[j];
			}
			out[o] = 0;
			return 1;
		}
	}
	return 0;
}

/* Authorization header line for our INVITE answering challenge `c`. Returns its length or < 0. */
static int digest_line(struct dp_lcore *lc, struct dp_sipleg *sl, int proxy, const char *c, size_t clen,
		       char *out, size_t cap)
{
	char realm[128], nonce[256], opaque[256], qop[64], algo[32], ha1[33], ha2[33], resp[33];
	char buf[1024], cnonce[17];
	if (clen < 7 || strncasecmp(c, "Digest", 6) != 0 || !chal_param(c, clen, "nonce", nonce, sizeof(nonce)))
		return -EINVAL;
	if (!chal_param(c, clen, "realm", realm, sizeof(realm)))
		realm[0] = 0;
	int has_opaque = chal_param(c, clen, "opaque", opaque, sizeof(opaque));
	int auth_qop = chal_param(c, clen, "qop", qop, sizeof(qop)) && strstr(qop, "auth") != NULL;
	if (chal_param(c, clen, "algorithm", algo, sizeof(algo)) && strcasecmp(algo, "MD5") != 0)
		return -ENOTSUP;
	snprintf(buf, sizeof(buf), "%s:%s:%s", sl->auth_user, realm, sl->auth_pass);
	md5_hex(buf, strlen(buf), ha1);
	snprintf(buf, sizeof(buf), "INVITE:%s", sl->target);
	md5_hex(buf, strlen(buf), ha2);
	unsigned char rnd[8];
	RAND_bytes(rnd, sizeof(rnd));
	for (int i = 0; i < 8; i++)
		snprintf(cnonce + 2 * i, 3, "%02x", rnd[i]);
	if (auth_qop)
		snprintf(buf, sizeof(buf), "%s:%s:00000001:%s:auth:%s", ha1, nonce, cnonce, ha2);
	else
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, nonce, ha2);
	md5_hex(buf, strlen(buf), resp);
	int n = snprintf(out, cap,
			 "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", response=\"%s\", "
			 "algorithm=MD5%s%s%s%s%s%s\r\n",
			 proxy ? "Proxy-Authorization" : "Authorization", sl->auth_user, realm, nonce, sl->target,
			 resp, auth_qop ? ", qop=auth, nc=00000001, cnonce=\"" : "", auth_qop ? cnonce : "",
			 auth_qop ? "\"" : "", has_opaque ? ", opaque=\"" : "", has_opaque ? opaque : "",
			 has_opaque ? "\"" : "");
	return n > 0 && (size_t)n < cap ? n : -ENOSPC;
}

/* ---- our INVITE ----------------------------------------------------------------------------- */

static int send_invite(struct dp_lcore *lc, struct dp_leg *leg, const char *auth)
{
	struct dp_sip *s = lc->sip;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	char ip[32], contact[512];
	local_ip(lc, ip, sizeof(ip));
	int sdp = dp_sip_sdp_offer(lc, sl, s->sdp, sizeof(s->sdp));
	if (sdp <= 0)
		return -ENOSPC;
	dp_sip_mint(lc, sl->inv_branch, sizeof(sl->inv_branch), "z9hG4bKvx", 12, NULL);
	sl->inv_cseq = ++sl->local_cseq;
	dp_sip_contact_hdr(lc, contact, sizeof(contact));
	int n = snprintf(s->buf, sizeof(s->buf),
			 "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=%s;rport\r\nMax-Forwards: %u\r\n"
			 "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u INVITE\r\n%s%s%s"
			 "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
			 sl->target, ip, lc->ctx->cfg.sip_port, sl->inv_branch, sl->max_fwd, sl->local_hdr, sl->remote_hdr,
			 sl->call_id, sl->inv_cseq, contact, sl->extra, auth ? auth : "", sdp, s->sdp);
	if (n <= 0 || (size_t)n >= sizeof(s->buf))
		return -ENOSPC;
	uint32_t ref = dp_sip_store(lc, s->buf, (uint32_t)n, &sl->peer);
	if (ref == TXN_NONE)
		return -ENOBUFS;
	struct txn_key k = {.branch = sl->inv_branch, .branch_len = (uint32_t)strlen(sl->inv_branch),
			    .method = SIP_M_INVITE};
	struct txn *t = txn_client_start(&s->txl, &k, TXN_UDP, 0, ref, dp_leg_handle(lc, leg));
	if (!t) {
		dp_sip_store_release(lc, ref);
		vox_stats_drop(lc->st, VOX_DROP_sip_txn_full, 1);
		return -ENOBUFS;
	}
	sl->inv_txn = txn_index(&s->txl, t);
	lc->st->sip_txn_active = s->txl.active;
	return 0;
}

void dp_sip_cmd_dial(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_dial d;
	if (!lc->sip || h->len < sizeof(d)) {
		dp_orphan_event(lc, VOX_EVT_LEG_FAILED, -EINVAL, h->req_id, h->tag);
		return;
	}
	memcpy(&d, pl, sizeof(d));
	char target[DP_SIP_STR], from[DP_SIP_STR], disp[128], to[DP_SIP_STR];
	const char *tg = dp_sip_pstr(pl, h->len, d.target, target, sizeof(target));
	const char *fr = dp_sip_pstr(pl, h->len, d.from_uri, from, sizeof(from));
	const char *dn = dp_sip_pstr(pl, h->len, d.from_display, disp, sizeof(disp));
	const char *tu = dp_sip_pstr(pl, h->len, d.to_uri, to, sizeof(to));
	if (!tg || d.next_hop.family != VOX_AF_INET || !d.next_hop.port) {
		dp_orphan_event(lc, VOX_EVT_LEG_FAILED, -EINVAL, h->req_id, h->tag);
		return;
	}
	const struct dp_cfg *cfg = &lc->ctx->cfg;
	/* the inbound leg this call serves (if named): Max-Forwards goes down by one per hop */
	uint8_t max_fwd = 70;
	struct dp_leg *parent = h->leg ? dp_leg_lookup(lc, h->leg) : NULL;
	if (parent && parent->kind == VOX_LEG_KIND_SIP_IN) {
		struct dp_sipleg *ps = dp_sip_leg(lc, parent);
		if (ps->max_fwd == 0) {
			if (!ps->final_sent) {
				dp_sip_answer_invite(lc, parent, 483, "Too Many Hops", NULL, NULL, 0);
				dp_sip_end_leg(lc, parent, VOX_CAUSE_CONTROL, 483, VOX_BY_LOCAL);
			}
			dp_orphan_event(lc, VOX_EVT_LEG_FAILED, 483, h->req_id, h->tag);
			return;
		}
		max_fwd = (uint8_t)(ps->max_fwd - 1);
	}
	struct dp_leg *leg = dp_leg_alloc(lc, VOX_LEG_KIND_SIP_OUT, h->req_id, h->tag, d.account_idx,
					  dp_now_ns(lc, lc->now_tsc));
	uint32_t slot = leg ? (uint32_t)(leg - lc->legs) : 0;
	uint32_t port = dp_rtp_port(cfg->rtp_port_min, slot, lc->widx, lc->n_workers);
	if (!leg || port + 1 > cfg->rtp_port_max) {
		if (leg)
			dp_leg_end_evt(lc, leg, VOX_EVT_LEG_FAILED, VOX_CAUSE_NO_RESOURCES);
		else
			dp_orphan_event(lc, VOX_EVT_LEG_FAILED, VOX_CAUSE_NO_RESOURCES, h->req_id, h->tag);
		return;
	}
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	memset(sl, 0, offsetof(struct dp_sipleg, local_tag));
	dp_rtp_leg_reset(lc, slot);
	sl->uas = 0;
	sl->dtmf_pt = -1; /* until the answer names one (codec_pt 0: PCMU, our first offer) */
	sl->max_fwd = max_fwd;
	sl->srtp_offer = (d.flags & VOX_DIAL_SRTP) != 0;
	sl->rtp_port = (uint16_t)port;
	sl->inv_txn = sl->reinv_txn = sl->bye_txn = sl->ack_ref = TXN_NONE;
	sl->peer.family = 4;
	sl->peer.port = d.next_hop.port;
	memcpy(sl->peer.ip, d.next_hop.addr, 4);
	sl->src = sl->peer;
	dp_sip_mint(lc, sl->local_tag, sizeof(sl->local_tag), "vx", 8, NULL);
	dp_sip_mint(lc, sl->call_id, sizeof(sl->call_id), "vx", 16, NULL);
	size_t cl = strlen(sl->call_id);
	snprintf(sl->call_id + cl, sizeof(sl->call_id) - cl, "-%08x@voxplane", (unsigned)slot);
	snprintf(sl->target, sizeof(sl->target), "%s", tg);
	char ip[32];
	local_ip(lc, ip, sizeof(ip));
	if (fr)
		snprintf(sl->local_hdr, sizeof(sl->local_hdr), "%s%s%s<%s>;tag=%s", dn ? "\"" : "", dn ? dn : "",
			 dn ? "\" " : "", fr, sl->local_tag);
	else
		snprintf(sl->local_hdr, sizeof(sl->local_hdr), "<sip:voxplane@%s>;tag=%s", ip, sl->local_tag);
	snprintf(sl->remote_hdr, sizeof(sl->remote_hdr), "<%s>", tu ? tu : tg);
	sl->route[0] = 0;
	if (!dp_sip_pstr(pl, h->len, d.headers, sl->extra, sizeof(sl->extra)))
		sl->extra[0] = 0;
	if (!dp_sip_pstr(pl, h->len, d.auth_user, sl->auth_user, sizeof(sl->auth_user)))
		sl->auth_user[0] = 0;
	if (!dp_sip_pstr(pl, h->len, d.auth_pass, sl->auth_pass, sizeof(sl->auth_pass)))
		sl->auth_pass[0] = 0;
	dp_sip_dlg_insert(lc, slot);
	if (send_invite(lc, leg, NULL) != 0) {
		dp_sip_end_leg(lc, leg, VOX_CAUSE_NO_RESOURCES, 500, VOX_BY_LOCAL);
		return;
	}
	lc->st->sip_tx_req++;
	dp_leg_set_state(lc, leg, VOX_LEG_DIALING);
	uint32_t ring = d.ring_timeout_ms ? d.ring_timeout_ms : 60000;
	sl->ring_tw = tw_add(&lc->tw, dp_now_ns(lc, lc->now_tsc) / 1000000u + ring, DP_TIMER_SIP_RING,
			     dp_leg_handle(lc, leg));
	dp_leg_state_event(lc, leg, VOX_EVT_LEG_CREATED, 0);
}

/* ---- ending an outbound leg ---------------------------------------------------------------- */

static void stop_ring_timer(struct dp_lcore *lc, struct dp_sipleg *sl)
{
	tw_cancel(&lc->tw, sl->ring_tw);
	sl->ring_tw = 0;
}

void dp_sip_uac_fail(struct dp_lcore *lc, struct dp_leg *leg, uint16_t code)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	stop_ring_timer(lc, sl);
	sl->end_code = code;
	sl->end_by = VOX_BY_REMOTE;
	dp_leg_end_evt(lc, leg, VOX_EVT_LEG_FAILED, code);
}

void dp_sip_uac_cancel(struct dp_lcore *lc, struct dp_leg *leg, uint16_t code)
{
	struct dp_sip *s = lc->sip;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	stop_ring_timer(lc, sl);
	if (sl->answered || sl->cancelled)
		return;
	sl->cancelled = 1;
	/* RFC 3261 §9.1: same Request-URI, Call-ID, From, To (no tag), CSeq number and branch */
	char ip[32];
	local_ip(lc, ip, sizeof(ip));
	char to[DP_SIP_STR];
	snprintf(to, sizeof(to), "%s", sl->remote_hdr);
	char *tag = strstr(to, ";tag=");
	if (tag)
		*tag = 0;
	int n = snprintf(s->buf, sizeof(s->buf),
			 "CANCEL %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=%s;rport\r\nMax-Forwards: 70\r\n"
			 "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u CANCEL\r\nContent-Length: 0\r\n\r\n",
			 sl->target, ip, lc->ctx->cfg.sip_port, sl->inv_branch, sl->local_hdr, to, sl->call_id,
			 sl->inv_cseq);
	if (n > 0 && (size_t)n < sizeof(s->buf)) {
		uint32_t ref = dp_sip_store(lc, s->buf, (uint32_t)n, &sl->peer);
		struct txn_key k = {.branch = sl->inv_branch, .branch_len = (uint32_t)strlen(sl->inv_branch),
				    .method = SIP_M_CANCEL};
		if (ref != TXN_NONE && !txn_client_start(&s->txl, &k, TXN_UDP, 0, ref, 0))
			dp_sip_store_release(lc, ref);
	}
	/* control learns now; the INVITE transaction finishes on its own (487 + our ACK) */
	dp_sip_uac_fail(lc, leg, code);
}

void dp_sip_cmd_cancel_leg(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	if (leg->kind != VOX_LEG_KIND_SIP_OUT || dp_sip_leg(lc, leg)->answered) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	dp_sip_uac_cancel(lc, leg, 487);
}

/* ---- SEND_REQUEST: a non-INVITE request in or out of a dialog ------------------------------- */

/* EVT_SIP_RESPONSE for the final response (m NULL: timeout, reported as 408) */
static void send_request_result(struct dp_lcore *lc, struct txn *t, uint16_t status, const struct sip_msg *m)
{
	struct dp_sip *s = lc->sip;
	uint32_t idx = txn_index(&s->txl, t);
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = VOX_EVT_SIP_RESPONSE;
	h.req_id = s->txn_reqid[idx];
	h.leg = t->user;
	h.status = status;
	s->txn_reqid[idx] = 0;
	uint32_t n = 0;
	if (m) {
		struct sip_addr src = s->store_dst[t->msg_ref < s->store_cap ? t->msg_ref : 0];
		n = dp_sip_in_payload(lc, m, &src, 0, s->evtbuf, sizeof(s->evtbuf));
	} else {
		struct vox_sip_in *in = (struct vox_sip_in *)s->evtbuf;
		memset(in, 0, sizeof(*in));
		in->status = status;
		n = sizeof(*in);
	}
	dp_ctl_emit(lc, &h, s->evtbuf, n);
}

void dp_sip_uac_request_timeout(struct dp_lcore *lc, struct txn *t)
{
	if (lc->sip->txn_reqid[txn_index(&lc->sip->txl, t)])
		send_request_result(lc, t, 408, NULL);
}

void dp_sip_cmd_send_request(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_sip *s = lc->sip;
	struct vox_send_req r;
	if (!s || h->len < sizeof(r)) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	memcpy(&r, pl, sizeof(r));
	const char *mname = sip_method_name((enum sip_method)r.method);
	if (!mname || r.method == SIP_M_INVITE || r.method == SIP_M_ACK || r.method == SIP_M_CANCEL) {
		dp_ctl_bad(lc, h, -EINVAL); /* INVITE is DIAL's; ACK and CANCEL belong to transactions */
		return;
	}
	char target[DP_SIP_STR], from[DP_SIP_STR], to[DP_SIP_STR], extra[1024], ctype[128], body[4096];
	char ip[32], branch[40], cid[DP_SIP_STR], tag[DP_SIP_TAG_LEN + 2], fromh[DP_SIP_STR * 2], toh[DP_SIP_STR * 2];
	const char *ex = dp_sip_pstr(pl, h->len, r.headers, extra, sizeof(extra));
	const char *ct = dp_sip_pstr(pl, h->len, r.ctype, ctype, sizeof(ctype));
	const char *bd = dp_sip_pstr(pl, h->len, r.body, body, sizeof(body));
	local_ip(lc, ip, sizeof(ip));
	dp_sip_mint(lc, branch, sizeof(branch), "z9hG4bKvx", 12, NULL);
	struct sip_addr dst;
	const char *ruri, *route = "";
	uint32_t cseq;
	uint64_t user = 0;
	if (h->leg) {
		struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
		if (!leg)
			return;
		struct dp_sipleg *sl = dp_sip_leg(lc, leg);
		ruri = sl->target;
		route = sl->route;
		snprintf(fromh, sizeof(fromh), "%s", sl->local_hdr);
		snprintf(toh, sizeof(toh), "%s", sl->remote_hdr);
		snprintf(cid, sizeof(cid), "%s", sl->call_id);
		cseq = ++sl->local_cseq;
		dst = sl->peer;
		user = dp_leg_handle(lc, leg);
	} else {
		const char *tg = dp_sip_pstr(pl, h->len, r.target, target, sizeof(target));
		const char *fr = dp_sip_pstr(pl, h->len, r.from_uri, from, sizeof(from));
		const char *tu = dp_sip_pstr(pl, h->len, r.to_uri, to, sizeof(to));
		if (!tg || r.next_hop.family != VOX_AF_INET || !r.next_hop.port) {
			dp_ctl_bad(lc, h, -EINVAL);
			return;
		}
		ruri = tg;
		dp_sip_mint(lc, tag, sizeof(tag), "vx", 8, NULL);
		dp_sip_mint(lc, cid, sizeof(cid), "vx", 16, "@voxplane");
		if (fr)
			snprintf(fromh, sizeof(fromh), "<%s>;tag=%s", fr, tag);
		else
			snprintf(fromh, sizeof(fromh), "<sip:voxplane@%s>;tag=%s", ip, tag);
		snprintf(toh, sizeof(toh), "<%s>", tu ? tu : tg);
		cseq = 1;
		dst.family = 4;
		dst.port = r.next_hop.port;
		memcpy(dst.ip, r.next_hop.addr, 4);
	}
	int n = snprintf(s->buf, sizeof(s->buf),
			 "%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=%s;rport\r\nMax-Forwards: 70\r\n"
			 "%s%s%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n%s%s%s%sContent-Length: %zu\r\n\r\n%s",
			 mname, ruri, ip, lc->ctx->cfg.sip_port, branch, route[0] ? "Route: " : "", route,
			 route[0] ? "\r\n" : "", fromh, toh, cid, cseq, mname, ex ? ex : "", ct ? "Content-Type: " : "",
			 ct ? ct : "", ct ? "\r\n" : "", bd ? strlen(bd) : (size_t)0, bd ? bd : "");
	if (n <= 0 || (size_t)n >= sizeof(s->buf)) {
		dp_ctl_bad(lc, h, -ENOSPC);
		return;
	}
	uint32_t ref = dp_sip_store(lc, s->buf, (uint32_t)n, &dst);
	struct txn_key k = {.branch = branch, .branch_len = (uint32_t)strlen(branch), .method = (uint8_t)r.method};
	struct txn *t = ref == TXN_NONE ? NULL : txn_client_start(&s->txl, &k, TXN_UDP, 0, ref, user);
	if (!t) {
		if (ref != TXN_NONE)
			dp_sip_store_release(lc, ref);
		dp_ctl_bad(lc, h, -ENOBUFS);
		return;
	}
	s->txn_reqid[txn_index(&s->txl, t)] = h->req_id ? h->req_id : 1;
	lc->st->sip_tx_req++;
	lc->st->sip_txn_active = s->txl.active;
}

/* ---- signalling matches ------------------------------------------------------------------- */

void dp_sip_cmd_set_match(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_match mt;
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	if (h->len < sizeof(mt)) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	memcpy(&mt, pl, sizeof(mt));
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	sl->match_lo = mt.code_lo;
	sl->match_hi = mt.code_hi;
	if (!dp_sip_pstr(pl, h->len, mt.name, sl->match_name, sizeof(sl->match_name)))
		sl->match_name[0] = 0;
	if (!dp_sip_pstr(pl, h->len, mt.value, sl->match_value, sizeof(sl->match_value)))
		sl->match_value[0] = 0;
}

void dp_sip_match(struct dp_lcore *lc, struct dp_leg *leg, const struct sip_msg *m, const struct sip_addr *src)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	bool hit = false;
	if (sl->match_hi && !m->is_request && m->status >= sl->match_lo && m->status <= sl->match_hi)
		hit = true;
	if (!hit && sl->match_name[0]) {
		const struct sip_hdr *hd = sip_msg_hdr_named(m, sl->match_name);
		if (hd) {
			hit = !sl->match_value[0] ||
			      memmem(m->buf + hd->value.off, hd->value.len, sl->match_value, strlen(sl->match_value));
		}
	}
	if (!hit)
		return;
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = VOX_EVT_SIGNALING_MATCH;
	h.leg = dp_leg_handle(lc, leg);
	h.status = m->is_request ? 0 : m->status;
	memcpy(h.tag, leg->tag, sizeof(h.tag));
	uint32_t n = dp_sip_in_payload(lc, m, src, 0, lc->sip->evtbuf, sizeof(lc->sip->evtbuf));
	dp_ctl_emit(lc, &h, lc->sip->evtbuf, n);
}

/* ---- responses to our INVITE ---------------------------------------------------------------- */

static void take_to_tag(struct dp_sipleg *sl, const struct sip_msg *m)
{
	const struct sip_hdr *to = sip_msg_hdr(m, SIP_HDR_TO);
	if (to && to->value.len < sizeof(sl->remote_hdr)) {
		memcpy(sl->remote_hdr, m->buf + to->value.off, to->value.len);
		sl->remote_hdr[to->value.len] = 0;
	}
}

/* ACK for a 2xx: its own transaction-less request, to the remote target */
static uint32_t ack_2xx(struct dp_lcore *lc, struct dp_sipleg *sl)
{
	struct dp_sip *s = lc->sip;
	char ip[32], branch[40];
	local_ip(lc, ip, sizeof(ip));
	dp_sip_mint(lc, branch, sizeof(branch), "z9hG4bKvx", 12, NULL);
	int n = snprintf(s->buf, sizeof(s->buf),
			 "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=%s;rport\r\nMax-Forwards: 70\r\n"
			 "%s%s%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
			 sl->target, ip, lc->ctx->cfg.sip_port, branch, sl->route[0] ? "Route: " : "", sl->route,
			 sl->route[0] ? "\r\n" : "", sl->local_hdr, sl->remote_hdr, sl->call_id, sl->inv_cseq);
	if (n <= 0 || (size_t)n >= sizeof(s->buf))
		return TXN_NONE;
	return dp_sip_store(lc, s->buf, (uint32_t)n, &sl->peer);
}

static void send_ref(struct dp_lcore *lc, uint32_t ref)
{
	struct dp_sip *s = lc->sip;
	if (ref == TXN_NONE || !s->store[ref])
		return;
	struct rte_mbuf *m = s->store[ref];
	dp_sip_send_raw(lc, rte_pktmbuf_mtod(m, const char *), rte_pktmbuf_data_len(m), &s->store_dst[ref]);
}

/* The SDP answer of a response (2xx, or a 1xx with early media): the far end's media address,
 * hold, the SRTP key it accepted, the codec and telephone-event PT. 1 when there was one. */
static int take_sdp(struct dp_sipleg *sl, const struct sip_msg *m)
{
	if (!m->body.len)
		return 0;
	struct sip_sdp a;
	if (sip_sdp_parse(&a, m->buf + m->body.off, m->body.len) != 0)
		return 0;
	sl->media = a.conn;
	sl->hold = a.dir == SIP_SDP_SENDONLY || a.dir == SIP_SDP_INACTIVE;
	/* our SAVP offer had one crypto line (tag 1, _80): the answer must accept it */
	for (unsigned i = 0; sl->srtp_offer && a.secure && i < a.n_crypto && !sl->srtp; i++) {
		const struct sip_sdp_crypto *c = &a.crypto[i];
		if (c->tag == 1 && c->suite == SIP_SDP_AES_CM_128_HMAC_SHA1_80 && c->key_ok) {
			memcpy(sl->srtp_remote, c->key, sizeof(sl->srtp_remote));
			sl->srtp_suite = c->suite;
			sl->srtp = 1;
		}
	}
	/* the codec and telephone-event PT the answer chose (bridging relays by them) */
	struct sip_sdp_answer na;
	if (sip_sdp_negotiate(&a, m->buf + m->body.off, &na) == 0) {
		sl->codec_pt = na.codec_pt;
		sl->dtmf_pt = na.dtmf_pt;
	}
	return 1;
}

static void answered(struct dp_lcore *lc, struct dp_leg *leg, const struct sip_msg *m)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	take_to_tag(sl, m);
	/* remote target and route set (Record-Route reversed for the UAC) */
	const struct sip_hdr *c = sip_msg_hdr(m, SIP_HDR_CONTACT);
	struct sip_nameaddr na;
	if (c && sip_nameaddr_parse(&na, m->buf, c->value) == 0 && na.uri.len < sizeof(sl->target)) {
		memcpy(sl->target, m->buf + na.uri.off, na.uri.len);
		sl->target[na.uri.len] = 0;
	}
	sl->route[0] = 0;
	int idx[16], nrr = 0;
	for (int i = sip_msg_find(m, SIP_HDR_RECORD_ROUTE, 0); i >= 0 && nrr < 16;
	     i = sip_msg_find(m, SIP_HDR_RECORD_ROUTE, i + 1))
		idx[nrr++] = i;
	size_t rl = 0;
	for (int k = nrr - 1; k >= 0; k--) {
		const struct sip_hdr *rr = &m->hdr[idx[k]];
		if (rl + rr->value.len + 2 >= sizeof(sl->route))
			break;
		if (rl)
			sl->route[rl++] = ',';
		memcpy(sl->route + rl, m->buf + rr->value.off, rr->value.len);
		rl += rr->value.len;
		sl->route[rl] = 0;
	}
	take_sdp(sl, m);
	sl->ack_ref = ack_2xx(lc, sl);
	send_ref(lc, sl->ack_ref);
	stop_ring_timer(lc, sl);
	sl->answered = 1;
	sl->answered_ns = dp_now_ns(lc, lc->now_tsc);
	dp_leg_set_state(lc, leg, VOX_LEG_ANSWERED);
	dp_leg_state_event(lc, leg, VOX_EVT_LEG_ANSWERED, 0);
	if (sl->srtp_offer && !sl->srtp) {
		/* we asked for SRTP and the answer did not accept our key: no clear media, hang up */
		lc->st->srtp_setup_fail++;
		dp_sip_leg_hangup(lc, leg, VOX_CAUSE_MEDIA, 0);
		return;
	}
	dp_srtp_leg_start(lc, leg);
}

/*
 * A 2xx for an INVITE whose leg is gone (our CANCEL crossed the callee's answer, or the leg
 * ended meanwhile): the dialog exists on the far side, so ACK it and hang it up at once. Built
 * from the stored INVITE and the response; t->user becomes DP_TXN_USER_DONE (never a valid handle) after the
 * first time so a retransmitted 2xx only gets the ACK again.
 */
#define DP_TXN_USER_DONE UINT64_MAX /* slot 0xffffff: beyond any table, so never a live handle */

static void orphan_2xx(struct dp_lcore *lc, struct txn *t, const struct sip_msg *r)
{
	struct dp_sip *s = lc->sip;
	if (t->msg_ref == TXN_NONE || !s->store[t->msg_ref])
		return;
	struct rte_mbuf *im = s->store[t->msg_ref];
	if (sip_msg_parse(&s->msg2, rte_pktmbuf_mtod(im, const char *), rte_pktmbuf_data_len(im)) < 0)
		return;
	const struct sip_msg *inv = &s->msg2;
	const struct sip_hdr *from = sip_msg_hdr(inv, SIP_HDR_FROM), *cid = sip_msg_hdr(inv, SIP_HDR_CALL_ID),
			     *to = sip_msg_hdr(r, SIP_HDR_TO), *ct = sip_msg_hdr(r, SIP_HDR_CONTACT),
			     *csh = sip_msg_hdr(inv, SIP_HDR_CSEQ);
	struct sip_cseq cs;
	struct sip_nameaddr na;
	if (!from || !cid || !to || !csh || sip_cseq_parse(&cs, inv->buf, csh->value) != 0)
		return;
	struct sip_str target = inv->ruri;
	if (ct && sip_nameaddr_parse(&na, r->buf, ct->value) == 0)
		target = na.uri;
	const char *tbuf = target.off == inv->ruri.off && target.len == inv->ruri.len ? inv->buf : r->buf;
	char ip[32], branch[40], out[2048];
	local_ip(lc, ip, sizeof(ip));
	const struct sip_addr *dst = &s->store_dst[t->msg_ref];
	for (int bye = 0; bye < 2; bye++) {
		if (bye && t->user == DP_TXN_USER_DONE)
			break; /* BYE already sent for this answer */
		dp_sip_mint(lc, branch, sizeof(branch), "z9hG4bKvx", 12, NULL);
		int n = snprintf(out, sizeof(out),
				 "%s %.*s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=%s;rport\r\nMax-Forwards: 70\r\n"
				 "From: %.*s\r\nTo: %.*s\r\nCall-ID: %.*s\r\nCSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
				 bye ? "BYE" : "ACK", target.len, tbuf + target.off, ip, lc->ctx->cfg.sip_port, branch,
				 from->value.len, inv->buf + from->value.off, to->value.len, r->buf + to->value.off,
				 cid->value.len, inv->buf + cid->value.off, bye ? cs.num + 1 : cs.num, bye ? "BYE" : "ACK");
		if (n <= 0 || (size_t)n >= sizeof(out))
			return;
		if (!bye) {
			dp_sip_send_raw(lc, out, (uint32_t)n, dst);
			continue;
		}
		uint32_t ref = dp_sip_store(lc, out, (uint32_t)n, dst);
		struct txn_key k = {.branch = branch, .branch_len = (uint32_t)strlen(branch), .method = SIP_M_BYE};
		if (ref != TXN_NONE && !txn_client_start(&s->txl, &k, TXN_UDP, 0, ref, 0))
			dp_sip_store_release(lc, ref);
	}
	t->user = DP_TXN_USER_DONE;
	lc->st->sip_orphan_2xx++;
}

void dp_sip_uac_response(struct dp_lcore *lc, struct txn *t, uint16_t status, const void *msg)
{
	const struct sip_msg *m = msg;
	struct dp_leg *leg = dp_sip_leg_of_txn(lc, t);
	if (leg)
		dp_sip_match(lc, leg, m, &dp_sip_leg(lc, leg)->peer);
	uint32_t idx = txn_index(&lc->sip->txl, t);
	if (lc->sip->txn_reqid[idx] && status >= 200) {
		send_request_result(lc, t, status, m);
		return;
	}
	if (t->kind != TXN_ICT)
		return; /* BYE, CANCEL: nothing more to do */
	struct dp_sipleg *sl = leg ? dp_sip_leg(lc, leg) : NULL;
	if (!leg || sl->inv_txn != txn_index(&lc->sip->txl, t)) {
		/* the leg is gone (cancelled, ended) but the callee answered: ACK and BYE it */
		if (status >= 200 && status < 300)
			orphan_2xx(lc, t, m);
		return;
	}
	if (status < 200) {
		if (status > 100 && !sl->answered && !sl->cancelled) {
			take_to_tag(sl, m);
			/* early media (RFC 3960): a 1xx with an SDP answer; clear RTP only (an SRTP
			   offer's key is taken from the 2xx) */
			if (!sl->srtp_offer && take_sdp(sl, m))
				sl->early = 1;
			dp_leg_set_state(lc, leg, VOX_LEG_RINGING);
			sl->end_code = status;
			dp_leg_state_event(lc, leg, VOX_EVT_LEG_PROGRESS, status);
		}
		return;
	}
	if (status < 300) {
		if (sl->answered) {
			send_ref(lc, sl->ack_ref); /* a retransmitted 2xx: the same ACK again */
			return;
		}
		if (sl->cancelled) {
			/* answered across our CANCEL: take the dialog and hang it up at once */
			answered(lc, leg, m);
			return;
		}
		answered(lc, leg, m);
		return;
	}
	if ((status == 401 || status == 407) && !sl->auth_tried && sl->auth_user[0] && !sl->cancelled) {
		const struct sip_hdr *c = sip_msg_hdr(m, status == 401 ? SIP_HDR_WWW_AUTHENTICATE
								      : SIP_HDR_PROXY_AUTHENTICATE);
		char auth[1024];
		if (c && digest_line(lc, sl, status == 407, m->buf + c->value.off, c->value.len, auth,
				     sizeof(auth)) > 0) {
			sl->auth_tried = 1;
			/* the challenged transaction ACKs its 407 by itself; a new one carries the answer */
			if (send_invite(lc, leg, auth) == 0) {
				lc->st->sip_tx_req++;
				return;
			}
		}
	}
	if (!sl->cancelled)
		dp_sip_uac_fail(lc, leg, status);
}

uint32_t dp_sip_uac_build_ack(struct dp_lcore *lc, struct txn *t, const void *msg)
{
	/* ACK for a non-2xx final: same branch, Request-URI and CSeq number as the INVITE, To from
	 * the response (RFC 3261 §17.1.1.3); built from the stored INVITE so it needs no leg */
	struct dp_sip *s = lc->sip;
	const struct sip_msg *r = msg;
	if (t->msg_ref == TXN_NONE || !s->store[t->msg_ref])
		return TXN_NONE;
	struct rte_mbuf *im = s->store[t->msg_ref];
	if (sip_msg_parse(&s->msg2, rte_pktmbuf_mtod(im, const char *), rte_pktmbuf_data_len(im)) < 0)
		return TXN_NONE;
	const struct sip_msg *inv = &s->msg2;
	const struct sip_hdr *via = sip_msg_hdr(inv, SIP_HDR_VIA), *from = sip_msg_hdr(inv, SIP_HDR_FROM),
			     *cid = sip_msg_hdr(inv, SIP_HDR_CALL_ID), *to = sip_msg_hdr(r, SIP_HDR_TO);
	struct sip_cseq cs;
	const struct sip_hdr *csh = sip_msg_hdr(inv, SIP_HDR_CSEQ);
	if (!via || !from || !cid || !to || !csh || sip_cseq_parse(&cs, inv->buf, csh->value) != 0)
		return TXN_NONE;
	char *out = s->sdp; /* scratch: s->buf may hold the message being handled */
	int n = snprintf(out, sizeof(s->sdp),
			 "ACK %.*s SIP/2.0\r\nVia: %.*s\r\nMax-Forwards: 70\r\nFrom: %.*s\r\nTo: %.*s\r\n"
			 "Call-ID: %.*s\r\nCSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
			 inv->ruri.len, inv->buf + inv->ruri.off, via->value.len, inv->buf + via->value.off,
			 from->value.len, inv->buf + from->value.off, to->value.len, r->buf + to->value.off,
			 cid->value.len, inv->buf + cid->value.off, cs.num);
	if (n <= 0 || (size_t)n >= sizeof(s->sdp))
		return TXN_NONE;
	return dp_sip_store(lc, out, (uint32_t)n, &s->store_dst[t->msg_ref]);
}
