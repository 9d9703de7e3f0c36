/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_sip_uas.c — SIP legs: inbound calls (UAS), dialogs, in-dialog requests, CANCEL, and the
 * commands control decides them with. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dp_media.h"
#include "vox_base64.h"
#include "vox_rec.h"

/*
 * An inbound INVITE becomes a leg in state OFFERED: 100 Trying goes out at once, control gets
 * LEG_OFFERED (the raw INVITE with an offset table) and has decide_timeout_ms to RING, ANSWER
 * or REJECT; past that the leg ends with 503 and cause CONTROL_LOST. The initial INVITE's mbuf
 * is kept until our final answer (responses are built from it). The dialog is found again by
 * (Call-ID, our tag). In-dialog requests that need no decision (BYE, re-INVITE, UPDATE,
 * OPTIONS, INFO dtmf-relay) are answered here; others go to control as EVT_SIP_REQUEST and are
 * answered by CMD_RESPOND. Outbound legs (DIAL) live in dp_sip_uac.c.
 */

struct dp_sipleg *dp_sip_leg(struct dp_lcore *lc, const struct dp_leg *leg)
{
	return &lc->sip->legs[leg - lc->legs];
}

struct dp_leg *dp_sip_leg_of_txn(struct dp_lcore *lc, const struct txn *t)
{
	return t->user ? dp_leg_lookup(lc, (vox_handle_t)t->user) : NULL;
}

static struct txn *txn_at(struct dp_lcore *lc, uint32_t idx)
{
	return idx == TXN_NONE ? NULL : &lc->sip->txl.pool[idx];
}

/* ---- dialogs: (Call-ID, our tag) -> slot --------------------------------------------------- */

static uint32_t dlg_hash(const char *cid, size_t cl, const char *tag, size_t tl)
{
	return rte_hash_crc(tag, (uint32_t)tl, rte_hash_crc(cid, (uint32_t)cl, 0xd1a1));
}

/* The two slot indexes share one chained-hash implementation: `off` picks the link. */
static struct dp_slot_link *slot_link(struct dp_sip *s, uint32_t slot, size_t off)
{
	return (struct dp_slot_link *)((char *)&s->legs[slot] + off);
}

static void idx_insert(struct dp_sip *s, uint32_t *buckets, size_t off, uint32_t slot, uint32_t hash)
{
	struct dp_slot_link *l = slot_link(s, slot, off);
	l->hash = hash;
	l->next = buckets[hash & s->dlg_mask];
	buckets[hash & s->dlg_mask] = slot;
	l->in = 1;
}

static void idx_remove(struct dp_sip *s, uint32_t *buckets, size_t off, uint32_t slot)
{
	struct dp_slot_link *l = slot_link(s, slot, off);
	if (!l->in)
		return;
	uint32_t *p = &buckets[l->hash & s->dlg_mask];
	while (*p != UINT32_MAX && *p != slot)
		p = &slot_link(s, *p, off)->next;
	if (*p == slot)
		*p = l->next;
	l->in = 0;
}

void dp_sip_dlg_insert(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_sipleg *sl = &lc->sip->legs[slot];
	idx_insert(lc->sip, lc->sip->dlg_buckets, offsetof(struct dp_sipleg, dlg), slot,
		   dlg_hash(sl->call_id, strlen(sl->call_id), sl->local_tag, strlen(sl->local_tag)));
}

static void dlg_remove(struct dp_lcore *lc, uint32_t slot)
{
	idx_remove(lc->sip, lc->sip->dlg_buckets, offsetof(struct dp_sipleg, dlg), slot);
}

static struct dp_leg *dlg_find(struct dp_lcore *lc, const char *cid, size_t cl, const char *tag, size_t tl)
{
	struct dp_sip *s = lc->sip;
	uint32_t h = dlg_hash(cid, cl, tag, tl);
	for (uint32_t i = s->dlg_buckets[h & s->dlg_mask]; i != UINT32_MAX; i = s->legs[i].dlg.next) {
		struct dp_sipleg *sl = &s->legs[i];
		if (sl->dlg.hash == h && strlen(sl->call_id) == cl && memcmp(sl->call_id, cid, cl) == 0 &&
		    strlen(sl->local_tag) == tl && memcmp(sl->local_tag, tag, tl) == 0) {
			struct dp_leg *leg = &lc->legs[i];
			return leg->state == VOX_LEG_FREE || leg->free_after_emit ? NULL : leg;
		}
	}
	return NULL;
}

/* ---- merged requests (RFC 3261 §8.2.2.2): (Call-ID, From tag, CSeq) of unanswered INVITEs -- */

static uint32_t mrg_hash(const char *cid, size_t cl, const char *tag, size_t tl, uint32_t cseq)
{
	return rte_hash_crc_4byte(cseq, dlg_hash(cid, cl, tag, tl));
}

static void mrg_insert(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_sipleg *sl = &lc->sip->legs[slot];
	idx_insert(lc->sip, lc->sip->mrg_buckets, offsetof(struct dp_sipleg, mrg), slot,
		   mrg_hash(sl->call_id, strlen(sl->call_id), sl->remote_tag, strlen(sl->remote_tag),
			    sl->remote_cseq));
}

static void mrg_remove(struct dp_lcore *lc, uint32_t slot)
{
	idx_remove(lc->sip, lc->sip->mrg_buckets, offsetof(struct dp_sipleg, mrg), slot);
}

static bool mrg_exists(struct dp_lcore *lc, const char *cid, size_t cl, const char *tag, size_t tl, uint32_t cseq)
{
	struct dp_sip *s = lc->sip;
	uint32_t h = mrg_hash(cid, cl, tag, tl, cseq);
	for (uint32_t i = s->mrg_buckets[h & s->dlg_mask]; i != UINT32_MAX; i = s->legs[i].mrg.next) {
		struct dp_sipleg *sl = &s->legs[i];
		if (sl->mrg.hash == h && sl->remote_cseq == cseq && strlen(sl->call_id) == cl &&
		    memcmp(sl->call_id, cid, cl) == 0 && strlen(sl->remote_tag) == tl &&
		    memcmp(sl->remote_tag, tag, tl) == 0)
			return true;
	}
	return false;
}

void dp_sip_leg_release(struct dp_lcore *lc, uint32_t slot)
{
	if (!lc->sip)
		return;
	struct dp_sipleg *sl = &lc->sip->legs[slot];
	dlg_remove(lc, slot);
	mrg_remove(lc, slot);
	dp_play_leg_gone(lc, slot);
	dp_term_leg_gone(lc, slot);
	dp_srtp_leg_release(lc, slot);
	dp_bridge_leg_gone(lc, slot);
	if (sl->invite)
		rte_pktmbuf_free(sl->invite);
	sl->invite = NULL;
	/* transactions still running (BYE, the 2xx wait) find a stale handle and stop caring */
	sl->inv_txn = sl->reinv_txn = sl->bye_txn = TXN_NONE;
}

/* ---- building responses -------------------------------------------------------------------- */

/* Text of the top Via's sent-by, for the transaction key. */
static int via_key(const struct sip_msg *m, struct txn_key *k, char *sb, size_t cap)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_VIA);
	struct sip_via v;
	if (!h || sip_via_parse(&v, m->buf, h->value) != 0)
		return -EINVAL;
	int n = snprintf(sb, cap, "%.*s:%u", (int)v.host.len, m->buf + v.host.off, v.port ? v.port : 5060);
	if (n <= 0 || (size_t)n >= cap)
		return -EINVAL;
	k->branch = m->buf + v.branch.off;
	k->branch_len = v.branch.len;
	k->sent_by = sb;
	k->sent_by_len = (uint32_t)n;
	k->method = m->method;
	return 0;
}

/* Build a response to request `req` (from `src`) and send it through server transaction t. */
int dp_sip_respond(struct dp_lcore *lc, struct txn *t, const struct sip_msg *req, const struct sip_addr *src,
		   uint16_t code, const char *reason, const char *to_tag, const char *extra,
		   const char *body, size_t body_len)
{
	struct dp_sip *s = lc->sip;
	struct sip_addr dst;
	if (sip_response_dest(req, src, &dst) != 0) {
		vox_stats_drop(lc->st, VOX_DROP_sip_no_dest, 1);
		return -EHOSTUNREACH;
	}
	char tagbuf[DP_SIP_TAG_LEN + 2];
	if (!to_tag && code > 100) {
		/* every response but 100 carries a To-tag (RFC 3261 §8.2.6.2); requests that
		 * already have one keep theirs (the builder adds ours only when absent) */
		dp_sip_mint(lc, tagbuf, sizeof(tagbuf), DP_SIP_TAG_PFX, 8, NULL);
		to_tag = tagbuf;
	}
	struct sip_resp_opts o = {.to_tag = to_tag, .src = src, .extra = extra,
				  .content_type = body ? "application/sdp" : NULL, .body = body,
				  .body_len = body_len};
	int n = sip_build_response(s->buf, sizeof(s->buf), req, code, reason, &o);
	if (n <= 0) {
		vox_stats_drop(lc->st, VOX_DROP_tx_bad, 1);
		return -ENOSPC;
	}
	uint32_t ref = dp_sip_store(lc, s->buf, (uint32_t)n, &dst);
	if (ref == TXN_NONE)
		return -ENOBUFS;
	return txn_server_respond(&s->txl, t, code, ref);
}

/* A server transaction for req, answered at once (errors, OPTIONS, in-dialog requests). */
static void respond_new(struct dp_lcore *lc, const struct sip_msg *req, const struct sip_addr *src,
			uint16_t code, const char *reason, const char *to_tag, const char *extra,
			const char *body, size_t body_len)
{
	struct txn_key k;
	char sb[80];
	if (via_key(req, &k, sb, sizeof(sb)) != 0) {
		vox_stats_drop(lc->st, VOX_DROP_sip_parse, 1);
		return;
	}
	struct txn *t = txn_server_create(&lc->sip->txl, &k, TXN_UDP, 0, 0);
	if (!t) {
		/* no transaction to be had: answer anyway, the peer's retransmission gets another */
		vox_stats_drop(lc->st, VOX_DROP_sip_txn_full, 1);
		dp_sip_answer_stateless(lc, req, src, code, reason, extra);
		return;
	}
	lc->st->sip_txn_active = lc->sip->txl.active;
	dp_sip_respond(lc, t, req, src, code, reason, to_tag, extra, body, body_len);
}

/* Re-parse the stored initial INVITE of a leg into msg2. */
const struct sip_msg *dp_sip_stored_invite(struct dp_lcore *lc, struct dp_sipleg *sl)
{
	if (!sl->invite)
		return NULL;
	struct rte_mbuf *m = sl->invite;
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len;
	if (sip_msg_parse(&lc->sip->msg2, rte_pktmbuf_mtod_offset(m, const char *, hl),
			  rte_pktmbuf_data_len(m) - hl) < 0)
		return NULL;
	return &lc->sip->msg2;
}

/* ---- SDP ----------------------------------------------------------------------------------- */

/* Our SDES key for the leg: made once, kept across re-offers and re-answers (RFC 4568 lets a
 * key stay; re-keying would need new sessions mid-call for nothing). */
static int srtp_local_key(struct dp_sipleg *sl)
{
	uint8_t any = 0;
	for (size_t i = 0; i < sizeof(sl->srtp_local); i++)
		any |= sl->srtp_local[i];
	return any || RAND_bytes(sl->srtp_local, sizeof(sl->srtp_local)) == 1 ? 0 : -EIO;
}

int dp_sip_sdp_offer(struct dp_lcore *lc, struct dp_sipleg *sl, char *out, size_t cap)
{
	char ip[32], crypto[96] = "";
	struct sip_addr a = {.family = 4};
	memcpy(a.ip, &lc->net.ifc->ip, 4);
	sip_addr_fmt(&a, ip, sizeof(ip));
	if (sl->srtp_offer) {
		char key[41];
		if (srtp_local_key(sl) != 0)
			return -EIO;
		vox_b64_encode(sl->srtp_local, sizeof(sl->srtp_local), key);
		snprintf(crypto, sizeof(crypto), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n", key);
	}
	sl->sess_version++;
	return snprintf(out, cap,
			"v=0\r\no=voxplane %llu %llu IN IP4 %s\r\ns=voxplane\r\nc=IN IP4 %s\r\nt=0 0\r\n"
			"m=audio %u %s 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
			"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n%s",
			(unsigned long long)(lc->sip->seed & 0xffffffffffull), (unsigned long long)sl->sess_version,
			ip, ip, sl->rtp_port, sl->srtp_offer ? "RTP/SAVP" : "RTP/AVP", crypto);
}

/* Answer the offer in body; fills the leg's media state. Returns the length or -ENOMSG. */
int dp_sip_sdp_answer(struct dp_lcore *lc, struct dp_sipleg *sl, const char *body, size_t blen, char *out,
		      size_t cap)
{
	struct sip_sdp o;
	struct sip_sdp_answer a;
	if (sip_sdp_parse(&o, body, blen) != 0 || sip_sdp_negotiate(&o, body, &a) != 0)
		return -ENOMSG;
	sl->codec_pt = a.codec_pt;
	sl->dtmf_pt = a.dtmf_pt;
	sl->ptime = a.ptime;
	sl->media = o.conn;
	sl->hold = o.dir == SIP_SDP_SENDONLY || o.dir == SIP_SDP_INACTIVE;
	sl->srtp = a.secure;
	if (a.secure) {
		memcpy(sl->srtp_remote, o.crypto[a.crypto_index].key, sizeof(sl->srtp_remote));
		sl->srtp_suite = o.crypto[a.crypto_index].suite;
		if (srtp_local_key(sl) != 0)
			return -ENOMSG;
	}
	sl->sess_version++;
	struct sip_sdp_local l = {.sess_id = lc->sip->seed & 0xffffffffffull, .sess_version = sl->sess_version,
				  .user = "voxplane", .srtp_key = a.secure ? sl->srtp_local : NULL};
	l.addr.family = 4;
	memcpy(l.addr.ip, &lc->net.ifc->ip, 4);
	l.addr.port = sl->rtp_port;
	return sip_sdp_write(out, cap, &o, body, &a, &l);
}

const char *dp_sip_contact_hdr(struct dp_lcore *lc, char *buf, size_t cap)
{
	struct sip_addr a = {.family = 4};
	char ip[32];
	memcpy(a.ip, &lc->net.ifc->ip, 4);
	sip_addr_fmt(&a, ip, sizeof(ip));
	snprintf(buf, cap, "Contact: <sip:%s:%u>\r\nAllow: %s\r\nSupported: %s\r\n", ip,
		 lc->ctx->cfg.sip_port, sip_allow_value, sip_supported_value);
	return buf;
}

/* ---- state events: payloads built from leg state (so re-emission rebuilds them) ----------- */

static void set_field(struct vox_sip_in *in, int f, const struct sip_msg *m, struct sip_str s, uint32_t raw_len)
{
	if (s.len && s.off + s.len <= raw_len) {
		in->f[f].off = s.off;
		in->f[f].len = s.len;
	}
	(void)m;
}

static struct sip_str uri_user(const struct sip_msg *m, struct sip_str uri)
{
	struct sip_uri u;
	struct sip_str none = {0, 0};
	if (sip_uri_parse(&u, m->buf, uri) != 0)
		return none;
	return u.user;
}

/* vox_sip_in + raw message of m (from src) into buf; returns the payload length. */
uint32_t dp_sip_in_payload(struct dp_lcore *lc, const struct sip_msg *m, const struct sip_addr *src,
			       uint32_t txn_ref, char *buf, uint32_t cap)
{
	struct vox_sip_in *in = (struct vox_sip_in *)buf;
	memset(in, 0, sizeof(*in));
	in->src.family = VOX_AF_INET;
	in->src.port = src->port;
	memcpy(in->src.addr, src->ip, 4);
	in->dst.family = VOX_AF_INET;
	in->dst.port = (uint16_t)lc->ctx->cfg.sip_port;
	memcpy(in->dst.addr, &lc->net.ifc->ip, 4);
	in->method = m->is_request ? m->method : 0;
	in->status = m->is_request ? 0 : m->status;
	in->txn = txn_ref;
	uint32_t max = lc->ctx->cfg.max_sip_bytes;
	if (max > cap - sizeof(*in))
		max = cap - (uint32_t)sizeof(*in);
	uint32_t raw = m->len < max ? m->len : max;
	if (raw < m->len)
		in->flags |= VOX_SIPF_TRUNCATED;
	in->raw_len = raw;
	memcpy(buf + sizeof(*in), m->buf, raw);
	if (m->is_request) {
		set_field(in, VOX_SF_RURI, m, m->ruri, raw);
		set_field(in, VOX_SF_RURI_USER, m, uri_user(m, m->ruri), raw);
	}
	const struct sip_hdr *h;
	struct sip_nameaddr na;
	if ((h = sip_msg_hdr(m, SIP_HDR_FROM))) {
		set_field(in, VOX_SF_FROM, m, h->value, raw);
		if (sip_nameaddr_parse(&na, m->buf, h->value) == 0) {
			set_field(in, VOX_SF_FROM_USER, m, uri_user(m, na.uri), raw);
			set_field(in, VOX_SF_FROM_DISPLAY, m, na.display, raw);
		}
	}
	if ((h = sip_msg_hdr(m, SIP_HDR_TO))) {
		set_field(in, VOX_SF_TO, m, h->value, raw);
		if (sip_nameaddr_parse(&na, m->buf, h->value) == 0)
			set_field(in, VOX_SF_TO_USER, m, uri_user(m, na.uri), raw);
	}
	if ((h = sip_msg_hdr(m, SIP_HDR_CALL_ID)))
		set_field(in, VOX_SF_CALL_ID, m, h->value, raw);
	if ((h = sip_msg_hdr(m, SIP_HDR_CONTACT)))
		set_field(in, VOX_SF_CONTACT, m, h->value, raw);
	if ((h = sip_msg_hdr(m, SIP_HDR_P_ASSERTED_IDENTITY)))
		set_field(in, VOX_SF_PAI, m, h->value, raw);
	if ((h = sip_msg_hdr_named(m, "Diversion")))
		set_field(in, VOX_SF_DIVERSION, m, h->value, raw);
	if ((h = sip_msg_hdr(m, SIP_HDR_USER_AGENT)))
		set_field(in, VOX_SF_USER_AGENT, m, h->value, raw);
	if ((h = sip_msg_hdr(m, SIP_HDR_CONTENT_TYPE)))
		set_field(in, VOX_SF_CTYPE, m, h->value, raw);
	if (m->body.len) {
		set_field(in, VOX_SF_BODY, m, m->body, raw);
		in->flags |= VOX_SIPF_SDP;
	}
	return (uint32_t)sizeof(*in) + raw;
}

uint32_t dp_sip_evt_payload(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, const void **out)
{
	struct dp_sip *s = lc->sip;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	if (type == VOX_EVT_LEG_OFFERED) {
		const struct sip_msg *m = dp_sip_stored_invite(lc, sl);
		if (!m)
			return 0;
		*out = s->evtbuf;
		uint32_t n = dp_sip_in_payload(lc, m, &sl->src, 0, s->evtbuf, sizeof(s->evtbuf));
		struct vox_sip_in *in = (struct vox_sip_in *)s->evtbuf;
		if (sl->srtp)
			in->flags |= VOX_SIPF_SRTP;
		return n;
	}
	struct vox_leg_sip *p = (struct vox_leg_sip *)s->evtbuf;
	memset(p, 0, sizeof(*p));
	p->sip_code = type == VOX_EVT_LEG_ANSWERED ? 200 : sl->end_code;
	p->by = sl->end_by;
	p->early_media = type == VOX_EVT_LEG_PROGRESS && sl->early;
	p->answered_ns = sl->answered_ns;
	*out = p;
	return sizeof(*p);
}

/* ---- ending legs --------------------------------------------------------------------------- */

void dp_sip_end_leg(struct dp_lcore *lc, struct dp_leg *leg, int32_t cause, uint16_t code, uint8_t by)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	sl->end_code = code;
	sl->end_by = by;
	dlg_remove(lc, (uint32_t)(leg - lc->legs));
	dp_leg_end(lc, leg, cause);
}

int dp_sip_send_bye(struct dp_lcore *lc, struct dp_leg *leg)
{
	struct dp_sip *s = lc->sip;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	char branch[40], ip[32];
	struct sip_addr a = {.family = 4};
	memcpy(a.ip, &lc->net.ifc->ip, 4);
	sip_addr_fmt(&a, ip, sizeof(ip));
	dp_sip_mint(lc, branch, sizeof(branch), DP_SIP_BRANCH_PFX, 12, NULL);
	int n = snprintf(s->buf, sizeof(s->buf),
			 "BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=%s;rport\r\nMax-Forwards: 70\r\n"
			 "%s%s%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u BYE\r\nContent-Length: 0\r\n\r\n",
			 sl->target, ip, lc->ctx->cfg.sip_port, branch, sl->route[0] ? "Route: " : "",
			 sl->route, sl->route[0] ? "\r\n" : "", sl->local_hdr, sl->remote_hdr, sl->call_id,
			 ++sl->local_cseq);
	if (n <= 0 || (size_t)n >= sizeof(s->buf))
		return -ENOSPC;
	uint32_t ref = dp_sip_store(lc, s->buf, (uint32_t)n, &sl->peer);
	if (ref == TXN_NONE)
		return -ENOBUFS;
	struct txn_key k = {.branch = branch, .branch_len = (uint32_t)strlen(branch), .method = SIP_M_BYE};
	struct txn *t = txn_client_start(&s->txl, &k, TXN_UDP, 0, ref, dp_leg_handle(lc, leg));
	if (!t) {
		dp_sip_store_release(lc, ref);
		return -ENOBUFS;
	}
	sl->bye_txn = txn_index(&s->txl, t);
	lc->st->sip_txn_active = s->txl.active;
	return 0;
}

/* Final answer to the initial INVITE of an inbound leg. */
int dp_sip_answer_invite(struct dp_lcore *lc, struct dp_leg *leg, uint16_t code, const char *reason,
			 const char *extra, const char *body, size_t blen)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	struct txn *t = txn_at(lc, sl->inv_txn);
	const struct sip_msg *inv = dp_sip_stored_invite(lc, sl);
	if (!t || !inv)
		return -ENOENT;
	int rc = dp_sip_respond(lc, t, inv, &sl->src, code, reason, sl->local_tag, extra, body, blen);
	if (code >= 200) {
		sl->final_sent = 1;
		rte_pktmbuf_free(sl->invite);
		sl->invite = NULL;
		mrg_remove(lc, (uint32_t)(leg - lc->legs));
	}
	return rc;
}

/* ---- requests ------------------------------------------------------------------------------ */

static bool acl_allows(const struct vox_acl *acl, const struct sip_addr *src)
{
	if (acl->n == 0)
		return true;
	uint32_t ip;
	memcpy(&ip, src->ip, 4);
	ip = rte_be_to_cpu_32(ip);
	for (uint32_t i = 0; i < acl->n && i < VOX_ACL_MAX; i++) {
		uint32_t net;
		memcpy(&net, acl->e[i].net.addr, 4);
		net = rte_be_to_cpu_32(net);
		uint32_t mask = acl->e[i].prefix ? 0xffffffffu << (32 - acl->e[i].prefix) : 0;
		if ((ip & mask) == (net & mask))
			return true;
	}
	return false;
}

static void copy_hdr(char *dst, size_t cap, const struct sip_msg *m, enum sip_hdr_id id)
{
	const struct sip_hdr *h = sip_msg_hdr(m, id);
	if (!h || h->value.len >= cap) {
		dst[0] = 0;
		return;
	}
	memcpy(dst, m->buf + h->value.off, h->value.len);
	dst[h->value.len] = 0;
}

static int handle_invite(struct dp_lcore *lc, const struct sip_msg *msg, struct rte_mbuf *m,
			 const struct sip_addr *src)
{
	struct dp_sip *s = lc->sip;
	const struct dp_cfg *cfg = &lc->ctx->cfg;
	if (!acl_allows(&s->acl, src)) {
		lc->st->sip_acl_403++;
		respond_new(lc, msg, src, 403, "Forbidden", NULL, NULL, NULL, 0);
		return 0;
	}
	uint64_t mono = dp_mono_ns(lc, lc->now_tsc);
	bool busy = lc->n_free == 0 || !dp_ctl_alive(lc, mono, cfg->ctl_stale_ms) ||
		    vox_rec_ring_free(lc->evt) < cfg->evt_ring_slots / 4;
	if (busy) {
		lc->st->sip_busy_503++;
		respond_new(lc, msg, src, 503, "Service Unavailable", NULL, "Retry-After: 5\r\n", NULL, 0);
		return 0;
	}
	/* an offer we cannot answer is refused before control hears of it */
	if (msg->body.len) {
		struct sip_sdp o;
		struct sip_sdp_answer a;
		if (sip_sdp_parse(&o, msg->buf + msg->body.off, msg->body.len) != 0 ||
		    sip_sdp_negotiate(&o, msg->buf + msg->body.off, &a) != 0) {
			respond_new(lc, msg, src, 488, "Not Acceptable Here", NULL, NULL, NULL, 0);
			return 0;
		}
	}
	struct txn_key k;
	char sb[80];
	if (via_key(msg, &k, sb, sizeof(sb)) != 0)
		return 0;
	struct txn *t = txn_server_create(&s->txl, &k, TXN_UDP, 0, 0);
	if (!t) {
		lc->st->sip_busy_503++;
		dp_sip_answer_stateless(lc, msg, src, 503, "Service Unavailable", "Retry-After: 5\r\n");
		return 0;
	}
	struct dp_leg *leg = dp_leg_alloc(lc, VOX_LEG_KIND_SIP_IN, 0, NULL, 0, dp_now_ns(lc, lc->now_tsc));
	uint32_t slot = leg ? (uint32_t)(leg - lc->legs) : 0;
	uint32_t port = dp_rtp_port(cfg->rtp_port_min, slot, lc->widx, lc->n_workers);
	if (!leg || port + 1 > cfg->rtp_port_max) {
		lc->st->sip_busy_503++;
		dp_sip_respond(lc, t, msg, src, 503, "Service Unavailable", NULL, "Retry-After: 5\r\n", NULL, 0);
		if (leg)
			dp_leg_end(lc, leg, VOX_CAUSE_NO_RESOURCES);
		return 0;
	}
	struct dp_sipleg *sl = &s->legs[slot];
	memset(sl, 0, offsetof(struct dp_sipleg, local_tag));
	dp_rtp_leg_reset(lc, slot);
	sl->uas = 1;
	sl->rtp_port = (uint16_t)port;
	sl->src = *src;
	sl->peer = *src; /* symmetric signalling: in-dialog requests go where the INVITE came from */
	sl->inv_txn = txn_index(&s->txl, t);
	sl->reinv_txn = sl->bye_txn = TXN_NONE;
	sl->late_offer = msg->body.len == 0;
	sl->local_cseq = 0;
	dp_sip_mint(lc, sl->local_tag, sizeof(sl->local_tag), DP_SIP_TAG_PFX, 8, NULL);
	copy_hdr(sl->call_id, sizeof(sl->call_id), msg, SIP_HDR_CALL_ID);
	copy_hdr(sl->remote_hdr, sizeof(sl->remote_hdr), msg, SIP_HDR_FROM);
	char to[DP_SIP_STR];
	copy_hdr(to, sizeof(to) - 24, msg, SIP_HDR_TO);
	snprintf(sl->local_hdr, sizeof(sl->local_hdr), "%s;tag=%s", to, sl->local_tag);
	/* remote target: the Contact URI, else the From URI */
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	if (!h)
		h = sip_msg_hdr(msg, SIP_HDR_FROM);
	struct sip_nameaddr na;
	sl->target[0] = 0;
	if (h && sip_nameaddr_parse(&na, msg->buf, h->value) == 0 && na.uri.len < sizeof(sl->target)) {
		memcpy(sl->target, msg->buf + na.uri.off, na.uri.len);
		sl->target[na.uri.len] = 0;
	}
	/* route set: Record-Route entries in order (we are the UAS) */
	sl->route[0] = 0;
	size_t rl = 0;
	for (int i = sip_msg_find(msg, SIP_HDR_RECORD_ROUTE, 0); i >= 0; i = sip_msg_find(msg, SIP_HDR_RECORD_ROUTE, i + 1)) {
		const struct sip_hdr *rr = &msg->hdr[i];
		if (rl + rr->value.len + 2 >= sizeof(sl->route))
			break;
		if (rl)
			sl->route[rl++] = ',';
		memcpy(sl->route + rl, msg->buf + rr->value.off, rr->value.len);
		rl += rr->value.len;
		sl->route[rl] = 0;
	}
	const struct sip_hdr *cs = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct sip_cseq c;
	if (cs && sip_cseq_parse(&c, msg->buf, cs->value) == 0)
		sl->remote_cseq = c.num;
	int mf = sip_max_forwards(msg);
	sl->max_fwd = mf < 0 ? 70 : (uint8_t)mf;
	sl->remote_tag[0] = 0;
	const struct sip_hdr *fh = sip_msg_hdr(msg, SIP_HDR_FROM);
	if (fh && sip_nameaddr_parse(&na, msg->buf, fh->value) == 0 && na.tag.len < sizeof(sl->remote_tag)) {
		memcpy(sl->remote_tag, msg->buf + na.tag.off, na.tag.len);
		sl->remote_tag[na.tag.len] = 0;
	}
	if (msg->body.len) {
		struct sip_sdp o;
		if (sip_sdp_parse(&o, msg->buf + msg->body.off, msg->body.len) == 0) {
			sl->media = o.conn;
			sl->srtp = o.secure;
			sl->have_offer = 1;
		}
	}
	sl->invite = m;
	t->user = dp_leg_handle(lc, leg);
	dp_sip_dlg_insert(lc, slot);
	mrg_insert(lc, slot);
	lc->st->sip_txn_active = s->txl.active;
	dp_sip_respond(lc, t, msg, src, 100, "Trying", NULL, NULL, NULL, 0);
	dp_leg_set_state(lc, leg, VOX_LEG_OFFERED);
	tw_add(&lc->tw, dp_now_ns(lc, lc->now_tsc) / 1000000u + cfg->decide_timeout_ms, DP_TIMER_SIP_DECIDE,
	       dp_leg_handle(lc, leg));
	lc->st->sip_offered++;
	dp_leg_state_event(lc, leg, VOX_EVT_LEG_OFFERED, 0);
	return 1;
}

static void handle_cancel(struct dp_lcore *lc, const struct sip_msg *msg, const struct sip_addr *src)
{
	struct txn_key k;
	char sb[80];
	if (via_key(msg, &k, sb, sizeof(sb)) != 0)
		return;
	struct txn *inv = txn_server_find_invite(&lc->sip->txl, &k);
	if (!inv) {
		respond_new(lc, msg, src, 481, "Call/Transaction Does Not Exist", NULL, NULL, NULL, 0);
		return;
	}
	respond_new(lc, msg, src, 200, "OK", NULL, NULL, NULL, 0);
	struct dp_leg *leg = dp_sip_leg_of_txn(lc, inv);
	if (!leg || inv->state != TXN_S_PROCEEDING)
		return; /* already answered: the CANCEL has no effect (RFC 3261 §9.2) */
	dp_sip_answer_invite(lc, leg, 487, "Request Terminated", NULL, NULL, 0);
	dp_sip_end_leg(lc, leg, VOX_CAUSE_REMOTE, 487, VOX_BY_REMOTE);
}

static void dialog_ack(struct dp_lcore *lc, const struct sip_msg *msg, struct dp_leg *leg)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	struct txn *t = txn_at(lc, sl->reinv_txn);
	if (t) {
		txn_server_ack_2xx(&lc->sip->txl, t);
		sl->reinv_txn = TXN_NONE;
	}
	t = txn_at(lc, sl->inv_txn);
	if (t)
		txn_server_ack_2xx(&lc->sip->txl, t);
	if (msg->body.len) { /* the answer to the offer in our 2xx (late offer) */
		struct sip_sdp a;
		if (sip_sdp_parse(&a, msg->buf + msg->body.off, msg->body.len) == 0) {
			sl->media = a.conn;
			sl->hold = a.dir == SIP_SDP_SENDONLY || a.dir == SIP_SDP_INACTIVE;
		}
	}
}

static int in_dialog(struct dp_lcore *lc, const struct sip_msg *msg, const struct sip_addr *src,
		     struct dp_leg *leg)
{
	struct dp_sip *s = lc->sip;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	const struct sip_hdr *cs = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct sip_cseq c;
	if (cs && sip_cseq_parse(&c, msg->buf, cs->value) == 0) {
		if (sl->remote_cseq && c.num < sl->remote_cseq) {
			respond_new(lc, msg, src, 500, "CSeq Out Of Order", NULL, NULL, NULL, 0);
			return 0;
		}
		sl->remote_cseq = c.num;
	}
	char extra[256];
	switch (msg->method) {
	case SIP_M_BYE:
		respond_new(lc, msg, src, 200, "OK", NULL, NULL, NULL, 0);
		if (sl->uas && !sl->final_sent)
			dp_sip_answer_invite(lc, leg, 487, "Request Terminated", NULL, NULL, 0);
		dp_sip_end_leg(lc, leg, VOX_CAUSE_REMOTE, 0, VOX_BY_REMOTE);
		return 0;
	case SIP_M_INVITE:
	case SIP_M_UPDATE: {
		if (msg->method == SIP_M_INVITE && sl->reinv_txn != TXN_NONE) {
			respond_new(lc, msg, src, 491, "Request Pending", NULL, NULL, NULL, 0);
			return 0;
		}
		int n;
		if (msg->body.len)
			n = dp_sip_sdp_answer(lc, sl, msg->buf + msg->body.off, msg->body.len, s->sdp, sizeof(s->sdp));
		else
			n = msg->method == SIP_M_INVITE ? dp_sip_sdp_offer(lc, sl, s->sdp, sizeof(s->sdp)) : 0;
		if (n < 0) {
			respond_new(lc, msg, src, 488, "Not Acceptable Here", NULL, NULL, NULL, 0);
			return 0;
		}
		struct txn_key k;
		char sb[80];
		if (via_key(msg, &k, sb, sizeof(sb)) != 0)
			return 0;
		struct txn *t = txn_server_create(&s->txl, &k, TXN_UDP, 0, dp_leg_handle(lc, leg));
		if (!t) {
			vox_stats_drop(lc->st, VOX_DROP_sip_txn_full, 1);
			return 0;
		}
		if (msg->method == SIP_M_INVITE)
			sl->reinv_txn = txn_index(&s->txl, t);
		dp_sip_respond(lc, t, msg, src, 200, "OK", NULL, dp_sip_contact_hdr(lc, extra, sizeof(extra)),
			n > 0 ? s->sdp : NULL, n > 0 ? (size_t)n : 0);
		if (sl->answered && sl->srtp && msg->body.len)
			dp_srtp_leg_start(lc, leg); /* the offer may carry a new key */
		return 0;
	}
	case SIP_M_OPTIONS:
		respond_new(lc, msg, src, 200, "OK", NULL, dp_sip_contact_hdr(lc, extra, sizeof(extra)), NULL, 0);
		return 0;
	case SIP_M_INFO: {
		/* application/dtmf-relay: Signal=5 / Duration=160 */
		const struct sip_hdr *ct = sip_msg_hdr(msg, SIP_HDR_CONTENT_TYPE);
		if (ct && msg->body.len && sip_str_ieq(msg->buf, ct->value, "application/dtmf-relay")) {
			const char *b = msg->buf + msg->body.off, *e = b + msg->body.len;
			int digit = 0;
			uint32_t dur = 0;
			for (const char *p = b; p < e; p++) {
				if (e - p > 7 && strncasecmp(p, "Signal=", 7) == 0) {
					p += 7;
					while (p < e && *p == ' ')
						p++;
					if (p < e)
						digit = *p;
				} else if (e - p > 9 && strncasecmp(p, "Duration=", 9) == 0) {
					for (p += 9; p < e && *p == ' '; p++)
						;
					for (; p < e && *p >= '0' && *p <= '9'; p++)
						dur = dur * 10 + (uint32_t)(*p - '0');
				}
			}
			if (digit) {
				struct vox_rec_hdr h;
				memset(&h, 0, sizeof(h));
				h.type = VOX_EVT_DTMF_INFO;
				h.leg = dp_leg_handle(lc, leg);
				h.status = digit;
				memcpy(h.tag, leg->tag, sizeof(h.tag));
				dp_ctl_emit(lc, &h, &dur, sizeof(dur));
			}
		}
		respond_new(lc, msg, src, 200, "OK", NULL, NULL, NULL, 0);
		return 0;
	}
	default:
		break;
	}
	/* NOTIFY, MESSAGE, REFER, ...: control decides */
	return -EAGAIN;
}

/* Hand a request to control (EVT_SIP_REQUEST); it answers with CMD_RESPOND. */
static int to_control(struct dp_lcore *lc, const struct sip_msg *msg, struct rte_mbuf *m,
		      const struct sip_addr *src, struct dp_leg *leg)
{
	struct dp_sip *s = lc->sip;
	struct txn_key k;
	char sb[80];
	if (via_key(msg, &k, sb, sizeof(sb)) != 0)
		return 0;
	struct txn *t = txn_server_create(&s->txl, &k, TXN_UDP, 0, 0);
	if (!t) {
		vox_stats_drop(lc->st, VOX_DROP_sip_txn_full, 1);
		dp_sip_answer_stateless(lc, msg, src, 503, "Service Unavailable", "Retry-After: 5\r\n");
		return 0;
	}
	uint32_t idx = txn_index(&s->txl, t);
	uint32_t cookie = (uint32_t)(++s->id_counter & 0xffff) | 1;
	t->user = ((uint64_t)cookie << 48) | 1; /* not a leg handle: lookups fail, as they should */
	uint32_t ref = (cookie << 16) | idx;
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = VOX_EVT_SIP_REQUEST;
	h.leg = leg ? dp_leg_handle(lc, leg) : 0;
	if (leg)
		memcpy(h.tag, leg->tag, sizeof(h.tag));
	uint32_t n = dp_sip_in_payload(lc, msg, src, ref, s->evtbuf, sizeof(s->evtbuf));
	if (dp_ctl_emit(lc, &h, s->evtbuf, n) != 0) {
		dp_sip_respond(lc, t, msg, src, 503, "Service Unavailable", NULL, "Retry-After: 5\r\n", NULL, 0);
		return 0;
	}
	/* keep the request to answer it later */
	s->txn_req[idx] = m;
	s->txn_src[idx] = *src;
	lc->st->sip_txn_active = s->txl.active;
	return 1;
}

int dp_sip_request_in(struct dp_lcore *lc, const struct sip_msg *msg, struct rte_mbuf *m,
		      const struct sip_addr *src)
{
	struct dp_sip *s = lc->sip;
	struct txn_key k;
	char sb[80];
	if (via_key(msg, &k, sb, sizeof(sb)) != 0) {
		vox_stats_drop(lc->st, VOX_DROP_sip_parse, 1);
		return 0;
	}
	int absorbed = 0;
	struct txn *t = txn_server_match(&s->txl, &k, &absorbed);
	if (absorbed) {
		lc->st->sip_absorbed++;
		return 0;
	}
	(void)t;
	if (msg->method == SIP_M_CANCEL) {
		handle_cancel(lc, msg, src);
		return 0;
	}
	/* in a dialog of ours? (the To-tag is ours) */
	const struct sip_hdr *to = sip_msg_hdr(msg, SIP_HDR_TO);
	struct sip_nameaddr na;
	const struct sip_hdr *cid = sip_msg_hdr(msg, SIP_HDR_CALL_ID);
	if (to && cid && sip_nameaddr_parse(&na, msg->buf, to->value) == 0 && na.tag.len) {
		struct dp_leg *leg = dlg_find(lc, msg->buf + cid->value.off, cid->value.len,
					      msg->buf + na.tag.off, na.tag.len);
		if (msg->method == SIP_M_ACK) {
			if (leg)
				dialog_ack(lc, msg, leg);
			return 0; /* an ACK is never answered */
		}
		if (!leg) {
			respond_new(lc, msg, src, 481, "Call/Transaction Does Not Exist", NULL, NULL, NULL, 0);
			return 0;
		}
		dp_sip_match(lc, leg, msg, src);
		int rc = in_dialog(lc, msg, src, leg);
		return rc == -EAGAIN ? to_control(lc, msg, m, src, leg) : rc;
	}
	char extra[256];
	switch (msg->method) {
	case SIP_M_ACK:
		return 0; /* stray ACK */
	case SIP_M_INVITE: {
		/* same (Call-ID, From tag, CSeq) as an INVITE in progress, other branch: a request
		 * that forked and came back merged (RFC 3261 §8.2.2.2) */
		const struct sip_hdr *fh = sip_msg_hdr(msg, SIP_HDR_FROM), *csh = sip_msg_hdr(msg, SIP_HDR_CSEQ);
		struct sip_nameaddr fa;
		struct sip_cseq cs;
		if (fh && csh && cid && sip_nameaddr_parse(&fa, msg->buf, fh->value) == 0 && fa.tag.len &&
		    sip_cseq_parse(&cs, msg->buf, csh->value) == 0 &&
		    mrg_exists(lc, msg->buf + cid->value.off, cid->value.len, msg->buf + fa.tag.off, fa.tag.len,
			       cs.num)) {
			respond_new(lc, msg, src, 482, "Loop Detected", NULL, NULL, NULL, 0);
			return 0;
		}
		return handle_invite(lc, msg, m, src);
	}
	case SIP_M_BYE:
		respond_new(lc, msg, src, 481, "Call/Transaction Does Not Exist", NULL, NULL, NULL, 0);
		return 0;
	case SIP_M_OPTIONS: {
		struct sip_uri u;
		if (sip_uri_parse(&u, msg->buf, msg->ruri) == 0 && u.user.len == 0) {
			/* to the platform itself */
			snprintf(extra, sizeof(extra), "Allow: %s\r\nAccept: %s\r\nSupported: %s\r\n",
				 sip_allow_value, sip_accept_value, sip_supported_value);
			respond_new(lc, msg, src, 200, "OK", NULL, extra, NULL, 0);
			return 0;
		}
		return to_control(lc, msg, m, src, NULL);
	}
	default:
		return to_control(lc, msg, m, src, NULL);
	}
}

/* ---- transaction callbacks ----------------------------------------------------------------- */

void dp_sip_uas_txn_ended(struct dp_lcore *lc, struct txn *t)
{
	struct dp_sip *s = lc->sip;
	uint32_t idx = txn_index(&s->txl, t);
	if (s->txn_req[idx]) {
		rte_pktmbuf_free(s->txn_req[idx]);
		s->txn_req[idx] = NULL;
	}
	s->txn_reqid[idx] = 0;
	struct dp_leg *leg = dp_sip_leg_of_txn(lc, t);
	if (!leg)
		return;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	if (sl->inv_txn == idx)
		sl->inv_txn = TXN_NONE;
	if (sl->reinv_txn == idx)
		sl->reinv_txn = TXN_NONE;
	if (sl->bye_txn == idx)
		sl->bye_txn = TXN_NONE;
}

void dp_sip_txn_timeout(struct dp_lcore *lc, struct txn *t, enum txn_timeout which)
{
	if (which == TXN_TO_F)
		dp_sip_uac_request_timeout(lc, t); /* a SEND_REQUEST nobody answered */
	struct dp_leg *leg = dp_sip_leg_of_txn(lc, t);
	if (!leg)
		return;
	if (which == TXN_TO_B && dp_sip_leg(lc, leg)->inv_txn == txn_index(&lc->sip->txl, t)) {
		dp_sip_uac_fail(lc, leg, 408); /* nobody answered our INVITE at all */
		return;
	}
	if (which == TXN_TO_L_NO_ACK && t->kind == TXN_IST) {
		/* our 200 was never acknowledged: the call is dead (RFC 3261 §13.3.1.4) */
		dp_sip_send_bye(lc, leg);
		dp_sip_end_leg(lc, leg, VOX_CAUSE_REMOTE, 408, VOX_BY_REMOTE);
	}
}

/* ---- timers -------------------------------------------------------------------------------- */

void dp_sip_timer(struct dp_lcore *lc, uint32_t kind, uint64_t arg)
{
	if (kind >= DP_TIMER_TXN_BASE && kind < DP_TIMER_TXN_BASE + TXN_TIMER_KINDS) {
		txn_timer_fire(&lc->sip->txl, kind, arg);
		lc->st->sip_txn_active = lc->sip->txl.active;
		return;
	}
	if (kind == DP_TIMER_SIP_RING) {
		struct dp_leg *leg = dp_leg_lookup(lc, (vox_handle_t)arg);
		if (leg && leg->kind == VOX_LEG_KIND_SIP_OUT) {
			dp_sip_leg(lc, leg)->ring_tw = 0;
			dp_sip_uac_cancel(lc, leg, 408);
		}
		return;
	}
	if (kind == DP_TIMER_SIP_DECIDE) {
		struct dp_leg *leg = dp_leg_lookup(lc, (vox_handle_t)arg);
		if (!leg || leg->kind != VOX_LEG_KIND_SIP_IN || dp_sip_leg(lc, leg)->final_sent)
			return;
		/* control never decided: refuse the call, end the leg with a cause it can log */
		lc->st->sip_decide_timeouts++;
		dp_sip_answer_invite(lc, leg, 503, "Service Unavailable", "Retry-After: 5\r\n", NULL, 0);
		dp_sip_end_leg(lc, leg, VOX_CAUSE_CONTROL_LOST, 503, VOX_BY_LOCAL);
	}
}

