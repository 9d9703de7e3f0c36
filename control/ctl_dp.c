/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_dp.c — event drain and dispatch, command send with a bounded overflow queue. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "vox_rec.h"
#include "vox_shm.h"

#include "ctl_dp.h"
#include "ctl_legs.h"
#include "ctl_log.h"
#include "ctl_rec.h"
#include "ctl_req.h"
#include "ctl_script.h"

#define TAG "dp"

typedef void ctl_dp_evt_fn(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);

/* fn keeps control's own view (legs, counters); hook, when set, is the call logic that decides
 * (scripted mode for now, the markup interpreter later); pending requests see every event last. */
struct ctl_dp_evt {
	uint16_t type;
	const char *name;
	ctl_dp_evt_fn *fn;
	uint32_t state; /* leg state an event of this type puts the leg in (state events) */
	uint16_t kind;  /* leg kind it implies (enum vox_leg_kind), 0: none */
	ctl_dp_evt_fn *hook;
};

static ctl_dp_evt_fn dp_on_info, dp_on_stale, dp_on_leg_state, dp_on_leg_ended, dp_on_leg_failed;

/* clang-format off */
static const struct ctl_dp_evt ctl_dp_evts[] = {
    {VOX_EVT_PONG, "PONG", dp_on_info, 0, 0, NULL},
    {VOX_EVT_HELLO, "HELLO", dp_on_info, 0, 0, NULL},
    {VOX_EVT_STALE_HANDLE, "STALE_HANDLE", dp_on_stale, 0, 0, ctl_script_on_stale},
    {VOX_EVT_BAD_COMMAND, "BAD_COMMAND", dp_on_info, 0, 0, NULL},
    {VOX_EVT_LEG_CREATED, "LEG_CREATED", dp_on_leg_state, VOX_LEG_CREATED, 0, ctl_script_on_created},
    {VOX_EVT_LEG_FAILED, "LEG_FAILED", dp_on_leg_failed, 0, 0, ctl_script_on_failed},
    {VOX_EVT_LEG_ENDED, "LEG_ENDED", dp_on_leg_ended, 0, 0, ctl_script_on_ended},
    {VOX_EVT_LEG_OFFERED, "LEG_OFFERED", dp_on_leg_state, VOX_LEG_OFFERED, VOX_LEG_KIND_SIP_IN,
     ctl_script_on_offered},
    {VOX_EVT_LEG_PROGRESS, "LEG_PROGRESS", dp_on_leg_state, VOX_LEG_RINGING, 0, NULL},
    {VOX_EVT_LEG_ANSWERED, "LEG_ANSWERED", dp_on_leg_state, VOX_LEG_ANSWERED, 0,
     ctl_script_on_answered},
    {VOX_EVT_MEDIA_DONE, "MEDIA_DONE", dp_on_info, 0, 0, NULL},
    {VOX_EVT_DIGITS, "DIGITS", ctl_rec_on_digits, 0, 0, NULL},
    {VOX_EVT_RECORDING_DONE, "RECORDING_DONE", ctl_rec_on_done, 0, 0, NULL},
    {VOX_EVT_DTMF, "DTMF", ctl_rec_on_dtmf, 0, 0, NULL},
    {VOX_EVT_LEG_MEDIA_TIMEOUT, "LEG_MEDIA_TIMEOUT", dp_on_info, 0, 0, ctl_script_on_media_timeout},
    {VOX_EVT_BRIDGED, "BRIDGED", dp_on_info, 0, 0, NULL},
    {VOX_EVT_UNBRIDGED, "UNBRIDGED", dp_on_info, 0, 0, NULL},
    {VOX_EVT_BRIDGE_FAILED, "BRIDGE_FAILED", dp_on_info, 0, 0, ctl_script_on_bridge_failed},
    {VOX_EVT_SIP_REQUEST, "SIP_REQUEST", dp_on_info, 0, 0, ctl_script_on_request},
    {VOX_EVT_SIP_RESPONSE, "SIP_RESPONSE", dp_on_info, 0, 0, NULL},
    {VOX_EVT_DTMF_INFO, "DTMF_INFO", dp_on_info, 0, 0, NULL},
    {VOX_EVT_SIGNALING_MATCH, "SIGNALING_MATCH", dp_on_info, 0, 0, NULL},
};
/* clang-format on */
#define CTL_DP_N_EVTS (sizeof(ctl_dp_evts) / sizeof(ctl_dp_evts[0]))
_Static_assert(CTL_DP_N_EVTS <= CTL_EVT_TYPES_MAX, "raise CTL_EVT_TYPES_MAX");

static const struct {
	uint16_t type;
	const char *name;
} ctl_dp_cmds[] = {
    {VOX_CMD_PING, "PING"},
    {VOX_CMD_LEG_CREATE, "LEG_CREATE"},
    {VOX_CMD_LEG_END, "LEG_END"},
    {VOX_CMD_SET_DEADLINE, "SET_DEADLINE"},
    {VOX_CMD_DIAG_BURST, "DIAG_BURST"},
    {VOX_CMD_RING, "RING"},
    {VOX_CMD_ANSWER, "ANSWER"},
    {VOX_CMD_REJECT, "REJECT"},
    {VOX_CMD_HANGUP, "HANGUP"},
    {VOX_CMD_DIAL, "DIAL"},
    {VOX_CMD_CANCEL_LEG, "CANCEL_LEG"},
    {VOX_CMD_RESPOND, "RESPOND"},
    {VOX_CMD_SEND_REQUEST, "SEND_REQUEST"},
    {VOX_CMD_SET_MATCH, "SET_MATCH"},
    {VOX_CMD_SET_ACL, "SET_ACL"},
    {VOX_CMD_PLAY, "PLAY"},
    {VOX_CMD_STOP, "STOP"},
    {VOX_CMD_TONE, "TONE"},
    {VOX_CMD_SILENCE, "SILENCE"},
    {VOX_CMD_COLLECT, "COLLECT"},
    {VOX_CMD_RECORD, "RECORD"},
    {VOX_CMD_BRIDGE, "BRIDGE"},
    {VOX_CMD_UNBRIDGE, "UNBRIDGE"},
};

static int dp_evt_index(uint16_t type)
{
	for (uint32_t i = 0; i < CTL_DP_N_EVTS; i++)
		if (ctl_dp_evts[i].type == type)
			return (int)i;
	return -1;
}

const char *ctl_dp_type_name(uint16_t type)
{
	int i = dp_evt_index(type);
	if (i >= 0)
		return ctl_dp_evts[i].name;
	for (uint32_t k = 0; k < sizeof(ctl_dp_cmds) / sizeof(ctl_dp_cmds[0]); k++)
		if (ctl_dp_cmds[k].type == type)
			return ctl_dp_cmds[k].name;
	return NULL;
}

json_t *ctl_dp_events_json(const struct ctl *c)
{
	json_t *o = json_object();
	for (uint32_t i = 0; i < CTL_DP_N_EVTS; i++)
		json_object_set_new(o, ctl_dp_evts[i].name,
		                    json_integer((json_int_t)c->cnt.events[i]));
	json_object_set_new(o, "unknown", json_integer((json_int_t)c->cnt.events_unknown));
	return o;
}

/* ---- event handlers ---- */

static void dp_on_info(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	if (h->type == VOX_EVT_BAD_COMMAND)
		CTL_WARN(TAG, "worker %u refused a command (req %llu): %d", h->worker,
		         (unsigned long long)h->req_id, h->status);
	else if (h->type == VOX_EVT_BRIDGE_FAILED)
		CTL_WARN(TAG, "leg 0x%016llx: bridge refused: %d", (unsigned long long)h->leg,
		         h->status);
}

static void dp_on_stale(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	c->cnt.stale_handles++;
	/* the worker says this handle is not live: whatever we believed about it is wrong */
	ctl_legs_remove(c->legs, h->leg);
}

static void dp_on_leg_state(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	int i = dp_evt_index(h->type);
	struct ctl_leg leg = {
	    .handle = h->leg,
	    .state = ctl_dp_evts[i].state,
	    .worker = h->worker,
	    .kind = ctl_dp_evts[i].kind,
	    .created_ns =
	        h->type == VOX_EVT_LEG_CREATED || h->type == VOX_EVT_LEG_OFFERED ? h->ts_ns : 0,
	    .updated_ns = h->ts_ns,
	};
	memcpy(leg.tag, h->tag, sizeof(leg.tag));
	if (h->type == VOX_EVT_LEG_CREATED && h->len >= sizeof(struct vox_leg_create)) {
		struct vox_leg_create lc;
		memcpy(&lc, payload, sizeof(lc));
		leg.kind = (uint16_t)lc.kind;
	}
	struct ctl_leg *old = ctl_legs_find(c->legs, h->leg);
	if (old && (old->state == leg.state || h->type == VOX_EVT_LEG_CREATED)) {
		/* a re-emitted fact we knew (a known handle created "again" is not a new leg):
		 * nothing changes */
		c->cnt.duplicates++;
		return;
	}
	int rc = ctl_legs_upsert(c->legs, &leg, NULL);
	if (rc == -ENOSPC) {
		c->cnt.legs_full++;
		CTL_WARN(TAG, "legs table full (%u): leg 0x%016llx not tracked",
		         ctl_legs_max(c->legs), (unsigned long long)h->leg);
	}
}

static void dp_on_leg_ended(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	if (ctl_legs_remove(c->legs, h->leg) != 0)
		c->cnt.duplicates++; /* ended twice (re-emit), or ended before we knew it */
	ctl_rec_leg_ended(c, h->leg);
}

static void dp_on_leg_failed(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	if (h->leg)
		ctl_legs_remove(c->legs, h->leg);
}

void ctl_dp_handle(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	int i = dp_evt_index(h->type);
	if (h->flags & VOX_RECF_REEMIT)
		c->cnt.reemits++;
	if (h->flags & VOX_RECF_TRUNCATED)
		c->cnt.truncated++;
	if (i < 0 || !h->type || !(h->type & 0x8000)) {
		c->cnt.events_unknown++;
		CTL_DEBUG(TAG, "worker %u: unknown event type 0x%04x", h->worker, h->type);
		return;
	}
	c->cnt.events[i]++;
	ctl_dp_evts[i].fn(c, h, payload);
	if (ctl_dp_evts[i].hook)
		ctl_dp_evts[i].hook(c, h, payload);
	if (c->calls_event)
		c->calls_event(c, h, payload);
	ctl_req_on_event(c, h, payload);
}

/* ---- drain ---- */

int ctl_dp_drain(struct ctl *c)
{
	if (!c->attached)
		return 0;
	struct vox_shm_hdr *hdr = c->shm.map.hdr;
	int more = 0;
	ctl_rec_drain(c); /* audio first: a RECORDING_DONE below finds its file complete */
	for (uint32_t w = 0; w < hdr->n_workers; w++) {
		struct rte_ring *r = vox_shm_evt_ring(&c->shm.map, w);
		uint64_t last = 0;
		uint32_t n;
		for (n = 0; n < c->cfg.drain_budget; n++) {
			int rc = vox_rec_recv(r, c->rxbuf, VOX_REC_MAX_SLOTS);
			if (rc == 0)
				break;
			if (rc < 0) {
				c->cnt.rec_errors++;
				CTL_ERR(TAG, "worker %u event ring: %s", w,
				        rc == -EPROTO ? "corrupt record, ring drained"
				                      : strerror(-rc));
				continue;
			}
			const struct vox_rec_hdr *h = (const void *)c->rxbuf;
			ctl_dp_handle(c, h, vox_rec_payload(c->rxbuf));
			last = h->seq;
			/* a handler may have detached (it should not, but be safe) */
			if (!c->attached)
				return 0;
		}
		if (last)
			atomic_store_explicit(&hdr->ctl.acked_seq[w], last, memory_order_release);
		if (n == c->cfg.drain_budget && vox_rec_ring_count(r))
			more = 1;
	}
	ctl_dp_update_drain(c);
	return more;
}

/* ---- commands ---- */

static int dp_enqueue(struct ctl *c, uint32_t w, const struct ctl_cmd *cmd)
{
	struct ctl_cmdq *q = &c->cmdq[w];
	if (q->count >= c->cfg.cmd_queue) {
		c->cnt.cmd_overflow++;
		return -ENOBUFS;
	}
	struct ctl_cmd *e = &q->q[(q->head + q->count) % c->cfg.cmd_queue];
	*e = *cmd;
	if (cmd->len > VOX_REC_SLOT) {
		/* an ordinary process may allocate: the queue only fills while a worker lags */
		e->big = malloc(cmd->len);
		if (!e->big) {
			c->cnt.cmd_overflow++;
			return -ENOBUFS;
		}
		memcpy(e->big, cmd->big, cmd->len);
	}
	q->count++;
	c->cnt.cmds_queued++;
	return 0;
}

int ctl_dp_send(struct ctl *c, uint32_t w, struct vox_rec_hdr *h, const void *payload, uint32_t len)
{
	if (!c->attached)
		return -ENOTCONN;
	if (w >= c->shm.map.hdr->n_workers || len > CTL_DP_PAYLOAD_MAX)
		return -EINVAL;
	h->worker = (uint16_t)w;
	h->seq = ++c->cmd_seq;
	h->ts_ns = ctl_real_ns();
	h->flags = 0;
	if (c->cmdq[w].count == 0) {
		int rc = vox_rec_send(vox_shm_cmd_ring(&c->shm.map, w), h, payload, len, len, NULL);
		if (rc == 0) {
			c->cnt.cmds_sent++;
			return 0;
		}
	}
	struct ctl_cmd cmd = {.h = *h, .len = len};
	if (len > VOX_REC_SLOT)
		cmd.big = (uint8_t *)payload; /* copied by dp_enqueue */
	else if (len)
		memcpy(cmd.payload, payload, len);
	return dp_enqueue(c, w, &cmd);
}

uint32_t ctl_dp_flush(struct ctl *c)
{
	if (!c->attached)
		return 0;
	uint32_t left = 0;
	for (uint32_t w = 0; w < c->shm.map.hdr->n_workers; w++) {
		struct ctl_cmdq *q = &c->cmdq[w];
		struct rte_ring *r = vox_shm_cmd_ring(&c->shm.map, w);
		while (q->count) {
			struct ctl_cmd *cmd = &q->q[q->head];
			const void *pl = cmd->big ? cmd->big : cmd->payload;
			if (vox_rec_send(r, &cmd->h, pl, cmd->len, cmd->len, NULL) != 0)
				break;
			free(cmd->big);
			cmd->big = NULL;
			c->cnt.cmds_sent++;
			q->head = (q->head + 1) % c->cfg.cmd_queue;
			q->count--;
		}
		left += q->count;
	}
	return left;
}

void ctl_dp_reset(struct ctl *c)
{
	for (uint32_t w = 0; w < VOX_MAX_WORKERS; w++) {
		struct ctl_cmdq *q = &c->cmdq[w];
		for (uint32_t k = 0; q->q && k < q->count; k++) {
			struct ctl_cmd *cmd = &q->q[(q->head + k) % c->cfg.cmd_queue];
			free(cmd->big);
			cmd->big = NULL;
		}
		q->head = q->count = 0;
	}
}

/* ---- payloads with strings ---- */

void ctl_dp_pay_init(struct ctl_dp_pay *p, uint32_t fixed)
{
	p->err = fixed > sizeof(p->buf) ? -E2BIG : 0;
	p->len = p->err ? 0 : fixed;
	memset(p->buf, 0, p->len);
}

struct vox_pstr ctl_dp_pay_str(struct ctl_dp_pay *p, const char *s, size_t len)
{
	struct vox_pstr ps = {0, 0};
	if (!len || p->err)
		return ps;
	if (len > sizeof(p->buf) - p->len) {
		p->err = -E2BIG;
		return ps;
	}
	memcpy(p->buf + p->len, s, len);
	ps.off = (uint16_t)p->len;
	ps.len = (uint16_t)len;
	p->len += (uint32_t)len;
	return ps;
}

void ctl_dp_pay_fixed(struct ctl_dp_pay *p, const void *fixed, uint32_t len)
{
	if (!p->err && len <= p->len)
		memcpy(p->buf, fixed, len);
}

/* ---- drain timer and sleep hooks ---- */

static int64_t dp_drain_tick(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct ctl *c = arg;
	ctl_dp_flush(c);
	ctl_dp_drain(c);
	if (!c->attached ||
	    (ctl_legs_count(c->legs) == 0 && !ctl_req_pending(c) && c->evt_fd >= 0)) {
		c->drain_timer = 0;
		return CTL_TIMER_STOP;
	}
	return 1;
}

void ctl_dp_update_drain(struct ctl *c)
{
	/* without the doorbell (no dataplane socket yet) nothing wakes us: poll every 1 ms */
	int want =
	    c->attached && (ctl_legs_count(c->legs) > 0 || ctl_req_pending(c) || c->evt_fd < 0);
	if (want && !c->drain_timer)
		c->drain_timer = ctl_loop_add_timer(c->loop, 1, dp_drain_tick, c);
	else if (!want && c->drain_timer) {
		ctl_loop_del_timer(c->loop, c->drain_timer);
		c->drain_timer = 0;
	}
}

int ctl_dp_before_sleep(struct ctl_loop *l, void *arg)
{
	struct ctl *c = arg;
	if (!c->attached)
		return 0;
	ctl_dp_flush(c);
	if (ctl_dp_drain(c))
		return 1; /* budget ran out: poll again without sleeping */
	if (!c->attached)
		return 0;
	struct vox_shm_hdr *hdr = c->shm.map.hdr;
	/* Announce the sleep, then look again: a worker that enqueued before seeing the flag
	 * will not ring, so anything it left must be seen here (both sides seq_cst). */
	atomic_store_explicit(&hdr->ctl.sleeping, 1, memory_order_seq_cst);
	for (uint32_t w = 0; w < hdr->n_workers; w++)
		if (vox_rec_ring_count(vox_shm_evt_ring(&c->shm.map, w))) {
			atomic_store_explicit(&hdr->ctl.sleeping, 0, memory_order_relaxed);
			return 1;
		}
	return 0;
}

int ctl_dp_after_sleep(struct ctl_loop *l, void *arg)
{
	struct ctl *c = arg;
	if (c->attached)
		atomic_store_explicit(&c->shm.map.hdr->ctl.sleeping, 0, memory_order_relaxed);
	return 0;
}
