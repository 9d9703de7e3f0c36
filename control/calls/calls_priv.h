/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_priv.h — the call router's internals: the bounded call table and one call's state. */
#ifndef CALLS_PRIV_H
#define CALLS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vox_abi.h"

#include "ctl.h"
#include "ctl_call.h"
#include "ctl_calls.h"
#include "http.h"
#include "store.h"
#include "twiml.h"

#define CALLS_URL_MAX 2048
#define CALLS_SIP_HDRS 8 /* X- headers of the INVITE passed as SipHeader_X-... */
#define CALLS_PLAY_CLIPS VOX_PLAY_MAX

struct ctl_media;
struct ctl_pool;
struct calls_cache;
struct dns_lookup;

#define CALLS_DIAL_LEGS TWIML_MAX_DIAL_NOUNS

/* One <Dial> noun's outbound leg. */
struct call_dleg {
	bool used, done, answered, gone, cancel_pending, end_sent;
	uint8_t result; /* enum twiml_leg_result, for a failure reported later */
	uint16_t code, worker;
	uint64_t req_id;
	vox_handle_t h;
	uint64_t answer_ns;
	uint32_t ring_ms;
	struct dns_lookup *dns;
	char sid[35];
	char target[512], from[160], user[128], pass[128], hdrs[1024];
};

/* One call: an inbound SIP leg running markup. Lives in the module's array (stable address);
 * asynchronous completions carry (index, generation) so a late one for a freed call is dropped. */
struct call {
	uint32_t gen;   /* 0: free slot */
	uint32_t index;
	struct ctl_calls *m;
	char sid[35], account_sid[35], token[33], number_sid[35];
	char from[128], to[64], sip_call_id[160], forwarded_from[128], src_ip[48];
	char direction[16];
	char fb_url[CALLS_URL_MAX], fb_method[8];
	char sc_url[CALLS_URL_MAX], sc_method[8];
	unsigned sc_events; /* enum ctl_call_ev */
	char xh_name[CALLS_SIP_HDRS][48], xh_val[CALLS_SIP_HDRS][128];
	uint32_t n_xh;

	vox_handle_t leg;
	uint16_t worker;
	struct twiml_engine *eng;
	json_t *rec; /* the Call resource as stored */
	const char *status;
	uint64_t start_ns, answer_ns, end_ns; /* CLOCK_REALTIME from the dataplane's events */
	bool committed; /* the call record is durable: the first webhook may go */
	char *eng_state; /* the engine's last saved position (persisted with the call) */
	bool leg_gone, answered, rejected_busy, rejected;
	uint32_t sc_seq; /* SequenceNumber of the next status callback */

	/* the request in flight and the URL of the document we run */
	struct http_webhook *wh;
	char req_url[CALLS_URL_MAX]; /* resolved, before a GET query */
	char doc_url[CALLS_URL_MAX];
	bool req_final;

	/* media: what the engine is waiting for */
	uint32_t media_token;
	bool media_sent;     /* a PLAY/TONE is out: its MEDIA_DONE is the token's */
	uint32_t media_stop; /* MEDIA_DONEs to swallow (STOPs of running media) */
	uint64_t media_job;  /* TTS/decode job in flight (0: none) */
	uint64_t media_ref;  /* prompt cache entry the leg's latest PLAY plays (calls_media.c) */
	uint32_t media_loop;
	bool collecting;
	uint64_t timer;

	/* outbound-api (ctl_call_create) */
	bool outbound, canceled;
	uint64_t out_req_id;
	ctl_call_done_fn *api_done;
	void *api_arg;
	char ob_url[CALLS_URL_MAX], ob_method[8];
	char *ob_twiml;

	/* an audio answer to a webhook: its body, decoded by the <Play> that stands for it */
	void *hook_audio;
	size_t hook_audio_len;
	char *hook_audio_url; /* the URL that answered it: only that <Play> takes the body */
	uint32_t time_limit_s, ring_ms;
	char ob_user[128], ob_pass[128];

	/* Dial */
	struct call_dleg dl[CALLS_DIAL_LEGS];
	bool bridged;

	/* Record */
	uint16_t rec_id;
	uint32_t rec_token;
	char rec_sid[35];
	uint64_t rec_start_ns;
};

struct calls_counters {
	uint64_t offered, routed, unknown_number, bad_offer, table_full, store_errors;
	uint64_t webhooks, webhook_failures, fallbacks, app_errors, parse_errors, notifications;
	uint64_t prompts_tts, prompts_cached, plays_fetched, plays_cached, media_errors;
	uint64_t recordings, status_callbacks, callbacks_failed, ended;
	uint64_t cmd_errors, dials, resumed, audio_answers;
};

struct ctl_calls {
	struct ctl *c;
	struct call *v;
	uint32_t max, n;
	uint32_t *free_list, n_free;
	uint32_t gen_next;
	struct ctl_media *media;
	struct http_fetch *media_fetch; /* audio for <Play>: larger bodies than markup */
	/* the prompt cache (calls_media.c, calls_cache.c), for the pool it was built on */
	struct calls_cache *cache;
	const struct ctl_pool *cache_pool;
	uint64_t cache_pool_id, play_gen;
	/* prompt clips a previous control left in the pool: adopted (Say, by tag) or retired at
	 * orphan_due_ns (calls_media.c) */
	uint64_t *orphans; /* vox_clip_t handles */
	uint32_t n_orphans;
	uint64_t orphan_due_ns, orphans_found, orphans_adopted, orphans_retired;
	struct calls_counters cnt;
	char base_url[256];
	/* status-callback delivery from the outbox */
	uint32_t sc_inflight;
	char sc_busy[64][35]; /* calls with a callback in flight: the next waits (order) */
	uint64_t sc_busy_seq[64];
	bool sc_pump_again;
	bool closing; /* control stops: live calls keep their state for the next control */
	/* event (dataplane timestamp) to the command it caused, log2 buckets of µs */
	uint64_t cmds_sent;
	uint64_t lat_hist[32];
	uint64_t lat_n;
};

/* A completion's argument: (generation << 32 | index). */
static inline void *call_ref(const struct call *k)
{
	return (void *)(uintptr_t)(((uint64_t)k->gen << 32) | k->index);
}
struct call *call_deref(struct ctl_calls *m, void *ref);
struct ctl_calls *calls_module(void);

/* calls.c */
int call_cmd(struct call *k, uint16_t type, int32_t status, const void *pl, uint32_t len);
void call_set_status(struct call *k, const char *status, uint64_t ts_ns, enum ctl_call_ev ev);
void call_maybe_free(struct call *k);

struct call *call_alloc_ext(struct ctl_calls *m);
void call_store(struct call *k, const char *sc_status, uint64_t ts_ns, bool create);
json_t *call_record_new(struct call *k);
/* calls_api.c: outbound-api calls */
void calls_api_committed(struct call *k, int status);
void calls_api_register(struct ctl *c);
void calls_api_answered(struct call *k);
const char *calls_api_end_status(const struct call *k, uint16_t code);
void call_release(struct call *k);

/* calls_state.c: restart */
json_t *calls_state_json(const struct call *k);
int calls_state_put(struct call *k, struct store_batch *b);
void calls_state_del(struct call *k);
void calls_state_load(struct call *k, json_t *st);
void calls_on_attach(struct ctl *c, int attached);

/* calls_ops.c: the engine's ops */
extern const struct twiml_ops calls_twiml_ops;
void calls_ops_media_done(struct call *k, int32_t status);
void calls_ops_dtmf(struct call *k, char digit);
void calls_ops_record_done(struct call *k, const struct vox_recording_done *d);
void calls_ops_cancel(struct call *k);
/* calls_media.c: Say and Play through the prompt cache */
void calls_media_say(struct call *k, uint32_t token, const char *text, const char *voice,
                     const char *lang, uint32_t loop);
void calls_media_play(struct call *k, uint32_t token, const char *url, uint32_t loop);
void calls_media_stop(struct call *k);
json_t *calls_media_json(struct ctl_calls *m);
void calls_media_close(struct ctl_calls *m);

/* calls_dial.c: <Dial> nouns as outbound legs */
void calls_dial_op(struct call *k, uint32_t leg, const struct twiml_node *dial,
                   const struct twiml_node *noun);
void calls_dial_cancel(struct call *k, uint32_t leg);
void calls_dial_bridge(struct call *k, uint32_t leg);
void calls_dial_drop_all(struct call *k);
int calls_dial_event(struct call *k, const struct vox_rec_hdr *h, const void *payload);
bool calls_dial_owns(const struct call *k, const struct vox_rec_hdr *h);
bool calls_dial_live(const struct call *k);

/* calls_hook.c: webhooks, notifications, status callbacks */
void calls_hook_fetch(struct call *k, const struct twiml_fetch *f, bool callback);
void calls_notify(struct call *k, uint32_t code, const char *url, const char *text, int warning);
int calls_outbox_add(struct call *k, struct store_batch *b, const char *status, uint64_t ts_ns);
void calls_sc_pump(struct ctl_calls *m);
void calls_rec_route(struct ctl_calls *m);

#endif /* CALLS_PRIV_H */
