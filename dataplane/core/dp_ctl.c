/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_ctl.c — a worker's side of the control rings: command dispatch, event emission, wake-ups. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "vox_rec.h"

void dp_ctl_init(struct dp_lcore *lc)
{
	lc->seen_ctl_gen = atomic_load_explicit(&lc->ctl->generation, memory_order_acquire);
}

int dp_ctl_emit(struct dp_lcore *lc, struct vox_rec_hdr *h, const void *payload, uint32_t len)
{
	h->worker = lc->widx;
	h->seq = lc->evt_seq + 1;
	h->ts_ns = dp_now_ns(lc, rte_rdtsc());
	int truncated = 0;
	uint32_t max = lc->ctx ? lc->ctx->cfg.max_sip_bytes : VOX_REC_MAX_PAYLOAD;
	if (vox_rec_send(lc->evt, h, payload, len, max, &truncated) != 0) {
		if (!vox_evt_is_state(h->type))
			lc->st->evt_info_dropped++;
		return -ENOBUFS;
	}
	lc->evt_seq = h->seq;
	atomic_store_explicit(&lc->pub->evt_seq, lc->evt_seq, memory_order_relaxed);
	lc->st->evt_tx++;
	lc->st->evt_truncated += (uint64_t)truncated;
	lc->evt_sent_turn++;
	return 0;
}

/* Wake control if it sleeps and we gave it something (at most one write per turn). */
void dp_ctl_wake(struct dp_lcore *lc)
{
	if (!lc->evt_sent_turn)
		return;
	lc->evt_sent_turn = 0;
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&lc->ctl->sleeping, memory_order_relaxed) &&
	    atomic_exchange_explicit(&lc->ctl->sleeping, 0, memory_order_acq_rel) && lc->ctx &&
	    lc->ctx->efd >= 0) {
		uint64_t one = 1;
		/* control path, not per packet: a syscall here is the designed wake-up */
		if (write(lc->ctx->efd, &one, sizeof(one)) == sizeof(one)) /* fastpath-ok: wake-up, once per turn at most */
			lc->st->ctl_wakeups++;
	}
}

int dp_ctl_alive(const struct dp_lcore *lc, uint64_t mono_ns, uint32_t stale_ms)
{
	if (!atomic_load_explicit(&lc->ctl->pid, memory_order_acquire))
		return 0;
	uint64_t hb = atomic_load_explicit(&lc->ctl->heartbeat_ns, memory_order_acquire);
	return hb && mono_ns >= hb ? mono_ns - hb <= (uint64_t)stale_ms * 1000000ull : hb != 0;
}

static void info_event(struct dp_lcore *lc, uint16_t type, const struct vox_rec_hdr *cmd, int32_t status,
		       const void *payload, uint32_t len)
{
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.status = status;
	h.leg = cmd->leg;
	h.req_id = cmd->req_id;
	memcpy(h.tag, cmd->tag, sizeof(h.tag));
	dp_ctl_emit(lc, &h, payload, len);
}

void dp_ctl_stale(struct dp_lcore *lc, const struct vox_rec_hdr *cmd)
{
	lc->st->stale_handles++;
	info_event(lc, VOX_EVT_STALE_HANDLE, cmd, cmd->type, NULL, 0);
}

void dp_ctl_bad(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, int err)
{
	lc->st->bad_commands++;
	info_event(lc, VOX_EVT_BAD_COMMAND, cmd, err, NULL, 0);
}

/* ---- command handlers: (lc, header, payload) ---- */

static void cmd_ping(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, const void *pl)
{
	struct vox_ping p;
	memset(&p, 0, sizeof(p));
	if (cmd->len >= sizeof(p))
		memcpy(&p, pl, sizeof(p));
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* fastpath-ok: vDSO, PING only */
	p.dp_recv_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	p.dp_tsc = rte_rdtsc();
	info_event(lc, VOX_EVT_PONG, cmd, (int32_t)lc->lcore_id, &p, sizeof(p));
}

static void create_one(struct dp_lcore *lc, uint32_t kind, uint64_t req_id, const uint8_t tag[16],
		       uint32_t account, uint64_t deadline)
{
	struct dp_leg *leg = dp_leg_alloc(lc, kind, req_id, tag, account, dp_now_ns(lc, rte_rdtsc()));
	if (!leg) {
		dp_orphan_event(lc, VOX_EVT_LEG_FAILED, VOX_CAUSE_NO_RESOURCES, req_id, tag);
		return;
	}
	if (deadline)
		dp_leg_set_deadline(lc, leg, deadline, account);
	dp_leg_state_event(lc, leg, VOX_EVT_LEG_CREATED, 0);
}

static void cmd_leg_create(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, const void *pl)
{
	struct vox_leg_create c;
	if (cmd->len < sizeof(c)) {
		dp_ctl_bad(lc, cmd, -EINVAL);
		return;
	}
	memcpy(&c, pl, sizeof(c));
	if (c.kind != VOX_LEG_KIND_LOOPBACK) {
		/* SIP legs are created by the SIP module (next issue) */
		dp_orphan_event(lc, VOX_EVT_LEG_FAILED, -EOPNOTSUPP, cmd->req_id, cmd->tag);
		return;
	}
	create_one(lc, c.kind, cmd->req_id, cmd->tag, c.account_idx, c.deadline_ns);
}

static void cmd_leg_end(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, const void *pl)
{
	struct dp_leg *leg = dp_leg_lookup(lc, cmd->leg);
	if (!leg) {
		dp_ctl_stale(lc, cmd);
		return;
	}
	if (leg->kind != VOX_LEG_KIND_LOOPBACK && lc->sip) {
		dp_sip_leg_hangup(lc, leg, VOX_CAUSE_CONTROL, (uint16_t)cmd->status); /* the SIP way */
		return;
	}
	dp_leg_end(lc, leg, VOX_CAUSE_CONTROL);
}

static void cmd_set_deadline(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, const void *pl)
{
	struct vox_deadline d;
	if (cmd->len < sizeof(d)) {
		dp_ctl_bad(lc, cmd, -EINVAL);
		return;
	}
	struct dp_leg *leg = dp_leg_lookup(lc, cmd->leg);
	if (!leg) {
		dp_ctl_stale(lc, cmd);
		return;
	}
	memcpy(&d, pl, sizeof(d));
	dp_leg_set_deadline(lc, leg, d.deadline_ns, d.account_idx);
}

static void cmd_diag_burst(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, const void *pl)
{
	if (cmd->status <= 0 || (uint32_t)cmd->status > lc->max_legs) {
		dp_ctl_bad(lc, cmd, -ERANGE);
		return;
	}
	for (int32_t i = 0; i < cmd->status; i++)
		create_one(lc, VOX_LEG_KIND_LOOPBACK, cmd->req_id + (uint64_t)i, cmd->tag, 0, 0);
}

typedef void (*dp_cmd_fn)(struct dp_lcore *, const struct vox_rec_hdr *, const void *);

static const struct {
	uint16_t type;
	dp_cmd_fn fn;
} dp_cmd_table[] = {
	{VOX_CMD_PING, cmd_ping},
	{VOX_CMD_LEG_CREATE, cmd_leg_create},
	{VOX_CMD_LEG_END, cmd_leg_end},
	{VOX_CMD_SET_DEADLINE, cmd_set_deadline},
	{VOX_CMD_DIAG_BURST, cmd_diag_burst},
	{VOX_CMD_RING, dp_sip_cmd_ring},
	{VOX_CMD_ANSWER, dp_sip_cmd_answer},
	{VOX_CMD_REJECT, dp_sip_cmd_reject},
	{VOX_CMD_HANGUP, dp_sip_cmd_hangup},
	{VOX_CMD_RESPOND, dp_sip_cmd_respond},
	{VOX_CMD_SET_ACL, dp_sip_cmd_set_acl},
	{VOX_CMD_DIAL, dp_sip_cmd_dial},
	{VOX_CMD_CANCEL_LEG, dp_sip_cmd_cancel_leg},
	{VOX_CMD_SEND_REQUEST, dp_sip_cmd_send_request},
	{VOX_CMD_SET_MATCH, dp_sip_cmd_set_match},
	{VOX_CMD_PLAY, dp_term_cmd_play},
	{VOX_CMD_STOP, dp_term_cmd_stop},
	{VOX_CMD_TONE, dp_term_cmd_tone},
	{VOX_CMD_SILENCE, dp_term_cmd_silence},
	{VOX_CMD_COLLECT, dp_term_cmd_collect},
	{VOX_CMD_RECORD, dp_term_cmd_record},
	{VOX_CMD_BRIDGE, dp_bridge_cmd_bridge},
	{VOX_CMD_UNBRIDGE, dp_bridge_cmd_unbridge},
};

uint32_t dp_ctl_poll(struct dp_lcore *lc, uint64_t now_tsc)
{
	/* A new control attached: re-emit what it may have missed. */
	uint64_t gen = atomic_load_explicit(&lc->ctl->generation, memory_order_acquire);
	if (gen != lc->seen_ctl_gen) {
		lc->seen_ctl_gen = gen;
		dp_legs_reemit_unacked(lc);
	}
	dp_legs_flush_deferred(lc);

	uint32_t budget = lc->ctx ? lc->ctx->cfg.cmd_budget : 64, done = 0;
	while (done < budget) {
		/* Do not take commands whose answers could not be queued: leave them in the ring. */
		if (lc->n_deferred || lc->orphan_n)
			break;
		int n = vox_rec_recv(lc->cmd, lc->cmdbuf, VOX_REC_MAX_SLOTS);
		if (n == 0)
			break;
		done++;
		lc->st->cmd_rx++;
		const struct vox_rec_hdr *h = (const void *)lc->cmdbuf;
		if (n < 0) {
			struct vox_rec_hdr z;
			memset(&z, 0, sizeof(z));
			dp_ctl_bad(lc, &z, n);
			continue;
		}
		dp_cmd_fn fn = NULL;
		for (size_t i = 0; i < RTE_DIM(dp_cmd_table); i++)
			if (dp_cmd_table[i].type == h->type)
				fn = dp_cmd_table[i].fn;
		if (fn)
			fn(lc, h, vox_rec_payload(lc->cmdbuf));
		else
			dp_ctl_bad(lc, h, -ENOTSUP);
	}
	dp_legs_run_timers(lc, dp_now_ns(lc, now_tsc));
	return done;
}
