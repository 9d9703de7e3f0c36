/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_config.h — voxplane-control's settings: one declarative table (shared/vox_conf.h). */
#ifndef CTL_CONFIG_H
#define CTL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vox_conf.h"
#include "vox_names.h"

/* Filled once at start-up (defaults, then the file's [common] and [control], then --set);
 * read-only afterwards. */
struct ctl_config {
	char instance[VOX_ID_MAX + 1];
	char run_dir[101];  /* base: the instance's files live in <run_dir>/<instance> */
	uint32_t log_level; /* enum ctl_log_level */
	char log_file[256];
	uint32_t heartbeat_ms;
	uint32_t attach_wait_ms;
	uint32_t attach_retry_ms;
	char data_dir[256];
	uint32_t http_port;
	char http_addr[64];
	uint32_t http_max_conns;
	uint32_t http_max_body;
	uint32_t http_idle_s;
	uint32_t http_max_pending;
	char http_static_dir[256];
	uint32_t fetch_max_xfers;
	uint32_t fetch_host_conns;
	uint32_t fetch_conn_cache;
	char dns_servers[256];
	uint32_t max_legs;
	uint32_t drain_budget;
	uint32_t cmd_queue;
	uint32_t admin_clients;
	uint32_t admin_line_max;
	char script[256];      /* scripted mode: rules file (empty: off) */
	uint32_t script_calls; /* calls the scripted mode follows at once */
	uint32_t store_map_mb; /* LMDB map size: the store's largest size */
	uint32_t store_queue;  /* store write batches in flight at most */
	char public_base_url[200]; /* RecordingUrl's base (the call router) */
	char outbound_trunk[64];   /* <Dial><Number>: IPv4:port of the SIP trunk ("": none) */
	uint32_t prompt_orphan_s;  /* a previous control's prompt clips: retired after (calls) */
};

extern const struct vox_conf_opt ctl_config_table[];

/* The config file section control applies besides [common]. */
#define CTL_CONFIG_SECTION "control"

/*
 * Build the configuration from the command line:
 *   voxplane-control [-c FILE] [--set key=value]... [--help]
 * Order of precedence: defaults < file ([common] then [control]) < --set, whatever the order
 * on the command line. Returns 0, 1 when --help was asked (usage printed to `out`), or
 * -EINVAL / -errno with a message in err.
 */
int ctl_config_from_args(struct ctl_config *cfg, int argc, char **argv, FILE *out, char *err,
                         size_t errlen);
void ctl_config_usage(FILE *out, const char *prog);

#endif /* CTL_CONFIG_H */
