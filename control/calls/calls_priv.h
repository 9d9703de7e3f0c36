/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_priv.h — the call router's internals: the bounded call table and one call's state. */
#ifndef CALLS_PRIV_H
#define CALLS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vox_abi.h"

#include "calls_dialx.h"
#include "calls_events.h"
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

/* What runs on an answered callee's leg before the bridge (calls_child.c). */
enum calls_ch_phase2 {
	CALLS_CH_NONE = 0,
	CALLS_CH_DIGITS,   /* sendDigits' TONE is out: its MEDIA_DONE goes on */
	CALLS_CH_WHISPER,  /* the noun's url runs on the callee's leg (calls_whisper.c) */
	CALLS_CH_ACCEPTED, /* the engine heard of the answer (or of the refusal) */
};

/* A <Dial> noun's child call (direction outbound-dial): its record, its status callbacks, its
 * sendDigits and url. Allocated by calls_child_start, freed with the noun's leg. */
struct call_child {
	json_t *rec; /* the Call record as stored */
	char *sc_url, *url; /* the noun's statusCallback and url, resolved; NULL: none */
	bool sc_get, url_get, refused, failed;
	uint8_t events; /* statusCallbackEvent (TWIML_EV_* bits) */
	uint8_t phase;  /* enum calls_child_phase */
	uint8_t phase2; /* enum calls_ch_phase2 */
	uint16_t sip_code;
	uint32_t leg, sc_seq;
	uint64_t answer_ns;
	void *wref; /* the whisper's call (call_ref), NULL: none */
	char from[128], to[512], digits[33];
};

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
	struct call_child *ch; /* the child call's record, callbacks, sendDigits/url (or NULL) */
	/* a <Queue> noun (calls_queue.c): target = its url, resolved */
	bool queue, q_waiting, q_bridge_pending, q_bridge_sent, q_reported;
	uint8_t q_method;
	char q_sid[35];
	void *q_member; /* call_ref of the dequeued caller */
	uint64_t q_bridged_ns;
	uint64_t q_timer; /* its timeLimit (loop timer), 0: none */
};

/* A call's place in a queue (calls_queue.c). */
enum call_qst { CQ_NONE, CQ_JOINING, CQ_WAITING, CQ_DEQUEUED, CQ_BRIDGING, CQ_BRIDGED };

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
	char ob_digits[33];  /* SendDigits, sent on answer before the markup */
	bool ob_record;      /* Record=true: the call is recorded from its answer (calls_api.c) */
	bool ob_rec_open;    /* that recording's file is not closed yet: the call waits for it */
	uint16_t ob_rec_id;
	char ob_rec_sid[35];
	uint64_t ob_rec_start_ns;
	bool ob_digits_wait; /* their TONE is out: its MEDIA_DONE starts the markup */

	/* Dial */
	struct call_dleg dl[CALLS_DIAL_LEGS];
	bool bridged;
	uint32_t bridge_leg; /* the noun last bridged (its timeLimit) */
	bool dial_aob;             /* the running Dial has answerOnBridge */
	bool rt_on;                /* the Dial's ringTone plays on the caller's leg */
	const void *rt_node;       /* the Dial it was started for (identity only) */
	struct call_dialrec {      /* the Dial's record=... (calls_dialrec.c) */
		const void *node;  /* the Dial it is for (identity only, never read) */
		uint8_t mode;      /* enum twiml_dial_record */
		bool on, rsc_get;
		uint16_t rec_id;
		char sid[35];
		char *rsc;         /* recordingStatusCallback, resolved (NULL: none) */
		char url[320];     /* RecordingUrl */
		uint64_t start_ns;
	} dr;
	struct calls_early early;  /* a callee's early media relayed to the unanswered caller */

	/* a whisper (a Dial noun's url on the callee's leg): this call is the child, not a caller */
	void *wparent; /* the Dial's call (call_ref); NULL: an ordinary call */
	uint32_t wleg;
	char parent_sid[35]; /* ParentCallSid of the requests */

	/* <Enqueue>: enum call_qst; the queue and times stay after leaving (QueueTime) */
	uint8_t q_st;
	bool q_unbridged; /* resumed while bridged, the bridge ended before its engine re-joined */
	char q_sid[35];
	uint64_t q_enq_us, q_left_us;
	void *q_agent; /* call_ref of the call that dequeued it */
	uint32_t q_agent_leg;

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
	uint64_t queue_created, queue_joined, queue_full, queue_left, queue_dequeued, queue_bridged;
	uint64_t queue_requeued, queue_errors, queue_table_full, queue_agents_full;
	uint64_t queue_agents_waited, holds, hold_synth;
};

struct calls_queues;

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
	struct calls_queues *qs; /* calls_queue.c */
	struct calls_evbus bus;  /* the one stream of call events (calls_events.h) */
	struct {
		uint64_t calls, answered, seconds, inbound, outbound; /* ended calls, since start */
	} usage;
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
/* Write the call record with the state event `ev_status` (NULL: none; ev_bit its
 * StatusCallbackEvent) emitted to the subscribers, in one commit. */
void call_store(struct call *k, const char *ev_status, unsigned ev_bit, uint64_t ts_ns, bool create);
json_t *call_record_new(struct call *k);
/* calls_api.c: outbound-api calls */
void calls_api_committed(struct call *k, int status);
void calls_api_register(struct ctl *c);
void calls_api_answered(struct call *k);
void calls_api_markup(struct call *k); /* the outbound-api call's markup starts */
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
void calls_recording_put(struct call *k, const char *sid, uint64_t start_ns, uint32_t dur_s,
                         uint32_t channels, const char *source, const char *url);
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
void calls_dial_deadline(struct call *k, uint32_t leg, uint32_t seconds); /* timeLimit */
void calls_dial_drop_all(struct call *k);
const char *calls_dial_done(void *ctx); /* ops->dial_done: the Dial is over */
int calls_dial_event(struct call *k, const struct vox_rec_hdr *h, const void *payload);
bool calls_dial_owns(const struct call *k, const struct vox_rec_hdr *h);
bool calls_dial_live(const struct call *k);

/* calls_queue.c: queues */
void calls_queue_enqueue(struct call *k, const char *name, uint32_t max_size);
void calls_queue_leave(struct call *k);
void calls_queue_info(struct call *k, struct twiml_queue_info *out);
void calls_queue_ready(struct call *k);
void calls_queue_hold(struct call *k, uint32_t token, uint32_t loop);
bool calls_queue_hold_tag(const uint8_t tag[16]); /* a pool tag of the hold music */
void calls_queue_dial(struct call *k, uint32_t leg, const struct twiml_node *dial,
                      const struct twiml_node *noun);
void calls_queue_bridge(struct call *a, uint32_t leg);
void calls_queue_dial_cancel(struct call *a, uint32_t leg);
void calls_queue_deadline(struct call *a, uint32_t leg, uint32_t seconds);
void calls_queue_dleg_drop(struct call *a, struct call_dleg *d);
void calls_queue_on_event(struct call *k, const struct vox_rec_hdr *h);
void calls_queue_forget(struct call *k);
void calls_queue_restore(struct ctl_calls *m);
json_t *calls_queue_json(struct ctl_calls *m);
void calls_queue_close(struct ctl_calls *m);

/* calls_dialrec.c: <Dial record> */
void calls_dialrec_dial(struct call *k, const struct twiml_node *dial); /* each noun's DIAL */
void calls_dialrec_bridge(struct call *k);  /* the caller is bridged with the winner */
/* The Dial is over: true when a recording was on (send: the STOP goes now, else the caller
 * sends one STOP for it and the ring tone). */
bool calls_dialrec_stop(struct call *k, bool send);
const char *calls_dialrec_url(const struct call *k); /* RecordingUrl, NULL: none */
bool calls_dialrec_done(struct call *k, const struct vox_recording_done *d); /* true: its own */
void calls_dialrec_free(struct call *k);

/* calls_child.c: a Dial noun's child call */
void calls_child_start(struct call *k, uint32_t leg, const struct twiml_node *dial,
                       const struct twiml_node *noun);
void calls_child_progress(struct call *k, uint32_t leg, uint64_t ns);
/* The callee answered: true when sendDigits/url run first (the engine hears later). */
bool calls_child_answered(struct call *k, uint32_t leg, uint64_t ns);
bool calls_child_media_done(struct call *k, uint32_t leg); /* true: it was sendDigits' */
/* An answered leg that ended before the engine heard of its answer (refused, hung up). */
bool calls_child_unaccepted(const struct call_dleg *d);
void calls_child_end(struct call *k, uint32_t leg, uint16_t sip_code, uint64_t ns);
void calls_child_accept(struct call *k, uint32_t leg);
void calls_child_refuse(struct call *k, uint32_t leg);
void calls_child_free(struct call_dleg *d);

/* calls_whisper.c: the noun's url on the callee's leg */
int calls_whisper_start(struct call *k, uint32_t leg);
void calls_whisper_drop(struct call_child *ch);
/* An event of a whisper's leg: true when handled here (the router looks no further). */
bool calls_whisper_event(struct ctl_calls *m, const struct vox_rec_hdr *h, const void *payload);

/* calls_hook.c: webhooks, notifications, status callbacks */
void calls_hook_fetch(struct call *k, const struct twiml_fetch *f, bool callback);
void calls_notify(struct call *k, uint32_t code, const char *url, const char *text, int warning);
int calls_outbox_add(struct call *k, struct store_batch *b, const char *status, uint64_t ts_ns);
void calls_sc_pump(struct ctl_calls *m);
void calls_events_open(struct ctl_calls *m); /* the router's subscribers */
void calls_rec_route(struct ctl_calls *m);

#endif /* CALLS_PRIV_H */
