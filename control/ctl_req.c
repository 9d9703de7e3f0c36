/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_req.c — pending requests: send commands, collect the answering events, reply in JSON. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_dp.h"
#include "ctl_legs.h"
#include "ctl_log.h"
#include "ctl_req.h"

#define TAG "req"

enum ctl_req_kind { CTL_REQ_PING, CTL_REQ_CREATE, CTL_REQ_END };

enum ctl_req_item_state {
	CTL_ITEM_WAIT = 0,
	CTL_ITEM_OK,
	CTL_ITEM_FAILED, /* the worker said no (LEG_FAILED) */
	CTL_ITEM_UNSENT, /* never left control: queue full */
};

struct ctl_req_item {
	uint8_t state;
	uint16_t worker;
	int32_t status;
	uint16_t evt_type; /* the answering event */
	uint64_t val;      /* PING: rtt ns; CREATE: new handle */
};

struct ctl_req {
	struct ctl_req *next;
	struct ctl *c;
	enum ctl_req_kind kind;
	uint64_t client;
	uint64_t base; /* request ids base .. base + n - 1 */
	uint64_t timer;
	uint32_t n, done;
	vox_handle_t leg; /* CTL_REQ_END */
	struct ctl_req_item item[];
};

uint32_t ctl_req_pending(const struct ctl *c)
{
	uint32_t n = 0;
	for (const struct ctl_req *r = c->reqs; r; r = r->next)
		n++;
	return n;
}

uint64_t ctl_req_ids(struct ctl *c, uint32_t n)
{
	if (!c->next_req_id)
		c->next_req_id = 1;
	uint64_t base = c->next_req_id;
	c->next_req_id += n;
	return base;
}

static void req_hex(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "0x%016llx", (unsigned long long)v);
}

/* ---- answers ---- */

static json_t *req_ping_json(const struct ctl *c, const struct ctl_req *r)
{
	json_t *arr = json_array();
	for (uint32_t w = 0; w < r->n; w++) {
		const struct ctl_req_item *it = &r->item[w];
		uint32_t lcore = c->attached
		                     ? atomic_load_explicit(&c->shm.map.hdr->worker[w].lcore_id,
		                                            memory_order_relaxed)
		                     : 0;
		json_t *o =
		    json_pack("{s:i, s:i}", "worker", (json_int_t)w, "lcore", (json_int_t)lcore);
		if (it->state == CTL_ITEM_OK) {
			json_object_set_new(o, "rtt_us", json_real((double)it->val / 1000.0));
			json_object_set_new(o, "ok", json_true());
		} else {
			json_object_set_new(o, "ok", json_false());
			json_object_set_new(o, "error",
			                    json_string(it->state == CTL_ITEM_UNSENT
			                                    ? "command queue full"
			                                    : "timeout"));
		}
		json_array_append_new(arr, o);
	}
	return json_pack("{s:o}", "workers", arr);
}

static json_t *req_create_json(const struct ctl_req *r)
{
	json_t *handles = json_array();
	uint32_t ok = 0, failed = 0, unsent = 0, waiting = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct ctl_req_item *it = &r->item[i];
		char hx[24];
		switch (it->state) {
		case CTL_ITEM_OK:
			ok++;
			req_hex(hx, sizeof(hx), it->val);
			json_array_append_new(handles, json_string(hx));
			break;
		case CTL_ITEM_FAILED:
			failed++;
			break;
		case CTL_ITEM_UNSENT:
			unsent++;
			break;
		default:
			waiting++;
		}
	}
	return json_pack("{s:i, s:i, s:i, s:i, s:o}", "created", (json_int_t)ok, "failed",
	                 (json_int_t)failed, "unsent", (json_int_t)unsent, "timed_out",
	                 (json_int_t)waiting, "handles", handles);
}

static json_t *req_end_json(const struct ctl_req *r)
{
	const struct ctl_req_item *it = &r->item[0];
	char hx[24];
	req_hex(hx, sizeof(hx), r->leg);
	if (it->state == CTL_ITEM_UNSENT)
		return json_pack("{s:s, s:s}", "error", "command queue full", "handle", hx);
	if (it->state == CTL_ITEM_WAIT)
		return json_pack("{s:s, s:s}", "error", "timeout waiting for the worker", "handle",
		                 hx);
	const char *name = ctl_dp_type_name(it->evt_type);
	return json_pack("{s:s, s:s, s:i}", "handle", hx, "event", name ? name : "?", "status",
	                 (json_int_t)it->status);
}

static void req_finish(struct ctl *c, struct ctl_req *r)
{
	for (struct ctl_req **pp = &c->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (r->timer)
		ctl_loop_del_timer(c->loop, r->timer);
	json_t *ans = NULL;
	switch (r->kind) {
	case CTL_REQ_PING:
		ans = req_ping_json(c, r);
		break;
	case CTL_REQ_CREATE:
		ans = req_create_json(r);
		break;
	case CTL_REQ_END:
		ans = req_end_json(r);
		break;
	}
	ctl_reply(c, r->client, ans);
	free(r);
	ctl_dp_update_drain(c);
}

static int64_t req_timeout(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct ctl_req *r = arg;
	/* the timer is gone once we return STOP: don't let req_finish delete it */
	r->timer = 0;
	req_finish(r->c, r);
	return CTL_TIMER_STOP;
}

static struct ctl_req *req_new(struct ctl *c, enum ctl_req_kind kind, uint64_t client, uint32_t n,
                               int timeout_ms)
{
	struct ctl_req *r = calloc(1, sizeof(*r) + n * sizeof(r->item[0]));
	if (!r)
		return NULL;
	r->kind = kind;
	r->client = client;
	r->n = n;
	r->base = ctl_req_ids(c, n);
	r->c = c;
	r->timer = ctl_loop_add_timer(c->loop, timeout_ms, req_timeout, r);
	if (!r->timer) {
		free(r);
		return NULL;
	}
	r->next = c->reqs;
	c->reqs = r;
	return r;
}

/* An item settled (or was never sent): finish the request when it was the last one. */
static int req_settle(struct ctl *c, struct ctl_req *r, struct ctl_req_item *it, uint8_t state)
{
	if (it->state != CTL_ITEM_WAIT)
		return 0;
	it->state = state;
	if (++r->done == r->n) {
		req_finish(c, r);
		return 1;
	}
	return 0;
}

/* ---- requests ---- */

int ctl_req_ping(struct ctl *c, uint64_t client)
{
	if (!c->attached)
		return -ENOTCONN;
	uint32_t nw = c->shm.map.hdr->n_workers;
	struct ctl_req *r = req_new(c, CTL_REQ_PING, client, nw, CTL_REQ_PING_MS);
	if (!r)
		return -ENOMEM;
	for (uint32_t w = 0; w < nw; w++) {
		struct vox_rec_hdr h = {.type = VOX_CMD_PING, .req_id = r->base + w};
		struct vox_ping p = {.ctl_send_ns = ctl_mono_ns()};
		r->item[w].worker = (uint16_t)w;
		if (ctl_dp_send(c, w, &h, &p, sizeof(p)) != 0 &&
		    req_settle(c, r, &r->item[w], CTL_ITEM_UNSENT))
			return 0;
	}
	ctl_dp_update_drain(c);
	return 0;
}

int ctl_req_leg_create(struct ctl *c, uint64_t client, uint32_t n)
{
	if (!c->attached)
		return -ENOTCONN;
	if (n == 0 || n > CTL_REQ_MAX_LEGS)
		return -EINVAL;
	uint32_t nw = c->shm.map.hdr->n_workers;
	uint32_t load[VOX_MAX_WORKERS];
	for (uint32_t w = 0; w < nw; w++)
		load[w] = ctl_legs_on_worker(c->legs, w);
	struct ctl_req *r = req_new(c, CTL_REQ_CREATE, client, n, CTL_REQ_LEG_MS);
	if (!r)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t best = 0;
		for (uint32_t w = 1; w < nw; w++)
			if (load[w] < load[best])
				best = w;
		load[best]++;
		struct vox_rec_hdr h = {.type = VOX_CMD_LEG_CREATE, .req_id = r->base + i};
		struct vox_leg_create lc = {.kind = VOX_LEG_KIND_LOOPBACK};
		r->item[i].worker = (uint16_t)best;
		if (ctl_dp_send(c, best, &h, &lc, sizeof(lc)) != 0 &&
		    req_settle(c, r, &r->item[i], CTL_ITEM_UNSENT))
			return 0;
	}
	ctl_dp_update_drain(c);
	return 0;
}

int ctl_req_leg_end(struct ctl *c, uint64_t client, vox_handle_t leg)
{
	if (!c->attached)
		return -ENOTCONN;
	uint32_t w = vox_handle_lcore(leg);
	if (!leg || w >= c->shm.map.hdr->n_workers)
		return -EINVAL;
	struct ctl_req *r = req_new(c, CTL_REQ_END, client, 1, CTL_REQ_LEG_MS);
	if (!r)
		return -ENOMEM;
	r->leg = leg;
	struct vox_rec_hdr h = {.type = VOX_CMD_LEG_END, .req_id = r->base, .leg = leg};
	if (ctl_dp_send(c, w, &h, NULL, 0) != 0 && req_settle(c, r, &r->item[0], CTL_ITEM_UNSENT))
		return 0;
	ctl_dp_update_drain(c);
	return 0;
}

int ctl_req_burst(struct ctl *c, uint32_t w, uint32_t n, uint64_t *req_base)
{
	if (!c->attached)
		return -ENOTCONN;
	if (w >= c->shm.map.hdr->n_workers || n == 0 || n > CTL_REQ_MAX_LEGS)
		return -EINVAL;
	uint64_t base = ctl_req_ids(c, n);
	struct vox_rec_hdr h = {.type = VOX_CMD_DIAG_BURST, .status = (int32_t)n, .req_id = base};
	int rc = ctl_dp_send(c, w, &h, NULL, 0);
	if (rc)
		return rc;
	*req_base = base;
	return 0;
}

struct req_end_all {
	struct ctl *c;
	vox_handle_t *handles;
	uint32_t n;
};

static void req_collect(const struct ctl_leg *leg, void *arg)
{
	struct req_end_all *ea = arg;
	ea->handles[ea->n++] = leg->handle;
}

int ctl_req_end_all(struct ctl *c, uint32_t *sent)
{
	if (!c->attached)
		return -ENOTCONN;
	struct req_end_all ea = {
	    .c = c, .handles = calloc(ctl_legs_count(c->legs) + 1, sizeof(vox_handle_t))};
	if (!ea.handles)
		return -ENOMEM;
	ctl_legs_foreach(c->legs, req_collect, &ea);
	*sent = 0;
	for (uint32_t i = 0; i < ea.n; i++) {
		struct vox_rec_hdr h = {.type = VOX_CMD_LEG_END, .leg = ea.handles[i]};
		if (ctl_dp_send(c, vox_handle_lcore(ea.handles[i]), &h, NULL, 0) == 0)
			(*sent)++;
	}
	free(ea.handles);
	return 0;
}

/* ---- matching events ---- */

static void req_match(struct ctl *c, struct ctl_req *r, const struct vox_rec_hdr *h,
                      const void *payload)
{
	int in_range = h->req_id >= r->base && h->req_id < r->base + r->n;
	struct ctl_req_item *it = in_range ? &r->item[h->req_id - r->base] : NULL;
	switch (r->kind) {
	case CTL_REQ_PING:
		if (it && h->type == VOX_EVT_PONG && h->len >= sizeof(struct vox_ping)) {
			struct vox_ping p;
			memcpy(&p, payload, sizeof(p));
			uint64_t now = ctl_mono_ns();
			it->val = now > p.ctl_send_ns ? now - p.ctl_send_ns : 0;
			req_settle(c, r, it, CTL_ITEM_OK);
		}
		break;
	case CTL_REQ_CREATE:
		if (it && h->type == VOX_EVT_LEG_CREATED) {
			it->val = h->leg;
			req_settle(c, r, it, CTL_ITEM_OK);
		} else if (it && h->type == VOX_EVT_LEG_FAILED) {
			it->status = h->status;
			req_settle(c, r, it, CTL_ITEM_FAILED);
		}
		break;
	case CTL_REQ_END:
		if ((h->leg == r->leg || it) &&
		    (h->type == VOX_EVT_LEG_ENDED ||
		     (h->type == VOX_EVT_STALE_HANDLE && h->status == VOX_CMD_LEG_END))) {
			r->item[0].evt_type = h->type;
			r->item[0].status = h->status;
			req_settle(c, r, &r->item[0], CTL_ITEM_OK);
		}
		break;
	}
}

void ctl_req_on_event(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_req *r = c->reqs;
	while (r) {
		struct ctl_req *next = r->next; /* r may finish (and be freed) below */
		req_match(c, r, h, payload);
		r = next;
	}
}

void ctl_req_fail_all(struct ctl *c, const char *why)
{
	while (c->reqs) {
		struct ctl_req *r = c->reqs;
		c->reqs = r->next;
		if (r->timer)
			ctl_loop_del_timer(c->loop, r->timer);
		ctl_reply(c, r->client, json_pack("{s:s}", "error", why));
		free(r);
	}
}
