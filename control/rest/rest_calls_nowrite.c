/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_calls_nowrite.c — built instead of rest_calls_write.c while control/calls/ctl_call.c
 * (the call router) is not in the tree: validated call creates and updates are answered 501. */
#include "rest_priv.h"

int rest_router_create(struct rest_req *q, const struct rest_call_in *in)
{
	(void)in;
	return rest_error(q, 501, 20501, "placing calls is not available in this build (no call "
	                                 "router)");
}

int rest_router_update(struct rest_req *q, const char *call_sid, const struct rest_call_in *in,
                       const char *status, const char *queue_sid, json_t *view)
{
	(void)call_sid, (void)in, (void)status, (void)queue_sid;
	json_decref(view);
	return rest_error(q, 501, 20501, "changing calls is not available in this build (no call "
	                                 "router)");
}
