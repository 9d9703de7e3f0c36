/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sip_corpus.c — runs every tests/sip/corpus/<name>.sip against its <name>.expect sidecar. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip.h"

#define MAX_CASES 1024

static int failures;

static void cfail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("corpus %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b) {
		b[n] = '\0';
		*len = (size_t)n;
	}
	return b;
}

/* Slice as a NUL-terminated copy in a static-size scratch (test only). */
static const char *s2c(const char *buf, struct sip_str s, char *tmp, size_t cap)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	memcpy(tmp, buf + s.off, n);
	tmp[n] = '\0';
	return tmp;
}

#define CHECK_STR(key, buf, slice)                                                                 \
	do {                                                                                       \
		char t_[4096];                                                                     \
		const char *g_ = s2c(buf, slice, t_, sizeof(t_));                                  \
		if (strcmp(g_, val) != 0)                                                          \
			cfail(name, "%s: expected '%s' got '%s'", key, val, g_);                   \
	} while (0)

#define CHECK_INT(key, got)                                                                        \
	do {                                                                                       \
		long g_ = (long)(got);                                                             \
		if (g_ != strtol(val, NULL, 10))                                                   \
			cfail(name, "%s: expected %s got %ld", key, val, g_);                      \
	} while (0)

static const char *scheme_name(int s)
{
	switch (s) {
	case SIP_SCHEME_SIP:
		return "sip";
	case SIP_SCHEME_SIPS:
		return "sips";
	case SIP_SCHEME_TEL:
		return "tel";
	default:
		return "other";
	}
}

static const char *dir_name(int d)
{
	static const char *const n[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
	return d >= 0 && d < 4 ? n[d] : "?";
}

/* The request's headers copied into a response are well-formed. */
static bool headers_ok(const struct sip_msg *m)
{
	struct sip_cseq cs;
	struct sip_nameaddr na;
	struct sip_via via;

	if (!m->first[SIP_HDR_TO] || !m->first[SIP_HDR_FROM] || !m->first[SIP_HDR_CALL_ID] ||
	    !m->first[SIP_HDR_CSEQ] || m->lines[SIP_HDR_CSEQ] > 1 || m->lines[SIP_HDR_TO] > 1 ||
	    m->lines[SIP_HDR_FROM] > 1 || m->lines[SIP_HDR_CALL_ID] > 1)
		return false;
	for (int i = sip_msg_find(m, SIP_HDR_VIA, 0); i >= 0;
	     i = sip_msg_find(m, SIP_HDR_VIA, i + 1))
		if (sip_via_parse(&via, m->buf, m->hdr[i].value))
			return false;
	return sip_cseq_parse(&cs, m->buf, sip_msg_hdr(m, SIP_HDR_CSEQ)->value) == 0 &&
	       sip_callid_check(m->buf, sip_msg_hdr(m, SIP_HDR_CALL_ID)->value) == 0 &&
	       sip_nameaddr_parse(&na, m->buf, sip_msg_hdr(m, SIP_HDR_TO)->value) == 0 &&
	       sip_nameaddr_parse(&na, m->buf, sip_msg_hdr(m, SIP_HDR_FROM)->value) == 0;
}

/* Build the answer (or a 200) and parse it back. */
static void check_roundtrip(const char *name, const struct sip_msg *m, const struct sip_verdict *v)
{
	static char out[SIP_MSG_MAX];
	static struct sip_msg r;
	struct sip_addr src;
	int n, rc;

	sip_addr_parse(&src, "198.51.100.7", 12);
	src.port = 40000;
	if (v->code >= 100)
		n = sip_build_verdict(out, sizeof(out), m, v, "srv1", &src);
	else {
		struct sip_resp_opts o = {.to_tag = "srv1", .src = &src};
		n = sip_build_response(out, sizeof(out), m, 200, "OK", &o);
	}
	if (n < 0) {
		cfail(name, "build: %d", n);
		return;
	}
	{
		struct sip_addr dst;
		int drc = sip_response_dest(m, &src, &dst);
		if (drc && drc != -ENOTSUP && drc != -EADDRNOTAVAIL)
			cfail(name, "no response destination for an answered request: %d", drc);
	}
	rc = sip_msg_parse(&r, out, (size_t)n);
	if (rc != 0) {
		cfail(name, "built response does not parse: %s", sip_perr_reason(r.err));
		return;
	}
	if (r.is_request || r.status != (v->code >= 100 ? v->code : 200))
		cfail(name, "built response has status %u", r.status);
	if (r.count[SIP_HDR_VIA] != m->count[SIP_HDR_VIA])
		cfail(name, "built response has %u Vias, request %u", r.count[SIP_HDR_VIA],
		      m->count[SIP_HDR_VIA]);
	if (headers_ok(m)) {
		struct sip_verdict rv;
		struct sip_nameaddr to;
		if (sip_validate(&r, rc, &rv) != 0)
			cfail(name, "built response does not validate: %s", rv.reason);
		else if (sip_nameaddr_parse(&to, r.buf, sip_msg_hdr(&r, SIP_HDR_TO)->value) ||
		         !to.tag.len)
			cfail(name, "built response has no To tag");
	}
}

static void run_case(const char *dir, const char *name)
{
	char path[1024];
	char *msg, *exp, *line, *save = NULL;
	size_t mlen, elen;
	static struct sip_msg m;
	struct sip_verdict v;
	struct sip_uri ru;
	struct sip_via via;
	struct sip_sdp sdp;
	struct sip_sdp_answer ans;
	int rc, urc, vrc = -1, sdprc = -1, nrc = -1;

	snprintf(path, sizeof(path), "%s/%s.sip", dir, name);
	msg = slurp(path, &mlen);
	snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
	exp = slurp(path, &elen);
	if (!msg || !exp) {
		cfail(name, "cannot read case files");
		free(msg);
		free(exp);
		return;
	}
	rc = sip_msg_parse(&m, msg, mlen);
	sip_validate(&m, rc, &v);
	urc = sip_uri_parse(&ru, msg, m.ruri);
	if (m.first[SIP_HDR_VIA])
		vrc = sip_via_parse(&via, msg, sip_msg_hdr(&m, SIP_HDR_VIA)->value);
	if (rc == 0 && m.body.len) {
		sdprc = sip_sdp_parse(&sdp, msg + m.body.off, m.body.len);
		if (sdprc == 0)
			nrc = sip_sdp_negotiate(&sdp, msg + m.body.off, &ans);
	}
	if (rc != -E2BIG && rc != -ENODATA && m.is_request && v.code != 1)
		check_roundtrip(name, &m, &v);

	for (line = strtok_r(exp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, '=');
		const char *key = line;
		if (!val || line[0] == '#')
			continue;
		*val++ = '\0';
		if (!strcmp(key, "parse")) {
			if ((rc == 0) != !strcmp(val, "ok"))
				cfail(name, "parse: expected %s got rc=%d (%s)", val, rc,
				      sip_perr_reason(m.err));
		} else if (!strcmp(key, "answer")) {
			char got[16];
			if (v.code == 0)
				strcpy(got, "ok");
			else if (v.code == 1)
				strcpy(got, "none");
			else
				snprintf(got, sizeof(got), "%u", v.code);
			if (strcmp(got, val))
				cfail(name, "answer: expected %s got %s (%s)", val, got, v.reason);
		} else if (!strcmp(key, "reason")) {
			if (strcmp(val, v.reason))
				cfail(name, "reason: expected '%s' got '%s'", val, v.reason);
		} else if (!strcmp(key, "call_id")) {
			const struct sip_hdr *h = sip_msg_hdr(&m, SIP_HDR_CALL_ID);
			if (!h)
				cfail(name, "no Call-ID");
			else
				CHECK_STR(key, msg, h->value);
		} else if (!strcmp(key, "via_count")) {
			CHECK_INT(key, m.count[SIP_HDR_VIA]);
		} else if (!strcmp(key, "contact_count")) {
			CHECK_INT(key, m.count[SIP_HDR_CONTACT]);
		} else if (!strcmp(key, "method")) {
			CHECK_STR(key, msg, m.method_s);
		} else if (!strcmp(key, "status")) {
			CHECK_INT(key, m.status);
		} else if (!strcmp(key, "body_len")) {
			CHECK_INT(key, m.body.len);
		} else if (!strcmp(key, "mf_check")) {
			CHECK_INT(key, sip_check_max_forwards(&m));
		} else if (!strcmp(key, "unsupported")) {
			char got[512] = "";
			for (unsigned i = 0; i < v.n_unsupp; i++) {
				char t[128];
				if (i)
					strcat(got, ",");
				strncat(got, s2c(msg, v.unsupp[i], t, sizeof(t)),
				        sizeof(got) - strlen(got) - 1);
			}
			if (strcmp(got, val))
				cfail(name, "unsupported: expected %s got %s", val, got);
		} else if (!strncmp(key, "ruri_", 5)) {
			if (urc && urc != -EPROTONOSUPPORT) {
				cfail(name, "%s: Request-URI does not parse (%d)", key, urc);
			} else if (!strcmp(key, "ruri_scheme")) {
				if (strcmp(val, scheme_name(ru.scheme)))
					cfail(name, "ruri_scheme: expected %s got %s", val,
					      scheme_name(ru.scheme));
			} else if (!strcmp(key, "ruri_user")) {
				CHECK_STR(key, msg, ru.user);
			} else if (!strcmp(key, "ruri_user_unescaped")) {
				char t[256];
				int n =
				    sip_unescape(t, sizeof(t) - 1, msg + ru.user.off, ru.user.len);
				t[n < 0 ? 0 : n] = '\0';
				if (strcmp(t, val))
					cfail(name, "%s: expected %s got %s", key, val, t);
			} else if (!strcmp(key, "ruri_password")) {
				CHECK_STR(key, msg, ru.password);
			} else if (!strcmp(key, "ruri_host")) {
				CHECK_STR(key, msg, ru.host);
			} else if (!strcmp(key, "ruri_host_type")) {
				CHECK_INT(key, ru.host_type == SIP_HOST_IPV6   ? 6
				               : ru.host_type == SIP_HOST_IPV4 ? 4
				                                               : 0);
			} else if (!strcmp(key, "ruri_port")) {
				CHECK_INT(key, ru.port);
			} else if (!strcmp(key, "ruri_params")) {
				CHECK_STR(key, msg, ru.params);
			} else {
				cfail(name, "unknown key %s", key);
			}
		} else if (!strncmp(key, "via_", 4)) {
			if (vrc) {
				cfail(name, "%s: top Via does not parse", key);
			} else if (!strcmp(key, "via_host")) {
				CHECK_STR(key, msg, via.host);
			} else if (!strcmp(key, "via_host_type")) {
				CHECK_INT(key, via.host_type == SIP_HOST_IPV6   ? 6
				               : via.host_type == SIP_HOST_IPV4 ? 4
				                                                : 0);
			} else if (!strcmp(key, "via_port")) {
				CHECK_INT(key, via.port);
			} else if (!strcmp(key, "via_branch")) {
				CHECK_STR(key, msg, via.branch);
			} else if (!strcmp(key, "via_received")) {
				CHECK_STR(key, msg, via.received);
			} else if (!strcmp(key, "via_transport")) {
				CHECK_STR(key, msg, via.transport);
			} else if (!strcmp(key, "via_rport")) {
				CHECK_INT(key, via.rport);
			} else if (!strcmp(key, "via_has_rport")) {
				CHECK_INT(key, via.has_rport);
			} else {
				cfail(name, "unknown key %s", key);
			}
		} else if (!strncmp(key, "from_", 5) || !strncmp(key, "to_", 3) ||
		           !strncmp(key, "contact_", 8)) {
			enum sip_hdr_id id = key[0] == 'f'   ? SIP_HDR_FROM
			                     : key[0] == 't' ? SIP_HDR_TO
			                                     : SIP_HDR_CONTACT;
			const struct sip_hdr *h = sip_msg_hdr(&m, id);
			const char *sub = strchr(key, '_') + 1;
			struct sip_nameaddr na;
			if (!h || sip_nameaddr_parse(&na, msg, h->value)) {
				cfail(name, "%s: header missing or malformed", key);
			} else if (!strcmp(sub, "tag")) {
				CHECK_STR(key, msg, na.tag);
			} else if (!strcmp(sub, "display")) {
				CHECK_STR(key, msg, na.display);
			} else if (!strcmp(sub, "uri")) {
				CHECK_STR(key, msg, na.uri);
			} else if (!strcmp(sub, "params")) {
				CHECK_STR(key, msg, na.params);
			} else if (!strcmp(sub, "star")) {
				CHECK_INT(key, na.star);
			} else {
				cfail(name, "unknown key %s", key);
			}
		} else if (!strcmp(key, "hdr") || !strcmp(key, "hdr_count")) {
			char *colon = strchr(val, ':');
			enum sip_hdr_id id;
			int found = 0;
			if (!colon) {
				cfail(name, "bad %s", key);
				continue;
			}
			*colon = '\0';
			id = sip_hdr_lookup(val, strlen(val));
			for (int i = sip_msg_find(&m, id, 0); i >= 0;
			     i = sip_msg_find(&m, id, i + 1)) {
				char t[256];
				if (key[3] == '_')
					found++;
				else if (!strcmp(s2c(msg, m.hdr[i].value, t, sizeof(t)), colon + 1))
					found = 1;
			}
			if (key[3] == '_' ? found != atoi(colon + 1) : !found)
				cfail(name, "%s %s: %s not matched (%d)", key, val, colon + 1,
				      found);
		} else if (!strncmp(key, "sdp", 3)) {
			char t[64];
			if (!strcmp(key, "sdp")) {
				if ((sdprc == 0) != !strcmp(val, "ok"))
					cfail(name, "sdp: expected %s got %d", val, sdprc);
			} else if (sdprc) {
				cfail(name, "%s: SDP does not parse (%d)", key, sdprc);
			} else if (!strcmp(key, "sdp_conn")) {
				sip_addr_fmt(&sdp.conn, t, sizeof(t));
				if (strcmp(t, val))
					cfail(name, "%s: expected %s got %s", key, val, t);
			} else if (!strcmp(key, "sdp_port")) {
				CHECK_INT(key, sdp.conn.port);
			} else if (!strcmp(key, "sdp_secure")) {
				CHECK_INT(key, sdp.secure);
			} else if (!strcmp(key, "sdp_ptime")) {
				CHECK_INT(key, sdp.ptime);
			} else if (nrc) {
				cfail(name, "%s: negotiation failed (%d)", key, nrc);
			} else if (!strcmp(key, "sdp_codec")) {
				CHECK_INT(key, ans.codec_pt);
			} else if (!strcmp(key, "sdp_dtmf")) {
				CHECK_INT(key, ans.dtmf_pt);
			} else if (!strcmp(key, "sdp_dir")) {
				if (strcmp(val, dir_name(ans.dir)))
					cfail(name, "%s: expected %s got %s", key, val,
					      dir_name(ans.dir));
			} else {
				cfail(name, "unknown key %s", key);
			}
		} else {
			cfail(name, "unknown key %s", key);
		}
	}
	free(msg);
	free(exp);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_corpus(void **state)
{
	const char *dir = getenv("SIP_CORPUS");
	static char *names[MAX_CASES];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	(void)state;
	assert_non_null(dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) && n < MAX_CASES) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, ".sip")) {
			names[n] = strndup(de->d_name, l - 4);
			n++;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		run_case(dir, names[i]);
		free(names[i]);
	}
	printf("corpus: %zu cases, %d failures\n", n, failures);
	assert_true(n > 0);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests_name("sip_corpus", tests, NULL, NULL);
}
