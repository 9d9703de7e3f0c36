/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_admin.h — the admin socket: one request line in, one JSON object line out. */
#ifndef CTL_ADMIN_H
#define CTL_ADMIN_H

#include <stdint.h>

#include <jansson.h>

#include "ctl.h"

/*
 * A Unix stream socket at names.ctl_sock (mode 0660; the run directory is created 0755).
 * Non-blocking, at most cfg.admin_clients clients, request lines at most cfg.admin_line_max
 * bytes. A connection may carry several requests; they are answered in order (a client whose
 * request waits for the dataplane is not read further until it is answered).
 * Requests are looked up in a table (ctl_admin_cmds.c); `help` lists it.
 */
struct ctl_admin;

/* Create the directory, bind, listen, join the loop. Returns 0 or -errno. */
int ctl_admin_open(struct ctl_admin **out, struct ctl *c);
/* Close every client and the listener and unlink the socket. */
void ctl_admin_close(struct ctl_admin *a);

/* Answer client `client` (an id from this module; gone clients are ignored). Steals reply. */
void ctl_admin_reply(struct ctl_admin *a, uint64_t client, json_t *reply);

/* ---- request table (ctl_admin_cmds.c) ---- */

#define CTL_ADMIN_MAX_ARGS 24

/* Split a request line into words in place. Returns the number of words (at most max), or
 * -E2BIG when there are more. */
int ctl_admin_split(char *line, char **argv, int max);

/*
 * Run one request line for `client`. Returns the answer (new reference), or NULL when the
 * answer will come later through ctl_reply() (the request waits for workers).
 */
json_t *ctl_admin_exec(struct ctl *c, uint64_t client, char *line);

/* Helpers for request handlers (ctl_admin_cmds.c, ctl_admin_term.c): {"error": msg}; the same
 * for a command-send errno; a whole unsigned number (decimal or 0x hex) up to max (0 or
 * -EINVAL); a command to a leg's worker answered {"sent": true} or the error. */
json_t *ctl_adm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
json_t *ctl_adm_errno(int rc);
int ctl_adm_parse_u64(const char *s, uint64_t max, uint64_t *out);
json_t *ctl_adm_leg_send(struct ctl *c, uint64_t leg, uint16_t type, const void *p, uint32_t len);

#endif /* CTL_ADMIN_H */
