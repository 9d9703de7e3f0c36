/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_names.h — every per-instance name (netns, tap, EAL prefix, shm file, sockets) from one id. */
#ifndef VOX_NAMES_H
#define VOX_NAMES_H

#define VOX_ID_MAX 10 /* the tap name "<id>0" must fit IFNAMSIZ */

struct vox_names {
	char id[VOX_ID_MAX + 1];
	char netns[VOX_ID_MAX + 8];  /* <id>net   (vox -> voxnet) */
	char tap[VOX_ID_MAX + 2];    /* <id>0     (vox -> vox0)   */
	char file_prefix[VOX_ID_MAX + 8]; /* EAL --file-prefix: voxplane-<id> is too long for some
					     paths, so it is <id>dp */
	char shm_path[128];  /* /dev/shm/voxplane-<id>.shm */
	char run_dir[160];   /* <run_base>/<id> */
	char dp_sock[200];   /* <run_dir>/dataplane.sock */
	char ctl_sock[200];  /* <run_dir>/control.sock */
	char dp_pid[200];    /* <run_dir>/dataplane.pid */
	char ctl_pid[200];   /* <run_dir>/control.pid */
};

#define VOX_RUN_BASE_DEFAULT "/run/voxplane"

/* Fill *n for instance `id` ([a-z0-9], 1..10 chars) under run_base (NULL: the default).
 * Returns 0 or -EINVAL. */
int vox_names_init(struct vox_names *n, const char *id, const char *run_base);

/* Pid recorded in a pid file, 0 when absent or unreadable. */
int vox_pidfile_read(const char *path);
/* 1 if a process with this pid exists. */
int vox_pid_alive(int pid);

#endif /* VOX_NAMES_H */
