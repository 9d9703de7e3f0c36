/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_admin_term.c — admin requests for terminating media on a leg: tone, silence, collect,
 * record, and the digits/recordings seen (`voxctl diag ...`). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_admin.h"
#include "ctl_dp.h"
#include "ctl_rec.h"

int ctl_keys_mask(const char *s, uint16_t *mask)
{
	*mask = 0;
	if (strcmp(s, "none") == 0)
		return 0;
	static const char keys[] = "0123456789*#ABCD";
	for (; *s; s++) {
		const char *p = strchr(keys, *s >= 'a' && *s <= 'd' ? *s - 'a' + 'A' : *s);
		if (!p)
			return -EINVAL;
		*mask |= (uint16_t)(1u << (p - keys));
	}
	return 0;
}

int ctl_tone_parse(const char *k, uint32_t ms, struct vox_tone *t)
{
	memset(t, 0, sizeof(*t));
	t->ms = ms;
	if (strcmp(k, "ringback") == 0) {
		t->kind = VOX_TONE_RINGBACK;
	} else if (strcmp(k, "beep") == 0) {
		t->kind = VOX_TONE_BEEP;
	} else if (strncmp(k, "digits:", 7) == 0) {
		t->kind = VOX_TONE_DIGITS;
		size_t n = strlen(k + 7);
		if (n == 0 || n > sizeof(t->digits) || strspn(k + 7, "0123456789*#ABCDabcdwW") != n)
			return -EINVAL;
		memcpy(t->digits, k + 7, n);
	} else {
		const char *plus = strchr(k, '+');
		uint64_t f1, f2 = 0;
		char a[16];
		snprintf(a, sizeof(a), "%.*s", plus ? (int)(plus - k) : (int)strlen(k), k);
		if (ctl_adm_parse_u64(a, 3999, &f1) || f1 == 0 || (plus && (ctl_adm_parse_u64(plus + 1, 3999, &f2) || f2 == 0)))
			return -EINVAL;
		t->kind = VOX_TONE_SINE;
		t->f1 = (uint16_t)f1;
		t->f2 = (uint16_t)f2;
	}
	return 0;
}

/* diag say-tone HANDLE ringback|beep|digits:STR|HZ[+HZ] [MS] */
json_t *ctl_adm_leg_tone(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h, ms = 0;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (argc > 2 && ctl_adm_parse_u64(argv[2], 3600000, &ms))
		return ctl_adm_error("MS must be 0..3600000");
	struct vox_tone t;
	if (ctl_tone_parse(argv[1], (uint32_t)ms, &t))
		return ctl_adm_error("KIND is ringback, beep, digits:STR (0-9 * # A-D w W, up to 32) or HZ[+HZ] (1..3999)");
	return ctl_adm_leg_send(c, h, VOX_CMD_TONE, &t, sizeof(t));
}

/* diag silence HANDLE MS */
json_t *ctl_adm_leg_silence(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h, ms;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (ctl_adm_parse_u64(argv[1], 3600000, &ms) || ms == 0)
		return ctl_adm_error("MS must be 1..3600000");
	struct vox_silence s = {.ms = (uint32_t)ms};
	return ctl_adm_leg_send(c, h, VOX_CMD_SILENCE, &s, sizeof(s));
}

/* diag collect HANDLE MAX [FINISHKEYS [FIRST_MS [INTER_MS [barge]]]] */
json_t *ctl_adm_leg_collect(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h, max, first = 5000, inter = 5000;
	struct vox_collect p = {0};
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (ctl_adm_parse_u64(argv[1], VOX_DIGITS_MAX, &max) || max == 0)
		return ctl_adm_error("MAX must be 1..%u", VOX_DIGITS_MAX);
	if (argc > 2 && ctl_keys_mask(argv[2], &p.finish_keys))
		return ctl_adm_error("FINISHKEYS: characters of 0-9 * # A-D, or none");
	if ((argc > 3 && ctl_adm_parse_u64(argv[3], 3600000, &first)) || (argc > 4 && ctl_adm_parse_u64(argv[4], 3600000, &inter)))
		return ctl_adm_error("timeouts are 0..3600000 ms");
	if (argc > 5 && strcmp(argv[5], "barge") != 0)
		return ctl_adm_error("the last word can only be 'barge'");
	p.max_digits = (uint8_t)max;
	p.first_ms = (uint32_t)first;
	p.inter_ms = (uint32_t)inter;
	p.flags = argc > 5 ? VOX_COLLECTF_BARGE : 0;
	return ctl_adm_leg_send(c, h, VOX_CMD_COLLECT, &p, sizeof(p));
}

/* diag record HANDLE PATH [mono|dual [MAX_MS [SILENCE_MS [FINISHKEYS]]]] */
json_t *ctl_adm_leg_record(struct ctl *c, uint64_t client, int argc, char **argv)
{
	static uint16_t next_id;
	uint64_t h, max = 0, sil = 0;
	struct vox_record p = {0};
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (argv[1][0] != '/')
		return ctl_adm_error("PATH must be absolute (control's working directory is not the caller's)");
	if (argc > 2 && strcmp(argv[2], "dual") == 0)
		p.flags = VOX_RECORDF_DUAL;
	else if (argc > 2 && strcmp(argv[2], "mono") != 0)
		return ctl_adm_error("channels: mono or dual");
	if ((argc > 3 && ctl_adm_parse_u64(argv[3], 4u * 3600u * 1000u, &max)) || (argc > 4 && ctl_adm_parse_u64(argv[4], 3600000, &sil)))
		return ctl_adm_error("MAX_MS 0..14400000, SILENCE_MS 0..3600000");
	if (argc > 5 && ctl_keys_mask(argv[5], &p.finish_keys))
		return ctl_adm_error("FINISHKEYS: characters of 0-9 * # A-D, or none");
	p.max_ms = (uint32_t)max;
	p.silence_ms = (uint32_t)sil;
	p.rec_id = ++next_id ? next_id : ++next_id;
	int rc = ctl_rec_open(c, h, p.rec_id, p.flags & VOX_RECORDF_DUAL ? 2 : 1, argv[1]);
	if (rc)
		return ctl_adm_error("%s: %s", argv[1], strerror(-rc));
	struct vox_rec_hdr hd = {.type = VOX_CMD_RECORD, .leg = h};
	rc = ctl_dp_send(c, vox_handle_lcore(h), &hd, &p, sizeof(p));
	if (rc) {
		ctl_rec_abort(c, h, p.rec_id);
		return ctl_adm_errno(rc);
	}
	return json_pack("{s:b, s:i}", "sent", 1, "id", p.rec_id);
}

/* diag term */
json_t *ctl_adm_term(struct ctl *c, uint64_t client, int argc, char **argv)
{
	return ctl_rec_json(c);
}
