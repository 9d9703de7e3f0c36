/* SPDX-License-Identifier: BSD-3-Clause */
/* store_ent.c — SIDs, E.164, RFC 2822 dates, and the records of accounts, numbers and the other
 * per-account resources (index entries, paging cursors, Twilio views). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "store_ent.h"

static const struct store_kind_info store_kinds[STORE_K_N] = {
    [STORE_K_ACCOUNT] = {"AC", STORE_DB_ACCOUNTS, STORE_DB_ACCOUNTS_IDX, "owner_account_sid",
                         "accounts"},
    [STORE_K_KEY] = {"SK", STORE_DB_KEYS, STORE_DB_KEYS_IDX, "account_sid", "keys"},
    [STORE_K_NUMBER] = {"PN", STORE_DB_NUMBERS, STORE_DB_NUMBERS_IDX, "account_sid",
                        "incoming_phone_numbers"},
    [STORE_K_APP] = {"AP", STORE_DB_APPS, STORE_DB_APPS_IDX, "account_sid", "applications"},
    [STORE_K_CALL] = {"CA", STORE_DB_CALLS, STORE_DB_CALLS_IDX, "account_sid", "calls"},
    [STORE_K_RECORDING] = {"RE", STORE_DB_RECORDINGS, STORE_DB_RECORDINGS_IDX, "account_sid",
                           "recordings"},
    [STORE_K_NOTIFICATION] = {"NO", STORE_DB_NOTIFICATIONS, STORE_DB_NOTIFICATIONS_IDX,
                              "account_sid", "notifications"},
    [STORE_K_QUEUE] = {"QU", STORE_DB_QUEUES, STORE_DB_QUEUES_IDX, "account_sid", "queues"},
};

const struct store_kind_info *store_kind(enum store_kind k)
{
	return (unsigned)k < STORE_K_N ? &store_kinds[k] : NULL;
}

/* ---- SIDs, tokens, numbers, dates ---- */

static int store_hex_random(char *out, size_t nbytes)
{
	uint8_t r[32];
	if (nbytes > sizeof(r))
		return -EINVAL;
	size_t got = 0;
	while (got < nbytes) {
		ssize_t n = getrandom(r + got, nbytes - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hx[r[i] >> 4];
		out[2 * i + 1] = hx[r[i] & 15];
	}
	out[2 * nbytes] = 0;
	return 0;
}

int store_sid_new(char out[STORE_SID_LEN + 1], const char *prefix)
{
	if (!prefix || strlen(prefix) != 2 || prefix[0] < 'A' || prefix[0] > 'Z' ||
	    prefix[1] < 'A' || prefix[1] > 'Z')
		return -EINVAL;
	out[0] = prefix[0];
	out[1] = prefix[1];
	return store_hex_random(out + 2, 16);
}

int store_sid_valid(const char *s, const char *prefix)
{
	if (!s || strlen(s) != STORE_SID_LEN)
		return 0;
	if (prefix ? strncmp(s, prefix, 2) != 0
	           : (s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z'))
		return 0;
	for (int i = 2; i < STORE_SID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int store_token_new(char out[33])
{
	return store_hex_random(out, 16);
}

int store_e164_normalize(const char *in, char out[STORE_E164_MAX + 1])
{
	if (!in)
		return -EINVAL;
	const char *p = in;
	while (*p == ' ')
		p++;
	if (*p == '+')
		p++;
	else if (p[0] == '0' && p[1] == '0')
		p += 2;
	size_t n = 0;
	out[n++] = '+';
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n > 15)
				return -EINVAL; /* more than 15 digits */
			out[n++] = *p;
		} else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')') {
			return -EINVAL;
		}
	}
	out[n] = 0;
	if (n - 1 < 4 || out[1] == '0')
		return -EINVAL;
	return 0;
}

uint64_t store_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

void store_rfc2822(uint64_t unix_us, char out[40])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(unix_us / 1000000ull);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
	         tm.tm_mday, mons[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
}

/* ---- generic resources ---- */

#define STORE_IDX_KEY_LEN (STORE_SID_LEN + 8 + STORE_SID_LEN)

static void store_idx_key(uint8_t out[STORE_IDX_KEY_LEN], const char *owner, uint64_t ts,
                          const char *sid)
{
	memcpy(out, owner, STORE_SID_LEN);
	for (int i = 7; i >= 0; i--, ts >>= 8)
		out[STORE_SID_LEN + i] = (uint8_t)ts;
	memcpy(out + STORE_SID_LEN + 8, sid, STORE_SID_LEN);
}

/* sid, owner and _ts of a record, checked. */
static int store_res_keys(enum store_kind k, const json_t *rec, const char **sid,
                          const char **owner, uint64_t *ts)
{
	const struct store_kind_info *ki = store_kind(k);
	if (!ki || !json_is_object(rec))
		return -EINVAL;
	*sid = json_string_value(json_object_get(rec, "sid"));
	*owner = json_string_value(json_object_get(rec, ki->owner));
	json_t *t = json_object_get(rec, "_ts");
	if (!store_sid_valid(*sid, ki->prefix) || !store_sid_valid(*owner, "AC") ||
	    !json_is_integer(t) || json_integer_value(t) < 0)
		return -EINVAL;
	*ts = (uint64_t)json_integer_value(t);
	return 0;
}

int store_res_put(struct store_batch *b, enum store_kind k, const json_t *rec, int create)
{
	const char *sid, *owner;
	uint64_t ts;
	int rc = store_res_keys(k, rec, &sid, &owner, &ts);
	if (rc)
		return rc;
	const struct store_kind_info *ki = store_kind(k);
	uint32_t n0 = store_batch_ops(b);
	rc = store_batch_put_json(b, ki->db, sid, STORE_SID_LEN, rec,
	                          create ? STORE_PUT_NOOVERWRITE : 0);
	if (rc)
		return rc;
	if (create) {
		uint8_t ik[STORE_IDX_KEY_LEN];
		store_idx_key(ik, owner, ts, sid);
		rc = store_batch_put(b, ki->idx, ik, sizeof(ik), "", 0, STORE_PUT_NOOVERWRITE);
		if (!rc && k == STORE_K_NUMBER) {
			const char *num = json_string_value(json_object_get(rec, "phone_number"));
			rc = num ? store_batch_put(b, STORE_DB_NUMBERS_E164, num, strlen(num), sid,
			                           STORE_SID_LEN, STORE_PUT_NOOVERWRITE)
			         : -EINVAL;
		}
	}
	if (rc) /* all or nothing: the batch is as it was */
		store_batch_rollback(b, n0);
	return rc;
}

int store_res_get(struct store *s, enum store_kind k, const char *sid, json_t **out)
{
	const struct store_kind_info *ki = store_kind(k);
	if (!ki || !store_sid_valid(sid, ki->prefix))
		return -EINVAL;
	return store_get_json(s, ki->db, sid, STORE_SID_LEN, out);
}

int store_res_del(struct store *s, struct store_batch *b, enum store_kind k, const char *sid)
{
	json_t *rec;
	int rc = store_res_get(s, k, sid, &rec);
	if (rc)
		return rc;
	const char *rsid, *owner;
	uint64_t ts;
	rc = store_res_keys(k, rec, &rsid, &owner, &ts);
	const struct store_kind_info *ki = store_kind(k);
	uint32_t n0 = store_batch_ops(b);
	if (!rc)
		rc = store_batch_del(b, ki->db, sid, STORE_SID_LEN, STORE_DEL_MUST_EXIST);
	if (!rc) {
		uint8_t ik[STORE_IDX_KEY_LEN];
		store_idx_key(ik, owner, ts, sid);
		rc = store_batch_del(b, ki->idx, ik, sizeof(ik), 0);
	}
	if (!rc && k == STORE_K_NUMBER) {
		const char *num = json_string_value(json_object_get(rec, "phone_number"));
		if (num)
			rc = store_batch_del(b, STORE_DB_NUMBERS_E164, num, strlen(num), 0);
	}
	if (rc)
		store_batch_rollback(b, n0);
	json_decref(rec);
	return rc;
}

struct store_list_ctx {
	const uint8_t *exclude; /* the cursor's own key */
	uint32_t skip, limit, n;
	int more;
	char sids[1000][STORE_SID_LEN + 1];
	uint64_t ts[1000];
};

static int store_list_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct store_list_ctx *x = arg;
	if (klen != STORE_IDX_KEY_LEN)
		return 0; /* not ours: skip */
	if (x->exclude && memcmp(key, x->exclude, STORE_IDX_KEY_LEN) == 0)
		return 0;
	if (x->skip) {
		x->skip--;
		return 0;
	}
	if (x->n == x->limit) {
		x->more = 1;
		return 1;
	}
	const uint8_t *k = key;
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = ts << 8 | k[STORE_SID_LEN + i];
	x->ts[x->n] = ts;
	memcpy(x->sids[x->n], k + STORE_SID_LEN + 8, STORE_SID_LEN);
	x->sids[x->n][STORE_SID_LEN] = 0;
	x->n++;
	return 0;
}

int store_res_list(struct store *s, enum store_kind k, const char *account_sid, const char *after,
                   uint32_t skip, uint32_t limit, unsigned flags, json_t **items, char *next)
{
	const struct store_kind_info *ki = store_kind(k);
	if (!ki || !store_sid_valid(account_sid, "AC") || limit < 1 || limit > 1000)
		return -EINVAL;
	uint8_t from[STORE_IDX_KEY_LEN];
	int have_from = 0;
	if (after && *after) {
		char sid[STORE_SID_LEN + 1], *end;
		if (strlen(after) != STORE_CURSOR_LEN)
			return -EINVAL;
		char hx[17];
		memcpy(hx, after, 16);
		hx[16] = 0;
		unsigned long long ts = strtoull(hx, &end, 16);
		memcpy(sid, after + 16, STORE_SID_LEN + 1);
		if (*end || !store_sid_valid(sid, ki->prefix))
			return -EINVAL;
		store_idx_key(from, account_sid, ts, sid);
		have_from = 1;
	}
	struct store_list_ctx *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->exclude = have_from ? from : NULL;
	x->skip = skip;
	x->limit = limit;
	int rc = store_walk(s, ki->idx, account_sid, STORE_SID_LEN, have_from ? from : NULL,
	                    have_from ? sizeof(from) : 0, 0,
	                    flags & STORE_LIST_NEWEST_FIRST ? STORE_WALK_REVERSE : 0, store_list_one, x);
	if (rc < 0) {
		free(x);
		return rc;
	}
	json_t *arr = json_array();
	for (uint32_t i = 0; arr && i < x->n; i++) {
		json_t *rec;
		if (store_get_json(s, ki->db, x->sids[i], STORE_SID_LEN, &rec) == 0)
			json_array_append_new(arr, rec);
		/* else: deleted since the index was read; the page is one shorter */
	}
	if (next) {
		next[0] = 0;
		if (x->more && x->n)
			snprintf(next, STORE_CURSOR_LEN + 1, "%016llx%s",
			         (unsigned long long)x->ts[x->n - 1], x->sids[x->n - 1]);
	}
	free(x);
	if (!arr)
		return -ENOMEM;
	*items = arr;
	return 0;
}

/* ---- views ---- */

/* A copy without the store's own "_" fields. */
static json_t *store_view_base(const json_t *rec)
{
	json_t *o = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)rec, key, v)
	{
		if (key[0] != '_')
			json_object_set(o, key, v);
	}
	return o;
}

static void store_set_dates(json_t *rec, uint64_t us)
{
	char d[40];
	store_rfc2822(us, d);
	json_object_set_new(rec, "date_created", json_string(d));
	json_object_set_new(rec, "date_updated", json_string(d));
	json_object_set_new(rec, "_ts", json_integer((json_int_t)us));
}

/* ---- accounts ---- */

json_t *store_account_new(const char *friendly_name, const char *owner_sid)
{
	char sid[STORE_SID_LEN + 1], tok[33];
	if (store_sid_new(sid, "AC") || store_token_new(tok))
		return NULL;
	json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "sid", sid, "auth_token", tok,
	                      "friendly_name", friendly_name && *friendly_name ? friendly_name : sid,
	                      "status", "active", "type", "Full", "owner_account_sid",
	                      owner_sid ? owner_sid : sid);
	if (a)
		store_set_dates(a, store_now_us());
	return a;
}

int store_account_status_valid(const char *status)
{
	return status && (!strcmp(status, "active") || !strcmp(status, "suspended") ||
	                  !strcmp(status, "closed"));
}

int store_account_update(json_t *rec, const char *friendly_name, const char *status, char *err,
                         size_t errlen)
{
	const char *cur = json_string_value(json_object_get(rec, "status"));
	if (friendly_name && (!*friendly_name || strlen(friendly_name) > 64)) {
		snprintf(err, errlen, "friendly name must be 1 to 64 characters");
		return -EINVAL;
	}
	if (status && !store_account_status_valid(status)) {
		snprintf(err, errlen, "status must be active, suspended or closed");
		return -EINVAL;
	}
	if (status && cur && !strcmp(cur, "closed") && strcmp(status, "closed") != 0) {
		snprintf(err, errlen, "a closed account cannot be reopened");
		return -EINVAL;
	}
	if (friendly_name)
		json_object_set_new(rec, "friendly_name", json_string(friendly_name));
	if (status)
		json_object_set_new(rec, "status", json_string(status));
	char d[40];
	store_rfc2822(store_now_us(), d);
	json_object_set_new(rec, "date_updated", json_string(d));
	return 0;
}

json_t *store_account_view(const json_t *rec)
{
	json_t *o = store_view_base(rec);
	const char *sid = json_string_value(json_object_get(rec, "sid"));
	if (!o || !sid)
		return o;
	char base[128], u[192];
	snprintf(base, sizeof(base), "/" STORE_API_VERSION "/Accounts/%s", sid);
	snprintf(u, sizeof(u), "%s.json", base);
	json_object_set_new(o, "uri", json_string(u));
	static const char *const subs[][2] = {
	    {"calls", "Calls"},
	    {"incoming_phone_numbers", "IncomingPhoneNumbers"},
	    {"applications", "Applications"},
	    {"recordings", "Recordings"},
	    {"notifications", "Notifications"},
	    {"queues", "Queues"},
	    {"keys", "Keys"},
	};
	json_t *sr = json_object();
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(u, sizeof(u), "%s/%s.json", base, subs[i][1]);
		json_object_set_new(sr, subs[i][0], json_string(u));
	}
	json_object_set_new(o, "subresource_uris", sr);
	return o;
}

/* ---- incoming phone numbers ---- */

static int store_method(const char *m, const char **out)
{
	if (!m || !*m) {
		*out = "POST";
		return 0;
	}
	if (!strcasecmp(m, "POST"))
		*out = "POST";
	else if (!strcasecmp(m, "GET"))
		*out = "GET";
	else
		return -EINVAL;
	return 0;
}

static int store_url_ok(const char *u)
{
	return !u || !*u || ((!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8)) &&
	                     strlen(u) < 4096 && !strpbrk(u, " \t\r\n"));
}

int store_number_new(const struct store_number_in *in, json_t **out, char *err, size_t errlen)
{
	char num[STORE_E164_MAX + 1], sid[STORE_SID_LEN + 1];
	const char *vm, *fm, *sm;
	if (!store_sid_valid(in->account_sid, "AC")) {
		snprintf(err, errlen, "account must be an account SID (AC + 32 hex)");
		return -EINVAL;
	}
	if (store_e164_normalize(in->phone_number, num)) {
		snprintf(err, errlen, "'%s' is not a phone number (E.164: +, 4 to 15 digits)",
		         in->phone_number ? in->phone_number : "");
		return -EINVAL;
	}
	if (store_method(in->voice_method, &vm) || store_method(in->voice_fallback_method, &fm) ||
	    store_method(in->status_callback_method, &sm)) {
		snprintf(err, errlen, "methods are GET or POST");
		return -EINVAL;
	}
	if (!store_url_ok(in->voice_url) || !store_url_ok(in->voice_fallback_url) ||
	    !store_url_ok(in->status_callback)) {
		snprintf(err, errlen, "URLs must be http:// or https:// without spaces");
		return -EINVAL;
	}
	if (in->voice_application_sid && *in->voice_application_sid &&
	    !store_sid_valid(in->voice_application_sid, "AP")) {
		snprintf(err, errlen, "voice_application_sid must be an application SID (AP...)");
		return -EINVAL;
	}
	if (store_sid_new(sid, "PN")) {
		snprintf(err, errlen, "no random numbers");
		return -EIO;
	}
#define STORE_OPT(v) ((v) && *(v) ? json_string(v) : json_null())
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:s, s:o, s:b, s:s}",
	                      "sid", sid, "account_sid", in->account_sid, "phone_number", num,
	                      "friendly_name",
	                      in->friendly_name && *in->friendly_name ? in->friendly_name : num,
	                      "voice_url", STORE_OPT(in->voice_url), "voice_method", vm,
	                      "voice_fallback_url", STORE_OPT(in->voice_fallback_url),
	                      "voice_fallback_method", fm, "status_callback",
	                      STORE_OPT(in->status_callback), "status_callback_method", sm,
	                      "voice_application_sid", STORE_OPT(in->voice_application_sid),
	                      "voice_caller_id_lookup", 0, "api_version", STORE_API_VERSION);
#undef STORE_OPT
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	store_set_dates(r, store_now_us());
	*out = r;
	return 0;
}

json_t *store_number_view(const json_t *rec)
{
	json_t *o = store_view_base(rec);
	const char *sid = json_string_value(json_object_get(rec, "sid"));
	const char *ac = json_string_value(json_object_get(rec, "account_sid"));
	if (!o || !sid || !ac)
		return o;
	char u[160];
	snprintf(u, sizeof(u), "/" STORE_API_VERSION "/Accounts/%s/IncomingPhoneNumbers/%s.json", ac,
	         sid);
	json_object_set_new(o, "uri", json_string(u));
	json_object_set_new(o, "capabilities",
	                    json_pack("{s:b, s:b, s:b, s:b}", "voice", 1, "sms", 0, "mms", 0, "fax", 0));
	return o;
}

int store_number_lookup(struct store *s, const char *phone_number, json_t **out)
{
	char num[STORE_E164_MAX + 1];
	if (store_e164_normalize(phone_number, num))
		return -EINVAL;
	char *sid;
	size_t len;
	int rc = store_get(s, STORE_DB_NUMBERS_E164, num, strlen(num), &sid, &len);
	if (rc)
		return rc;
	rc = len == STORE_SID_LEN ? store_res_get(s, STORE_K_NUMBER, sid, out) : -EBADMSG;
	free(sid);
	return rc;
}
