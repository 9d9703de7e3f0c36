/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_loop.c — epoll loop with a timer min-heap (see ctl_loop.h for the design). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "ctl_loop.h"

struct ctl_loop_file {
	int mask; /* registered conditions, 0 = unused */
	ctl_loop_file_fn *fn;
	void *arg;
};

struct ctl_loop_timer {
	uint64_t when_ns;
	uint64_t id;
	ctl_loop_timer_fn *fn;
	void *arg;
};

struct ctl_loop {
	int epfd;
	int max_fds;
	int stop;
	struct ctl_loop_file *files; /* indexed by fd */
	struct epoll_event *fired;
	struct ctl_loop_timer *heap; /* min-heap on when_ns */
	uint32_t n_timers, cap_timers;
	uint64_t next_id;
	ctl_loop_hook_fn *before, *after;
	void *hook_arg;
	ctl_loop_clock_fn *clock;
	void *clock_arg;
};

static uint64_t loop_mono_ns(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ctl_loop_create(struct ctl_loop **out, int max_fds)
{
	if (max_fds <= 0)
		return -EINVAL;
	struct ctl_loop *l = calloc(1, sizeof(*l));
	int rc = -ENOMEM;
	if (!l)
		return rc;
	l->epfd = -1;
	l->max_fds = max_fds;
	l->files = calloc((size_t)max_fds, sizeof(*l->files));
	l->fired = calloc((size_t)max_fds, sizeof(*l->fired));
	if (!l->files || !l->fired)
		goto out;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		rc = -errno;
		goto out;
	}
	l->clock = loop_mono_ns;
	l->next_id = 1;
	*out = l;
	return 0;
out:
	ctl_loop_destroy(l);
	return rc;
}

void ctl_loop_destroy(struct ctl_loop *l)
{
	if (!l)
		return;
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->files);
	free(l->fired);
	free(l->heap);
	free(l);
}

static uint32_t loop_epoll_events(int mask)
{
	uint32_t ev = 0;
	if (mask & CTL_LOOP_READ)
		ev |= EPOLLIN;
	if (mask & CTL_LOOP_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

int ctl_loop_add_file(struct ctl_loop *l, int fd, int mask, ctl_loop_file_fn *fn, void *arg)
{
	if (fd < 0 || fd >= l->max_fds)
		return -ERANGE;
	struct ctl_loop_file *f = &l->files[fd];
	int op = f->mask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	struct epoll_event ee = {.events = loop_epoll_events(f->mask | mask), .data.fd = fd};
	if (epoll_ctl(l->epfd, op, fd, &ee) != 0)
		return -errno;
	f->mask |= mask;
	f->fn = fn;
	f->arg = arg;
	return 0;
}

void ctl_loop_del_file(struct ctl_loop *l, int fd, int mask)
{
	if (fd < 0 || fd >= l->max_fds || !l->files[fd].mask)
		return;
	struct ctl_loop_file *f = &l->files[fd];
	f->mask &= ~mask;
	struct epoll_event ee = {.events = loop_epoll_events(f->mask), .data.fd = fd};
	/* errors ignored: the fd may already be closed, which removed it from the set */
	epoll_ctl(l->epfd, f->mask ? EPOLL_CTL_MOD : EPOLL_CTL_DEL, fd, &ee);
	if (!f->mask)
		f->fn = NULL;
}

/* ---- timer heap ---- */

static void heap_swap(struct ctl_loop *l, uint32_t a, uint32_t b)
{
	struct ctl_loop_timer t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
}

/* Earlier deadline first; equal deadlines in the order they were added (ids increase), so
 * zero-delay timers run first-in first-out: callers use them to defer work in sequence. */
static int heap_before(const struct ctl_loop_timer *a, const struct ctl_loop_timer *b)
{
	return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->id < b->id);
}

static void heap_up(struct ctl_loop *l, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!heap_before(&l->heap[i], &l->heap[p]))
			break;
		heap_swap(l, p, i);
		i = p;
	}
}

static void heap_down(struct ctl_loop *l, uint32_t i)
{
	for (;;) {
		uint32_t c = 2 * i + 1, m = i;
		if (c < l->n_timers && heap_before(&l->heap[c], &l->heap[m]))
			m = c;
		if (c + 1 < l->n_timers && heap_before(&l->heap[c + 1], &l->heap[m]))
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

static void heap_remove_at(struct ctl_loop *l, uint32_t i)
{
	l->n_timers--;
	if (i == l->n_timers)
		return;
	l->heap[i] = l->heap[l->n_timers];
	heap_down(l, i);
	heap_up(l, i);
}

static int heap_push(struct ctl_loop *l, const struct ctl_loop_timer *t)
{
	if (l->n_timers == l->cap_timers) {
		uint32_t cap = l->cap_timers ? l->cap_timers * 2 : 16;
		struct ctl_loop_timer *h = realloc(l->heap, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->cap_timers = cap;
	}
	l->heap[l->n_timers] = *t;
	heap_up(l, l->n_timers++);
	return 0;
}

uint64_t ctl_loop_add_timer(struct ctl_loop *l, int64_t ms, ctl_loop_timer_fn *fn, void *arg)
{
	if (ms < 0)
		ms = 0;
	struct ctl_loop_timer t = {
	    .when_ns = ctl_loop_now_ns(l) + (uint64_t)ms * 1000000ull,
	    .id = l->next_id++,
	    .fn = fn,
	    .arg = arg,
	};
	return heap_push(l, &t) == 0 ? t.id : 0;
}

int ctl_loop_del_timer(struct ctl_loop *l, uint64_t id)
{
	for (uint32_t i = 0; i < l->n_timers; i++)
		if (l->heap[i].id == id) {
			heap_remove_at(l, i);
			return 0;
		}
	return -ENOENT;
}

void ctl_loop_set_hooks(struct ctl_loop *l, ctl_loop_hook_fn *before_sleep,
                        ctl_loop_hook_fn *after_sleep, void *arg)
{
	l->before = before_sleep;
	l->after = after_sleep;
	l->hook_arg = arg;
}

void ctl_loop_set_clock(struct ctl_loop *l, ctl_loop_clock_fn *fn, void *arg)
{
	l->clock = fn ? fn : loop_mono_ns;
	l->clock_arg = arg;
}

uint64_t ctl_loop_now_ns(const struct ctl_loop *l)
{
	return l->clock(l->clock_arg);
}

/* Run every timer due now. A callback may add or delete timers (itself included): the heap
 * top is re-read each time, and a timer is popped before its callback runs (it keeps its id
 * when re-armed). Work per turn is bounded: a re-armed timer is due after `now`. */
static int loop_run_timers(struct ctl_loop *l)
{
	uint64_t now = ctl_loop_now_ns(l);
	int ran = 0;
	while (l->n_timers && l->heap[0].when_ns <= now) {
		struct ctl_loop_timer t = l->heap[0];
		heap_remove_at(l, 0);
		int64_t next = t.fn(l, t.id, t.arg);
		ran++;
		if (next >= 0) {
			/* +1 ns: a 0 ms re-arm runs on the next turn, not again in this one */
			t.when_ns = now + (uint64_t)next * 1000000ull + 1;
			if (heap_push(l, &t) != 0)
				break;
		}
	}
	return ran;
}

static int loop_timeout_ms(struct ctl_loop *l, int max_wait_ms)
{
	if (!l->n_timers)
		return max_wait_ms;
	uint64_t now = ctl_loop_now_ns(l);
	uint64_t when = l->heap[0].when_ns;
	int64_t ms = when <= now ? 0 : (int64_t)((when - now + 999999ull) / 1000000ull);
	if (max_wait_ms >= 0 && ms > max_wait_ms)
		ms = max_wait_ms;
	return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

int ctl_loop_once(struct ctl_loop *l, int max_wait_ms)
{
	if (l->before && l->before(l, l->hook_arg))
		max_wait_ms = 0;
	int timeout = loop_timeout_ms(l, max_wait_ms);
	int n = epoll_wait(l->epfd, l->fired, l->max_fds, timeout);
	if (n < 0 && errno != EINTR)
		return -errno;
	if (l->after)
		l->after(l, l->hook_arg);
	int ran = 0;
	for (int i = 0; i < n; i++) {
		int fd = l->fired[i].data.fd;
		struct ctl_loop_file *f = &l->files[fd];
		uint32_t ev = l->fired[i].events;
		int mask = 0;
		if (ev & EPOLLIN)
			mask |= CTL_LOOP_READ;
		if (ev & EPOLLOUT)
			mask |= CTL_LOOP_WRITE;
		if (ev & (EPOLLERR | EPOLLHUP))
			mask |= f->mask; /* whoever watches learns of it on its next read/write */
		/* an earlier callback in this batch may have removed or replaced this fd */
		mask &= f->mask;
		if (mask && f->fn) {
			f->fn(l, fd, f->arg, mask);
			ran++;
		}
	}
	return ran + loop_run_timers(l);
}

int ctl_loop_run(struct ctl_loop *l)
{
	l->stop = 0;
	while (!l->stop)
		ctl_loop_once(l, -1);
	return 0;
}

void ctl_loop_stop(struct ctl_loop *l)
{
	l->stop = 1;
}
