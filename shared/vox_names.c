/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_names.c — per-instance names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vox_names.h"

int vox_names_init(struct vox_names *n, const char *id, const char *run_base)
{
	size_t len = id ? strlen(id) : 0;
	if (len == 0 || len > VOX_ID_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9')))
			return -EINVAL;
	if (!run_base || !*run_base)
		run_base = VOX_RUN_BASE_DEFAULT;
	if (strlen(run_base) > 100)
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	memcpy(n->id, id, len);
	snprintf(n->netns, sizeof(n->netns), "%snet", id);
	snprintf(n->tap, sizeof(n->tap), "%s0", id);
	snprintf(n->file_prefix, sizeof(n->file_prefix), "%sdp", id);
	snprintf(n->shm_path, sizeof(n->shm_path), "/dev/shm/voxplane-%s.shm", id);
	snprintf(n->run_dir, sizeof(n->run_dir), "%s/%s", run_base, id);
	snprintf(n->dp_sock, sizeof(n->dp_sock), "%s/dataplane.sock", n->run_dir);
	snprintf(n->ctl_sock, sizeof(n->ctl_sock), "%s/control.sock", n->run_dir);
	snprintf(n->dp_pid, sizeof(n->dp_pid), "%s/dataplane.pid", n->run_dir);
	snprintf(n->ctl_pid, sizeof(n->ctl_pid), "%s/control.pid", n->run_dir);
	return 0;
}

int vox_pidfile_read(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int pid = 0;
	if (fscanf(f, "%d", &pid) != 1 || pid < 0)
		pid = 0;
	fclose(f);
	return pid;
}

int vox_pid_alive(int pid)
{
	if (pid <= 0)
		return 0;
	return kill(pid, 0) == 0 || errno == EPERM;
}
