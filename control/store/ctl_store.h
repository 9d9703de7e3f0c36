/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_store.h — the store inside control: opening it on the loop, the dev account, and the
 * admin requests on accounts and numbers (compiled into voxctl_core). */
#ifndef CTL_STORE_H
#define CTL_STORE_H

#include <jansson.h>

#include "ctl.h"

/* The file in data_dir that holds the dev account's SID and token (mode 0600). */
#define CTL_STORE_DEV_FILE "dev-account"

/*
 * Open the store in cfg.data_dir, join the loop (completions run from it) and, when the store
 * has no account yet, create the dev account; its SID and token are written to
 * <data_dir>/dev-account once the account is committed. Returns 0 or -errno (logged).
 */
int ctl_store_open(struct ctl *c);
/* Let queued writes commit, run their completions, close. */
void ctl_store_close(struct ctl *c);

/* Admin handlers (table in ctl_admin_cmds.c). Values may be percent-encoded (voxctl encodes
 * spaces and '%'), so names with spaces pass through the word-split request line. */
json_t *ctl_store_adm_account_create(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_store_adm_account_list(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_store_adm_number_add(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_store_adm_number_list(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_store_adm_stats(struct ctl *c, uint64_t client, int argc, char **argv);

/* The store's counters for `status` (null when no store). New reference. */
json_t *ctl_store_stats_json(struct ctl *c);

#endif /* CTL_STORE_H */
