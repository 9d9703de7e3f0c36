/* SPDX-License-Identifier: BSD-3-Clause */
/* store_ent.h — the store's records: SIDs, E.164 numbers, dates, accounts, numbers and the
 * per-account resource lists with paging cursors. */
#ifndef STORE_ENT_H
#define STORE_ENT_H

#include <stdint.h>

#include <jansson.h>

#include "store.h"

#define STORE_SID_LEN 34 /* 2-letter prefix + 32 lowercase hex */
#define STORE_E164_MAX 16 /* '+' and at most 15 digits */
#define STORE_CURSOR_LEN 50 /* 16 hex (time) + SID */
#define STORE_API_VERSION "2010-04-01"

/* A new SID: prefix ("AC", "PN", ...) + 32 lowercase hex from getrandom(). Returns 0 or -errno. */
int store_sid_new(char out[STORE_SID_LEN + 1], const char *prefix);
/* 1 when s is a well-formed SID with that prefix (NULL: any two capital letters). */
int store_sid_valid(const char *s, const char *prefix);
/* 32 lowercase hex from getrandom() (auth tokens). Returns 0 or -errno. */
int store_token_new(char out[33]);

/* Normalize a phone number to E.164: separators ( ) - . space are dropped, a leading "+" or
 * "00" is the international prefix (digits alone are taken as already international), then
 * 4..15 digits, the first not 0. Returns 0 or -EINVAL. */
int store_e164_normalize(const char *in, char out[STORE_E164_MAX + 1]);

uint64_t store_now_us(void);
/* RFC 2822 date in UTC: "Fri, 18 Oct 2019 17:00:00 +0000" (locale independent). */
void store_rfc2822(uint64_t unix_us, char out[40]);

/*
 * Resources listed per account. A record is a JSON object with at least "sid", the owning
 * account's SID (field `owner`: "account_sid", for accounts "owner_account_sid") and "_ts"
 * (integer, microseconds since the epoch): the list order. For calls _ts is the start time as
 * known at creation. Neither the owner nor _ts ever changes. Fields starting with "_" are the
 * store's own and are dropped from the views.
 */
enum store_kind {
	STORE_K_ACCOUNT,
	STORE_K_KEY,
	STORE_K_NUMBER,
	STORE_K_APP,
	STORE_K_CALL,
	STORE_K_RECORDING,
	STORE_K_NOTIFICATION,
	STORE_K_QUEUE,
	STORE_K_N
};

struct store_kind_info {
	const char *prefix;  /* SID prefix */
	enum store_db db, idx;
	const char *owner;   /* field naming the account the record is listed under */
	const char *list_key; /* Twilio's array name in a list page ("calls", ...) */
};
const struct store_kind_info *store_kind(enum store_kind k);

/* Add the record (and its list entry; for numbers the E.164 index too) to a batch. create=1:
 * the SID and (numbers) the phone number must be new, else the batch fails with -EEXIST.
 * create=0: an update of an existing record (owner and _ts must be unchanged). Returns 0 or
 * -EINVAL (record lacks sid/owner/_ts, wrong SID prefix) or a batch error; on error the batch
 * is left as it was. */
int store_res_put(struct store_batch *b, enum store_kind k, const json_t *rec, int create);
/* Fetch by SID: 0 and a new reference, -ENOENT, -EINVAL, -errno. */
int store_res_get(struct store *s, enum store_kind k, const char *sid, json_t **out);
/* Add the deletion of a record and of its index entries to a batch (the record is read now,
 * committed state). Returns 0, -ENOENT, or a batch error. */
int store_res_del(struct store *s, struct store_batch *b, enum store_kind k, const char *sid);

/*
 * One page of an account's records in (_ts, sid) order: oldest first, or newest first with
 * STORE_LIST_NEWEST_FIRST (Twilio's order for calls, recordings, notifications). `after`: a
 * cursor from a previous page in the same order (NULL or "": from the start); skip: records to
 * pass over first (Page * PageSize when the client pages by number); limit: page size
 * (1..1000). *items gets a new array of records; next (STORE_CURSOR_LEN + 1 bytes) gets the
 * cursor after the last record returned when more records follow, else "". Returns 0, -EINVAL
 * (bad account, cursor or limit), -errno.
 */
enum { STORE_LIST_NEWEST_FIRST = 1 };
int store_res_list(struct store *s, enum store_kind k, const char *account_sid, const char *after,
                   uint32_t skip, uint32_t limit, unsigned flags, json_t **items, char *next);

/* ---- accounts ---- */

/* A new account record: SID, auth token, status active, type Full, owner = owner_sid (NULL:
 * itself, a top-level account), dates now. NULL when out of memory or random fails. */
json_t *store_account_new(const char *friendly_name, const char *owner_sid);
/* Twilio's account JSON for a record (uri, subresource_uris; no "_" fields). New reference. */
json_t *store_account_view(const json_t *rec);
/* Change an account record in place (NULL: leave as is): friendly name (1..64 characters),
 * status (active | suspended | closed; a closed account stays closed, as at Twilio);
 * date_updated becomes now. Returns 0, or -EINVAL with a message. Store it with
 * store_res_put(b, STORE_K_ACCOUNT, rec, 0). */
int store_account_update(json_t *rec, const char *friendly_name, const char *status, char *err,
                         size_t errlen);
/* 1 for "active", "suspended", "closed". */
int store_account_status_valid(const char *status);

/* ---- incoming phone numbers ---- */

struct store_number_in {
	const char *account_sid;  /* required */
	const char *phone_number; /* required, normalized to E.164 */
	const char *friendly_name;
	const char *voice_url;
	const char *voice_method; /* GET or POST (default POST) */
	const char *voice_fallback_url;
	const char *voice_fallback_method; /* default POST */
	const char *status_callback;
	const char *status_callback_method; /* default POST */
	const char *voice_application_sid;
};
/* Validate and build a new number record. Returns 0 and *out, or -EINVAL with a message. */
int store_number_new(const struct store_number_in *in, json_t **out, char *err, size_t errlen);
/* Twilio's IncomingPhoneNumber JSON for a record. New reference. */
json_t *store_number_view(const json_t *rec);
/* The number record for a phone number (normalized here). 0, -ENOENT, -EINVAL, -errno. */
int store_number_lookup(struct store *s, const char *phone_number, json_t **out);

#endif /* STORE_ENT_H */
