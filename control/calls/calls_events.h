/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_events.h — the call router's one stream of call events. Every call state change (and
 * every notification) is emitted once, numbered (a sequence that survives restarts), to the
 * subscribers in subscription order; each adds what it needs to the store batch that commits
 * the change, so the change and everything derived from it (the status callback in the
 * outbox, the notification record, usage figures) commit together or not at all. Status
 * callbacks, notifications and usage counting subscribe today; the event router and usage
 * triggers are the next subscribers. Pure (the store batch is only passed through and given
 * the sequence number): unit-tested in tests/unit/calls/test_calls_events.c. */
#ifndef CALLS_EVENTS_H
#define CALLS_EVENTS_H

#include <stdint.h>

#include <jansson.h>

struct store;
struct store_batch;

enum calls_ev_kind { CALLS_EV_STATE, CALLS_EV_NOTIFICATION };

struct calls_ev {
	uint64_t seq; /* given by calls_ev_emit: 1, 2, ... */
	uint8_t kind; /* enum calls_ev_kind */
	const char *call_sid, *account_sid, *direction;
	/* STATE: queued initiated ringing in-progress completed busy failed no-answer canceled */
	const char *status;
	unsigned ev_bit;    /* STATE: enum ctl_call_ev (StatusCallbackEvent it belongs to) */
	uint64_t ts_ns;     /* the dataplane's event time (CLOCK_REALTIME) */
	uint64_t answer_ns; /* STATE: when answered (0: never) */
	uint32_t code;      /* NOTIFICATION: Twilio's error code */
	int warning;        /* NOTIFICATION: a warning (log 1), else an error */
	const char *url, *text;
	void *call; /* the router's call (for subscribers inside the router) */
};

/* Adds to b what the subscriber derives from ev: 0, or -errno (the emit stops there and the
 * change is not committed). Must not submit b. */
typedef int calls_ev_fn(void *arg, const struct calls_ev *ev, struct store_batch *b);

#define CALLS_EV_SUBS 8

struct calls_evbus {
	struct {
		const char *name;
		calls_ev_fn *fn;
		void *arg;
		uint64_t n, errors;
	} sub[CALLS_EV_SUBS];
	uint32_t n_sub;
	uint64_t seq;     /* last number given */
	uint64_t emitted; /* events handed to every subscriber */
	uint64_t refused; /* events a subscriber refused */
};

/* 0, or -ENOSPC (CALLS_EV_SUBS subscribers already) / -EINVAL. */
int calls_ev_subscribe(struct calls_evbus *bus, const char *name, calls_ev_fn *fn, void *arg);
/* Numbers ev, hands it to every subscriber in order, and puts the number in b (the store's
 * meta "callev_seq") so a restarted control goes on from it. On a subscriber's error the batch
 * is rolled back to what it held before and the number is not used. b may be NULL (no store:
 * subscribers get NULL). Returns 0 or that error. */
int calls_ev_emit(struct calls_evbus *bus, struct calls_ev *ev, struct store_batch *b);
/* The last number committed, from the store (0 when none). */
int calls_ev_load(struct calls_evbus *bus, struct store *s);
json_t *calls_ev_json(const struct calls_evbus *bus);

#endif /* CALLS_EVENTS_H */
