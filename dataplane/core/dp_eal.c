/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_eal.c — building the EAL argument list from the config, and the hugepage decision. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_eal.h"
#include "dp_log.h"

#define HP_DIR "/sys/kernel/mm/hugepages/hugepages-2048kB/"

static long hp_read(const char *file)
{
	char path[128];
	snprintf(path, sizeof(path), HP_DIR "%s", file);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long v = -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Make sure `pages` free 2 MiB hugepages exist, reserving more if we may. 1 if they do. */
static int hp_ensure(long pages)
{
	long fr = hp_read("free_hugepages");
	if (fr >= pages)
		return 1;
	long total = hp_read("nr_hugepages");
	if (total < 0 || fr < 0)
		return 0;
	FILE *f = fopen(HP_DIR "nr_hugepages", "w");
	if (!f)
		return 0;
	fprintf(f, "%ld\n", total + (pages - fr));
	fclose(f);
	return hp_read("free_hugepages") >= pages;
}

static int push(struct dp_eal_args *a, const char *s)
{
	if (a->argc >= DP_EAL_MAX_ARGS - 1)
		return -E2BIG;
	size_t l = strlen(s) + 1;
	if (a->used + l > sizeof(a->store))
		return -E2BIG;
	char *p = a->store + a->used;
	memcpy(p, s, l);
	a->used += l;
	a->argv[a->argc++] = p;
	a->argv[a->argc] = NULL;
	return 0;
}

/* Replace ${tap} in src. */
static void subst_tap(char *dst, size_t n, const char *src, const char *tap)
{
	size_t o = 0;
	while (*src && o + 1 < n) {
		if (!strncmp(src, "${tap}", 6)) {
			size_t l = strlen(tap);
			if (o + l >= n)
				break;
			memcpy(dst + o, tap, l);
			o += l;
			src += 6;
		} else {
			dst[o++] = *src++;
		}
	}
	dst[o] = 0;
}

int dp_eal_args_build(struct dp_eal_args *a, const char *argv0, const struct dp_cfg *cfg,
		      const struct vox_names *names)
{
	char buf[512];
	memset(a, 0, sizeof(*a));
	int rc = push(a, argv0);
	rc |= push(a, "--file-prefix");
	rc |= push(a, names->file_prefix);
	rc |= push(a, "--lcores");
	rc |= push(a, cfg->lcores);
	rc |= push(a, "--no-telemetry");
	if (cfg->vdev[0]) {
		rc |= push(a, "--no-pci");
		subst_tap(buf, sizeof(buf), cfg->vdev, names->tap);
		rc |= push(a, "--vdev");
		rc |= push(a, buf);
	}
	int huge = 0;
	if (cfg->memory == DP_MEM_HUGE)
		huge = 1;
	else if (cfg->memory == DP_MEM_AUTO)
		huge = hp_ensure((long)cfg->mem_mb / 2 + 16);
	snprintf(buf, sizeof(buf), "%u", cfg->mem_mb);
	if (huge) {
		rc |= push(a, "--in-memory");
		rc |= push(a, "-m");
		rc |= push(a, buf);
	} else {
		rc |= push(a, "--no-huge");
		rc |= push(a, "--no-shconf");
		rc |= push(a, "-m");
		rc |= push(a, buf);
	}
	a->hugepages = huge;
	rc |= push(a, "--log-level");
	rc |= push(a, cfg->log_level >= 3 ? "*:info" : "*:warning");
	/* extra args, split on spaces */
	char extra[sizeof(cfg->eal_extra)];
	snprintf(extra, sizeof(extra), "%s", cfg->eal_extra);
	for (char *save = NULL, *t = strtok_r(extra, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		rc |= push(a, t);
	return rc ? -E2BIG : 0;
}
