/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_sip_priv.h — internals shared by dp_sip.c (transport side) and dp_sip_uas.c (legs). */
#ifndef DP_SIP_PRIV_H
#define DP_SIP_PRIV_H

#include "dp_sip.h"

#define DP_SIP_TAG_PFX "vx"
#define DP_SIP_CALLID_PFX "vx"
#define DP_SIP_BRANCH_PFX "z9hG4bKvx"

struct dp_lcore;
struct dp_leg;

/* dp_sip.c */
uint16_t dp_sip_route(const struct dp_lcore *lc, const struct sip_msg *m, const char *p);
int dp_sip_id_owner(const char *p, uint32_t len, const char *prefix, uint32_t node, uint16_t nw);
void dp_sip_mint(struct dp_lcore *lc, char *out, size_t cap, const char *prefix, int hexdigits,
		 const char *suffix);
uint32_t dp_sip_store(struct dp_lcore *lc, const char *payload, uint32_t len, const struct sip_addr *dst);
void dp_sip_store_release(struct dp_lcore *lc, uint32_t ref);
int dp_sip_send_raw(struct dp_lcore *lc, const char *payload, uint32_t len, const struct sip_addr *dst);
void dp_sip_answer_stateless(struct dp_lcore *lc, const struct sip_msg *m, const struct sip_addr *src,
			     uint16_t code, const char *reason, const char *extra);
void dp_sip_response_in(struct dp_lcore *lc, const struct sip_msg *msg);

const char *sip_reason_phrase(uint16_t code);
uint32_t dp_sip_evt_payload(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, const void **out);

/* dp_sip_uas.c (helpers the outbound side shares) */
struct dp_sipleg *dp_sip_leg(struct dp_lcore *lc, const struct dp_leg *leg);
struct dp_leg *dp_sip_leg_of_txn(struct dp_lcore *lc, const struct txn *t);
void dp_sip_dlg_insert(struct dp_lcore *lc, uint32_t slot);
int dp_sip_sdp_offer(struct dp_lcore *lc, struct dp_sipleg *sl, char *out, size_t cap);
void dp_sip_end_leg(struct dp_lcore *lc, struct dp_leg *leg, int32_t cause, uint16_t code, uint8_t by);
int dp_sip_send_bye(struct dp_lcore *lc, struct dp_leg *leg);
const char *dp_sip_contact_hdr(struct dp_lcore *lc, char *buf, size_t cap);
struct dp_leg *dp_sip_cmd_leg(struct dp_lcore *lc, const struct vox_rec_hdr *h);
const char *dp_sip_pstr(const void *pl, uint32_t len, struct vox_pstr p, char *buf, size_t cap);
int dp_sip_answer_invite(struct dp_lcore *lc, struct dp_leg *leg, uint16_t code, const char *reason,
			 const char *extra, const char *body, size_t blen);
/* SET_MATCH: report msg (about leg) to control when it matches the leg's filter */
void dp_sip_match(struct dp_lcore *lc, struct dp_leg *leg, const struct sip_msg *msg, const struct sip_addr *src);
uint32_t dp_sip_in_payload(struct dp_lcore *lc, const struct sip_msg *m, const struct sip_addr *src,
			   uint32_t txn_ref, char *buf, uint32_t cap);
int dp_sip_respond(struct dp_lcore *lc, struct txn *t, const struct sip_msg *req, const struct sip_addr *src,
		   uint16_t code, const char *reason, const char *to_tag, const char *extra,
		   const char *body, size_t body_len);
const struct sip_msg *dp_sip_stored_invite(struct dp_lcore *lc, struct dp_sipleg *sl);
int dp_sip_sdp_answer(struct dp_lcore *lc, struct dp_sipleg *sl, const char *body, size_t blen, char *out,
		      size_t cap);
/* dp_sip_uac.c */
void dp_sip_uac_request_timeout(struct dp_lcore *lc, struct txn *t);
void dp_sip_uac_fail(struct dp_lcore *lc, struct dp_leg *leg, uint16_t code);
void dp_sip_uac_cancel(struct dp_lcore *lc, struct dp_leg *leg, uint16_t code);
/* dp_sip_uas.c */
void dp_sip_leg_hangup(struct dp_lcore *lc, struct dp_leg *leg, int32_t cause, uint16_t code);
/* Returns 1 if it kept the mbuf (the initial INVITE), 0 if the caller frees it. */
int dp_sip_request_in(struct dp_lcore *lc, const struct sip_msg *msg, struct rte_mbuf *m,
		      const struct sip_addr *src);
void dp_sip_uas_txn_ended(struct dp_lcore *lc, struct txn *t);
void dp_sip_uac_response(struct dp_lcore *lc, struct txn *t, uint16_t status, const void *msg);
uint32_t dp_sip_uac_build_ack(struct dp_lcore *lc, struct txn *t, const void *msg);
void dp_sip_txn_timeout(struct dp_lcore *lc, struct txn *t, enum txn_timeout which);

#endif /* DP_SIP_PRIV_H */
