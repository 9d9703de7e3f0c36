/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_sip.c — SIP service: ownership routing, validation and stateless answers, the message store,
 * the transaction layer's wiring, and request dispatch to the UAS legs (dp_sip_uas.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dp_media.h"

/* ---- identifiers carrying the owner ---------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "NNLL" at p: node and worker, or -1. */
static int owner_code(const char *p, uint32_t node, uint16_t n_workers)
{
	int a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]), d = hexval(p[3]);
	if (a < 0 || b < 0 || c < 0 || d < 0)
		return -1;
	uint32_t nd = (uint32_t)(a * 16 + b), w = (uint32_t)(c * 16 + d);
	if (nd != node || w >= n_workers)
		return -1;
	return (int)w;
}

int dp_sip_id_owner(const char *p, uint32_t len, const char *prefix, uint32_t node, uint16_t nw)
{
	size_t pl = strlen(prefix);
	if (len < pl + 4 || memcmp(p, prefix, pl) != 0)
		return -1;
	return owner_code(p + pl, node, nw);
}

void dp_sip_mint(struct dp_lcore *lc, char *out, size_t cap, const char *prefix, int hexdigits,
		 const char *suffix)
{
	struct dp_sip *s = lc->sip;
	uint64_t x = ++s->id_counter;
	/* mix the counter with the boot seed so identifiers differ across restarts */
	x = (x * 0x9e3779b97f4a7c15ull) ^ s->seed;
	x ^= x >> 29;
	snprintf(out, cap, "%s%02x%02x%0*llx%s", prefix, lc->node_id & 0xff, lc->widx & 0xff, hexdigits,
		 (unsigned long long)(x & (hexdigits >= 16 ? ~0ull : ((1ull << (4 * hexdigits)) - 1))),
		 suffix ? suffix : "");
}

/* ---- ownership --------------------------------------------------------------------------- */

uint16_t dp_sip_owner(const struct dp_lcore *lc, const char *p, uint32_t len)
{
	struct dp_sip *s = lc->sip;
	struct sip_msg *m = &s->msg;
	int rc = sip_msg_parse(m, p, len);
	/* the owner check keeps its parse for dp_sip_input when the datagram stays here */
	s->parsed_buf = p;
	s->parsed_rc = rc;
	uint16_t w16 = dp_sip_route(lc, m, p);
	if (w16 != lc->widx)
		s->parsed_buf = NULL;
	return w16;
}

uint16_t dp_sip_route(const struct dp_lcore *lc, const struct sip_msg *m, const char *p)
{
	if (m->nhdr == 0)
		return lc->widx; /* garbage: answered or dropped here */
	const struct sip_hdr *h;
	int w;
	if (!m->is_request) {
		struct sip_via v;
		h = sip_msg_hdr(m, SIP_HDR_VIA);
		if (h && sip_via_parse(&v, p, h->value) == 0 && v.branch.len &&
		    (w = dp_sip_id_owner(p + v.branch.off, v.branch.len, DP_SIP_BRANCH_PFX, lc->node_id,
					 lc->n_workers)) >= 0)
			return (uint16_t)w;
		return lc->widx;
	}
	h = sip_msg_hdr(m, SIP_HDR_TO);
	if (h) {
		struct sip_nameaddr na;
		if (sip_nameaddr_parse(&na, p, h->value) == 0 && na.tag.len &&
		    (w = dp_sip_id_owner(p + na.tag.off, na.tag.len, DP_SIP_TAG_PFX, lc->node_id,
					 lc->n_workers)) >= 0)
			return (uint16_t)w;
	}
	h = sip_msg_hdr(m, SIP_HDR_CALL_ID);
	if (!h)
		return lc->widx;
	if ((w = dp_sip_id_owner(p + h->value.off, h->value.len, DP_SIP_CALLID_PFX, lc->node_id,
				 lc->n_workers)) >= 0)
		return (uint16_t)w;
	return (uint16_t)(rte_hash_crc(p + h->value.off, h->value.len, 0x5eed) % lc->n_workers);
}

/* ---- message store (retransmissions) ------------------------------------------------------ */

/* Keep a copy of payload for retransmission to dst. Returns the ref or TXN_NONE. */
uint32_t dp_sip_store(struct dp_lcore *lc, const char *payload, uint32_t len, const struct sip_addr *dst)
{
	struct dp_sip *s = lc->sip;
	if (!s->store_n_free) {
		vox_stats_drop(lc->st, VOX_DROP_sip_txn_full, 1);
		return TXN_NONE;
	}
	struct rte_mempool *mp = len > 1800 ? lc->ctx->big_pool : lc->ctx->store_pool;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	if (!m) {
		vox_stats_drop(lc->st, VOX_DROP_sip_txn_full, 1);
		return TXN_NONE;
	}
	char *p = rte_pktmbuf_append(m, (uint16_t)len);
	if (!p) {
		rte_pktmbuf_free(m);
		vox_stats_drop(lc->st, VOX_DROP_tx_bad, 1);
		return TXN_NONE;
	}
	memcpy(p, payload, len);
	m->hash.usr = 0; /* "sent once" mark for op_send: not reset by rte_pktmbuf_alloc */
	uint32_t ref = s->store_free[--s->store_n_free];
	s->store[ref] = m;
	memcpy(&s->store_dst[ref], dst, sizeof(*dst));
	return ref;
}

void dp_sip_store_release(struct dp_lcore *lc, uint32_t ref)
{
	struct dp_sip *s = lc->sip;
	if (ref >= s->store_cap || !s->store[ref])
		return;
	rte_pktmbuf_free(s->store[ref]);
	s->store[ref] = NULL;
	s->store_free[s->store_n_free++] = ref;
}

/* Put payload on the wire to dst (a fresh mbuf; the store keeps its own copy). */
int dp_sip_send_raw(struct dp_lcore *lc, const char *payload, uint32_t len, const struct sip_addr *dst)
{
	if (dst->family != 4) {
		vox_stats_drop(lc->st, VOX_DROP_sip_no_dest, 1);
		return -EAFNOSUPPORT; /* IPv6 transport: the addresses carry it, the stack not yet */
	}
	struct rte_mempool *mp = len > 1800 ? lc->ctx->big_pool : lc->ctx->pool;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	if (!m) {
		vox_stats_drop(lc->st, VOX_DROP_no_mbuf, 1);
		return -ENOBUFS;
	}
	char *p = rte_pktmbuf_append(m, (uint16_t)len);
	if (!p) {
		rte_pktmbuf_free(m);
		vox_stats_drop(lc->st, VOX_DROP_tx_bad, 1);
		return -EMSGSIZE;
	}
	memcpy(p, payload, len);
	uint32_t ip;
	memcpy(&ip, dst->ip, 4);
	return net_udp_output(&lc->net, m, (uint16_t)lc->ctx->cfg.sip_port, ip, dst->port, lc->now_tsc);
}

static void count_tx_status(struct dp_lcore *lc, const char *payload)
{
	/* "SIP/2.0 NNN": class from the first digit */
	if (memcmp(payload, "SIP/2.0 ", 8) != 0) {
		lc->st->sip_tx_req++;
		return;
	}
	switch (payload[8]) {
	case '1': lc->st->sip_tx_1xx++; break;
	case '2': lc->st->sip_tx_2xx++; break;
	case '3': lc->st->sip_tx_3xx++; break;
	case '4': lc->st->sip_tx_4xx++; break;
	case '5': lc->st->sip_tx_5xx++; break;
	default: lc->st->sip_tx_6xx++; break;
	}
}

/* ---- transaction layer wiring ------------------------------------------------------------ */

static void op_send(void *ctx, struct txn *t, uint32_t ref)
{
	struct dp_lcore *lc = ctx;
	struct dp_sip *s = lc->sip;
	if (ref >= s->store_cap || !s->store[ref])
		return;
	struct rte_mbuf *m = s->store[ref];
	const char *p = rte_pktmbuf_mtod(m, const char *);
	/* first transmission or retransmission: the store marks which */
	if (m->hash.usr) {
		lc->st->sip_retrans++;
	} else {
		m->hash.usr = 1;
		count_tx_status(lc, p);
	}
	dp_sip_send_raw(lc, p, rte_pktmbuf_data_len(m), &s->store_dst[ref]);
}

static void op_release(void *ctx, struct txn *t, uint32_t ref)
{
	dp_sip_store_release(ctx, ref);
}

static void op_ended(void *ctx, struct txn *t)
{
	struct dp_lcore *lc = ctx;
	dp_sip_uas_txn_ended(lc, t);
	lc->st->sip_txn_active = lc->sip->txl.active - 1;
}

static void op_response(void *ctx, struct txn *t, uint16_t status, const void *msg)
{
	dp_sip_uac_response(ctx, t, status, msg);
}

static uint32_t op_build_ack(void *ctx, struct txn *t, const void *msg)
{
	return dp_sip_uac_build_ack(ctx, t, msg);
}

static void op_timeout(void *ctx, struct txn *t, enum txn_timeout which)
{
	dp_sip_txn_timeout(ctx, t, which);
}

static const struct txn_ops dp_txn_ops = {
	.send = op_send,
	.response = op_response,
	.build_ack = op_build_ack,
	.timeout = op_timeout,
	.release = op_release,
	.ended = op_ended,
};

int dp_sip_init(struct dp_lcore *lc, int socket)
{
	const struct dp_cfg *cfg = &lc->ctx->cfg;
	struct dp_sip *s = rte_zmalloc_socket("dp_sip", sizeof(*s), 64, socket);
	if (!s)
		return -ENOMEM;
	uint32_t max_txn = cfg->max_txn; /* <= 65535: references given to control carry 16 bits */
	s->legs = rte_zmalloc_socket("dp_sipleg", sizeof(*s->legs) * lc->max_legs, 64, socket);
	s->rtp = rte_zmalloc_socket("dp_rtpleg", sizeof(*s->rtp) * lc->max_legs, 64, socket);
	s->med = rte_zmalloc_socket("dp_medialeg", sizeof(*s->med) * lc->max_legs, 64, socket);
	void *txmem = rte_zmalloc_socket("dp_txn", txn_layer_memsize(max_txn), 64, socket);
	uint32_t nb = 1;
	while (nb < lc->max_legs * 2)
		nb <<= 1;
	s->dlg_buckets = rte_malloc_socket("dp_dlg", sizeof(uint32_t) * nb, 64, socket);
	s->store_cap = max_txn * 2;
	s->store = rte_zmalloc_socket("dp_store", sizeof(*s->store) * s->store_cap, 64, socket);
	s->store_dst = rte_zmalloc_socket("dp_store_dst", sizeof(*s->store_dst) * s->store_cap, 64, socket);
	s->store_free = rte_malloc_socket("dp_store_free", sizeof(uint32_t) * s->store_cap, 64, socket);
	s->txn_req = rte_zmalloc_socket("dp_txn_req", sizeof(*s->txn_req) * max_txn, 64, socket);
	s->txn_src = rte_zmalloc_socket("dp_txn_src", sizeof(*s->txn_src) * max_txn, 64, socket);
	s->txn_reqid = rte_zmalloc_socket("dp_txn_reqid", sizeof(*s->txn_reqid) * max_txn, 64, socket);
	s->mrg_buckets = rte_malloc_socket("dp_mrg", sizeof(uint32_t) * nb, 64, socket);
	if (!s->legs || !s->rtp || !s->med || !txmem || !s->dlg_buckets || !s->store || !s->store_dst || !s->store_free ||
	    !s->txn_req || !s->txn_src || !s->txn_reqid || !s->mrg_buckets)
		return -ENOMEM; /* start-up: the process exits */
	for (uint32_t i = 0; i < nb; i++)
		s->dlg_buckets[i] = s->mrg_buckets[i] = UINT32_MAX;
	s->dlg_mask = nb - 1;
	for (uint32_t i = 0; i < s->store_cap; i++)
		s->store_free[i] = s->store_cap - 1 - i;
	s->store_n_free = s->store_cap;
	for (uint32_t i = 0; i < lc->max_legs; i++) {
		s->legs[i].inv_txn = TXN_NONE;
		s->legs[i].reinv_txn = TXN_NONE;
		s->legs[i].bye_txn = TXN_NONE;
	}
	s->seed = lc->ctx->shm.hdr->boot_id ^ ((uint64_t)lc->widx << 56);
	struct txn_cfg tc = {.max_txn = max_txn, .t1_ms = 500, .t2_ms = 4000, .t4_ms = 5000};
	txn_layer_init(&s->txl, txmem, &tc, &dp_txn_ops, lc, &lc->tw, DP_TIMER_TXN_BASE);
	s->acl.n = 0;
	s->play_head = UINT32_MAX;
	lc->sip = s;
	if (dp_term_init(lc, socket) != 0)
		return -ENOMEM;
	if (vsrtp_global_init() != 0) /* start-up: libsrtp and its allocation-free crypto types */
		return -EIO;
	return dp_sip_acl_parse(&s->acl, cfg->acl);
}

int dp_sip_acl_parse(struct vox_acl *acl, const char *text)
{
	char buf[sizeof(((struct dp_cfg *)0)->acl)];
	snprintf(buf, sizeof(buf), "%s", text);
	acl->n = 0;
	for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (acl->n == VOX_ACL_MAX)
			return -E2BIG;
		char *slash = strchr(t, '/');
		unsigned long prefix = 32;
		if (slash) {
			*slash = 0;
			prefix = strtoul(slash + 1, NULL, 10);
		}
		struct in_addr a;
		if (inet_pton(AF_INET, t, &a) != 1 || prefix > 32)
			return -EINVAL;
		memset(&acl->e[acl->n], 0, sizeof(acl->e[0]));
		acl->e[acl->n].net.family = VOX_AF_INET;
		memcpy(acl->e[acl->n].net.addr, &a, 4);
		acl->e[acl->n].prefix = (uint8_t)prefix;
		acl->n++;
	}
	return 0;
}

/* ---- receive ----------------------------------------------------------------------------- */

static void count_rx(struct dp_lcore *lc, const struct sip_msg *m)
{
	if (!m->is_request) {
		if (m->status < 200)
			lc->st->sip_rx_1xx++;
		else if (m->status < 300)
			lc->st->sip_rx_2xx++;
		else
			lc->st->sip_rx_3456xx++;
		return;
	}
	lc->st->sip_rx_req++;
	switch (m->method) {
	case SIP_M_INVITE: lc->st->sip_rx_invite++; break;
	case SIP_M_ACK: lc->st->sip_rx_ack++; break;
	case SIP_M_BYE: lc->st->sip_rx_bye++; break;
	case SIP_M_CANCEL: lc->st->sip_rx_cancel++; break;
	case SIP_M_OPTIONS: lc->st->sip_rx_options++; break;
	default: lc->st->sip_rx_other++; break;
	}
}

/* Answer a request outside any transaction (errors before a transaction can exist). */
void dp_sip_answer_stateless(struct dp_lcore *lc, const struct sip_msg *m, const struct sip_addr *src,
			     uint16_t code, const char *reason, const char *extra)
{
	struct sip_addr dst;
	if (sip_response_dest(m, src, &dst) != 0) {
		vox_stats_drop(lc->st, VOX_DROP_sip_no_dest, 1);
		return;
	}
	char tag[DP_SIP_TAG_LEN + 2];
	dp_sip_mint(lc, tag, sizeof(tag), DP_SIP_TAG_PFX, 8, NULL);
	struct sip_resp_opts o = {.to_tag = code > 100 ? tag : NULL, .src = src, .extra = extra};
	int n = sip_build_response(lc->sip->buf, sizeof(lc->sip->buf), m, code, reason, &o);
	if (n <= 0) {
		vox_stats_drop(lc->st, VOX_DROP_tx_bad, 1);
		return;
	}
	count_tx_status(lc, lc->sip->buf);
	dp_sip_send_raw(lc, lc->sip->buf, (uint32_t)n, &dst);
}

void dp_sip_input(struct dp_lcore *lc, struct rte_mbuf *m, uint64_t now_tsc)
{
	struct dp_sip *s = lc->sip;
	lc->now_tsc = now_tsc;
	if (!rte_pktmbuf_is_contiguous(m)) {
		vox_stats_drop(lc->st, VOX_DROP_sip_parse, 1);
		rte_pktmbuf_free(m);
		return;
	}
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len;
	const char *p = rte_pktmbuf_mtod_offset(m, const char *, hl);
	uint32_t len = rte_pktmbuf_data_len(m) - hl;
	struct sip_addr src = {.family = 4, .port = net_udp_src_port(m)};
	uint32_t sip = net_udp_src_ip(m);
	memcpy(src.ip, &sip, 4);

	struct sip_msg *msg = &s->msg;
	int rc;
	if (s->parsed_buf == p) {
		rc = s->parsed_rc; /* parsed by the owner check a moment ago */
		s->parsed_buf = NULL;
	} else {
		rc = sip_msg_parse(msg, p, len);
	}
	if (rc == -ENODATA) {
		lc->st->sip_keepalive++;
		rte_pktmbuf_free(m);
		return;
	}
	struct sip_verdict v;
	sip_validate(msg, rc, &v);
	/* bodies matter only where we do offer/answer; INFO, MESSAGE, NOTIFY... carry any type
	 * (application/dtmf-relay, text/plain, ...) and go to their handler or to control */
	if (v.code == 415 && msg->is_request && msg->method != SIP_M_INVITE && msg->method != SIP_M_UPDATE &&
	    msg->method != SIP_M_PRACK && msg->method != SIP_M_ACK)
		v.code = 0;
	if (v.code == 1 || (rc < 0 && !msg->is_request && v.code == 0)) {
		vox_stats_drop(lc->st, msg->is_request ? VOX_DROP_sip_parse : VOX_DROP_sip_resp, 1);
		rte_pktmbuf_free(m);
		return;
	}
	count_rx(lc, msg);
	if (v.code >= 100) {
		/* the RFC's answer: 400 (with what is wrong), 505, 416, 420, 415, 501 ... */
		struct sip_addr dst;
		if (msg->method == SIP_M_ACK || sip_response_dest(msg, &src, &dst) != 0) {
			vox_stats_drop(lc->st, VOX_DROP_sip_parse, 1); /* never answer an ACK */
		} else {
			char tag[DP_SIP_TAG_LEN + 2];
			dp_sip_mint(lc, tag, sizeof(tag), DP_SIP_TAG_PFX, 8, NULL);
			int n = sip_build_verdict(s->buf, sizeof(s->buf), msg, &v, tag, &src);
			if (n > 0) {
				count_tx_status(lc, s->buf);
				dp_sip_send_raw(lc, s->buf, (uint32_t)n, &dst);
			}
		}
		rte_pktmbuf_free(m);
		return;
	}
	if (!msg->is_request) {
		dp_sip_response_in(lc, msg);
		rte_pktmbuf_free(m);
		return;
	}
	/* requests: dp_sip_uas.c; it keeps m when it must (the initial INVITE) */
	if (!dp_sip_request_in(lc, msg, m, &src))
		rte_pktmbuf_free(m);
}

/* A response to one of our client transactions. */
void dp_sip_response_in(struct dp_lcore *lc, const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_VIA);
	struct sip_via v;
	if (!h || sip_via_parse(&v, msg->buf, h->value) != 0 || !v.branch.len) {
		vox_stats_drop(lc->st, VOX_DROP_sip_resp, 1);
		return;
	}
	if (dp_sip_id_owner(msg->buf + v.branch.off, v.branch.len, DP_SIP_BRANCH_PFX, lc->node_id,
			    lc->n_workers) < 0) {
		vox_stats_drop(lc->st, VOX_DROP_sip_not_ours, 1);
		return;
	}
	/* a response's transaction is named by its branch and its CSeq method */
	const struct sip_hdr *csh = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct sip_cseq cs;
	if (!csh || sip_cseq_parse(&cs, msg->buf, csh->value) != 0) {
		vox_stats_drop(lc->st, VOX_DROP_sip_resp, 1);
		return;
	}
	struct txn_key k = {.branch = msg->buf + v.branch.off, .branch_len = v.branch.len,
			    .method = cs.method};
	if (txn_client_response(&lc->sip->txl, &k, msg->status, msg) != 0)
		vox_stats_drop(lc->st, VOX_DROP_sip_nomatch, 1);
}
