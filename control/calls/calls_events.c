/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_events.c — the one stream of call events (see calls_events.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calls_events.h"
#include "store.h"

#define SEQ_KEY "callev_seq"

int calls_ev_subscribe(struct calls_evbus *bus, const char *name, calls_ev_fn *fn, void *arg)
{
	if (!bus || !fn || !name)
		return -EINVAL;
	if (bus->n_sub >= CALLS_EV_SUBS)
		return -ENOSPC;
	bus->sub[bus->n_sub].name = name;
	bus->sub[bus->n_sub].fn = fn;
	bus->sub[bus->n_sub].arg = arg;
	bus->n_sub++;
	return 0;
}

int calls_ev_emit(struct calls_evbus *bus, struct calls_ev *ev, struct store_batch *b)
{
	uint32_t ops = b ? store_batch_ops(b) : 0;
	ev->seq = bus->seq + 1;
	for (uint32_t i = 0; i < bus->n_sub; i++) {
		int rc = bus->sub[i].fn(bus->sub[i].arg, ev, b);
		if (rc) {
			bus->sub[i].errors++;
			bus->refused++;
			if (b)
				store_batch_rollback(b, ops);
			return rc;
		}
	}
	if (b) {
		uint8_t v[8];
		for (int i = 0; i < 8; i++)
			v[i] = (uint8_t)(ev->seq >> (56 - 8 * i));
		int rc = store_batch_put(b, STORE_DB_META, SEQ_KEY, strlen(SEQ_KEY), v, sizeof(v), 0);
		if (rc) {
			bus->refused++;
			store_batch_rollback(b, ops);
			return rc;
		}
	}
	bus->seq = ev->seq;
	bus->emitted++;
	for (uint32_t i = 0; i < bus->n_sub; i++)
		bus->sub[i].n++; /* events each subscriber took part in (not the refused ones) */
	return 0;
}

int calls_ev_load(struct calls_evbus *bus, struct store *s)
{
	char *v = NULL;
	size_t n = 0;
	int rc = store_get(s, STORE_DB_META, SEQ_KEY, strlen(SEQ_KEY), &v, &n);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	uint64_t seq = 0;
	if (n == 8)
		for (size_t i = 0; i < 8; i++)
			seq = seq << 8 | (uint8_t)v[i];
	free(v);
	if (n != 8)
		return -EBADMSG;
	if (seq > bus->seq)
		bus->seq = seq;
	return 0;
}

json_t *calls_ev_json(const struct calls_evbus *bus)
{
	json_t *subs = json_object();
	for (uint32_t i = 0; i < bus->n_sub; i++)
		json_object_set_new(subs, bus->sub[i].name,
		                    json_pack("{s:I, s:I}", "events", (json_int_t)bus->sub[i].n, "errors",
		                              (json_int_t)bus->sub[i].errors));
	return json_pack("{s:I, s:I, s:I, s:o}", "seq", (json_int_t)bus->seq, "emitted",
	                 (json_int_t)bus->emitted, "refused", (json_int_t)bus->refused,
	                 "subscribers", subs);
}
