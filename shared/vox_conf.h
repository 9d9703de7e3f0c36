/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_conf.h — declarative config tables: one table per process parses files, --set and --help. */
#ifndef VOX_CONF_H
#define VOX_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum vox_conf_type {
	VOX_CONF_STR,  /* char[size] at offset */
	VOX_CONF_U32,  /* uint32_t at offset, within [min, max] */
	VOX_CONF_BOOL, /* int at offset: yes/no/true/false/on/off/1/0 */
	VOX_CONF_ENUM, /* uint32_t at offset: index into the '|'-separated `choices` */
};

struct vox_conf_opt {
	const char *name;
	enum vox_conf_type type;
	size_t offset;
	size_t size; /* STR: buffer size */
	uint32_t min, max;
	const char *def;     /* default, as text */
	const char *choices; /* ENUM: "busy|adaptive" */
	int runtime;         /* 1 if it may change while running (informational for now) */
	const char *help;
};

#define VOX_CONF_END {NULL, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL}

/* Apply every default. Returns 0 or -EINVAL (message in err). */
int vox_conf_defaults(const struct vox_conf_opt *tbl, void *cfg, char *err, size_t errlen);
/* Set one key from text. Returns 0, -ENOENT (unknown key) or -EINVAL (bad value). */
int vox_conf_set(const struct vox_conf_opt *tbl, void *cfg, const char *key, const char *val,
		 char *err, size_t errlen);
/* Parse "key=value" (for --set). */
int vox_conf_set_kv(const struct vox_conf_opt *tbl, void *cfg, const char *kv, char *err, size_t errlen);
/*
 * Load a file of `key = value` lines (# comments) with [sections]. Keys before any section and
 * in [common] or in [`section`] are applied; other sections are skipped. An unknown key in an
 * applied section is an error naming file and line. Returns 0, -errno or -EINVAL.
 */
int vox_conf_load(const struct vox_conf_opt *tbl, void *cfg, const char *path, const char *section,
		  char *err, size_t errlen);
/* Print the table as --help text. */
void vox_conf_help(const struct vox_conf_opt *tbl, FILE *out);

#endif /* VOX_CONF_H */
