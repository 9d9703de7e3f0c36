/* SPDX-License-Identifier: BSD-3-Clause */
/* vctl.h — voxctl's commands and what they share (private to tools/voxctl). */
#ifndef VCTL_H
#define VCTL_H

#include <stdint.h>

#include "vox_layout.h"
#include "vox_names.h"

/* Exit codes: 0 ok, 1 the request failed, 2 the process or file to ask is not there,
 * 64 usage. */
enum { VCTL_OK = 0, VCTL_FAILED = 1, VCTL_ABSENT = 2, VCTL_USAGE = 64 };

struct vctl {
	struct vox_names names;
};

/* A command: argv[0] is the command name. Returns an exit code. */
typedef int vctl_cmd_fn(struct vctl *v, int argc, char **argv);

vctl_cmd_fn vctl_cmd_stats, vctl_cmd_calls, vctl_cmd_ping, vctl_cmd_status, vctl_cmd_diag,
    vctl_cmd_script, vctl_cmd_account, vctl_cmd_number,
    vctl_cmd_store, vctl_cmd_call;

/* Map the shm file without locking it (control may hold the lock). Prints why not and
 * returns VCTL_ABSENT / VCTL_FAILED, or 0. */
int vctl_shm_open(struct vctl *v, struct vox_shm_map *m);

/* Send one request line to control's admin socket and read the one-line answer (malloc'd,
 * without the newline) into *answer. Returns 0, VCTL_ABSENT (control not running: message
 * printed) or VCTL_FAILED. */
int vctl_admin_call(struct vctl *v, const char *request, char **answer);

uint64_t vctl_mono_ns(void);
uint64_t vctl_real_ns(void);

#endif /* VCTL_H */
