/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_config.c — control's config table and command line. */
#include <errno.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_log.h"

#define CTL_OFF(f) offsetof(struct ctl_config, f)
/* clang-format off */
#define CTL_STR(f, def, help) \
	{#f, VOX_CONF_STR, CTL_OFF(f), sizeof(((struct ctl_config *)0)->f), 0, 0, def, NULL, 0, help}
#define CTL_U32(f, lo, hi, def, rt, help) \
	{#f, VOX_CONF_U32, CTL_OFF(f), sizeof(uint32_t), lo, hi, def, NULL, rt, help}
/* clang-format on */

const struct vox_conf_opt ctl_config_table[] = {
    CTL_STR(instance, "vox", "instance id ([a-z0-9], up to 10): names shm file, sockets, netns"),
    CTL_STR(run_dir, VOX_RUN_BASE_DEFAULT, "base directory for sockets and pid files"),
    {"log_level", VOX_CONF_ENUM, CTL_OFF(log_level), sizeof(uint32_t), 0, 0, "info", CTL_LOG_LEVELS,
     1, "lowest level logged"},
    CTL_STR(log_file, "", "also append the log to this file (empty: stderr only)"),
    CTL_U32(heartbeat_ms, 10, 10000, "100", 0, "heartbeat period written into the shm file"),
    CTL_U32(attach_wait_ms, 0, 3600000, "5000", 0,
            "warn when no dataplane appeared this long after start (control keeps waiting)"),
    CTL_U32(attach_retry_ms, 10, 10000, "100", 0, "retry period while no dataplane is attached"),
    CTL_STR(data_dir, "/var/lib/voxplane", "directory for control's persistent data"),
    CTL_U32(http_port, 0, 65535, "8080", 0, "HTTP listener port (0: the kernel picks one)"),
    CTL_STR(http_addr, "127.0.0.1", "HTTP listener address (IPv4)"),
    CTL_U32(http_max_conns, 1, 60000, "256", 0, "HTTP connections at once (beyond: refused)"),
    CTL_U32(http_max_body, 1024, 1u << 26, "262144", 0, "HTTP request body bytes (beyond: 413)"),
    CTL_U32(http_idle_s, 1, 3600, "60", 0, "idle keep-alive HTTP connections closed after"),
    CTL_U32(http_max_pending, 1, 1u << 20, "4096", 0,
            "HTTP requests waiting for an answer at once (beyond: 503)"),
    CTL_STR(http_static_dir, "", "files served under /demo/ (empty: none)"),
    CTL_U32(fetch_max_xfers, 1, 1u << 20, "8192", 0, "webhook fetches at once (beyond: refused)"),
    CTL_U32(fetch_host_conns, 1, 1024, "256", 0,
            "fetch connections per host (one application server serves many calls at once)"),
    CTL_U32(fetch_conn_cache, 1, 65536, "256", 0, "kept-alive fetch connections cached"),
    CTL_STR(dns_servers, "", "DNS servers for SIP hosts, IP:PORT,... (empty: /etc/resolv.conf)"),
    CTL_U32(max_legs, 16, 1u << 22, "65536", 0, "legs control tracks at most"),
    CTL_U32(drain_budget, 1, 1000000, "4096", 0, "event records handled per worker per loop turn"),
    CTL_U32(cmd_queue, 16, 1u << 20, "4096", 0,
            "commands queued per worker while its ring is full"),
    CTL_U32(admin_clients, 1, 1024, "32", 0, "admin socket clients at once"),
    CTL_U32(admin_line_max, 64, 65536, "4096", 0, "longest admin request line"),
    {"script", VOX_CONF_STR, CTL_OFF(script), sizeof(((struct ctl_config *)0)->script), 0, 0, "",
     NULL, 1, "scripted mode: call decisions from this rules file (empty: off); 'script reload'"},
    CTL_U32(script_calls, 16, 1u << 22, "65536", 0,
            "calls scripted mode follows at once (beyond: rejected 503)"),
    CTL_U32(store_map_mb, 1, 1u << 20, "1024", 0,
            "LMDB map size in MiB (the store cannot grow beyond it)"),
    CTL_U32(store_queue, 1, 1u << 20, "4096", 0,
            "store write batches in flight at most (beyond: refused and counted)"),
    CTL_STR(public_base_url, "http://127.0.0.1:8080",
            "base of the URLs given to applications (RecordingUrl), without a final /"),
    CTL_STR(outbound_trunk, "", "<Dial><Number> goes to this SIP trunk, IPv4:PORT (empty: fails)"),
    CTL_U32(prompt_orphan_s, 1, 86400, "120", 0,
            "prompt clips a previous control left in the pool are retired this long after start"),
    VOX_CONF_END,
};

void ctl_config_usage(FILE *out, const char *prog)
{
	fprintf(out,
	        "usage: %s [-c FILE] [--set key=value]... [--help]\n"
	        "  -c FILE          config file; [common] and [" CTL_CONFIG_SECTION "] apply\n"
	        "  --set key=value  override one setting (after the file)\n"
	        "settings:\n",
	        prog);
	vox_conf_help(ctl_config_table, out);
}

int ctl_config_from_args(struct ctl_config *cfg, int argc, char **argv, FILE *out, char *err,
                         size_t errlen)
{
	const char *file = NULL;
	memset(cfg, 0, sizeof(*cfg));
	int rc = vox_conf_defaults(ctl_config_table, cfg, err, errlen);
	if (rc)
		return rc;
	/* first pass: find the file and check the syntax; --set is applied after the file */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			ctl_config_usage(out, argv[0]);
			return 1;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (++i >= argc)
				goto missing;
			file = argv[i];
		} else if (!strcmp(a, "--set")) {
			if (++i >= argc)
				goto missing;
		} else {
			snprintf(err, errlen, "unknown argument '%s' (try --help)", a);
			return -EINVAL;
		}
	}
	if (file) {
		rc = vox_conf_load(ctl_config_table, cfg, file, CTL_CONFIG_SECTION, err, errlen);
		if (rc)
			return rc;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--set") != 0) {
			if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))
				i++;
			continue;
		}
		rc = vox_conf_set_kv(ctl_config_table, cfg, argv[++i], err, errlen);
		if (rc)
			return rc == -ENOENT ? -EINVAL : rc;
	}
	struct vox_names n;
	if (vox_names_init(&n, cfg->instance, cfg->run_dir) != 0) {
		snprintf(err, errlen, "instance '%s' or run_dir '%s' is not valid", cfg->instance,
		         cfg->run_dir);
		return -EINVAL;
	}
	return 0;
missing:
	snprintf(err, errlen, "%s needs an argument", argv[argc - 1]);
	return -EINVAL;
}
