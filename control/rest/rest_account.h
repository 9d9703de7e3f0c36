/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_account.h — may an account make or receive calls? For the call router: header-only
 * (it needs the store alone, not the REST library). Accounts are suspended or closed through
 * the REST API (POST /Accounts/{Sid}.json Status=...). */
#ifndef REST_ACCOUNT_H
#define REST_ACCOUNT_H

#include <errno.h>
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

#endif /* REST_ACCOUNT_H */
