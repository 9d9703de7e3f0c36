/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.c — the process context: set-up of the parts that need no dataplane, reply routing, clocks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctl_rec.h"
#include "ctl.h"
#include "ctl_admin.h"
#include "ctl_dp.h"
#include "ctl_legs.h"
#include "ctl_script.h"

uint64_t ctl_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t ctl_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ctl_mkdirs(const char *dir)
{
	char p[256];
	if (strlen(dir) >= sizeof(p))
		return -ENAMETOOLONG;
	strcpy(p, dir);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

int ctl_init(struct ctl *c, struct ctl_loop *loop)
{
	c->loop = loop;
	c->dp_fd = c->evt_fd = -1;
	c->shm.map.fd = -1;
	c->next_req_id = 1;
	int rc = ctl_legs_create(&c->legs, c->cfg.max_legs);
	if (rc)
		return rc;
	c->rxbuf = aligned_alloc(64, (size_t)VOX_REC_MAX_SLOTS * VOX_REC_SLOT);
	if (!c->rxbuf || ctl_rec_create(&c->rec, loop) != 0)
		goto out;
	for (uint32_t w = 0; w < VOX_MAX_WORKERS; w++) {
		c->cmdq[w].q = calloc(c->cfg.cmd_queue, sizeof(struct ctl_cmd));
		if (!c->cmdq[w].q)
			goto out;
	}
	return 0;
out:
	ctl_fini(c);
	return -ENOMEM;
}

void ctl_fini(struct ctl *c)
{
	ctl_script_close(c);
	ctl_dp_reset(c);
	ctl_legs_destroy(c->legs);
	c->legs = NULL;
	free(c->rxbuf);
	c->rxbuf = NULL;
	ctl_rec_destroy(c->rec);
	c->rec = NULL;
	for (uint32_t w = 0; w < VOX_MAX_WORKERS; w++) {
		free(c->cmdq[w].q);
		c->cmdq[w].q = NULL;
	}
}

void ctl_reply(struct ctl *c, uint64_t client, json_t *reply)
{
	if (!reply)
		reply = json_pack("{s:s}", "error", "out of memory");
	if (c->reply)
		c->reply(c->reply_arg, client, reply);
	else if (c->admin)
		ctl_admin_reply(c->admin, client, reply);
	else
		json_decref(reply);
}
