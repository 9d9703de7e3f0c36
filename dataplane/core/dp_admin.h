/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_admin.h — the dataplane's Unix socket: hands control the boot_id and the wake-up eventfd. */
#ifndef DP_ADMIN_H
#define DP_ADMIN_H

#include <stdint.h>

#define DP_ADMIN_MAX_CLIENTS 4

struct dp_admin {
	int lfd;
	int clients[DP_ADMIN_MAX_CLIENTS];
	char path[200];
	uint64_t boot_id;
	int efd;
};

/* Listen on path (replacing a stale socket). Returns 0 or -errno. */
int dp_admin_open(struct dp_admin *a, const char *path, uint64_t boot_id, int efd);
/* Serve connections for up to timeout_ms (main lcore only). */
void dp_admin_poll(struct dp_admin *a, int timeout_ms);
void dp_admin_close(struct dp_admin *a);

#endif /* DP_ADMIN_H */
