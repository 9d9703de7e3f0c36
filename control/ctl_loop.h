/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_loop.h — control's single-threaded event loop: file events, timers, sleep hooks. */
#ifndef CTL_LOOP_H
#define CTL_LOOP_H

#include <stdint.h>

/*
 * Modelled on Redis ae.c: one epoll set, callbacks per fd and mask, timers kept in a binary
 * min-heap ordered by due time (the nearest one bounds epoll_wait's timeout), and two hooks
 * around the sleep. The before-sleep hook returns nonzero when it left work behind (a drain
 * budget ran out, or it saw events while arming the doorbell): the loop then polls without
 * blocking. Nothing here blocks except epoll_wait itself.
 *
 * Time comes from a clock function (CLOCK_MONOTONIC by default) that tests may replace.
 * Not thread-safe: everything runs on the thread that calls ctl_loop_run().
 */
struct ctl_loop;

enum ctl_loop_mask {
	CTL_LOOP_READ = 1,
	CTL_LOOP_WRITE = 2,
};

#define CTL_TIMER_STOP (-1)

/* A file callback: mask says which of the registered conditions fired (errors and hang-ups
 * are reported as readable, so the callback sees them on read()). */
typedef void ctl_loop_file_fn(struct ctl_loop *l, int fd, void *arg, int mask);
/* A timer callback: returns the next interval in ms (>= 0) or CTL_TIMER_STOP to remove it. */
typedef int64_t ctl_loop_timer_fn(struct ctl_loop *l, uint64_t id, void *arg);
/* before-sleep hook: nonzero means "work left, don't block". after-sleep: return ignored. */
typedef int ctl_loop_hook_fn(struct ctl_loop *l, void *arg);
/* Clock in nanoseconds. */
typedef uint64_t ctl_loop_clock_fn(void *arg);

/* Create a loop for fds below max_fds. Returns 0, -EINVAL or -errno; *out on success only. */
int ctl_loop_create(struct ctl_loop **out, int max_fds);
void ctl_loop_destroy(struct ctl_loop *l);

/* Watch fd for mask (added to what is watched already). Returns 0, -ERANGE, or -errno. */
int ctl_loop_add_file(struct ctl_loop *l, int fd, int mask, ctl_loop_file_fn *fn, void *arg);
/* Stop watching mask on fd (all of it: CTL_LOOP_READ | CTL_LOOP_WRITE). Safe for unknown fds. */
void ctl_loop_del_file(struct ctl_loop *l, int fd, int mask);

/* Add a timer firing after ms. Returns its id (never 0), or 0 when out of memory. */
uint64_t ctl_loop_add_timer(struct ctl_loop *l, int64_t ms, ctl_loop_timer_fn *fn, void *arg);
/* Remove a timer. Returns 0 or -ENOENT. Safe to call from any callback, including its own. */
int ctl_loop_del_timer(struct ctl_loop *l, uint64_t id);

void ctl_loop_set_hooks(struct ctl_loop *l, ctl_loop_hook_fn *before_sleep,
                        ctl_loop_hook_fn *after_sleep, void *arg);
void ctl_loop_set_clock(struct ctl_loop *l, ctl_loop_clock_fn *fn, void *arg);
uint64_t ctl_loop_now_ns(const struct ctl_loop *l);

/*
 * One turn: before-sleep hook, epoll_wait bounded by the nearest timer and max_wait_ms
 * (-1: no bound), after-sleep hook, file callbacks, due timers. Returns the number of
 * callbacks run, or -errno from epoll_wait (EINTR is not an error: 0).
 */
int ctl_loop_once(struct ctl_loop *l, int max_wait_ms);
/* Run turns until ctl_loop_stop(). Returns 0. */
int ctl_loop_run(struct ctl_loop *l);
void ctl_loop_stop(struct ctl_loop *l);

#endif /* CTL_LOOP_H */
