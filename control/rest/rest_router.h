/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_router.h — what the call router shares with the REST API, header-only (it needs the
 * store alone, not the REST library): may an account make or receive calls (accounts are
 * suspended or closed through POST /Accounts/{Sid}.json Status=...), and the key of a queue
 * member in STORE_DB_QUEUE_MEMBERS (the Members resource reads them). */
#ifndef REST_ROUTER_H
#define REST_ROUTER_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "store.h"
#include "store_ent.h"

static inline int rest_account_status_active(struct store *s, const char *sid)
{
	json_t *a;
	int rc = store_res_get(s, STORE_K_ACCOUNT, sid, &a);
	if (rc == -ENOENT || rc == -EINVAL)
		return 0;
	if (rc)
		return rc;
	const char *st = json_string_value(json_object_get(a, "status"));
	int ok = st && !strcmp(st, "active");
	json_decref(a);
	return ok;
}

/* 1 when the account exists and it and its owner (for a subaccount) are active; 0 when not
 * (unknown, suspended, closed); -errno on a read error. On the store's owner thread. */
static inline int rest_account_can_call(struct store *s, const char *account_sid)
{
	json_t *a;
	int rc = store_res_get(s, STORE_K_ACCOUNT, account_sid, &a);
	if (rc == -ENOENT || rc == -EINVAL)
		return 0;
	if (rc)
		return rc;
	const char *st = json_string_value(json_object_get(a, "status"));
	const char *owner = json_string_value(json_object_get(a, "owner_account_sid"));
	int ok = st && !strcmp(st, "active");
	char own[STORE_SID_LEN + 1] = "";
	if (ok && owner && strcmp(owner, account_sid) != 0 && strlen(owner) == STORE_SID_LEN)
		memcpy(own, owner, sizeof(own));
	json_decref(a);
	if (ok && own[0])
		ok = rest_account_status_active(s, own);
	return ok;
}

/*
 * Queue members, written by the call router on <Enqueue>: key = QU SID (34) + be64 enqueue time
 * in µs + CA SID (34) = REST_MEMBER_KEY_LEN bytes, value = JSON {"call_sid","queue_sid","_ts":
 * enqueue µs}. FIFO order is key order.
 */
#define REST_MEMBER_KEY_LEN (STORE_SID_LEN + 8 + STORE_SID_LEN)
static inline void rest_member_key(uint8_t out[REST_MEMBER_KEY_LEN], const char *queue_sid,
                                   uint64_t enq_us, const char *call_sid)
{
	memcpy(out, queue_sid, STORE_SID_LEN);
	for (int i = 0; i < 8; i++)
		out[STORE_SID_LEN + i] = (uint8_t)(enq_us >> (56 - 8 * i));
	memcpy(out + STORE_SID_LEN + 8, call_sid, STORE_SID_LEN);
}

#endif /* REST_ROUTER_H */
