/* SPDX-License-Identifier: BSD-3-Clause */
/* bench-router-srv: the customer's web server for the call-router benchmark (run.sh). One
 * epoll loop on loopback, HTTP/1.1 keep-alive, a fixed document per path; it measures itself
 * (CPU, time spent per request) to show it is not the bottleneck, and the platform's document
 * turnaround: from the write of a Redirect-only document's response to the arrival of the
 * same call's (CallSid) next request, which is control's parse + execute + next fetch.
 *
 *   bench-router-srv PORT_FILE [!]PATH=FILE...   ('!': a Redirect-only document, timed)
 *
 * SIGUSR1 prints a "srv ..." line of totals (run.sh samples a window); SIGTERM prints the
 * totals and the turnaround quantiles, then exits. Bounded: 1024 connections, 16 KB of
 * request per connection, 8192 calls tracked, 1M turnaround samples. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUTES 8
#define MAX_CONNS 1024
#define BUF_CAP 16384
#define SID_SLOTS 8192 /* power of two */
#define MAX_SAMPLES (1u << 20)

struct route {
	char path[64];
	char *resp; /* the whole response, headers included */
	size_t resp_len;
	bool timed;
	uint64_t hits;
};

struct conn {
	int fd;
	size_t len;
	char buf[BUF_CAP];
};

struct sid_slot {
	char sid[35];
	uint64_t resp_ns; /* the last timed response to this call, 0 if none pending */
};

static struct route routes[MAX_ROUTES];
static unsigned n_routes;
static struct sid_slot sids[SID_SLOTS];
static uint32_t *samples;
static uint32_t n_samples;
static uint64_t n_req, n_404, n_dropped, busy_ns;
static volatile sig_atomic_t want_print, want_stop;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_sig(int s)
{
	if (s == SIGUSR1)
		want_print = 1;
	else
		want_stop = 1;
}

static int route_add(const char *spec)
{
	bool timed = spec[0] == '!';
	spec += timed;
	const char *eq = strchr(spec, '=');
	if (n_routes >= MAX_ROUTES || !eq || (size_t)(eq - spec) >= sizeof(routes[0].path))
		return -1;
	FILE *f = fopen(eq + 1, "rb");
	if (!f)
		return -1;
	char body[8192];
	size_t n = fread(body, 1, sizeof(body), f);
	fclose(f);
	struct route *r = &routes[n_routes++];
	memcpy(r->path, spec, (size_t)(eq - spec));
	r->timed = timed;
	r->resp = malloc(n + 160);
	if (!r->resp)
		return -1;
	int h = snprintf(r->resp, 160,
	                 "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n\r\n", n);
	memcpy(r->resp + h, body, n);
	r->resp_len = (size_t)h + n;
	return 0;
}

static struct sid_slot *sid_find(const char *sid)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 34; i++)
		h = (h ^ (uint8_t)sid[i]) * 16777619u;
	for (uint32_t k = 0; k < 64; k++) { /* bounded probe; a full table only loses samples */
		struct sid_slot *s = &sids[(h + k) & (SID_SLOTS - 1)];
		if (!s->sid[0]) {
			memcpy(s->sid, sid, 34);
			return s;
		}
		if (!memcmp(s->sid, sid, 34))
			return s;
	}
	return NULL;
}

/* the CallSid of a form body, or NULL */
static const char *call_sid(const char *body, size_t len)
{
	for (size_t i = 0; i + 8 + 34 <= len; i++)
		if ((i == 0 || body[i - 1] == '&') && !memcmp(body + i, "CallSid=", 8))
			return body + i + 8;
	return NULL;
}

static size_t content_length(const char *hdr, size_t hlen)
{
	for (size_t i = 0; i + 16 < hlen; i++)
		if (hdr[i] == '\n' && !strncasecmp(hdr + i + 1, "Content-Length:", 15))
			return (size_t)strtoul(hdr + i + 16, NULL, 10);
	return 0;
}

/* one complete request at c->buf: answer it; returns its length, 0 if incomplete, -1 bad */
static long serve_one(struct conn *c, uint64_t t0)
{
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return c->len >= BUF_CAP ? -1 : 0;
	size_t hlen = (size_t)(end - c->buf) + 4;
	size_t blen = content_length(c->buf, hlen);
	if (blen > BUF_CAP - hlen)
		return -1;
	if (c->len < hlen + blen)
		return 0;
	n_req++;
	char *sp = memchr(c->buf, ' ', hlen);
	if (!sp)
		return -1;
	char *path = sp + 1, *pe = path;
	while (pe < end && *pe != ' ' && *pe != '?')
		pe++;
	struct route *r = NULL;
	for (unsigned i = 0; i < n_routes; i++)
		if (strlen(routes[i].path) == (size_t)(pe - path) &&
		    !memcmp(routes[i].path, path, (size_t)(pe - path)))
			r = &routes[i];
	const char *sid = call_sid(c->buf + hlen, blen);
	struct sid_slot *s = sid ? sid_find(sid) : NULL;
	if (s && s->resp_ns) {
		uint64_t d = (t0 - s->resp_ns) / 1000;
		if (n_samples < MAX_SAMPLES)
			samples[n_samples++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		s->resp_ns = 0;
	}
	static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	const char *out = r ? r->resp : nf;
	size_t olen = r ? r->resp_len : sizeof(nf) - 1;
	if (!r)
		n_404++;
	else
		r->hits++;
	if (write(c->fd, out, olen) != (ssize_t)olen)
		return -1; /* a small answer that does not fit the socket: the client is gone */
	if (s && r && r->timed)
		s->resp_ns = now_ns();
	return (long)(hlen + blen);
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static void conn_read(int ep, struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->buf + c->len, BUF_CAP - c->len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(ep, c);
			return;
		}
		if (n < 0)
			return;
		uint64_t t0 = now_ns();
		c->len += (size_t)n;
		long used;
		while (c->len && (used = serve_one(c, t0)) > 0) {
			memmove(c->buf, c->buf + used, c->len - (size_t)used);
			c->len -= (size_t)used;
		}
		busy_ns += now_ns() - t0;
		if (used < 0) {
			n_dropped++;
			conn_close(ep, c);
			return;
		}
	}
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void print_totals(void)
{
	printf("srv requests=%llu cpu_s=%.3f busy_s=%.3f", (unsigned long long)n_req, cpu_s(),
	       (double)busy_ns / 1e9);
	for (unsigned i = 0; i < n_routes; i++)
		printf(" %s=%llu", routes[i].path, (unsigned long long)routes[i].hits);
	printf(" not_found=%llu dropped=%llu\n", (unsigned long long)n_404,
	       (unsigned long long)n_dropped);
	fflush(stdout);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-router-srv PORT_FILE [!]PATH=FILE...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (route_add(argv[i])) {
			fprintf(stderr, "bad route %s\n", argv[i]);
			return 2;
		}
	samples = calloc(MAX_SAMPLES, sizeof(*samples));
	struct conn *conns = calloc(MAX_CONNS, sizeof(*conns));
	if (!samples || !conns)
		return 1;
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 512) ||
	    getsockname(ls, (struct sockaddr *)&a, &al)) {
		perror("listen");
		return 1;
	}
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	FILE *pf = fopen(tmp, "w");
	if (!pf)
		return 1;
	fprintf(pf, "%u\n", ntohs(a.sin_port));
	fclose(pf);
	rename(tmp, argv[1]);
	signal(SIGUSR1, on_sig);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	signal(SIGPIPE, SIG_IGN);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (!want_stop) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 100);
		if (want_print) {
			want_print = 0;
			print_totals();
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u32 != UINT32_MAX) {
				conn_read(ep, &conns[evs[i].data.u32]);
				continue;
			}
			int fd;
			while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				uint32_t k = 0;
				while (k < MAX_CONNS && conns[k].fd >= 0)
					k++;
				if (k == MAX_CONNS) {
					n_dropped++;
					close(fd);
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				conns[k].fd = fd;
				conns[k].len = 0;
				struct epoll_event ce = {.events = EPOLLIN, .data.u32 = k};
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
			}
		}
	}
	print_totals();
	qsort(samples, n_samples, sizeof(*samples), cmp_u32);
	if (n_samples)
		printf("srv turnaround n=%u p50_us=%u p99_us=%u max_us=%u\n", n_samples,
		       samples[n_samples / 2], samples[(uint64_t)n_samples * 99 / 100],
		       samples[n_samples - 1]);
	else
		printf("srv turnaround n=0\n");
	return 0;
}
