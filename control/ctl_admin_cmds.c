/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_admin_cmds.c — the admin request table and its handlers (status, ping, calls, diag ...). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_rec.h"
#include "ctl_admin.h"
#include "ctl_dp.h"
#include "ctl_pool.h"
#include "ctl_legs.h"
#include "ctl_req.h"
#include "ctl_script.h"
#include "ctl_store.h"

/* A handler returns the answer, or NULL when the answer comes later through ctl_reply(). */
typedef json_t *ctl_admin_fn(struct ctl *c, uint64_t client, int argc, char **argv);

struct ctl_admin_cmd {
	const char *words;      /* the request's leading words, space separated */
	int min_args, max_args; /* words that follow */
	const char *args;       /* for usage: "N", "HANDLE", "W N" */
	ctl_admin_fn *fn;
	const char *help;
};

static ctl_admin_fn adm_status, adm_ping, adm_calls, adm_help, adm_leg_create, adm_leg_end,
    adm_burst, adm_end_all, adm_script_reload, adm_script_stats, adm_acl, adm_send_request, adm_set_match,
    adm_tone, adm_play, adm_stop, adm_bridge, adm_unbridge, adm_call_create;

static const struct ctl_admin_cmd ctl_admin_cmds[] = {
    {"status", 0, 0, "", adm_status, "attachment, workers, legs and event counters"},
    {"ping", 0, 0, "", adm_ping, "round trip to every worker"},
    {"calls", 0, 0, "", adm_calls, "legs as control sees them"},
    {"diag leg-create", 1, 1, "N", adm_leg_create, "create N loopback legs"},
    {"diag leg-end", 1, 1, "HANDLE", adm_leg_end, "end one leg"},
    {"diag burst", 2, 2, "W N", adm_burst, "ask worker W to create N legs at once"},
    {"diag end-all", 0, 0, "", adm_end_all, "end every known leg"},
    {"diag acl", 0, VOX_ACL_MAX, "[PREFIX...]", adm_acl,
     "replace the inbound SIP source list on every worker (none: allow all)"},
    {"diag send-request", 2, 2, "HANDLE METHOD", adm_send_request,
     "send a non-INVITE request in the leg's dialog (result: SIP_RESPONSE event)"},
    {"diag tone", 2, 2, "HZ MS", adm_tone, "put a sine tone clip in the media pool; answers its handle"},
    {"diag play", 2, 3, "HANDLE CLIP [LOOPS]", adm_play, "play a pool clip on a leg (0 loops: until stop)"},
    {"diag stop", 1, 1, "HANDLE", adm_stop, "stop playout, tone, collect and recording on a leg"},
    {"diag leg-tone", 2, 3, "HANDLE KIND [MS]", ctl_adm_leg_tone,
     "tone on a leg, KIND ringback, beep, digits:STR (w = 0.5 s pause) or HZ[+HZ] (MEDIA_DONE)"},
    {"diag silence", 2, 2, "HANDLE MS", ctl_adm_leg_silence, "send silence on a leg (MEDIA_DONE)"},
    {"diag collect", 2, 6, "HANDLE MAX [KEYS [FIRST [INTER [barge]]]]", ctl_adm_leg_collect,
     "gather digits on a leg (DIGITS)"},
    {"diag record", 2, 6, "HANDLE PATH [mono|dual [MAX [SILENCE [KEYS]]]]", ctl_adm_leg_record,
     "record a leg into a WAV file (RECORDING_DONE)"},
    {"diag term", 0, 0, "", ctl_adm_term, "recordings, DIGITS and key presses seen"},
    {"diag bridge", 2, 2, "HANDLE PEER", adm_bridge,
     "relay media between two answered legs (BRIDGED or BRIDGE_FAILED events)"},
    {"diag unbridge", 1, 1, "HANDLE", adm_unbridge, "end a leg's bridge (UNBRIDGED on both legs)"},
    {"diag match", 3, 5, "HANDLE LO HI [HEADER [VALUE]]", adm_set_match,
     "report the leg's signalling with codes LO..HI or HEADER (SIGNALING_MATCH events)"},
    {"script reload", 0, 0, "", adm_script_reload,
     "re-read the script file (running calls keep their rules)"},
    {"script stats", 0, 0, "", adm_script_stats, "scripted mode's counters and calls"},
    {"account create", 0, 4, "[--friendly-name NAME] [--owner AC...]", ctl_store_adm_account_create,
     "create an account (answered once committed)"},
    {"account list", 0, 0, "", ctl_store_adm_account_list, "accounts in the store"},
    {"number add", 4, 20, "--account AC... --number E164 [--voice-url URL] [...]",
     ctl_store_adm_number_add, "add an incoming phone number (answered once committed)"},
    {"number list", 0, 2, "[--account AC...]", ctl_store_adm_number_list,
     "incoming phone numbers"},
    {"store stats", 0, 0, "", ctl_store_adm_stats, "the store's counters"},
    {"call create", 6, 20, "--account AC --to T --from F --url URL [...]", adm_call_create,
     "an outbound-api call (the call router's ctl_call_create)"},
    {"help", 0, 0, "", adm_help, "this list"},
};
#define CTL_ADMIN_N_CMDS (sizeof(ctl_admin_cmds) / sizeof(ctl_admin_cmds[0]))

json_t *ctl_adm_error(const char *fmt, ...)
{
	char msg[1100];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", msg);
}

json_t *ctl_adm_errno(int rc)
{
	switch (rc) {
	case -ENOTCONN:
		return ctl_adm_error("no dataplane attached");
	case -ENOBUFS:
		return ctl_adm_error("command ring and queue full");
	default:
		return ctl_adm_error("%s", strerror(-rc));
	}
}

int ctl_adm_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

json_t *ctl_adm_leg_send(struct ctl *c, uint64_t leg, uint16_t type, const void *p, uint32_t len)
{
	struct vox_rec_hdr hd = {.type = type, .leg = leg};
	int rc = ctl_dp_send(c, vox_handle_lcore(leg), &hd, p, len);
	return rc ? ctl_adm_errno(rc) : json_pack("{s:b}", "sent", 1);
}

int ctl_admin_split(char *line, char **argv, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -E2BIG;
		argv[n++] = t;
	}
	return n;
}

/* Words in a table entry, and whether they match argv's first words. */
static int adm_match(const struct ctl_admin_cmd *cmd, int argc, char **argv)
{
	int k = 0;
	const char *p = cmd->words;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t l = sp ? (size_t)(sp - p) : strlen(p);
		if (k >= argc || strlen(argv[k]) != l || strncmp(argv[k], p, l) != 0)
			return -1;
		k++;
		p = sp ? sp + 1 : p + l;
	}
	return k;
}

/* No entry matched: list the requests that start with the same word, if any. */
static json_t *adm_unknown(const char *word)
{
	char list[1024] = "";
	size_t wl = strlen(word), used = 0;
	for (size_t i = 0; i < CTL_ADMIN_N_CMDS; i++) {
		const struct ctl_admin_cmd *cmd = &ctl_admin_cmds[i];
		if (strncmp(cmd->words, word, wl) != 0 || cmd->words[wl] != ' ')
			continue;
		int n = snprintf(list + used, sizeof(list) - used, "%s%s%s%s", used ? " | " : "",
		                 cmd->words, *cmd->args ? " " : "", cmd->args);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	if (used)
		return ctl_adm_error("usage: %s", list);
	return ctl_adm_error("unknown request '%s' (try 'help')", word);
}

json_t *ctl_admin_exec(struct ctl *c, uint64_t client, char *line)
{
	char *argv[CTL_ADMIN_MAX_ARGS];
	int argc = ctl_admin_split(line, argv, CTL_ADMIN_MAX_ARGS);
	if (argc < 0)
		return ctl_adm_error("too many words");
	if (argc == 0)
		return ctl_adm_error("empty request (try 'help')");
	const struct ctl_admin_cmd *best = NULL;
	int best_k = 0;
	for (size_t i = 0; i < CTL_ADMIN_N_CMDS; i++) {
		int k = adm_match(&ctl_admin_cmds[i], argc, argv);
		if (k > best_k) {
			best = &ctl_admin_cmds[i];
			best_k = k;
		}
	}
	if (!best)
		return adm_unknown(argv[0]);
	int nargs = argc - best_k;
	if (nargs < best->min_args || nargs > best->max_args)
		return ctl_adm_error("usage: %s%s%s", best->words, *best->args ? " " : "", best->args);
	return best->fn(c, client, nargs, argv + best_k);
}

/* ---- handlers ---- */

static json_t *adm_help(struct ctl *c, uint64_t client, int argc, char **argv)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < CTL_ADMIN_N_CMDS; i++) {
		const struct ctl_admin_cmd *cmd = &ctl_admin_cmds[i];
		char u[96];
		snprintf(u, sizeof(u), "%s%s%s", cmd->words, *cmd->args ? " " : "", cmd->args);
		json_array_append_new(arr,
		                      json_pack("{s:s, s:s}", "request", u, "help", cmd->help));
	}
	return json_pack("{s:o}", "requests", arr);
}

static json_t *adm_call_create(struct ctl *c, uint64_t client, int argc, char **argv)
{
	if (!c->calls_admin_create)
		return json_pack("{s:s}", "error", "the call router is not running");
	return c->calls_admin_create(c, client, argc, argv);
}

static json_t *adm_status(struct ctl *c, uint64_t client, int argc, char **argv)
{
	const struct vox_shm_hdr *h = c->attached ? c->shm.map.hdr : NULL;
	char boot[20];
	snprintf(boot, sizeof(boot), "%016llx", h ? (unsigned long long)h->boot_id : 0ull);
	json_t *o =
	    json_pack("{s:b, s:s, s:i, s:i, s:i, s:o, s:i, s:i}", "attached", c->attached,
	              "boot_id", boot, "workers", (json_int_t)(h ? h->n_workers : 0), "dp_pid",
	              (json_int_t)(h ? h->dp_pid : 0), "legs", (json_int_t)ctl_legs_count(c->legs),
	              "events", ctl_dp_events_json(c), "duplicates", (json_int_t)c->cnt.duplicates,
	              "stale_handles", (json_int_t)c->cnt.stale_handles);
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(
	    o, "generation",
	    json_integer(h ? (json_int_t)atomic_load(&c->shm.map.hdr->ctl.generation) : 0));
	json_object_set_new(o, "reemits", json_integer((json_int_t)c->cnt.reemits));
	json_object_set_new(o, "cmds_sent", json_integer((json_int_t)c->cnt.cmds_sent));
	json_object_set_new(o, "cmds_queued", json_integer((json_int_t)c->cnt.cmds_queued));
	json_object_set_new(o, "cmd_overflow", json_integer((json_int_t)c->cnt.cmd_overflow));
	json_object_set_new(o, "rec_errors", json_integer((json_int_t)c->cnt.rec_errors));
	json_object_set_new(o, "legs_full", json_integer((json_int_t)c->cnt.legs_full));
	json_object_set_new(o, "attaches", json_integer((json_int_t)c->cnt.attaches));
	json_object_set_new(o, "pending_requests", json_integer(ctl_req_pending(c)));
	json_object_set_new(o, "doorbell", json_boolean(c->evt_fd >= 0));
	json_object_set_new(o, "script", ctl_script_counters_json(c));
	json_object_set_new(o, "store", ctl_store_stats_json(c));
	json_object_set_new(o, "recordings", ctl_rec_status_json(c));
	if (c->http_json)
		json_object_set_new(o, "http", c->http_json(c));
	if (c->rest_json)
		json_object_set_new(o, "rest", c->rest_json(c));
	if (c->calls_json)
		json_object_set_new(o, "calls", c->calls_json(c));
	return o;
}

static json_t *adm_ping(struct ctl *c, uint64_t client, int argc, char **argv)
{
	int rc = ctl_req_ping(c, client);
	return rc ? ctl_adm_errno(rc) : NULL;
}

static const char *adm_kind_name(uint32_t kind)
{
	switch (kind) {
	case VOX_LEG_KIND_LOOPBACK:
		return "loopback";
	case VOX_LEG_KIND_SIP_IN:
		return "sip-in";
	case VOX_LEG_KIND_SIP_OUT:
		return "sip-out";
	default:
		return "unknown";
	}
}

struct adm_calls_ctx {
	const struct ctl *c;
	json_t *arr;
};

static void adm_calls_one(const struct ctl_leg *leg, void *arg)
{
	struct adm_calls_ctx *x = arg;
	json_t *arr = x->arr;
	char hx[24], tag[33];
	snprintf(hx, sizeof(hx), "0x%016llx", (unsigned long long)leg->handle);
	for (int i = 0; i < 16; i++)
		snprintf(tag + 2 * i, 3, "%02x", leg->tag[i]);
	uint64_t now = ctl_real_ns();
	double age =
	    leg->created_ns && now > leg->created_ns ? (double)(now - leg->created_ns) / 1e9 : 0;
	json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:f}", "handle", hx, "worker",
	                      (json_int_t)leg->worker, "state", ctl_leg_state_name(leg->state),
	                      "kind", adm_kind_name(leg->kind), "tag", tag, "created_ns",
	                      (json_int_t)leg->created_ns, "age_s", age);
	/* SIP legs: the user called (inbound) or dialled (outbound), when scripted mode knows */
	const char *called = ctl_script_called(x->c, leg->handle);
	if (o && called)
		json_object_set_new(o, "called", json_string(called));
	json_array_append_new(arr, o);
}

static json_t *adm_calls(struct ctl *c, uint64_t client, int argc, char **argv)
{
	struct adm_calls_ctx x = {.c = c, .arr = json_array()};
	ctl_legs_foreach(c->legs, adm_calls_one, &x);
	return json_pack("{s:o}", "legs", x.arr);
}

static json_t *adm_leg_create(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t n;
	if (ctl_adm_parse_u64(argv[0], CTL_REQ_MAX_LEGS, &n) || n == 0)
		return ctl_adm_error("N must be 1..%u", CTL_REQ_MAX_LEGS);
	int rc = ctl_req_leg_create(c, client, (uint32_t)n);
	return rc ? ctl_adm_errno(rc) : NULL;
}

static json_t *adm_leg_end(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	int rc = ctl_req_leg_end(c, client, h);
	if (rc == -EINVAL)
		return ctl_adm_error("handle %s names no worker of this dataplane", argv[0]);
	return rc ? ctl_adm_errno(rc) : NULL;
}

static json_t *adm_burst(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t w, n, base;
	if (ctl_adm_parse_u64(argv[0], VOX_MAX_WORKERS - 1, &w))
		return ctl_adm_error("W must be a worker index");
	if (ctl_adm_parse_u64(argv[1], CTL_REQ_MAX_LEGS, &n) || n == 0)
		return ctl_adm_error("N must be 1..%u", CTL_REQ_MAX_LEGS);
	int rc = ctl_req_burst(c, (uint32_t)w, (uint32_t)n, &base);
	if (rc == -EINVAL)
		return ctl_adm_error("no worker %llu", (unsigned long long)w);
	if (rc)
		return ctl_adm_errno(rc);
	return json_pack("{s:b, s:i, s:i, s:I}", "sent", 1, "worker", (json_int_t)w, "n",
	                 (json_int_t)n, "req_base", (json_int_t)base);
}

static json_t *adm_acl(struct ctl *c, uint64_t client, int argc, char **argv)
{
	struct vox_acl acl;
	memset(&acl, 0, sizeof(acl));
	for (int i = 0; i < argc; i++) {
		char ip[64];
		unsigned prefix = 32;
		snprintf(ip, sizeof(ip), "%s", argv[i]);
		char *slash = strchr(ip, '/');
		if (slash) {
			*slash = 0;
			prefix = (unsigned)strtoul(slash + 1, NULL, 10);
		}
		struct in_addr a;
		if (inet_pton(AF_INET, ip, &a) != 1 || prefix > 32)
			return ctl_adm_error("'%s' is not an IPv4 prefix", argv[i]);
		acl.e[acl.n].net.family = VOX_AF_INET;
		memcpy(acl.e[acl.n].net.addr, &a, 4);
		acl.e[acl.n].prefix = (uint8_t)prefix;
		acl.n++;
	}
	uint32_t sent = 0;
	for (uint32_t w = 0; c->attached && w < c->shm.map.hdr->n_workers; w++) {
		struct vox_rec_hdr h = {.type = VOX_CMD_SET_ACL};
		if (ctl_dp_send(c, w, &h, &acl, (uint32_t)(offsetof(struct vox_acl, e) + acl.n * sizeof(acl.e[0]))) == 0)
			sent++;
	}
	return json_pack("{s:i, s:i}", "workers", (json_int_t)sent, "entries", (json_int_t)acl.n);
}

static json_t *adm_send_request(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	static const char *const methods[] = {"", "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO",
					      "UPDATE", "PRACK", "REGISTER", "SUBSCRIBE", "NOTIFY",
					      "PUBLISH", "MESSAGE", "REFER"};
	uint16_t m = 0;
	for (uint16_t i = 1; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(argv[1], methods[i]))
			m = i;
	if (!m)
		return ctl_adm_error("unknown method '%s'", argv[1]);
	struct ctl_dp_pay pay;
	ctl_dp_pay_init(&pay, sizeof(struct vox_send_req));
	struct vox_send_req r = {.method = m};
	ctl_dp_pay_fixed(&pay, &r, sizeof(r));
	uint64_t req = ctl_req_ids(c, 1);
	struct vox_rec_hdr hd = {.type = VOX_CMD_SEND_REQUEST, .leg = h, .req_id = req};
	int rc = pay.err ? pay.err : ctl_dp_send(c, vox_handle_lcore(h), &hd, pay.buf, pay.len);
	return rc ? ctl_adm_errno(rc) : json_pack("{s:b, s:I}", "sent", 1, "req_id", (json_int_t)req);
}

static json_t *adm_set_match(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h, lo, hi;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (ctl_adm_parse_u64(argv[1], 699, &lo) || ctl_adm_parse_u64(argv[2], 699, &hi))
		return ctl_adm_error("LO and HI are SIP codes (0 0: none)");
	struct ctl_dp_pay pay;
	ctl_dp_pay_init(&pay, sizeof(struct vox_match));
	struct vox_match mt = {.code_lo = (uint16_t)lo, .code_hi = (uint16_t)hi};
	if (argc > 3)
		mt.name = ctl_dp_pay_str(&pay, argv[3], strlen(argv[3]));
	if (argc > 4)
		mt.value = ctl_dp_pay_str(&pay, argv[4], strlen(argv[4]));
	ctl_dp_pay_fixed(&pay, &mt, sizeof(mt));
	struct vox_rec_hdr hd = {.type = VOX_CMD_SET_MATCH, .leg = h};
	int rc = pay.err ? pay.err : ctl_dp_send(c, vox_handle_lcore(h), &hd, pay.buf, pay.len);
	return rc ? ctl_adm_errno(rc) : json_pack("{s:b}", "sent", 1);
}

static json_t *adm_tone(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t hz, ms;
	if (ctl_adm_parse_u64(argv[0], 3999, &hz) || hz == 0 || ctl_adm_parse_u64(argv[1], 600000, &ms) || ms == 0)
		return ctl_adm_error("HZ must be 1..3999 and MS 1..600000");
	if (!c->pool)
		return ctl_adm_error("no media pool (not attached)");
	uint32_t n = (uint32_t)(ms * 8);
	int16_t *pcm = malloc(sizeof(*pcm) * n);
	if (!pcm)
		return ctl_adm_errno(-ENOMEM);
	for (uint32_t i = 0; i < n; i++) /* -10 dBFS */
		pcm[i] = (int16_t)(10362.0 * sin(2.0 * M_PI * (double)hz * i / 8000.0));
	vox_clip_t h = 0;
	int rc = ctl_pool_clip_load(c->pool, NULL, pcm, n, &h);
	free(pcm);
	if (rc)
		return ctl_adm_errno(rc);
	char hex[32];
	snprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)h);
	return json_pack("{s:s, s:i}", "clip", hex, "frames", (json_int_t)((n + 159) / 160));
}

static json_t *adm_play(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h, clip, loops = 1;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (ctl_adm_parse_u64(argv[1], UINT64_MAX, &clip) || clip == 0)
		return ctl_adm_error("'%s' is not a clip handle", argv[1]);
	if (argc > 2 && ctl_adm_parse_u64(argv[2], 1000000, &loops))
		return ctl_adm_error("LOOPS must be 0..1000000");
	struct vox_play p = {.n = 1, .loop = (uint32_t)loops, .clip = {clip}};
	return ctl_adm_leg_send(c, h, VOX_CMD_PLAY, &p, sizeof(p));
}

static json_t *adm_stop(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	return ctl_adm_leg_send(c, h, VOX_CMD_STOP, NULL, 0);
}

static json_t *adm_bridge(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h, peer;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	if (ctl_adm_parse_u64(argv[1], UINT64_MAX, &peer) || peer == 0 || peer == h)
		return ctl_adm_error("'%s' is not a leg handle other than the first", argv[1]);
	struct vox_bridge b = {.peer = peer};
	return ctl_adm_leg_send(c, h, VOX_CMD_BRIDGE, &b, sizeof(b));
}

static json_t *adm_unbridge(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint64_t h;
	if (ctl_adm_parse_u64(argv[0], UINT64_MAX, &h) || h == 0)
		return ctl_adm_error("'%s' is not a leg handle", argv[0]);
	return ctl_adm_leg_send(c, h, VOX_CMD_UNBRIDGE, NULL, 0);
}

static json_t *adm_end_all(struct ctl *c, uint64_t client, int argc, char **argv)
{
	uint32_t sent = 0;
	int rc = ctl_req_end_all(c, &sent);
	if (rc)
		return ctl_adm_errno(rc);
	return json_pack("{s:i}", "sent", (json_int_t)sent);
}

static json_t *adm_script_reload(struct ctl *c, uint64_t client, int argc, char **argv)
{
	char err[512];
	uint32_t n = 0;
	if (ctl_script_reload(c, &n, err, sizeof(err)) != 0)
		return ctl_adm_error("%s", err);
	return json_pack("{s:b, s:i}", "reloaded", 1, "rules", (json_int_t)n);
}

static json_t *adm_script_stats(struct ctl *c, uint64_t client, int argc, char **argv)
{
	return ctl_script_stats_json(c);
}
