/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_conf.c — table-driven config parser shared by both processes. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vox_conf.h"

static const struct vox_conf_opt *conf_find(const struct vox_conf_opt *tbl, const char *key)
{
	for (; tbl->name; tbl++)
		if (strcmp(tbl->name, key) == 0)
			return tbl;
	return NULL;
}

static int conf_enum_index(const char *choices, const char *val)
{
	size_t vl = strlen(val);
	int idx = 0;
	for (const char *p = choices; *p; idx++) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && strncmp(p, val, l) == 0)
			return idx;
		if (!bar)
			break;
		p = bar + 1;
	}
	return -1;
}

int vox_conf_set(const struct vox_conf_opt *tbl, void *cfg, const char *key, const char *val,
		 char *err, size_t errlen)
{
	const struct vox_conf_opt *o = conf_find(tbl, key);
	if (!o) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -ENOENT;
	}
	char *dst = (char *)cfg + o->offset;
	switch (o->type) {
	case VOX_CONF_STR:
		if (strlen(val) >= o->size) {
			snprintf(err, errlen, "%s: value longer than %zu characters", key, o->size - 1);
			return -EINVAL;
		}
		strcpy(dst, val);
		return 0;
	case VOX_CONF_U32: {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(val, &end, 0);
		if (errno || end == val || *end || val[0] == '-' || v < o->min || v > o->max) {
			snprintf(err, errlen, "%s: '%s' is not a number in [%u, %u]", key, val, o->min, o->max);
			return -EINVAL;
		}
		*(uint32_t *)dst = (uint32_t)v;
		return 0;
	}
	case VOX_CONF_BOOL:
		if (!strcmp(val, "yes") || !strcmp(val, "true") || !strcmp(val, "on") || !strcmp(val, "1"))
			*(int *)dst = 1;
		else if (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "off") || !strcmp(val, "0"))
			*(int *)dst = 0;
		else {
			snprintf(err, errlen, "%s: '%s' is not yes/no", key, val);
			return -EINVAL;
		}
		return 0;
	case VOX_CONF_ENUM: {
		int i = conf_enum_index(o->choices, val);
		if (i < 0) {
			snprintf(err, errlen, "%s: '%s' is not one of %s", key, val, o->choices);
			return -EINVAL;
		}
		*(uint32_t *)dst = (uint32_t)i;
		return 0;
	}
	}
	return -EINVAL;
}

int vox_conf_defaults(const struct vox_conf_opt *tbl, void *cfg, char *err, size_t errlen)
{
	for (const struct vox_conf_opt *o = tbl; o->name; o++) {
		int rc = vox_conf_set(tbl, cfg, o->name, o->def ? o->def : "", err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static char *conf_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int vox_conf_set_kv(const struct vox_conf_opt *tbl, void *cfg, const char *kv, char *err, size_t errlen)
{
	char buf[1024];
	if (strlen(kv) >= sizeof(buf)) {
		snprintf(err, errlen, "setting too long");
		return -EINVAL;
	}
	strcpy(buf, kv);
	char *eq = strchr(buf, '=');
	if (!eq) {
		snprintf(err, errlen, "'%s' is not key=value", kv);
		return -EINVAL;
	}
	*eq = 0;
	return vox_conf_set(tbl, cfg, conf_trim(buf), conf_trim(eq + 1), err, errlen);
}

int vox_conf_load(const struct vox_conf_opt *tbl, void *cfg, const char *path, const char *section,
		  char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char line[1024], sub[512];
	int lineno = 0, apply = 1, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *s = conf_trim(line);
		if (!*s)
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close) {
				snprintf(err, errlen, "%s:%d: unterminated section", path, lineno);
				rc = -EINVAL;
				break;
			}
			*close = 0;
			apply = !strcmp(s + 1, "common") || !strcmp(s + 1, section);
			continue;
		}
		if (!apply)
			continue;
		rc = vox_conf_set_kv(tbl, cfg, s, sub, sizeof(sub));
		if (rc) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
			break;
		}
	}
	fclose(f);
	return rc;
}

void vox_conf_help(const struct vox_conf_opt *tbl, FILE *out)
{
	for (const struct vox_conf_opt *o = tbl; o->name; o++) {
		char range[64] = "";
		if (o->type == VOX_CONF_U32)
			snprintf(range, sizeof(range), " [%u..%u]", o->min, o->max);
		else if (o->type == VOX_CONF_ENUM)
			snprintf(range, sizeof(range), " [%s]", o->choices);
		else if (o->type == VOX_CONF_BOOL)
			snprintf(range, sizeof(range), " [yes|no]");
		fprintf(out, "  %-22s %s%s (default: %s)%s\n", o->name, o->help, range,
			o->def && *o->def ? o->def : "\"\"", o->runtime ? " [runtime]" : "");
	}
}
