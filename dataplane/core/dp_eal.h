/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_eal.h — EAL arguments from the config. */
#ifndef DP_EAL_H
#define DP_EAL_H

#include "dp_config.h"
#include "vox_names.h"

#define DP_EAL_MAX_ARGS 48

struct dp_eal_args {
	int argc;
	char *argv[DP_EAL_MAX_ARGS];
	char store[2048];
	size_t used;
	int hugepages; /* 1: --in-memory on reserved hugepages; 0: --no-huge */
};

/* Build argv for rte_eal_init. memory=auto reserves 2 MiB hugepages when it can (root) and
 * falls back to --no-huge. Returns 0 or -E2BIG. */
int dp_eal_args_build(struct dp_eal_args *a, const char *argv0, const struct dp_cfg *cfg,
		      const struct vox_names *names);

#endif /* DP_EAL_H */
