/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_engine_priv.h — the interpreter's per-call state, shared by its .c files and tests. */
#ifndef TWIML_ENGINE_PRIV_H
#define TWIML_ENGINE_PRIV_H

#include "twiml.h"

#define TWIML_URL_MAX 2048u   /* longer URLs are refused (error 11100) */
#define TWIML_PBUF 1536u      /* bytes of request parameter names and values */
#define TWIML_MAX_DIGITS 128u /* digits one Gather keeps */
#define TWIML_SID_MAX 40u
#define TWIML_CALLID_MAX 128u
#define TWIML_ERR_URL 11100
#define TWIML_APP_ERROR_TEXT "We are sorry, an application error has occurred. Goodbye."

enum twiml_timer { TMR_NONE, TMR_PAUSE, TMR_GATHER_PAUSE, TMR_GATHER_INPUT, TMR_DIAL, TMR_QWAIT };
enum twiml_gsub { G_PROMPT, G_PAUSE, G_INPUT };
enum twiml_leg_st { LEG_IDLE, LEG_RINGING, LEG_UP, LEG_DONE };

/* The request in flight, or the one that produced the current document. */
struct twiml_req {
	uint8_t kind, method;
	char url[TWIML_URL_MAX];
	uint32_t n_params;
	uint32_t pused;
	char pbuf[TWIML_PBUF];
	struct twiml_kv params[TWIML_MAX_PARAMS];
};

struct twiml_leg {
	uint8_t st;     /* enum twiml_leg_st */
	uint8_t result; /* enum twiml_leg_result once LEG_DONE */
	uint16_t sip_code;
	char sid[TWIML_SID_MAX];
	char call_id[TWIML_CALLID_MAX];
};

/* <Enqueue> in progress (twiml_queue.c). The Enqueue's document stays in main_prog while the
 * wait application's (or the <Queue url>'s) documents come and go in prog. */
enum twiml_qmode { QM_JOINING, QM_WAIT, QM_WHISPER, QM_BRIDGING, QM_BRIDGED };
struct twiml_qctx {
	uint8_t mode;   /* enum twiml_qmode */
	bool hold;      /* the bundled hold music is playing (no waitUrl, or it failed) */
	bool waited;    /* the current wait document ran a verb that takes time */
	uint32_t loops; /* wait documents run */
	struct twiml_prog *main_prog;
	uint32_t main_vi;
	uint8_t main_doc_method;
	char main_doc[TWIML_URL_MAX];
	struct twiml_req main_req;
};

struct twiml_engine {
	const struct twiml_ops *ops;
	void *ctx;
	uint8_t st;   /* enum twiml_state */
	uint8_t tmr;  /* enum twiml_timer: what the armed timer is for */
	uint8_t gsub; /* enum twiml_gsub while in <Gather> */
	bool answered;
	bool caller_gone; /* the caller hung up; waiting for a leg/recording to report */
	bool app_error;   /* playing the application-error prompt */
	bool resuming;
	bool beeping; /* <Record>: the beep is playing */
	struct twiml_prog *prog;
	uint32_t vi, ki; /* verb index; nested index within Gather */
	uint32_t resume_vi;
	bool resume_bridged; /* resume into a bridged <Dial> at resume_vi */
	uint32_t resume_up;  /* ... its answered noun */
	struct twiml_leg resume_leg;
	uint32_t token; /* outstanding media token; 0 = none */
	uint32_t next_token;
	uint32_t seq; /* requests issued for this call */
	uint8_t doc_method;
	char doc_url[TWIML_URL_MAX];
	struct twiml_req req;
	/* <Gather> */
	uint32_t n_digits;
	char digits[TWIML_MAX_DIGITS + 1];
	/* <Dial> */
	uint32_t n_legs, cur_leg, up_leg;
	struct twiml_leg legs[TWIML_MAX_DIAL_NOUNS];
	/* <Enqueue> */
	struct twiml_qctx *q;
};

/* twiml_engine.c */
void twiml_answer(struct twiml_engine *e);
uint32_t twiml_new_token(struct twiml_engine *e);
void twiml_stop_media(struct twiml_engine *e);
/* A request the application asked for (action, Redirect); a URL too long fails the call. */
void twiml_fetch_or_fail(struct twiml_engine *e, enum twiml_fetch_kind kind, const char *url,
                         uint8_t method, bool final);
void twiml_run(struct twiml_engine *e);
void twiml_next_verb(struct twiml_engine *e);
void twiml_timer_arm(struct twiml_engine *e, enum twiml_timer t, uint32_t ms);
void twiml_timer_cancel(struct twiml_engine *e);
void twiml_req_reset(struct twiml_engine *e);
int twiml_param(struct twiml_engine *e, const char *name, const char *value);
/* Sends e->req (params already added) to url; final = the call is over. 0 or -ENAMETOOLONG. */
int twiml_fetch_issue(struct twiml_engine *e, enum twiml_fetch_kind kind, const char *url,
                      uint8_t method, bool final);
void twiml_end(struct twiml_engine *e, bool hangup);
void twiml_persist(struct twiml_engine *e);
const struct twiml_node *twiml_cur_verb(const struct twiml_engine *e);

/* twiml_queue.c */
void twiml_queue_start(struct twiml_engine *e, const struct twiml_node *v);
/* The queue's document (wait app, <Queue url>) ran out of verbs. */
void twiml_queue_doc_end(struct twiml_engine *e);
bool twiml_queue_fetch_failed(struct twiml_engine *e); /* true: handled in the queue */
void twiml_queue_caller_gone(struct twiml_engine *e);
void twiml_queue_media_done(struct twiml_engine *e);
void twiml_queue_timer(struct twiml_engine *e);
/* A verb of a queue document: true when handled here (Leave, Hangup, verbs not allowed). */
bool twiml_queue_verb(struct twiml_engine *e, const struct twiml_node *v, bool *waits);
void twiml_queue_free(struct twiml_engine *e);
void twiml_mark_waited(struct twiml_engine *e);

/* twiml_dial.c */
void twiml_dial_start(struct twiml_engine *e, const struct twiml_node *v);
void twiml_dial_timeout(struct twiml_engine *e);
void twiml_dial_caller_gone(struct twiml_engine *e);
void twiml_dial_dtmf(struct twiml_engine *e, char d);
/* Resume: re-adopt the bridge of the <Dial> at e->vi without dialling; false if the document
 * no longer has that Dial and noun. */
bool twiml_dial_readopt(struct twiml_engine *e);

#endif
