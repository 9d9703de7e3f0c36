/* SPDX-License-Identifier: BSD-3-Clause */
/* dns.h — non-blocking RFC 3263 resolution of SIP hosts (NAPTR -> SRV -> A) with c-ares on
 * control's loop, for <Dial><Sip>. IPv4 only, as the dataplane. */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>
#include <stdint.h>

struct ctl_loop;
struct dns;
struct dns_lookup;

#define DNS_MAX_TARGETS 8

struct dns_target {
	char addr[16];     /* dotted IPv4 */
	uint16_t port;
	char transport[4]; /* "udp", "tcp" or "tls" */
};

struct dns_result {
	int error; /* 0; -ENOENT: no such host or no usable record; -ETIMEDOUT; -EIO */
	size_t n;  /* targets in the order to try them */
	struct dns_target t[DNS_MAX_TARGETS];
};

typedef void dns_done_fn(const struct dns_result *r, void *arg);

struct dns_cfg {
	const char *servers;  /* "127.0.0.1:5353,..." (NULL or "": /etc/resolv.conf) */
	uint32_t timeout_ms;  /* per query try */
	uint32_t tries;
	uint32_t max_lookups; /* at once (beyond: -EBUSY) */
};

struct dns_counters {
	uint64_t lookups, ok, failed, busy, queries;
};

int dns_create(struct dns **out, struct ctl_loop *l, const struct dns_cfg *c);
/* Lookups still running are dropped without their callback. */
void dns_destroy(struct dns *d);
/*
 * Resolve a SIP URI's host (RFC 3263 §4): an IPv4 literal is used as is; with an explicit port
 * only A records are asked; else NAPTR (SIP+D2U, SIP+D2T, SIPS+D2T), then SRV (_sip._udp,
 * _sip._tcp, _sips._tcp when there is no NAPTR), then A with port 5060 (5061 for tls).
 * `transport` ("udp", "tcp", "tls" or NULL: any) filters. done is called once, from the loop.
 * Returns 0, -EBUSY, -EINVAL or -ENOMEM.
 */
int dns_sip_resolve(struct dns *d, const char *host, uint16_t port, const char *transport,
                    dns_done_fn *done, void *arg, struct dns_lookup **out);
/* Never calls back for this lookup. */
void dns_cancel(struct dns *d, struct dns_lookup *lk);
const struct dns_counters *dns_counters(const struct dns *d);

#endif /* DNS_H */
