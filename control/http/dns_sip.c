/* SPDX-License-Identifier: BSD-3-Clause */
/* dns_sip.c — RFC 3263 server location for SIP hosts with c-ares on control's loop. */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_loop.h"
#include "dns.h"

/*
 * c-ares tells us its sockets through the sock-state callback (-> ctl_loop file events) and its
 * next deadline through ares_timeout (-> one loop timer, re-armed after every pass). A lookup is
 * a small state machine: NAPTR, then SRV for each usable NAPTR (or the three SRV names), then A
 * for each SRV target (or the host itself). Its result is delivered from a 0 ms loop timer, so a
 * callback never runs inside dns_sip_resolve, whatever c-ares answers synchronously.
 */

enum { T_UDP = 1, T_TCP = 2, T_TLS = 4 };
static const char *const dns_tname[] = {[T_UDP] = "udp", [T_TCP] = "tcp", [T_TLS] = "tls"};

struct dns_cand {
	char host[256];
	uint16_t port;
	int t;
	long rank; /* NAPTR position, then SRV priority; lower first */
	int weight;
	char addr[DNS_MAX_TARGETS][16];
	int naddr;
};

struct dns_lookup {
	struct dns *d;
	struct dns_lookup *next, *prev;
	dns_done_fn *done;
	void *arg;
	char host[256];
	uint16_t port;
	int tmask;
	int outstanding, issuing, cancelled, finished;
	int saw_timeout, saw_other;
	int stage; /* 0 NAPTR, 1 SRV, 2 A */
	struct dns_cand cand[DNS_MAX_TARGETS];
	int ncand;
	uint64_t defer_timer;
	struct dns_result res;
};

struct dns {
	struct ctl_loop *loop;
	ares_channel ch;
	uint64_t timer;
	uint32_t n, max;
	int destroying;
	struct dns_lookup *all;
	struct dns_counters cnt;
};

struct dns_q { /* one query's context */
	struct dns_lookup *lk;
	int idx, t;
	long rank;
};

static void dns_arm(struct dns *d);
static void lk_step(struct dns_lookup *lk);

/* ---------------------------------------------------------------- c-ares <-> loop */

static void dns_on_fd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct dns *d = arg;
	ares_process_fd(d->ch, mask & CTL_LOOP_READ ? fd : ARES_SOCKET_BAD,
	                mask & CTL_LOOP_WRITE ? fd : ARES_SOCKET_BAD);
	dns_arm(d);
}

static void dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	ctl_loop_del_file(d->loop, fd, CTL_LOOP_READ | CTL_LOOP_WRITE);
	int mask = (readable ? CTL_LOOP_READ : 0) | (writable ? CTL_LOOP_WRITE : 0);
	if (mask && !d->destroying)
		ctl_loop_add_file(d->loop, fd, mask, dns_on_fd, d);
}

static int64_t dns_on_timer(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct dns *d = arg;
	d->timer = 0;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_arm(d);
	return CTL_TIMER_STOP;
}

static void dns_arm(struct dns *d)
{
	struct timeval tv;
	if (d->timer)
		ctl_loop_del_timer(d->loop, d->timer);
	d->timer = 0;
	if (ares_timeout(d->ch, NULL, &tv))
		d->timer = ctl_loop_add_timer(d->loop, tv.tv_sec * 1000 + tv.tv_usec / 1000 + 1,
		                              dns_on_timer, d);
}

/* ---------------------------------------------------------------- lookups */

static void lk_free(struct dns_lookup *lk)
{
	struct dns *d = lk->d;
	if (lk->defer_timer)
		ctl_loop_del_timer(d->loop, lk->defer_timer);
	if (lk->prev)
		lk->prev->next = lk->next;
	else
		d->all = lk->next;
	if (lk->next)
		lk->next->prev = lk->prev;
	d->n--;
	free(lk);
}

static int64_t lk_on_defer(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct dns_lookup *lk = arg;
	lk->defer_timer = 0;
	if (lk->outstanding) /* cancelled while c-ares still owes answers: freed by the last one */
		return CTL_TIMER_STOP;
	if (!lk->cancelled) {
		if (lk->res.error)
			lk->d->cnt.failed++;
		else
			lk->d->cnt.ok++;
		lk->done(&lk->res, lk->arg);
	}
	lk_free(lk);
	return CTL_TIMER_STOP;
}

static void lk_finish(struct dns_lookup *lk, int error)
{
	lk->finished = 1;
	lk->res.error = error;
	lk->defer_timer = ctl_loop_add_timer(lk->d->loop, 0, lk_on_defer, lk);
}

static void lk_note(struct dns_lookup *lk, int status)
{
	if (status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED || status == ARES_ESERVFAIL)
		lk->saw_timeout = 1;
	else if (status != ARES_SUCCESS && status != ARES_ENOTFOUND && status != ARES_ENODATA)
		lk->saw_other = 1;
}

/* A query answered: note it, and move on when it was the last of its stage. */
static int lk_answered(struct dns_lookup *lk, int status)
{
	lk->outstanding--;
	if (lk->d->destroying)
		return 0;
	lk_note(lk, status);
	if (lk->cancelled) {
		if (!lk->outstanding && !lk->defer_timer)
			lk_free(lk);
		return 0;
	}
	return 1;
}

static void lk_add_cand(struct dns_lookup *lk, const char *host, uint16_t port, int t, long rank,
                        int weight)
{
	if (lk->ncand >= DNS_MAX_TARGETS)
		return;
	struct dns_cand *c = &lk->cand[lk->ncand++];
	memset(c, 0, sizeof(*c));
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->port = port;
	c->t = t;
	c->rank = rank;
	c->weight = weight;
}

static void on_a(void *arg, int status, int timeouts, struct hostent *h)
{
	struct dns_q *q = arg;
	struct dns_lookup *lk = q->lk;
	int idx = q->idx;
	free(q);
	if (!lk_answered(lk, status))
		return;
	struct dns_cand *c = &lk->cand[idx];
	if (status == ARES_SUCCESS && h && h->h_addrtype == AF_INET)
		for (char **a = h->h_addr_list; *a && c->naddr < DNS_MAX_TARGETS; a++)
			inet_ntop(AF_INET, *a, c->addr[c->naddr++], sizeof(c->addr[0]));
	lk_step(lk);
}

static void on_srv(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_q *q = arg;
	struct dns_lookup *lk = q->lk;
	int t = q->t;
	long rank = q->rank;
	free(q);
	if (!lk_answered(lk, status))
		return;
	struct ares_srv_reply *srv = NULL;
	if (status == ARES_SUCCESS && ares_parse_srv_reply(abuf, alen, &srv) == ARES_SUCCESS) {
		for (struct ares_srv_reply *s = srv; s; s = s->next)
			if (strcmp(s->host, ".") && *s->host) /* "." means: no service here */
				lk_add_cand(lk, s->host, s->port, t, rank + s->priority, s->weight);
		ares_free_data(srv);
	}
	lk_step(lk);
}

static void on_naptr(void *arg, int status, int timeouts, unsigned char *abuf, int alen);

static int lk_query(struct dns_lookup *lk, const char *name, int type, int idx, int t, long rank)
{
	struct dns_q *q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	*q = (struct dns_q){lk, idx, t, rank};
	lk->outstanding++;
	lk->d->cnt.queries++;
	if (type == 0)
		ares_gethostbyname(lk->d->ch, name, AF_INET, on_a, q);
	else
		ares_query(lk->d->ch, name, 1 /* C_IN */, type, type == 35 ? on_naptr : on_srv, q);
	return 0;
}

static int tbit(const char *service)
{
	if (!strcasecmp(service, "SIP+D2U"))
		return T_UDP;
	if (!strcasecmp(service, "SIP+D2T"))
		return T_TCP;
	if (!strcasecmp(service, "SIPS+D2T"))
		return T_TLS;
	return 0;
}

static void on_naptr(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_q *q = arg;
	struct dns_lookup *lk = q->lk;
	free(q);
	if (!lk_answered(lk, status))
		return;
	if (status == ARES_ENOTFOUND) { /* the name does not exist: nothing else will */
		lk_finish(lk, -ENOENT);
		return;
	}
	if (status == ARES_ETIMEOUT) { /* no server answers: the SRV and A queries would not either */
		lk_finish(lk, -ETIMEDOUT);
		return;
	}
	struct ares_naptr_reply *np = NULL;
	lk->stage = 1;
	lk->issuing = 1;
	int used = 0;
	if (status == ARES_SUCCESS && ares_parse_naptr_reply(abuf, alen, &np) == ARES_SUCCESS) {
		for (struct ares_naptr_reply *n = np; n; n = n->next) {
			int t = tbit((const char *)n->service);
			if (!t || !(t & lk->tmask) || strcasecmp((const char *)n->flags, "s") != 0)
				continue;
			long rank = ((long)n->order << 20) + ((long)n->preference << 16);
			if (lk_query(lk, n->replacement, 33 /* SRV */, 0, t, rank) == 0)
				used++;
		}
		ares_free_data(np);
	}
	if (!used) { /* RFC 3263 §4.1: no NAPTR, ask SRV for each transport */
		char name[300];
		static const struct {
			int t;
			const char *pre;
		} srvs[] = {{T_UDP, "_sip._udp."}, {T_TCP, "_sip._tcp."}, {T_TLS, "_sips._tcp."}};
		for (int i = 0; i < 3; i++) {
			if (!(srvs[i].t & lk->tmask))
				continue;
			snprintf(name, sizeof(name), "%s%s", srvs[i].pre, lk->host);
			lk_query(lk, name, 33, 0, srvs[i].t, (long)i << 20);
		}
	}
	lk->issuing = 0;
	lk_step(lk);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct dns_cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return y->weight - x->weight; /* heavier first (deterministic, not RFC 2782's lottery) */
}

/* Advance when the stage's queries are all answered. */
static void lk_step(struct dns_lookup *lk)
{
	if (lk->outstanding || lk->issuing || lk->finished)
		return;
	if (lk->stage == 1) {
		lk->stage = 2;
		if (!lk->ncand) {
			int t = lk->tmask & T_UDP ? T_UDP : lk->tmask & T_TCP ? T_TCP : T_TLS;
			lk_add_cand(lk, lk->host, t == T_TLS ? 5061 : 5060, t, 0, 0);
		}
		qsort(lk->cand, (size_t)lk->ncand, sizeof(lk->cand[0]), cand_cmp);
		lk->issuing = 1;
		for (int i = 0; i < lk->ncand; i++)
			lk_query(lk, lk->cand[i].host, 0, i, 0, 0);
		lk->issuing = 0;
		lk_step(lk);
		return;
	}
	if (lk->stage != 2)
		return;
	for (int i = 0; i < lk->ncand; i++)
		for (int k = 0; k < lk->cand[i].naddr && lk->res.n < DNS_MAX_TARGETS; k++) {
			struct dns_target *t = &lk->res.t[lk->res.n++];
			snprintf(t->addr, sizeof(t->addr), "%s", lk->cand[i].addr[k]);
			t->port = lk->cand[i].port;
			snprintf(t->transport, sizeof(t->transport), "%s", dns_tname[lk->cand[i].t]);
		}
	lk_finish(lk, lk->res.n ? 0
	                        : lk->saw_timeout ? -ETIMEDOUT
	                                          : lk->saw_other ? -EIO : -ENOENT);
}

int dns_sip_resolve(struct dns *d, const char *host, uint16_t port, const char *transport,
                    dns_done_fn *done, void *arg, struct dns_lookup **out)
{
	int tmask = T_UDP | T_TCP | T_TLS;
	if (transport && *transport) {
		tmask = !strcasecmp(transport, "udp")   ? T_UDP
		        : !strcasecmp(transport, "tcp") ? T_TCP
		        : !strcasecmp(transport, "tls") ? T_TLS
		                                        : 0;
	}
	if (!host || !*host || strlen(host) > 253 || !tmask || !done)
		return -EINVAL;
	if (d->n >= d->max) {
		d->cnt.busy++;
		return -EBUSY;
	}
	struct dns_lookup *lk = calloc(1, sizeof(*lk));
	if (!lk)
		return -ENOMEM;
	lk->d = d;
	lk->done = done;
	lk->arg = arg;
	lk->tmask = tmask;
	lk->port = port;
	snprintf(lk->host, sizeof(lk->host), "%s", host);
	lk->next = d->all;
	if (d->all)
		d->all->prev = lk;
	d->all = lk;
	d->n++;
	d->cnt.lookups++;
	int t = tmask & T_UDP ? T_UDP : tmask & T_TCP ? T_TCP : T_TLS;
	struct in_addr ia;
	if (inet_pton(AF_INET, host, &ia) == 1) { /* §4.2: a numeric host, no lookup */
		struct dns_target *tg = &lk->res.t[lk->res.n++];
		snprintf(tg->addr, sizeof(tg->addr), "%s", host);
		tg->port = port ? port : t == T_TLS ? 5061 : 5060;
		snprintf(tg->transport, sizeof(tg->transport), "%s", dns_tname[t]);
		lk_finish(lk, 0);
	} else if (port) { /* an explicit port: A records only */
		lk->stage = 1;
		lk_add_cand(lk, host, port, t, 0, 0);
		lk_step(lk);
	} else {
		lk_query(lk, host, 35 /* NAPTR */, 0, 0, 0);
	}
	dns_arm(d);
	if (out)
		*out = lk;
	return 0;
}

void dns_cancel(struct dns *d, struct dns_lookup *lk)
{
	if (!lk)
		return;
	lk->cancelled = 1;
	if (!lk->outstanding)
		lk_free(lk); /* its defer timer goes with it */
}

int dns_create(struct dns **out, struct ctl_loop *l, const struct dns_cfg *c)
{
	static int lib_done;
	if (!lib_done) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
			return -ENOMEM;
		lib_done = 1;
	}
	if (!c->max_lookups)
		return -EINVAL;
	struct dns *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->loop = l;
	d->max = c->max_lookups;
	struct ares_options o = {
	    .sock_state_cb = dns_sock_state,
	    .sock_state_cb_data = d,
	    .timeout = (int)(c->timeout_ms ? c->timeout_ms : 2000),
	    .tries = (int)(c->tries ? c->tries : 2),
	};
	int rc = ares_init_options(&d->ch, &o,
	                           ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		free(d);
		return -ENOMEM;
	}
	if (c->servers && *c->servers && ares_set_servers_ports_csv(d->ch, c->servers) != ARES_SUCCESS) {
		ares_destroy(d->ch);
		free(d);
		return -EINVAL;
	}
	*out = d;
	return 0;
}

void dns_destroy(struct dns *d)
{
	if (!d)
		return;
	d->destroying = 1;
	ares_destroy(d->ch); /* every query calls back with ARES_EDESTRUCTION: contexts freed */
	while (d->all)
		lk_free(d->all);
	if (d->timer)
		ctl_loop_del_timer(d->loop, d->timer);
	free(d);
}

const struct dns_counters *dns_counters(const struct dns *d)
{
	return &d->cnt;
}
