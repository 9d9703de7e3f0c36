/* SPDX-License-Identifier: BSD-3-Clause */
/* store_test.h — helpers for the store's tests: a temp dir, a loop driving completions. */
#ifndef STORE_TEST_H
#define STORE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_loop.h"
#include "store.h"

static inline void st_rmrf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static inline uint64_t st_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void st_on_fd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	store_dispatch(arg);
}

/* Turn the loop until *counter reaches want or 20 s pass (a loaded 2-CPU machine). Returns
 * 0 when reached. */
static inline int st_run_until(struct ctl_loop *l, const int *counter, int want)
{
	uint64_t end = st_now_ms() + 20000;
	while (*counter < want && st_now_ms() < end)
		ctl_loop_once(l, 100);
	return *counter >= want ? 0 : -1;
}

#endif /* STORE_TEST_H */
