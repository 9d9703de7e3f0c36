/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_script_calls.c — scripted mode's bounded call table, indexed by leg handle and req_id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_script_priv.h"

/*
 * Calls live in one array allocated at start (max entries, a free-index stack), so a call's
 * address is stable for its whole life: loop timers carry it as their argument. Two small
 * maps find a call by its leg handle (events about legs) and by the request id of a DIAL not
 * answered by LEG_CREATED yet. Neither key is ever 0.
 */

static uint32_t map_hash(uint64_t k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (uint32_t)k;
}

static int map_init(struct ctl_script_map *m, uint32_t max)
{
	uint32_t cap = 16;
	while (cap < 2 * max)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	m->mask = cap - 1;
	return m->keys && m->vals ? 0 : -ENOMEM;
}

static void map_fini(struct ctl_script_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static uint32_t map_probe(const struct ctl_script_map *m, uint64_t k)
{
	uint32_t i = map_hash(k) & m->mask;
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & m->mask;
	return i;
}

static uint32_t map_get(const struct ctl_script_map *m, uint64_t k)
{
	if (!k)
		return 0;
	uint32_t i = map_probe(m, k);
	return m->keys[i] ? m->vals[i] : 0;
}

/* The map has twice the table's bound of slots: it never fills. */
static void map_put(struct ctl_script_map *m, uint64_t k, uint32_t v)
{
	uint32_t i = map_probe(m, k);
	m->keys[i] = k;
	m->vals[i] = v;
}

static void map_del(struct ctl_script_map *m, uint64_t k)
{
	if (!k)
		return;
	uint32_t hole = map_probe(m, k), j = hole;
	if (!m->keys[hole])
		return;
	/* backward shift: pull later members of the cluster whose home is not in (hole, j] */
	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->keys[j])
			break;
		uint32_t home = map_hash(m->keys[j]) & m->mask;
		int in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (in_range)
			continue;
		m->keys[hole] = m->keys[j];
		m->vals[hole] = m->vals[j];
		hole = j;
	}
	m->keys[hole] = 0;
	m->vals[hole] = 0;
}

int ctl_script_calls_init(struct ctl_script_calls *t, uint32_t max)
{
	memset(t, 0, sizeof(*t));
	if (!max)
		return -EINVAL;
	t->v = calloc(max, sizeof(*t->v));
	t->free_list = calloc(max, sizeof(*t->free_list));
	if (!t->v || !t->free_list || map_init(&t->by_leg, max) || map_init(&t->by_req, max)) {
		ctl_script_calls_fini(t);
		return -ENOMEM;
	}
	t->max = max;
	/* hand out low indexes first */
	for (uint32_t i = 0; i < max; i++)
		t->free_list[i] = max - 1 - i;
	t->n_free = max;
	return 0;
}

void ctl_script_calls_fini(struct ctl_script_calls *t)
{
	free(t->v);
	free(t->free_list);
	map_fini(&t->by_leg);
	map_fini(&t->by_req);
	memset(t, 0, sizeof(*t));
}

struct ctl_script_call *ctl_script_call_alloc(struct ctl_script_calls *t)
{
	if (!t->n_free)
		return NULL;
	struct ctl_script_call *k = &t->v[t->free_list[--t->n_free]];
	memset(k, 0, sizeof(*k));
	t->n++;
	return k;
}

void ctl_script_call_free(struct ctl_script_calls *t, struct ctl_script_call *k)
{
	if (!k->kind)
		return;
	/* only what points at this call: a request inside a dialog carries the leg of the call
	 * it belongs to without being indexed under it */
	uint32_t id = ctl_script_call_id(t, k);
	if (map_get(&t->by_leg, k->leg) == id)
		map_del(&t->by_leg, k->leg);
	if (map_get(&t->by_req, k->req_id) == id)
		map_del(&t->by_req, k->req_id);
	k->kind = 0;
	t->free_list[t->n_free++] = (uint32_t)(k - t->v);
	t->n--;
}

uint32_t ctl_script_call_id(const struct ctl_script_calls *t, const struct ctl_script_call *k)
{
	return (uint32_t)(k - t->v) + 1;
}

struct ctl_script_call *ctl_script_call_at(struct ctl_script_calls *t, uint32_t id)
{
	if (!id || id > t->max || !t->v[id - 1].kind)
		return NULL;
	return &t->v[id - 1];
}

struct ctl_script_call *ctl_script_call_by_leg(struct ctl_script_calls *t, vox_handle_t leg)
{
	return ctl_script_call_at(t, map_get(&t->by_leg, leg));
}

struct ctl_script_call *ctl_script_call_by_req(struct ctl_script_calls *t, uint64_t req_id)
{
	return ctl_script_call_at(t, map_get(&t->by_req, req_id));
}

void ctl_script_call_set_leg(struct ctl_script_calls *t, struct ctl_script_call *k,
                             vox_handle_t leg)
{
	map_del(&t->by_leg, k->leg);
	k->leg = leg;
	if (leg)
		map_put(&t->by_leg, leg, ctl_script_call_id(t, k));
}

void ctl_script_call_set_req(struct ctl_script_calls *t, struct ctl_script_call *k, uint64_t req)
{
	map_del(&t->by_req, k->req_id);
	k->req_id = req;
	if (req)
		map_put(&t->by_req, req, ctl_script_call_id(t, k));
}
