/* SPDX-License-Identifier: BSD-3-Clause */
/* vctl_stats.c — `voxctl stats`: per-lcore counters found by name in the shm stats directory. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "vox_rec.h"

#include "vctl.h"

/*
 * The directory in the shm file names every field and its offset in a row, so this prints
 * whatever the running dataplane counts, including fields added after voxctl was built.
 * Counters are read without locks: each u64 is written whole by its lcore.
 */

struct vctl_snap {
	uint64_t t_ns;
	uint32_t n_fields, n_rows;
	uint64_t *v; /* [field * n_rows + row] */
};

struct vctl_stats_opts {
	int json, all;
	unsigned watch, count;
};

static const struct vox_stats_dir_entry *stats_dir(const struct vox_stats_block *blk, uint32_t i)
{
	return (const void *)((const char *)blk + blk->off_dir + (uint64_t)i * blk->dir_entry_size);
}

static int stats_snap(const struct vox_stats_block *blk, struct vctl_snap *s)
{
	s->n_fields = blk->n_fields;
	s->n_rows = blk->n_rows;
	s->v = calloc((size_t)s->n_fields * s->n_rows, sizeof(uint64_t));
	if (!s->v)
		return -ENOMEM;
	s->t_ns = vctl_mono_ns();
	for (uint32_t f = 0; f < s->n_fields; f++)
		for (uint32_t r = 0; r < s->n_rows; r++)
			s->v[f * s->n_rows + r] = vox_stats_get(blk, r, stats_dir(blk, f));
	return 0;
}

static uint64_t snap_total(const struct vctl_snap *s, uint32_t f)
{
	uint64_t t = 0;
	for (uint32_t r = 0; r < s->n_rows; r++)
		t += s->v[f * s->n_rows + r];
	return t;
}

static int stats_field(const struct vox_stats_block *blk, const char *name)
{
	for (uint32_t i = 0; i < blk->n_fields; i++)
		if (!strncmp(stats_dir(blk, i)->name, name, sizeof(stats_dir(blk, i)->name)))
			return (int)i;
	return -1;
}

static void stats_row_label(const struct vox_stats_block *blk, uint32_t r, char *buf, size_t len)
{
	if (blk->row_is_main[r] || r + 1 == blk->n_rows)
		snprintf(buf, len, "main");
	else
		snprintf(buf, len, "w%u", r);
}

static int stats_skip(const struct vox_stats_block *blk, const struct vctl_snap *s, uint32_t f,
                      const struct vctl_stats_opts *o)
{
	return !o->all && !strncmp(stats_dir(blk, f)->name, "drop_", 5) && snap_total(s, f) == 0;
}

static void stats_print_table(const struct vox_shm_map *m, const struct vctl_snap *s,
                              const struct vctl_stats_opts *o)
{
	const struct vox_stats_block *blk = vox_shm_stats(m);
	char lab[16];
	printf("%-22s", "counter");
	for (uint32_t r = 0; r < s->n_rows; r++) {
		stats_row_label(blk, r, lab, sizeof(lab));
		printf(" %14s", lab);
	}
	printf(" %14s\n%-22s", "total", "(lcore)");
	for (uint32_t r = 0; r < s->n_rows; r++)
		printf(" %14u", blk->row_lcore[r]);
	printf("\n");
	for (uint32_t f = 0; f < s->n_fields; f++) {
		if (stats_skip(blk, s, f, o))
			continue;
		printf("%-22.40s", stats_dir(blk, f)->name);
		for (uint32_t r = 0; r < s->n_rows; r++)
			printf(" %14llu", (unsigned long long)s->v[f * s->n_rows + r]);
		printf(" %14llu\n", (unsigned long long)snap_total(s, f));
	}
}

/* Per-second rates between two snapshots for the fields that make a rate. */
static const struct {
	const char *label, *field;
	double scale; /* per second, times this */
} vctl_rates[] = {
    {"rx pps", "rx_pkts", 1.0},      {"tx pps", "tx_pkts", 1.0}, {"rx Mbit/s", "rx_bytes", 8e-6},
    {"tx Mbit/s", "tx_bytes", 8e-6}, {"drops/s", "drops", 1.0},
};
#define VCTL_N_RATES (sizeof(vctl_rates) / sizeof(vctl_rates[0]))

static double snap_rate(const struct vox_stats_block *blk, const struct vctl_snap *a,
                        const struct vctl_snap *b, size_t k, int row)
{
	int f = stats_field(blk, vctl_rates[k].field);
	double dt = (double)(b->t_ns - a->t_ns) / 1e9;
	if (f < 0 || dt <= 0 || a->n_rows != b->n_rows)
		return 0;
	uint64_t x =
	    row < 0 ? snap_total(a, (uint32_t)f) : a->v[(uint32_t)f * a->n_rows + (uint32_t)row];
	uint64_t y =
	    row < 0 ? snap_total(b, (uint32_t)f) : b->v[(uint32_t)f * b->n_rows + (uint32_t)row];
	return y >= x ? (double)(y - x) / dt * vctl_rates[k].scale : 0;
}

static void stats_print_rates(const struct vox_stats_block *blk, const struct vctl_snap *a,
                              const struct vctl_snap *b)
{
	printf("\n%-22s", "rate");
	char lab[16];
	for (uint32_t r = 0; r < b->n_rows; r++) {
		stats_row_label(blk, r, lab, sizeof(lab));
		printf(" %14s", lab);
	}
	printf(" %14s\n", "total");
	for (size_t k = 0; k < VCTL_N_RATES; k++) {
		printf("%-22s", vctl_rates[k].label);
		for (uint32_t r = 0; r < b->n_rows; r++)
			printf(" %14.1f", snap_rate(blk, a, b, k, (int)r));
		printf(" %14.1f\n", snap_rate(blk, a, b, k, -1));
	}
}

static void stats_print_rings(const struct vox_shm_map *m)
{
	const struct vox_shm_hdr *h = m->hdr;
	printf("\n%-7s %17s %17s %21s\n", "ring", "command", "event", "bulk bytes");
	for (uint32_t w = 0; w < h->n_workers; w++) {
		struct vox_bytering *br = vox_shm_bulk_ring(m, w);
		uint64_t used = atomic_load(&br->head) - atomic_load(&br->tail);
		printf("w%-6u %8u/%-8u %8u/%-8u %10llu/%-10u\n", w,
		       vox_rec_ring_count(vox_shm_cmd_ring(m, w)), h->cmd_ring_slots,
		       vox_rec_ring_count(vox_shm_evt_ring(m, w)), h->evt_ring_slots,
		       (unsigned long long)used, h->bulk_ring_bytes);
	}
}

static void stats_print_header(const struct vox_shm_map *m)
{
	const struct vox_shm_hdr *h = m->hdr;
	uint32_t cpid = atomic_load(&h->ctl.pid);
	uint64_t hb = atomic_load(&h->ctl.heartbeat_ns);
	uint64_t now = vctl_mono_ns(), rnow = vctl_real_ns();
	printf("boot_id %016llx  dataplane pid %u%s  up %.0f s  workers %u\n",
	       (unsigned long long)h->boot_id, h->dp_pid,
	       vox_pid_alive((int)h->dp_pid) ? "" : " (gone)",
	       rnow > h->started_ns ? (double)(rnow - h->started_ns) / 1e9 : 0.0, h->n_workers);
	if (cpid)
		printf("control pid %u  heartbeat age %.1f ms\n\n", cpid,
		       hb && now > hb ? (double)(now - hb) / 1e6 : 0.0);
	else
		printf("control: not attached%s\n\n",
		       hb ? "" : " (never was since this dataplane started)");
}

static json_t *stats_json(const struct vox_shm_map *m, const struct vctl_snap *s,
                          const struct vctl_snap *prev, const struct vctl_stats_opts *o)
{
	const struct vox_shm_hdr *h = m->hdr;
	const struct vox_stats_block *blk = vox_shm_stats(m);
	char boot[20];
	snprintf(boot, sizeof(boot), "%016llx", (unsigned long long)h->boot_id);
	json_t *lcores = json_array();
	for (uint32_t r = 0; r < s->n_rows; r++) {
		json_t *cnt = json_object();
		for (uint32_t f = 0; f < s->n_fields; f++)
			if (!stats_skip(blk, s, f, o))
				json_object_set_new(
				    cnt, stats_dir(blk, f)->name,
				    json_integer((json_int_t)s->v[f * s->n_rows + r]));
		int is_main = blk->row_is_main[r] || r + 1 == blk->n_rows;
		json_t *row = json_pack("{s:i, s:i, s:o}", "row", (json_int_t)r, "lcore",
		                        (json_int_t)blk->row_lcore[r], "counters", cnt);
		json_object_set_new(row, "worker", is_main ? json_null() : json_integer(r));
		if (prev) {
			json_t *rates = json_object();
			for (size_t k = 0; k < VCTL_N_RATES; k++)
				json_object_set_new(rates, vctl_rates[k].label,
				                    json_real(snap_rate(blk, prev, s, k, (int)r)));
			json_object_set_new(row, "rates", rates);
		}
		json_array_append_new(lcores, row);
	}
	json_t *rings = json_array();
	for (uint32_t w = 0; w < h->n_workers; w++) {
		struct vox_bytering *br = vox_shm_bulk_ring(m, w);
		json_array_append_new(
		    rings, json_pack("{s:i, s:i, s:i, s:i, s:i, s:I, s:i}", "worker", (json_int_t)w,
		                     "cmd", (json_int_t)vox_rec_ring_count(vox_shm_cmd_ring(m, w)),
		                     "cmd_size", (json_int_t)h->cmd_ring_slots, "evt",
		                     (json_int_t)vox_rec_ring_count(vox_shm_evt_ring(m, w)),
		                     "evt_size", (json_int_t)h->evt_ring_slots, "bulk_used",
		                     (json_int_t)(atomic_load(&br->head) - atomic_load(&br->tail)),
		                     "bulk_size", (json_int_t)h->bulk_ring_bytes));
	}
	uint64_t hb = atomic_load(&h->ctl.heartbeat_ns), now = vctl_mono_ns();
	uint32_t cpid = atomic_load(&h->ctl.pid);
	json_t *ctl =
	    json_pack("{s:i, s:o}", "pid", (json_int_t)cpid, "heartbeat_age_ms",
	              cpid && hb && now > hb ? json_real((double)(now - hb) / 1e6) : json_null());
	return json_pack("{s:s, s:i, s:i, s:o, s:o, s:o}", "boot_id", boot, "dp_pid",
	                 (json_int_t)h->dp_pid, "workers", (json_int_t)h->n_workers, "control", ctl,
	                 "lcores", lcores, "rings", rings);
}

static int stats_parse(int argc, char **argv, struct vctl_stats_opts *o)
{
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--json"))
			o->json = 1;
		else if (!strcmp(argv[i], "--all"))
			o->all = 1;
		else if ((!strcmp(argv[i], "--watch") || !strcmp(argv[i], "--count")) &&
		         i + 1 < argc) {
			unsigned long n = strtoul(argv[i + 1], &end, 10);
			if (*end || n == 0 || n > 86400)
				return -EINVAL;
			*(argv[i][2] == 'w' ? &o->watch : &o->count) = (unsigned)n;
			i++;
		} else
			return -EINVAL;
	}
	return 0;
}

int vctl_cmd_stats(struct vctl *v, int argc, char **argv)
{
	struct vctl_stats_opts o = {0};
	if (stats_parse(argc, argv, &o)) {
		fprintf(stderr, "usage: voxctl stats [--json] [--all] [--watch N] [--count K]\n");
		return VCTL_USAGE;
	}
	struct vox_shm_map m;
	int rc = vctl_shm_open(v, &m);
	if (rc)
		return rc;
	struct vctl_snap prev = {0}, cur = {0};
	for (unsigned turn = 0;; turn++) {
		if (stats_snap(vox_shm_stats(&m), &cur)) {
			rc = VCTL_FAILED;
			break;
		}
		if (o.json) {
			json_t *j = stats_json(&m, &cur, prev.v ? &prev : NULL, &o);
			json_dumpf(j, stdout, JSON_COMPACT);
			printf("\n");
			json_decref(j);
		} else {
			if (o.watch && turn)
				printf("\n");
			stats_print_header(&m);
			stats_print_table(&m, &cur, &o);
			if (prev.v)
				stats_print_rates(vox_shm_stats(&m), &prev, &cur);
			stats_print_rings(&m);
		}
		fflush(stdout);
		free(prev.v);
		prev = cur;
		cur.v = NULL;
		if (!o.watch || (o.count && turn + 1 >= o.count))
			break;
		sleep(o.watch);
	}
	free(prev.v);
	vox_shm_unmap(&m);
	return rc;
}
