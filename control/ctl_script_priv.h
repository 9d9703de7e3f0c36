/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_script_priv.h — scripted mode's rules, call table and state (the module and its tests). */
#ifndef CTL_SCRIPT_PRIV_H
#define CTL_SCRIPT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "vox_abi.h"

#include "ctl_script.h"

#define CTL_SCRIPT_LINE_MAX 1024
#define CTL_SCRIPT_FILE_MAX (1u << 20)
#define CTL_SCRIPT_RULES_MAX 10000
#define CTL_SCRIPT_ACTS_MAX 64 /* per rule */
#define CTL_SCRIPT_STR_MAX 255 /* URIs, reasons, credentials */
#define CTL_SCRIPT_USER_MAX 64 /* called user kept per call (for `calls`), cut beyond */

/* ---- rules (ctl_script_parse.c) ---- */

enum ctl_script_op {
	CTL_SOP_RING = 1, /* code 180|183 */
	CTL_SOP_WAIT,     /* ms */
	CTL_SOP_ANSWER,
	CTL_SOP_REJECT,   /* code, s[CTL_SS_REASON] */
	CTL_SOP_HANGUP,   /* code (0: the dataplane's default) */
	CTL_SOP_DEADLINE, /* ms from now */
	CTL_SOP_DIAL,     /* via, ms (ring timeout, 0: default), target, user, pass, from */
	CTL_SOP_BRIDGE,   /* the inbound leg with the leg it dialled last, once that answered */
	CTL_SOP_RESPOND,  /* code, s[CTL_SS_REASON] */
	CTL_SOP_NOTHING,
	CTL_SOP_TONE,    /* s[CTL_SS_PAYLOAD]: vox_tone */
	CTL_SOP_SILENCE, /* ms */
	CTL_SOP_COLLECT, /* s[CTL_SS_PAYLOAD]: vox_collect */
	CTL_SOP_RECORD,  /* s[CTL_SS_PAYLOAD]: vox_record (rec_id set when sent), s[CTL_SS_PATH] */
};

/* Strings of an action: indexes into ctl_script_act.s[]. */
enum ctl_script_str {
	CTL_SS_REASON = 0,
	CTL_SS_TARGET = 0,
	CTL_SS_USER = 1,
	CTL_SS_PASS = 2,
	CTL_SS_FROM = 3,
	CTL_SS_PAYLOAD = 0, /* media actions: the command's fixed payload, built when parsed */
	CTL_SS_PATH = 1,
	CTL_SS__N = 4,
};

/* A string in the program's pool (off 0 is the empty string). */
struct ctl_script_sref {
	uint32_t off;
	uint32_t len;
};

struct ctl_script_act {
	uint8_t op; /* enum ctl_script_op */
	uint8_t dial_flags; /* dial: enum vox_dial_flag (`srtp`) */
	uint16_t code;
	uint32_t ms;
	struct vox_addr via;
	struct ctl_script_sref s[CTL_SS__N];
};

struct ctl_script_rule {
	struct ctl_script_sref match;
	uint8_t any;       /* `*` */
	uint8_t requests;  /* a `respond` rule: matches EVT_SIP_REQUEST, never an offered leg */
	uint32_t first, n; /* its actions: acts[first .. first + n) */
	uint32_t line;
};

/* A parsed script. Shared by reference: the module holds one, every running call another. */
struct ctl_script_prog {
	uint32_t refs;
	uint32_t n_rules, n_acts;
	struct ctl_script_rule *rules;
	struct ctl_script_act *acts;
	char *strs; /* NUL-separated pool */
	uint32_t strs_len;
	char name[256]; /* the file, for messages */
};

/* Parse a whole script held in memory; `name` prefixes messages ("NAME:LINE: why").
 * Returns 0 with *out holding one reference, -EINVAL (message in err) or -ENOMEM. */
int ctl_script_parse(struct ctl_script_prog **out, const char *text, size_t len, const char *name,
                     char *err, size_t errlen);
/* Read and parse a file. Returns ctl_script_parse's codes or -errno ("PATH: why"). */
int ctl_script_load(struct ctl_script_prog **out, const char *path, char *err, size_t errlen);
void ctl_script_prog_get(struct ctl_script_prog *p);
void ctl_script_prog_put(struct ctl_script_prog *p);
/* First rule matching `user` among the call rules (requests = 0) or the respond rules
 * (requests = 1). Returns its index or -1. */
int ctl_script_match(const struct ctl_script_prog *p, const char *user, size_t len, int requests);
static inline const char *ctl_script_s(const struct ctl_script_prog *p, struct ctl_script_sref s)
{
	return p->strs + s.off;
}
/* "ring", "wait", ... */
const char *ctl_script_op_name(uint8_t op);

/* ---- calls (ctl_script_calls.c) ---- */

enum ctl_script_kind {
	CTL_SCALL_IN = 1,  /* offered inbound leg */
	CTL_SCALL_OUT = 2, /* leg we dialled */
	CTL_SCALL_REQ = 3, /* a request waiting for `respond` */
};

enum ctl_script_wait {
	CTL_SW_RUN = 0, /* running, or not started */
	CTL_SW_TIMER,   /* `wait`: timer pending */
	CTL_SW_DIAL,    /* `dial`: waiting for the outbound leg to answer, fail or end */
	CTL_SW_DONE,    /* no actions left; kept until the leg ends */
};

struct ctl_script;

struct ctl_script_call {
	struct ctl_script *s;
	vox_handle_t leg; /* 0: not created yet (dial pending), or a request outside dialogs */
	uint64_t req_id;  /* DIAL sent, LEG_CREATED not seen yet */
	uint64_t timer;
	struct ctl_script_prog *prog; /* a reference; NULL for outbound legs */
	uint32_t rule, pc;            /* pc: next action of the rule */
	uint32_t parent;              /* outbound: the inbound call (index + 1), 0 when gone */
	uint32_t child;               /* inbound: first outbound leg it dialled (index + 1) */
	uint32_t sibling;             /* outbound: next one of the same parent */
	uint32_t waiting_on;          /* CTL_SW_DIAL: the child (index + 1) */
	uint32_t txn;                 /* requests */
	uint16_t worker;
	uint8_t kind; /* enum ctl_script_kind; 0: free */
	uint8_t wait; /* enum ctl_script_wait */
	uint8_t answered;
	uint8_t orphan; /* outbound whose parent ended before LEG_CREATED: hang up on creation */
	char user[CTL_SCRIPT_USER_MAX];
};

/* u64 -> call index + 1, open addressing with backward-shift deletion; key 0 is "empty". */
struct ctl_script_map {
	uint64_t *keys;
	uint32_t *vals;
	uint32_t mask;
};

struct ctl_script_calls {
	struct ctl_script_call *v;
	uint32_t max, n;
	uint32_t *free_list, n_free;
	struct ctl_script_map by_leg, by_req;
};

int ctl_script_calls_init(struct ctl_script_calls *t, uint32_t max);
void ctl_script_calls_fini(struct ctl_script_calls *t);
/* A zeroed call, or NULL when the table is at its bound. */
struct ctl_script_call *ctl_script_call_alloc(struct ctl_script_calls *t);
/* Unindex (leg, req_id) and free. */
void ctl_script_call_free(struct ctl_script_calls *t, struct ctl_script_call *k);
uint32_t ctl_script_call_id(const struct ctl_script_calls *t, const struct ctl_script_call *k);
struct ctl_script_call *ctl_script_call_at(struct ctl_script_calls *t, uint32_t id);
struct ctl_script_call *ctl_script_call_by_leg(struct ctl_script_calls *t, vox_handle_t leg);
struct ctl_script_call *ctl_script_call_by_req(struct ctl_script_calls *t, uint64_t req_id);
/* Index k under its leg / request id (both must be new keys). */
void ctl_script_call_set_leg(struct ctl_script_calls *t, struct ctl_script_call *k,
                             vox_handle_t leg);
void ctl_script_call_set_req(struct ctl_script_calls *t, struct ctl_script_call *k, uint64_t req);

/* ---- the module ---- */

/* clang-format off */
#define CTL_SCRIPT_COUNTERS(X) \
	X(offered) X(answered) X(rejected) X(ended) X(ended_remote) X(ended_deadline) X(media_timeouts) X(failed) \
	X(requests) X(responded) X(errors) X(unmatched) X(calls_full) X(dialed) X(dial_answered) \
	X(dial_failed) X(dial_ended) X(stale) X(reloads) X(bridged) \
	X(bridge_skipped) X(bridge_failed)
/* clang-format on */

struct ctl_script_cnt {
#define CTL_SCRIPT_CNT_FIELD(n) uint64_t n;
	CTL_SCRIPT_COUNTERS(CTL_SCRIPT_CNT_FIELD)
#undef CTL_SCRIPT_CNT_FIELD
};

struct ctl_script {
	struct ctl *c;
	struct ctl_script_prog *prog;
	struct ctl_script_calls calls;
	struct ctl_script_cnt cnt;
	char path[256];
};

#endif /* CTL_SCRIPT_PRIV_H */
