/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_attach.h — attaching to the dataplane's shm file and socket, and surviving its restarts. */
#ifndef CTL_ATTACH_H
#define CTL_ATTACH_H

#include <stddef.h>

#include "ctl.h"

/*
 * Map `path` (one try, no waiting when wait_ms is 0), take the exclusive flock, check the
 * ABI version and reset the command rings' producer heads and the event rings' consumer heads.
 * Returns 0, or:
 *   -ENOENT / -ETIMEDOUT: no dataplane yet (retry later),
 *   -EWOULDBLOCK: another control holds the lock ("another voxplane-control (pid N) is
 *                 attached to <path>" in err),
 *   -EPROTONOSUPPORT: other ABI ("shm ABI version X, this control was built for Y"),
 *   -EPROTO: bad layout, or -errno.
 */
int ctl_shm_open(struct ctl_shm *s, const char *path, int wait_ms, char *err, size_t errlen);
void ctl_shm_close(struct ctl_shm *s);

/* Rebuild c->legs from the mirror (seqlock reads). Returns the number of legs found. */
uint32_t ctl_attach_rebuild_legs(struct ctl *c);

/*
 * One attach attempt for c->names.shm_path: ctl_shm_open, rebuild legs, bump ctl.generation,
 * store ctl.pid and a first heartbeat, then connect to the dataplane socket. Returns 0 or the
 * ctl_shm_open error; on a refusal c->fatal is set and c->fatal_msg says why.
 */
int ctl_attach_try(struct ctl *c);
/* Drop every handle, request and descriptor and unmap. `why` is logged. */
void ctl_attach_detach(struct ctl *c, const char *why);

/* Start the heartbeat timer and the attach retry (first attempt at once). Returns 0 or -ENOMEM. */
int ctl_attach_start(struct ctl *c);
/* Clean exit: ctl.pid = 0, detach, timers removed. */
void ctl_attach_stop(struct ctl *c);

/* One liveness check of the attached dataplane (file replaced, boot_id changed, dp_pid gone,
 * stopping). Returns 0 when all is well, else detaches and returns -EPIPE. */
int ctl_attach_check(struct ctl *c);

#endif /* CTL_ATTACH_H */
