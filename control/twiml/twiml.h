/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml.h — the TwiML-compatible markup: parser (document → verb program) and the per-call
 * interpreter engine (a state machine driven by events, acting through an ops vtable). */
#ifndef TWIML_H
#define TWIML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ---------------------------------------------------------------------------- */
#define TWIML_MAX_DOC 65536u     /* bytes; larger documents are error 11750 */
#define TWIML_MAX_VERBS 256u     /* top-level verbs per document */
#define TWIML_MAX_KIDS 32u       /* nested verbs/nouns per verb */
#define TWIML_MAX_DIAL_NOUNS 10u /* Twilio: at most 10 nouns per <Dial> */
#define TWIML_MAX_TEXT 4096u     /* bytes of one text noun (Say text, URL, ...) */
#define TWIML_MAX_DEPTH 12u      /* element nesting below <Response> (SSML inside Say) */
#define TWIML_MAX_SIP_HDRS 8u    /* ?X-Foo=bar headers split from a <Sip> URI */
#define TWIML_MAX_WARN 16u       /* warnings kept per document (the rest counted) */

/* Twilio error codes the parser reports */
#define TWIML_ERR_TOO_BIG 11750
#define TWIML_ERR_PARSE 12100
#define TWIML_WARN_SCHEMA 12200

enum twiml_kind {
	/* verbs */
	TWIML_SAY,
	TWIML_PLAY,
	TWIML_PAUSE,
	TWIML_GATHER,
	TWIML_RECORD,
	TWIML_DIAL,
	TWIML_HANGUP,
	TWIML_REDIRECT,
	TWIML_REJECT,
	TWIML_ENQUEUE,
	TWIML_LEAVE,
	/* nouns of <Dial> */
	TWIML_NUMBER,
	TWIML_SIP,
	TWIML_CLIENT,
	TWIML_QUEUE,
	TWIML_CONFERENCE,
	TWIML_KIND_COUNT
};

enum twiml_method { TWIML_POST = 0, TWIML_GET = 1 };
enum twiml_reject_reason { TWIML_REJECT_REJECTED = 0, TWIML_REJECT_BUSY = 1 };
enum twiml_trim { TWIML_TRIM_SILENCE = 0, TWIML_TRIM_NONE = 1 };
enum twiml_dial_record {
	TWIML_REC_NONE = 0,
	TWIML_REC_FROM_ANSWER,
	TWIML_REC_FROM_RINGING,
	TWIML_REC_FROM_ANSWER_DUAL,
	TWIML_REC_FROM_RINGING_DUAL
};
#define TWIML_INPUT_DTMF 1u
#define TWIML_INPUT_SPEECH 2u
/* statusCallbackEvent bits (Number/Sip/Client) */
#define TWIML_EV_INITIATED 1u
#define TWIML_EV_RINGING 2u
#define TWIML_EV_ANSWERED 4u
#define TWIML_EV_COMPLETED 8u

struct twiml_kv {
	const char *name, *value;
};

/* Attributes, already resolved to Twilio's defaults. Strings are never NULL ("" = absent)
 * unless said otherwise. */
struct twiml_say {
	const char *voice, *language;
	uint32_t loop; /* 0 = until the call moves on */
};
struct twiml_play {
	uint32_t loop;
	const char *digits; /* "" = play the URL in text */
};
struct twiml_pause {
	uint32_t length; /* seconds */
};
struct twiml_gather {
	const char *action; /* "" = the current document URL */
	uint8_t method, input, action_on_empty;
	char finish_key;     /* 0 = none (finishOnKey="") */
	uint32_t timeout;    /* seconds */
	uint32_t num_digits; /* 0 = unlimited */
	const char *language, *speech_timeout, *hints;
};
struct twiml_record {
	const char *action; /* "" = the current document URL */
	uint8_t method, play_beep, trim, transcribe, rsc_method;
	uint32_t timeout, max_length;                 /* seconds */
	const char *finish_keys;                      /* "" = none */
	const char *rsc, *rsc_events, *transcribe_cb; /* recordingStatusCallback* */
};
struct twiml_dial {
	const char *action; /* "" = continue after <Dial> */
	uint8_t method, hangup_on_star, answer_on_bridge, sequential, record, trim, rsc_method;
	uint32_t timeout, time_limit; /* seconds */
	const char *caller_id, *ring_tone, *rsc;
};
struct twiml_redirect {
	uint8_t method;
};
struct twiml_reject {
	uint8_t reason;
};
struct twiml_enqueue {
	const char *action, *wait_url;
	uint8_t method, wait_method;
	uint32_t max_queue_size; /* 0 = absent: the queue's own MaxSize */
};
struct twiml_number {
	const char *send_digits, *url, *status_cb;
	uint8_t method, status_cb_method, status_events;
};
struct twiml_sip {
	const char *username, *password, *url, *status_cb;
	uint8_t method, status_cb_method, status_events, n_hdrs;
	const struct twiml_kv *hdrs; /* split from the URI's ?X-Foo=bar, decoded */
};
struct twiml_client {
	const char *url, *status_cb;
	uint8_t method, status_cb_method, status_events;
};
struct twiml_queue {
	const char *url;
	uint8_t method;
};
struct twiml_conference {
	uint8_t muted, start_on_enter, end_on_exit, wait_method;
	const char *beep, *wait_url, *record, *status_cb;
	uint32_t max_participants;
};

struct twiml_node {
	uint8_t kind;     /* enum twiml_kind */
	uint8_t n_kids;   /* nested verbs (Gather) or nouns (Dial) */
	uint16_t kid;     /* first nested node in prog->kids */
	uint32_t line;    /* source line */
	const char *text; /* Say text, Play/Redirect URL, number, SIP URI, name; "" if none */
	union {
		struct twiml_say say;
		struct twiml_play play;
		struct twiml_pause pause;
		struct twiml_gather gather;
		struct twiml_record record;
		struct twiml_dial dial;
		struct twiml_redirect redirect;
		struct twiml_reject reject;
		struct twiml_enqueue enqueue;
		struct twiml_number number;
		struct twiml_sip sip;
		struct twiml_client client;
		struct twiml_queue queue;
		struct twiml_conference conference;
	} u;
};

struct twiml_warn {
	uint32_t code, line;
	char what[48]; /* "Gather timeout", ... */
};

/* A parsed document: one allocation family, freed by twiml_prog_free. Read-only after parse. */
struct twiml_prog {
	struct twiml_node *verbs;
	struct twiml_node *kids;
	uint32_t n_verbs, n_kids;
	uint32_t n_warn, warn_dropped;
	struct twiml_warn warn[TWIML_MAX_WARN];
	struct twiml_arena *arena; /* private */
};

struct twiml_err {
	uint32_t code; /* 11750 or 12100 */
	uint32_t line;
	char msg[128];
};

/* Parses a document of len bytes. Returns 0 and *out, or -EINVAL (err filled: 12100 malformed,
 * no <Response>, unknown verb, bad structure; 11750 over 64 KB) or -ENOMEM. Invalid attribute
 * values are warnings (Twilio's codes) and take the default. */
int twiml_parse(const char *doc, size_t len, struct twiml_prog **out, struct twiml_err *err);
void twiml_prog_free(struct twiml_prog *p);
const char *twiml_kind_name(unsigned kind);
const char *twiml_method_name(unsigned m);

/* ---- the engine ------------------------------------------------------------------------ */
/* Why a request is made (the caller adds the standard call parameters). */
enum twiml_fetch_kind {
	TWIML_FETCH_INITIAL,
	TWIML_FETCH_REDIRECT,
	TWIML_FETCH_GATHER,
	TWIML_FETCH_RECORD,
	TWIML_FETCH_DIAL,
	TWIML_FETCH_RESUME,
	TWIML_FETCH_RECORDING_STATUS, /* ops->callback only: its answer is not markup */
	TWIML_FETCH_ENQUEUE,          /* <Enqueue action> (QueueResult, QueueSid, QueueTime) */
	TWIML_FETCH_WAIT,             /* <Enqueue waitUrl>: the wait-state application */
	TWIML_FETCH_QUEUE_URL         /* <Queue url> on the dequeued caller before the bridge */
};
#define TWIML_FETCH_KIND_LAST TWIML_FETCH_QUEUE_URL
#define TWIML_MAX_PARAMS 12u

struct twiml_fetch {
	uint8_t kind;            /* enum twiml_fetch_kind */
	uint8_t method;          /* enum twiml_method */
	bool final;              /* the call is over: the answer is not executed */
	const char *url;         /* as written (maybe relative) */
	const char *base;        /* the current document's URL ("" for the first request) */
	const char *call_status; /* ringing | in-progress | completed */
	uint32_t seq;            /* request sequence of this call (persisted) */
	uint32_t n_params;
	struct twiml_kv params[TWIML_MAX_PARAMS]; /* the verb's parameters (Digits, Dial*, ...) */
};

/* Start sending the caller's DTMF up as twiml_on_dtmf events. The engine itself applies the
 * Gather rules (digits, finish key, timeouts, barge-in); the values are given so that the media
 * side can act earlier if it wants to. All zero = keys only (Dial hangupOnStar). */
struct twiml_collect_op {
	uint32_t num_digits; /* 0 = unlimited */
	char finish_key;     /* 0 = none */
	uint32_t timeout_ms; /* 0 = none */
	bool barge_in;       /* a key press stops the prompt */
};

struct twiml_record_op {
	uint32_t max_length_s, timeout_s;
	const char *finish_keys;
	bool trim;
	const struct twiml_node *verb;
};

enum twiml_leg_result {
	TWIML_LEG_ANSWERED,
	TWIML_LEG_BUSY,
	TWIML_LEG_NO_ANSWER,
	TWIML_LEG_FAILED,
	TWIML_LEG_CANCELED,
	TWIML_LEG_ENDED, /* an answered leg hung up */
	TWIML_LEG_ANSWERING /* answered, the noun's sendDigits/url run first: the ring timeout
	                       stops; ANSWERED (bridge) or NO_ANSWER (refused) follows */
};

struct twiml_leg_event {
	uint8_t result;          /* enum twiml_leg_result */
	uint16_t sip_code;       /* final SIP response (0 if none) */
	uint32_t duration_s;     /* TWIML_LEG_ENDED: seconds since answer */
	const char *call_sid;    /* may be NULL */
	const char *sip_call_id; /* may be NULL */
};

struct twiml_rec_result {
	uint32_t duration_s;
	const char *sid, *url; /* RecordingSid, RecordingUrl */
	char digit;            /* the finish key pressed, 0 if none */
};

struct twiml_queue_info;

/* The engine's interface to the world. Every action is asynchronous: its outcome comes back as a
 * twiml_on_* event. Media operations carry a token; events with a stale token are ignored.
 * All pointers are valid only during the call. ctx is the caller's. Must not re-enter the
 * engine (queue the outcome instead). */
struct twiml_ops {
	void (*answer)(void *ctx);
	void (*ring)(void *ctx);                 /* early media / ringback (answerOnBridge) */
	void (*reject)(void *ctx, int sip_code); /* 603 rejected, 486 busy; never answered */
	void (*hangup)(void *ctx);
	void (*say)(void *ctx, uint32_t token, const char *text, const char *voice,
	            const char *lang, uint32_t loop);
	void (*play)(void *ctx, uint32_t token, const char *url, uint32_t loop);
	void (*tones)(void *ctx, uint32_t token, const char *digits); /* w = 0.5 s */
	void (*beep)(void *ctx, uint32_t token);
	void (*stop_media)(void *ctx);
	void (*collect)(void *ctx, const struct twiml_collect_op *c); /* start sending DTMF up */
	void (*collect_stop)(void *ctx);
	void (*record)(void *ctx, uint32_t token, const struct twiml_record_op *r);
	void (*dial)(void *ctx, uint32_t leg, const struct twiml_node *dial,
	             const struct twiml_node *noun);
	void (*dial_cancel)(void *ctx, uint32_t leg); /* CANCEL, or BYE if answered */
	void (*bridge)(void *ctx, uint32_t leg);
	void (*set_deadline)(void *ctx, uint32_t seconds);
	void (*timer)(void *ctx, uint32_t ms); /* (re)arm the engine's one timer; 0 = cancel */
	void (*fetch)(void *ctx, const struct twiml_fetch *f);
	void (*notify)(void *ctx, uint32_t code, const char *what); /* warnings and errors */
	void (*persist)(void *ctx, const char *state, size_t len);  /* optional (NULL) */
	/* a status callback (recordingStatusCallback): sent, never awaited; optional (NULL) */
	void (*callback)(void *ctx, const struct twiml_fetch *f);
	/* Queues (optional: without enqueue, <Enqueue> is skipped with a warning). enqueue joins
	 * the queue `name` (made on demand; max_size 0 = the queue's own MaxSize, else the lower
	 * of the two) and answers later with twiml_on_queue (JOINED, FULL, ERROR, SYSTEM_ERROR);
	 * queue_leave takes the call out (idempotent); queue_ready says the <Queue url> markup is
	 * done and the bridge may be made; queue_info fills *out at once; hold plays the bundled
	 * hold music (loop 0 = until stopped; MEDIA_DONE with the token). */
	void (*enqueue)(void *ctx, const char *name, uint32_t max_size);
	void (*queue_leave)(void *ctx);
	void (*queue_ready)(void *ctx);
	void (*queue_info)(void *ctx, struct twiml_queue_info *out);
	void (*hold)(void *ctx, uint32_t token, uint32_t loop);
	/* the document ran out: optional; NULL = hang up (a call), set = the markup's end means
	 * something else (a <Dial> noun's url: the callee accepts the call) */
	void (*finished)(void *ctx);
	/* the Dial is over (before its action or the next verb): optional; returns the URL of the
	 * Dial's recording (record=...) for the action's RecordingUrl, or NULL */
	const char *(*dial_done)(void *ctx);
};

/* ---- queues: <Enqueue>, <Leave>, and this call dequeued by another call's <Dial><Queue> ---- */
enum twiml_queue_ev {
	TWIML_Q_JOINED,       /* the call is a member: the wait application starts */
	TWIML_Q_FULL,         /* not joined: QueueResult=queue-full */
	TWIML_Q_ERROR,        /* not joined: QueueResult=error (bad queue name) */
	TWIML_Q_SYSTEM_ERROR, /* not joined or lost: QueueResult=system-error (store, table) */
	TWIML_Q_DEQUEUED,     /* a <Dial><Queue> took it: the <Queue url> markup, then queue_ready */
	TWIML_Q_BRIDGED,      /* the bridge with the dequeuing call is up */
	TWIML_Q_UNBRIDGED,    /* that bridge ended, the caller is still here: QueueResult=bridged */
	TWIML_Q_REQUEUED      /* the dequeuing call went away before the bridge: waiting again */
};

struct twiml_queue_event {
	uint8_t ev;               /* enum twiml_queue_ev */
	uint8_t method;           /* DEQUEUED: method of url */
	const char *url;          /* DEQUEUED: the <Queue url> (absolute), NULL or "" = none */
	const char *dequeuer_sid; /* DEQUEUED: DequeingCallSid */
};

/* What the wait application and the action are told (ops->queue_info, synchronous). */
struct twiml_queue_info {
	char sid[40];                 /* QueueSid ("" when the call never joined) */
	uint32_t position, size, max; /* QueuePosition (1 = next; 0 = not waiting), sizes */
	uint32_t time_s, avg_s;       /* QueueTime of this call, AvgQueueTime of the members */
};

enum twiml_state {
	TWIML_ST_IDLE,
	TWIML_ST_FETCHING,
	TWIML_ST_MEDIA,
	TWIML_ST_PAUSE,
	TWIML_ST_GATHER,
	TWIML_ST_RECORD,
	TWIML_ST_DIAL,
	TWIML_ST_BRIDGED,
	TWIML_ST_QUEUE, /* <Enqueue>: joining, on hold music, being bridged or bridged */
	TWIML_ST_ENDED
};

struct twiml_engine;

int twiml_engine_create(struct twiml_engine **out, const struct twiml_ops *ops, void *ctx);
void twiml_engine_destroy(struct twiml_engine *e);
enum twiml_state twiml_engine_state(const struct twiml_engine *e);
bool twiml_engine_answered(const struct twiml_engine *e);
uint32_t twiml_engine_verb(const struct twiml_engine *e); /* index of the running verb */

/* An outbound call runs its markup once answered: mark it before start (the first request then
 * says CallStatus=in-progress and no verb answers again). */
void twiml_engine_mark_answered(struct twiml_engine *e);
/* Requests the first document (call unanswered: CallStatus=ringing). 0, -EINVAL, -EALREADY. */
int twiml_engine_start(struct twiml_engine *e, const char *url, enum twiml_method m);
/* Runs a program given inline (REST Calls Twiml=...) as if fetched from url (relative URLs in
 * it resolve against url). Takes prog in every case. 0, -EINVAL, -EALREADY. */
int twiml_engine_start_doc(struct twiml_engine *e, struct twiml_prog *prog, const char *url);
/* The awaited document (the engine owns prog from now on); url = the resolved URL it came from. */
void twiml_on_document(struct twiml_engine *e, struct twiml_prog *prog, const char *url);
/* The awaited request failed, fallback included: the caller hears an application error, the
 * call ends. */
void twiml_on_fetch_failed(struct twiml_engine *e, uint32_t code);
void twiml_on_media_done(struct twiml_engine *e, uint32_t token, bool stopped);
void twiml_on_dtmf(struct twiml_engine *e, char digit);
void twiml_on_record_done(struct twiml_engine *e, uint32_t token, const struct twiml_rec_result *r);
void twiml_on_leg(struct twiml_engine *e, uint32_t leg, const struct twiml_leg_event *ev);
void twiml_on_call_ended(struct twiml_engine *e); /* the caller hung up */
void twiml_on_timer(struct twiml_engine *e);
/* Queue outcomes for the <Enqueue> this call runs (ignored when it runs none). */
void twiml_on_queue(struct twiml_engine *e, const struct twiml_queue_event *ev);
/* In a queue (waiting, being dequeued or bridged from one)? */
bool twiml_engine_in_queue(const struct twiml_engine *e);
/* The call leaves its queue because something outside the markup redirects it (REST Members
 * POST, Calls update): the Enqueue action is told QueueResult=redirected (or
 * redirected-from-bridged) through ops->callback (its answer is not run: the redirect's
 * markup is), the call leaves the queue. The engine is then idle-in-queue no more; the caller
 * replaces it. */
void twiml_engine_queue_redirected(struct twiml_engine *e);

/* Position of the call (persisted at every verb transition through ops->persist). save returns
 * the length written (NUL-terminated) or -ENOSPC. resume restores an idle engine and re-requests
 * the document (or the pending request); on its arrival execution continues at the saved verb.
 * Returns 0 or -EINVAL (malformed state) / -EALREADY. */
#define TWIML_STATE_MAX 4096u
int twiml_engine_save(const struct twiml_engine *e, char *buf, size_t cap);
int twiml_engine_resume(struct twiml_engine *e, const char *buf, size_t len);

#endif
