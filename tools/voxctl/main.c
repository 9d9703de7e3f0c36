/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c — voxctl: operators' command line for a voxplane instance; table-driven dispatch. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vctl.h"

struct vctl_cmd {
	const char *name;
	vctl_cmd_fn *fn;
	const char *args;
	const char *help;
};

static const struct vctl_cmd vctl_cmds[] = {
    {"stats", vctl_cmd_stats, "[--json] [--all] [--watch N] [--count K]",
     "per-lcore counters, ring depths, control heartbeat (reads shm; works without control)"},
    {"calls", vctl_cmd_calls, "[--json]", "legs in the shm mirror (works without control)"},
    {"ping", vctl_cmd_ping, "[--json]", "round trip from control to every worker"},
    {"status", vctl_cmd_status, "", "control's status as JSON"},
    {"script", vctl_cmd_script, "stats | reload", "control's scripted decisions: counters, re-read"},
    {"account", vctl_cmd_account, "create [--friendly-name NAME] | list [--json]",
     "accounts in control's store (create answers once committed)"},
    {"number", vctl_cmd_number, "add --account AC --number +E164 --voice-url URL ... | list",
     "incoming phone numbers in control's store"},
    {"store", vctl_cmd_store, "stats", "control's store: commits, group sizes, queue overflow"},
    {"call", vctl_cmd_call, "create --account AC --to T --from F --url URL ...",
     "place an outbound-api call (as POST /Calls.json would)"},
    {"diag", vctl_cmd_diag, "leg-create N | leg-end HANDLE | burst W N | end-all | acl | send-request | match",
     "diagnostic requests through control; prints its JSON answer"},
};
#define VCTL_N_CMDS (sizeof(vctl_cmds) / sizeof(vctl_cmds[0]))

uint64_t vctl_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vctl_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void vctl_usage(FILE *out)
{
	fprintf(out, "usage: voxctl [--instance ID] [--run-dir DIR] COMMAND [ARGS]\n"
	             "  --instance ID   instance id (default vox)\n"
	             "  --run-dir DIR   base run directory (default " VOX_RUN_BASE_DEFAULT ")\n"
	             "commands:\n");
	for (size_t i = 0; i < VCTL_N_CMDS; i++)
		fprintf(out, "  %-7s %s\n          %s\n", vctl_cmds[i].name, vctl_cmds[i].args,
		        vctl_cmds[i].help);
}

int main(int argc, char **argv)
{
	const char *id = "vox", *run_dir = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((!strcmp(argv[i], "--instance") || !strcmp(argv[i], "-i")) && i + 1 < argc)
			id = argv[++i];
		else if (!strcmp(argv[i], "--run-dir") && i + 1 < argc)
			run_dir = argv[++i];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			vctl_usage(stdout);
			return VCTL_OK;
		} else {
			fprintf(stderr, "voxctl: unknown option '%s'\n", argv[i]);
			vctl_usage(stderr);
			return VCTL_USAGE;
		}
	}
	if (i >= argc) {
		vctl_usage(stderr);
		return VCTL_USAGE;
	}
	struct vctl v;
	if (vox_names_init(&v.names, id, run_dir) != 0) {
		fprintf(stderr, "voxctl: bad instance id '%s' or run dir\n", id);
		return VCTL_USAGE;
	}
	for (size_t k = 0; k < VCTL_N_CMDS; k++)
		if (!strcmp(argv[i], vctl_cmds[k].name))
			return vctl_cmds[k].fn(&v, argc - i, argv + i);
	fprintf(stderr, "voxctl: unknown command '%s'\n", argv[i]);
	vctl_usage(stderr);
	return VCTL_USAGE;
}
