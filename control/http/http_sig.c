/* SPDX-License-Identifier: BSD-3-Clause */
/* http_sig.c — X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted POST parameters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "http.h"
#include "vox_base64.h"

static int sig_cmp(const void *a, const void *b)
{
	const struct http_kv *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v ? x->v : "", y->v ? y->v : "");
}

/*
 * Twilio's validators sort parameter names, and for a repeated name its values, and use each
 * distinct (name, value) once; byte order of UTF-8 is code point order, as theirs.
 */
int http_signature(const char *token, const char *url, const struct http_kv *kv, size_t n,
                   char out[29])
{
	struct http_kv *s = NULL;
	size_t len = strlen(url);
	if (n) {
		s = malloc(n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memcpy(s, kv, n * sizeof(*s));
		qsort(s, n, sizeof(*s), sig_cmp);
		for (size_t i = 0; i < n; i++)
			len += strlen(s[i].k) + strlen(s[i].v ? s[i].v : "");
	}
	char *msg = malloc(len + 1);
	if (!msg) {
		free(s);
		return -ENOMEM;
	}
	size_t o = strlen(url);
	memcpy(msg, url, o);
	for (size_t i = 0; i < n; i++) {
		if (i && sig_cmp(&s[i], &s[i - 1]) == 0)
			continue;
		const char *v = s[i].v ? s[i].v : "";
		size_t kl = strlen(s[i].k), vl = strlen(v);
		memcpy(msg + o, s[i].k, kl);
		memcpy(msg + o + kl, v, vl);
		o += kl + vl;
	}
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	unsigned char *r = HMAC(EVP_sha1(), token, (int)strlen(token), (const unsigned char *)msg,
	                        o, mac, &maclen);
	free(msg);
	free(s);
	if (!r || maclen != 20)
		return -ENOMEM;
	vox_b64_encode(mac, 20, out);
	return 0;
}
