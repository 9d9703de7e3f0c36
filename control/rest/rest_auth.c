/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_auth.c — HTTP Basic with AccountSid:AuthToken or an API key SK...:secret (only the
 * secret's SHA-256 is stored), and which accounts a caller may act on: its own and, for a
 * top-level account, its subaccounts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "rest_priv.h"

void rest_key_hash(const char *secret, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	out[0] = 0;
	if (!EVP_Digest(secret, strlen(secret), md, &n, EVP_sha256(), NULL) || n != 32)
		return;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int rest_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

/* 401 with Twilio's body and a Basic challenge (clients that wait for one send credentials) */
static int rest_401(struct rest_req *q, const char *why)
{
	char msg[128];
	snprintf(msg, sizeof(msg), "Authentication Error - %s", why);
	json_t *j = json_pack("{s:i, s:s, s:s, s:i}", "code", 20003, "message", msg, "more_info",
	                      "https://www.twilio.com/docs/errors/20003", "status", 401);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!body) {
		rest_error(q, 401, 20003, "%s", msg);
		return -1;
	}
	const struct http_kv h[] = {{"Content-Type", "application/json"},
	                            {"WWW-Authenticate", "Basic realm=\"Twilio API\""}};
	http_respond(q->h, 401, h, 2, body, strlen(body));
	if (q->api)
		q->api->cnt.auth_failed++;
	free(body);
	return -1;
}

int rest_auth(struct rest_req *q)
{
	char user[64], pass[128];
	int rc = http_req_basic_auth(q->h, user, sizeof(user), pass, sizeof(pass));
	if (rc)
		return rest_401(q, rc == -ENOENT ? "No credentials provided" : "invalid credentials");
	struct store *s = q->api->store;
	json_t *acct = NULL;
	if (store_sid_valid(user, "AC")) {
		if (store_res_get(s, STORE_K_ACCOUNT, user, &acct) != 0)
			return rest_401(q, "invalid username");
		if (!rest_eq(json_string_value(json_object_get(acct, "auth_token")) ?: "", pass)) {
			json_decref(acct);
			return rest_401(q, "invalid credentials");
		}
	} else if (store_sid_valid(user, "SK")) {
		json_t *key;
		if (store_res_get(s, STORE_K_KEY, user, &key) != 0)
			return rest_401(q, "invalid username");
		char h[65];
		rest_key_hash(pass, h);
		int ok = rest_eq(json_string_value(json_object_get(key, "_secret_sha256")) ?: "-", h);
		const char *ac = json_string_value(json_object_get(key, "account_sid"));
		if (ok && ac)
			ok = store_res_get(s, STORE_K_ACCOUNT, ac, &acct) == 0;
		json_decref(key);
		if (!ok)
			return rest_401(q, "invalid credentials");
	} else {
		return rest_401(q, "invalid username");
	}
	if (!strcmp(json_string_value(json_object_get(acct, "status")) ?: "", "closed")) {
		json_decref(acct);
		return rest_401(q, "the account is closed");
	}
	snprintf(q->auth_ac, sizeof(q->auth_ac), "%s", json_string_value(json_object_get(acct, "sid")));
	q->auth_rec = acct;
	return 0;
}

int rest_access(struct rest_req *q, const char *ac)
{
	if (!strcmp(ac, q->auth_ac)) {
		q->ac_rec = json_incref(q->auth_rec);
		return 0;
	}
	json_t *rec;
	if (store_res_get(q->api->store, STORE_K_ACCOUNT, ac, &rec) == 0) {
		const char *owner = json_string_value(json_object_get(rec, "owner_account_sid"));
		if (owner && !strcmp(owner, q->auth_ac) && strcmp(owner, ac) != 0) {
			q->ac_rec = rec;
			return 0;
		}
		json_decref(rec);
	}
	/* another account's path: Twilio answers as for wrong credentials */
	return rest_401(q, "the credentials do not grant access to this account");
}
