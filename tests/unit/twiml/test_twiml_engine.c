/* SPDX-License-Identifier: BSD-3-Clause */
/* test_twiml_engine.c — the interpreter driven by scripted events; every emitted operation is
 * logged as a line and the test asserts the exact sequence. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "twiml.h"

struct fx {
	struct twiml_engine *e;
	char log[16384];
	size_t n;
	uint32_t tok; /* last media token */
	char state[TWIML_STATE_MAX];
	struct twiml_queue_info qi; /* what queue_info answers */
	size_t state_len;
	unsigned persists;
};

static void oplog(struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void oplog(struct fx *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(f->log + f->n, sizeof(f->log) - f->n, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(f->log) - f->n - 1);
	f->n += (size_t)n;
	f->log[f->n++] = '\n';
	f->log[f->n] = 0;
}

static const char *kind_s[] = {"INITIAL", "REDIRECT", "GATHER",  "RECORD", "DIAL",
                               "RESUME",  "RECORDING_STATUS", "ENQUEUE", "WAIT", "QUEUE_URL"};

static void o_answer(void *c)
{
	oplog(c, "answer");
}
static void o_ring(void *c)
{
	oplog(c, "ring");
}
static void o_reject(void *c, int code)
{
	oplog(c, "reject %d", code);
}
static void o_hangup(void *c)
{
	oplog(c, "hangup");
}
static void o_say(void *c, uint32_t t, const char *text, const char *v, const char *l,
                  uint32_t loop)
{
	((struct fx *)c)->tok = t;
	oplog(c, "say %s|%s|%s|%u", text, v, l, loop);
}
static void o_play(void *c, uint32_t t, const char *url, uint32_t loop)
{
	((struct fx *)c)->tok = t;
	oplog(c, "play %s loop=%u", url, loop);
}
static void o_tones(void *c, uint32_t t, const char *d)
{
	((struct fx *)c)->tok = t;
	oplog(c, "tones %s", d);
}
static void o_beep(void *c, uint32_t t)
{
	((struct fx *)c)->tok = t;
	oplog(c, "beep");
}
static void o_stop(void *c)
{
	oplog(c, "stop");
}
static void o_collect(void *c, const struct twiml_collect_op *op)
{
	oplog(c, "collect n=%u key=%c t=%u barge=%d", op->num_digits,
	      op->finish_key ? op->finish_key : '-', op->timeout_ms, op->barge_in);
}
static void o_collect_stop(void *c)
{
	oplog(c, "collect-stop");
}
static void o_record(void *c, uint32_t t, const struct twiml_record_op *r)
{
	((struct fx *)c)->tok = t;
	oplog(c, "record max=%u timeout=%u keys=%s trim=%d", r->max_length_s, r->timeout_s,
	      r->finish_keys, r->trim);
}
static void o_dial(void *c, uint32_t leg, const struct twiml_node *d, const struct twiml_node *n)
{
	oplog(c, "dial %u %s %s", leg, twiml_kind_name(n->kind), n->text);
}
static void o_cancel(void *c, uint32_t leg)
{
	oplog(c, "cancel %u", leg);
}
static void o_bridge(void *c, uint32_t leg)
{
	oplog(c, "bridge %u", leg);
}
static void o_deadline(void *c, uint32_t s)
{
	oplog(c, "deadline %u", s);
}
static void o_timer(void *c, uint32_t ms)
{
	if (ms)
		oplog(c, "timer %u", ms);
	else
		oplog(c, "timer off");
}
static void o_fetch(void *c, const struct twiml_fetch *f)
{
	char p[1024] = "";
	size_t o = 0;
	for (uint32_t i = 0; i < f->n_params; i++)
		o += (size_t)snprintf(p + o, sizeof(p) - o, " %s=%s", f->params[i].name,
		                      f->params[i].value);
	oplog(c, "fetch %s %s %s base=%s status=%s%s%s", kind_s[f->kind],
	      twiml_method_name(f->method), f->url, f->base, f->call_status, p,
	      f->final ? " final" : "");
}
static void o_callback(void *c, const struct twiml_fetch *f)
{
	oplog(c, "callback");
	o_fetch(c, f);
}
static void o_notify(void *c, uint32_t code, const char *what)
{
	oplog(c, "notify %u %s", code, what);
}
static void o_persist(void *c, const char *s, size_t n)
{
	struct fx *f = c;
	assert_true(n < sizeof(f->state));
	memcpy(f->state, s, n);
	f->state[n] = 0;
	f->state_len = n;
	f->persists++;
}

static const struct twiml_ops ops = {
    .answer = o_answer,
    .ring = o_ring,
    .reject = o_reject,
    .hangup = o_hangup,
    .say = o_say,
    .play = o_play,
    .tones = o_tones,
    .beep = o_beep,
    .stop_media = o_stop,
    .collect = o_collect,
    .collect_stop = o_collect_stop,
    .record = o_record,
    .dial = o_dial,
    .dial_cancel = o_cancel,
    .bridge = o_bridge,
    .set_deadline = o_deadline,
    .timer = o_timer,
    .fetch = o_fetch,
    .notify = o_notify,
    .persist = o_persist,
    .callback = o_callback,
};

/* queues */
static void o_enqueue(void *c, const char *name, uint32_t max)
{
	oplog(c, "enqueue %s max=%u", name, max);
}
static void o_queue_leave(void *c)
{
	oplog(c, "queue-leave");
}
static void o_queue_ready(void *c)
{
	oplog(c, "queue-ready");
}
static void o_queue_info(void *c, struct twiml_queue_info *out)
{
	*out = ((struct fx *)c)->qi;
}
static void o_hold(void *c, uint32_t t, uint32_t loop)
{
	((struct fx *)c)->tok = t;
	oplog(c, "hold loop=%u", loop);
}

/* the same ops, with queues (set up by fxq_setup) */
static struct twiml_ops ops_q;

#define APP "http://app.test/voice.xml"

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_int_equal(twiml_engine_create(&f->e, &ops, f), 0);
	*state = f;
	return 0;
}

static int fxq_setup(void **state)
{
	ops_q = ops;
	ops_q.enqueue = o_enqueue;
	ops_q.queue_leave = o_queue_leave;
	ops_q.queue_ready = o_queue_ready;
	ops_q.queue_info = o_queue_info;
	ops_q.hold = o_hold;
	struct fx *f = calloc(1, sizeof(*f));
	assert_int_equal(twiml_engine_create(&f->e, &ops_q, f), 0);
	f->qi = (struct twiml_queue_info){.sid = "QU1", .position = 2, .size = 3, .max = 1000,
	                                  .time_s = 7, .avg_s = 5};
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	twiml_engine_destroy(f->e);
	free(f);
	return 0;
}

static void expect(struct fx *f, const char *want)
{
	if (strcmp(f->log, want))
		fail_msg("ops differ\n--- want\n%s--- got\n%s", want, f->log);
	f->n = 0;
	f->log[0] = 0;
}

/* Delivers a document (body of <Response>) as if fetched from url. */
static void doc(struct fx *f, const char *body, const char *url)
{
	char xml[8192];
	snprintf(xml, sizeof(xml), "<?xml version=\"1.0\"?><Response>%s</Response>", body);
	struct twiml_prog *p = NULL;
	struct twiml_err err;
	if (twiml_parse(xml, strlen(xml), &p, &err))
		fail_msg("parse: %s", err.msg);
	twiml_on_document(f->e, p, url);
}

static void start(struct fx *f, const char *body)
{
	assert_int_equal(twiml_engine_start(f->e, APP, TWIML_POST), 0);
	expect(f, "fetch INITIAL POST " APP " base= status=ringing\n");
	doc(f, body, APP);
}

static void dtmf(struct fx *f, const char *keys)
{
	for (const char *k = keys; *k; k++)
		twiml_on_dtmf(f->e, *k);
}

static void t_say_hangup(void **st)
{
	struct fx *f = *st;
	start(f, "<Say>Hello</Say><Hangup/><Say>never</Say>");
	expect(f, "answer\nsay Hello|man|en-US|1\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_MEDIA);
	twiml_on_media_done(f->e, f->tok + 1, false); /* a stale token changes nothing */
	expect(f, "");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "hangup\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
}

static void t_end_of_document(void **st)
{
	struct fx *f = *st;
	start(f, "<Play loop=\"3\">http://a/b.wav</Play><Play digits=\"w12\"/>");
	expect(f, "answer\nplay http://a/b.wav loop=3\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "tones w12\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "hangup\n");
}

static void t_reject_first(void **st)
{
	struct fx *f = *st;
	start(f, "<Reject reason=\"busy\"/><Say>never</Say>");
	expect(f, "reject 486\n");
	assert_false(twiml_engine_answered(f->e));
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
}

static void t_pause_then_reject(void **st)
{
	struct fx *f = *st;
	/* a leading Pause does not answer: Reject after it is still a rejection (603) */
	start(f, "<Pause length=\"2\"/><Reject/>");
	expect(f, "timer 2000\n");
	twiml_on_timer(f->e);
	expect(f, "reject 603\n");
	assert_false(twiml_engine_answered(f->e));
}

static void t_reject_after_answer(void **st)
{
	struct fx *f = *st;
	start(f, "<Say>hi</Say><Reject/>");
	expect(f, "answer\nsay hi|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "hangup\n");
}

static void t_gather_digits(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather numDigits=\"3\" action=\"/menu\"><Say>Press</Say><Play>m.wav</Play>"
	         "</Gather><Say>bye</Say>");
	expect(f, "answer\ncollect n=3 key=# t=5000 barge=1\nsay Press|man|en-US|1\n");
	uint32_t prompt = f->tok;
	dtmf(f, "1");
	expect(f, "stop\ntimer 5000\n"); /* barge-in: the prompt stops, Play never starts */
	twiml_on_media_done(f->e, prompt, true);
	expect(f, "");
	dtmf(f, "2");
	expect(f, "timer 5000\n");
	dtmf(f, "3");
	expect(f, "timer off\ncollect-stop\nfetch GATHER POST /menu base=" APP
	          " status=in-progress msg=Gather End Digits=123 FinishedOnKey=\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_FETCHING);
	doc(f, "<Say>You chose</Say>", "http://app.test/menu");
	expect(f, "say You chose|man|en-US|1\n");
}

static void t_gather_finish_key_no_action(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather timeout=\"3\"/><Say>none</Say>");
	expect(f, "answer\ncollect n=0 key=# t=3000 barge=1\ntimer 3000\n");
	dtmf(f, "42#");
	/* no action: the current document's URL; Digits without the finish key */
	expect(f, "timer 3000\ntimer 3000\ntimer off\ncollect-stop\nfetch GATHER POST " APP
	          " base=" APP " status=in-progress msg=Gather End Digits=42 FinishedOnKey=#\n");
}

static void t_gather_timeout_falls_through(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather action=\"/g\"><Say>Press</Say><Pause length=\"2\"/></Gather>"
	         "<Say>no input</Say>");
	expect(f, "answer\ncollect n=0 key=# t=5000 barge=1\nsay Press|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "timer 2000\n"); /* nested Pause */
	twiml_on_timer(f->e);
	expect(f, "timer 5000\n"); /* prompts done: wait for input */
	twiml_on_timer(f->e);
	expect(f, "collect-stop\nsay no input|man|en-US|1\n");
}

static void t_gather_empty_result(void **st)
{
	struct fx *f = *st;
	start(
	    f,
	    "<Gather action=\"/g\" method=\"GET\" actionOnEmptyResult=\"true\" finishOnKey=\"\"/>");
	expect(f, "answer\ncollect n=0 key=- t=5000 barge=1\ntimer 5000\n");
	dtmf(f, "#"); /* not a finish key here: collected */
	expect(f, "timer 5000\n");
	twiml_on_timer(f->e);
	expect(f, "collect-stop\nfetch GATHER GET /g base=" APP
	          " status=in-progress msg=Gather End Digits=# FinishedOnKey=\n");
}

static void t_gather_speech_only(void **st)
{
	struct fx *f = *st;
	/* no speech recognition: keys are ignored and no result falls through, as with silence */
	start(f, "<Gather input=\"speech\" action=\"/s\"/><Hangup/>");
	expect(f, "answer\ntimer 5000\n");
	dtmf(f, "1");
	expect(f, "");
	twiml_on_timer(f->e);
	expect(f, "collect-stop\nhangup\n");
}

static void t_redirect(void **st)
{
	struct fx *f = *st;
	start(f, "<Redirect method=\"GET\"> next.xml </Redirect><Say>never</Say>");
	/* not answered: the Redirect needs no media; the fetcher resolves next.xml against base */
	expect(f, "fetch REDIRECT GET next.xml base=" APP " status=ringing\n");
	doc(f, "<Say>there</Say>", "http://app.test/next.xml");
	expect(f, "answer\nsay there|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "hangup\n");
}

static void t_fetch_failed(void **st)
{
	struct fx *f = *st;
	assert_int_equal(twiml_engine_start(f->e, APP, TWIML_GET), 0);
	expect(f, "fetch INITIAL GET " APP " base= status=ringing\n");
	twiml_on_fetch_failed(f->e, 11200);
	expect(f, "notify 11200 request failed\nanswer\nsay We are sorry, an application error has "
	          "occurred. Goodbye.|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "hangup\n");
}

#define DIAL2                                                                                      \
	"<Dial action=\"/dialed\"><Number>+15550001</Number><Sip>sip:bob@192.0.2.9</Sip></Dial>"

static void t_dial_parallel_first_wins(void **st)
{
	struct fx *f = *st;
	start(f, DIAL2);
	expect(f, "answer\ndial 0 Number +15550001\ndial 1 Sip sip:bob@192.0.2.9\ntimer 30000\n");
	struct twiml_leg_event ev = {.result = TWIML_LEG_ANSWERED,
	                             .sip_code = 200,
	                             .call_sid = "CA11",
	                             .sip_call_id = "abc@h"};
	twiml_on_leg(f->e, 1, &ev);
	expect(f, "timer off\ncancel 0\nbridge 1\ndeadline 14400\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_BRIDGED);
	/* leg 0 answers late (race with the CANCEL): hang it up */
	struct twiml_leg_event late = {.result = TWIML_LEG_ANSWERED, .call_sid = "CA10"};
	twiml_on_leg(f->e, 0, &late);
	expect(f, "cancel 0\n");
	struct twiml_leg_event end = {.result = TWIML_LEG_ENDED, .duration_s = 42};
	twiml_on_leg(f->e, 1, &end);
	expect(f,
	       "fetch DIAL POST /dialed base=" APP " status=in-progress DialCallStatus=completed "
	       "DialCallSid=CA11 DialCallDuration=42 DialBridged=true DialSipCallId=abc@h "
	       "DialSipResponseCode=200\n");
}

static void t_dial_busy(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial action=\"/d\" timeout=\"12\"><Number>+15550001</Number></Dial>");
	expect(f, "answer\ndial 0 Number +15550001\ntimer 12000\n");
	struct twiml_leg_event ev = {.result = TWIML_LEG_BUSY, .sip_code = 486, .call_sid = "CA2"};
	twiml_on_leg(f->e, 0, &ev);
	expect(f, "timer off\nfetch DIAL POST /d base=" APP
	          " status=in-progress DialCallStatus=busy DialCallSid=CA2 DialBridged=false\n");
}

static void t_dial_parallel_busy_and_failed(void **st)
{
	struct fx *f = *st;
	start(f, DIAL2);
	expect(f, "answer\ndial 0 Number +15550001\ndial 1 Sip sip:bob@192.0.2.9\ntimer 30000\n");
	struct twiml_leg_event busy = {.result = TWIML_LEG_BUSY, .sip_code = 486};
	struct twiml_leg_event failed = {
	    .result = TWIML_LEG_FAILED, .sip_code = 503, .sip_call_id = "x@y"};
	twiml_on_leg(f->e, 1, &failed);
	expect(f, "");
	twiml_on_leg(f->e, 0, &busy);
	expect(f, "timer off\nfetch DIAL POST /dialed base=" APP
	          " status=in-progress DialCallStatus=busy DialBridged=false\n");
}

static void t_dial_timeout(void **st)
{
	struct fx *f = *st;
	start(f, DIAL2);
	expect(f, "answer\ndial 0 Number +15550001\ndial 1 Sip sip:bob@192.0.2.9\ntimer 30000\n");
	twiml_on_timer(f->e);
	expect(f, "cancel 0\ncancel 1\nfetch DIAL POST /dialed base=" APP
	          " status=in-progress DialCallStatus=no-answer DialBridged=false\n");
	/* the cancelled legs report afterwards: ignored */
	struct twiml_leg_event c = {.result = TWIML_LEG_CANCELED, .sip_code = 487};
	twiml_on_leg(f->e, 0, &c);
	expect(f, "");
}

static void t_dial_sequential(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial sequential=\"true\" timeout=\"5\" action=\"/d\"><Number>+1</Number>"
	         "<Number>+2</Number><Number>+3</Number></Dial>");
	expect(f, "answer\ndial 0 Number +1\ntimer 5000\n");
	struct twiml_leg_event busy = {.result = TWIML_LEG_BUSY, .sip_code = 486};
	twiml_on_leg(f->e, 0, &busy);
	expect(f, "timer off\ndial 1 Number +2\ntimer 5000\n");
	twiml_on_timer(f->e);
	expect(f, "cancel 1\ndial 2 Number +3\ntimer 5000\n");
	twiml_on_timer(f->e);
	expect(f, "cancel 2\nfetch DIAL POST /d base=" APP
	          " status=in-progress DialCallStatus=no-answer DialBridged=false\n");
}

static void t_dial_no_action_continues(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial answerOnBridge=\"true\" timeLimit=\"60\" hangupOnStar=\"true\">+15550001"
	         "</Dial><Say>after</Say>");
	/* answerOnBridge: ringback, answered only when the callee answers */
	expect(f, "ring\ncollect n=0 key=- t=0 barge=0\ndial 0 Number +15550001\ntimer 30000\n");
	assert_false(twiml_engine_answered(f->e));
	struct twiml_leg_event ans = {.result = TWIML_LEG_ANSWERED, .sip_code = 200};
	twiml_on_leg(f->e, 0, &ans);
	expect(f, "timer off\nanswer\nbridge 0\ndeadline 60\n");
	dtmf(f, "1*"); /* hangupOnStar: '*' hangs up the callee */
	expect(f, "cancel 0\n");
	struct twiml_leg_event end = {.result = TWIML_LEG_ENDED, .duration_s = 5};
	twiml_on_leg(f->e, 0, &end);
	expect(f, "collect-stop\nsay after|man|en-US|1\n");
}

static void t_dial_caller_hangs_up(void **st)
{
	struct fx *f = *st;
	start(f, DIAL2);
	expect(f, "answer\ndial 0 Number +15550001\ndial 1 Sip sip:bob@192.0.2.9\ntimer 30000\n");
	twiml_on_call_ended(f->e);
	expect(f, "cancel 0\ncancel 1\ntimer off\nfetch DIAL POST /dialed base=" APP
	          " status=completed DialCallStatus=canceled DialBridged=false final\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
}

static void t_dial_unsupported_noun(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial><Conference>room</Conference></Dial><Say>next</Say>");
	expect(f,
	       "answer\nnotify 12200 Dial: Conference not supported yet\nsay next|man|en-US|1\n");
}

static void t_record(void **st)
{
	struct fx *f = *st;
	start(f, "<Record action=\"/rec\" maxLength=\"30\" recordingStatusCallback=\"/rs\""
	         " recordingStatusCallbackMethod=\"GET\"/><Say>never</Say>");
	expect(f, "answer\nbeep\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "record max=30 timeout=5 keys=1234567890*# trim=1\n");
	struct twiml_rec_result r = {
	    .duration_s = 7, .sid = "RE1", .url = "http://h/RE1", .digit = '#'};
	twiml_on_record_done(f->e, f->tok, &r);
	expect(f,
	       "callback\nfetch RECORDING_STATUS GET /rs base=" APP " status=in-progress "
	       "RecordingSid=RE1 RecordingUrl=http://h/RE1 RecordingStatus=completed "
	       "RecordingDuration=7 RecordingChannels=1 RecordingSource=RecordVerb\n"
	       "fetch RECORD POST /rec base=" APP " status=in-progress RecordingUrl=http://h/RE1 "
	       "RecordingSid=RE1 RecordingDuration=7 Digits=#\n");
}

static void t_record_empty_and_hangup(void **st)
{
	struct fx *f = *st;
	start(f, "<Record playBeep=\"false\" trim=\"do-not-trim\"/><Record playBeep=\"false\"/>");
	expect(f, "answer\nrecord max=3600 timeout=5 keys=1234567890*# trim=0\n");
	struct twiml_rec_result empty = {.duration_s = 0};
	twiml_on_record_done(f->e, f->tok, &empty); /* nothing recorded: next verb, no action */
	expect(f, "record max=3600 timeout=5 keys=1234567890*# trim=1\n");
	twiml_on_call_ended(f->e);
	expect(f, "");
	struct twiml_rec_result r = {.duration_s = 3, .sid = "RE2", .url = "u"};
	twiml_on_record_done(f->e, f->tok, &r);
	/* no action: the current document; after a hang-up Digits=hangup and the answer is unused
	 */
	expect(f, "fetch RECORD POST " APP " base=" APP " status=completed RecordingUrl=u "
	          "RecordingSid=RE2 RecordingDuration=3 Digits=hangup final\n");
}

static void t_state_resume_verb(void **st)
{
	struct fx *f = *st;
	start(f, "<Say>one</Say><Say>two</Say><Say>three</Say>");
	expect(f, "answer\nsay one|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "say two|man|en-US|1\n");
	assert_int_equal(twiml_engine_verb(f->e), 1);
	assert_true(f->persists >= 2);
	char saved[TWIML_STATE_MAX];
	memcpy(saved, f->state, f->state_len + 1);
	size_t len = f->state_len;

	/* a restarted control: a fresh engine resumes at verb 1, already answered */
	struct fx *g = calloc(1, sizeof(*g));
	assert_int_equal(twiml_engine_create(&g->e, &ops, g), 0);
	assert_int_equal(twiml_engine_resume(g->e, saved, len), 0);
	expect(g, "fetch RESUME POST " APP " base=" APP " status=in-progress\n");
	doc(g, "<Say>one</Say><Say>two</Say><Say>three</Say>", APP);
	expect(g, "say two|man|en-US|1\n");
	twiml_on_media_done(g->e, g->tok, false);
	expect(g, "say three|man|en-US|1\n");
	assert_int_equal(twiml_engine_resume(g->e, saved, len), -EALREADY);
	twiml_engine_destroy(g->e);
	free(g);
}

static void t_state_resume_pending_action(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather numDigits=\"2\" action=\"menu?x=1|2\"/>");
	expect(f, "answer\ncollect n=2 key=# t=5000 barge=1\ntimer 5000\n");
	dtmf(f, "77");
	expect(f, "timer 5000\ntimer off\ncollect-stop\nfetch GATHER POST menu?x=1|2 base=" APP
	          " status=in-progress msg=Gather End Digits=77 FinishedOnKey=\n");
	struct fx *g = calloc(1, sizeof(*g));
	assert_int_equal(twiml_engine_create(&g->e, &ops, g), 0);
	/* malformed records are refused and leave the engine idle */
	assert_int_equal(twiml_engine_resume(g->e, f->state, f->state_len - 1), -EINVAL);
	assert_int_equal(twiml_engine_resume(g->e, "TW1 X 0", 7), -EINVAL);
	assert_int_equal(twiml_engine_resume(g->e, "garbage", 7), -EINVAL);
	char bad[TWIML_STATE_MAX];
	memcpy(bad, f->state, f->state_len);
	bad[4] = 'R';
	memcpy(bad + 6, "999", 3); /* verb index over the limit */
	assert_int_equal(twiml_engine_resume(g->e, bad, f->state_len), -EINVAL);
	expect(g, "");
	/* the request in flight is sent again, with its parameters */
	assert_int_equal(twiml_engine_resume(g->e, f->state, f->state_len), 0);
	expect(g, "fetch GATHER POST menu?x=1|2 base=" APP
	          " status=in-progress msg=Gather End Digits=77 FinishedOnKey=\n");
	twiml_engine_destroy(g->e);
	free(g);
}

static void t_call_ended_midway(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather><Say>x</Say></Gather>");
	expect(f, "answer\ncollect n=0 key=# t=5000 barge=1\nsay x|man|en-US|1\n");
	twiml_on_call_ended(f->e);
	expect(f, "collect-stop\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
	twiml_on_media_done(f->e, f->tok, true);
	dtmf(f, "1");
	twiml_on_timer(f->e);
	expect(f, "");
}

static void t_warnings_reported(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather timeout=\"x\"/>");
	expect(f, "notify 13313 Gather: invalid timeout\nanswer\ncollect n=0 key=# t=5000 barge=1\n"
	          "timer 5000\n");
}

static void t_gather_digit_cap(void **st)
{
	struct fx *f = *st;
	start(f, "<Gather action=\"/g\" finishOnKey=\"\"/>");
	expect(f, "answer\ncollect n=0 key=- t=5000 barge=1\ntimer 5000\n");
	char keys[140];
	memset(keys, '5', 130);
	keys[130] = 0;
	dtmf(f, keys); /* no numDigits: the engine keeps at most 128 and submits them */
	const char *fe = strstr(f->log, "fetch GATHER POST /g");
	assert_non_null(fe);
	const char *d = strstr(fe, "Digits=");
	assert_non_null(d);
	assert_int_equal(strspn(d + 7, "5"), 128);
	f->n = 0;
	f->log[0] = 0;
	dtmf(f, "55"); /* the rest: no longer gathering */
	expect(f, "");
}

static void t_long_action_url(void **st)
{
	struct fx *f = *st;
	char body[4096];
	int n = snprintf(body, sizeof(body), "<Gather numDigits=\"1\" action=\"/");
	memset(body + n, 'a', 2100);
	snprintf(body + n + 2100, sizeof(body) - (size_t)n - 2100, "\"/>");
	start(f, body);
	expect(f, "answer\ncollect n=1 key=# t=5000 barge=1\ntimer 5000\n");
	dtmf(f, "1"); /* a URL over the engine's limit: 11100, application error, hang up */
	expect(f,
	       "timer off\ncollect-stop\nnotify 11100 URL too long\nnotify 11100 request failed\n"
	       "say We are sorry, an application error has occurred. Goodbye.|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "hangup\n");
}

static void t_dial_sip_failed_and_empty(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial action=\"/d\"><Sip>sip:x@192.0.2.7?X-Id=7</Sip></Dial>"
	         "<Dial action=\"/e\"></Dial>");
	expect(f, "answer\ndial 0 Sip sip:x@192.0.2.7\ntimer 30000\n");
	struct twiml_leg_event ev = {
	    .result = TWIML_LEG_FAILED, .sip_code = 503, .call_sid = "CA9", .sip_call_id = "c9@h"};
	twiml_on_leg(f->e, 0, &ev);
	expect(f, "timer off\nfetch DIAL POST /d base=" APP
	          " status=in-progress DialCallStatus=failed "
	          "DialCallSid=CA9 DialBridged=false DialSipCallId=c9@h DialSipResponseCode=503\n");
	/* a Dial with nothing to dial fails at once */
	struct fx *g = calloc(1, sizeof(*g));
	assert_int_equal(twiml_engine_create(&g->e, &ops, g), 0);
	assert_int_equal(twiml_engine_start(g->e, APP, TWIML_POST), 0);
	expect(g, "fetch INITIAL POST " APP " base= status=ringing\n");
	doc(g, "<Dial action=\"/e\"/>", APP);
	expect(g, "fetch DIAL POST /e base=" APP " status=ringing DialCallStatus=failed "
	          "DialBridged=false\n");
	twiml_engine_destroy(g->e);
	free(g);
}

static void t_bridged_caller_hangs_up(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial action=\"/d\">+1</Dial><Say>never</Say>");
	expect(f, "answer\ndial 0 Number +1\ntimer 30000\n");
	struct twiml_leg_event ans = {.result = TWIML_LEG_ANSWERED, .call_sid = "CA5"};
	twiml_on_leg(f->e, 0, &ans);
	expect(f, "timer off\nbridge 0\ndeadline 14400\n");
	twiml_on_call_ended(f->e);
	expect(f, "cancel 0\n");
	struct twiml_leg_event end = {.result = TWIML_LEG_ENDED, .duration_s = 9};
	twiml_on_leg(f->e, 0, &end);
	expect(f, "fetch DIAL POST /d base=" APP " status=completed DialCallStatus=completed "
	          "DialCallSid=CA5 DialCallDuration=9 DialBridged=true final\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
}

static void t_inline_doc_and_enqueue(void **st)
{
	struct fx *f = *st;
	const char *x = "<Response><Enqueue>support</Enqueue><Leave/><Say>hi</Say></Response>";
	struct twiml_prog *p = NULL;
	assert_int_equal(twiml_parse(x, strlen(x), &p, NULL), 0);
	assert_int_equal(twiml_engine_start_doc(f->e, p, "http://app.test/inline"), 0);
	expect(f, "notify 12200 Enqueue: no queues here\nanswer\nsay hi|man|en-US|1\n");
	p = NULL;
	assert_int_equal(twiml_parse(x, strlen(x), &p, NULL), 0);
	assert_int_equal(twiml_engine_start_doc(f->e, p, "u"), -EALREADY);
}

/* ---- <Enqueue> ---- */

static void qev(struct fx *f, uint8_t ev)
{
	struct twiml_queue_event e = {.ev = ev};
	twiml_on_queue(f->e, &e);
}

#define WAITQ "QueuePosition=2 QueueSid=QU1 QueueTime=7 AvgQueueTime=5 CurrentQueueSize=3 " \
              "MaxQueueSize=1000"

/* The wait application is requested with the queue's figures, run, and requested again when it
 * runs out; <Leave> takes the call out and the action hears QueueResult=leave. */
static void t_queue_wait_loop_leave(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue action=\"/after\" waitUrl=\"wait.xml\" waitUrlMethod=\"GET\" "
	         "maxQueueSize=\"10\">support</Enqueue><Say>never</Say>");
	expect(f, "answer\nenqueue support max=10\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_QUEUE);
	assert_true(twiml_engine_in_queue(f->e));
	qev(f, TWIML_Q_JOINED);
	expect(f, "fetch WAIT GET wait.xml base=" APP " status=in-progress " WAITQ "\n");
	doc(f, "<Say>please hold</Say>", "http://app.test/wait.xml");
	expect(f, "say please hold|man|en-US|1\n");
	f->qi.position = 1;
	f->qi.time_s = 30;
	twiml_on_media_done(f->e, f->tok, false);
	/* again, relative to the Enqueue's document, with the new figures */
	expect(f, "fetch WAIT GET wait.xml base=" APP " status=in-progress QueuePosition=1 "
	          "QueueSid=QU1 QueueTime=30 AvgQueueTime=5 CurrentQueueSize=3 MaxQueueSize=1000\n");
	doc(f, "<Leave/><Say>never either</Say>", "http://app.test/wait.xml");
	expect(f, "queue-leave\nfetch ENQUEUE POST /after base=" APP
	          " status=in-progress QueueResult=leave QueueSid=QU1 QueueTime=30\n");
	assert_false(twiml_engine_in_queue(f->e));
	doc(f, "<Say>bye</Say>", "http://app.test/after");
	expect(f, "say bye|man|en-US|1\n");
}

/* No waitUrl: the bundled hold music until an agent dequeues; the bridge; its end goes on
 * after the <Enqueue> (no action). */
static void t_queue_hold_bridge(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue>support</Enqueue><Say>after</Say>");
	expect(f, "answer\nenqueue support max=0\n");
	qev(f, TWIML_Q_JOINED);
	expect(f, "hold loop=0\n");
	struct twiml_queue_event d = {.ev = TWIML_Q_DEQUEUED, .dequeuer_sid = "CA9"};
	twiml_on_queue(f->e, &d);
	expect(f, "stop\nqueue-ready\n");
	qev(f, TWIML_Q_BRIDGED);
	expect(f, "");
	dtmf(f, "1"); /* keys while bridged are not the queue's */
	expect(f, "");
	qev(f, TWIML_Q_UNBRIDGED);
	expect(f, "queue-leave\nsay after|man|en-US|1\n");
	assert_false(twiml_engine_in_queue(f->e));
}

/* <Queue url> markup runs on the dequeued caller first, then the bridge; the caller hanging
 * up while bridged sends the final action with QueueResult=bridged. */
static void t_queue_whisper_then_hangup(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue action=\"/a\" waitUrl=\"/w\">support</Enqueue>");
	expect(f, "answer\nenqueue support max=0\n");
	qev(f, TWIML_Q_JOINED);
	expect(f, "fetch WAIT POST /w base=" APP " status=in-progress " WAITQ "\n");
	doc(f, "<Play>http://m/music.wav</Play>", "http://app.test/w");
	expect(f, "play http://m/music.wav loop=1\n");
	struct twiml_queue_event d = {.ev = TWIML_Q_DEQUEUED, .url = "http://app.test/connect",
	                              .method = TWIML_POST, .dequeuer_sid = "CA9"};
	twiml_on_queue(f->e, &d);
	expect(f, "stop\nfetch QUEUE_URL POST http://app.test/connect base=http://app.test/w "
	          "status=in-progress QueueSid=QU1 QueueTime=7 DequeingCallSid=CA9\n");
	doc(f, "<Say>connecting</Say><Dial>+1</Dial>", "http://app.test/connect");
	expect(f, "say connecting|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "notify 12200 Dial not allowed in a queue document\nqueue-ready\n");
	qev(f, TWIML_Q_BRIDGED);
	twiml_on_call_ended(f->e);
	expect(f, "queue-leave\nfetch ENQUEUE POST /a base=" APP
	          " status=completed QueueResult=bridged QueueSid=QU1 QueueTime=7 final\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
}

/* A full queue: QueueResult=queue-full to the action; without action the next verb. */
static void t_queue_full(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue action=\"/a\">support</Enqueue>");
	expect(f, "answer\nenqueue support max=0\n");
	f->qi = (struct twiml_queue_info){0};
	qev(f, TWIML_Q_FULL);
	expect(f, "queue-leave\nfetch ENQUEUE POST /a base=" APP
	          " status=in-progress QueueResult=queue-full QueueSid= QueueTime=0\n");
	doc(f, "<Enqueue>b</Enqueue><Say>next</Say>", "http://app.test/a");
	expect(f, "enqueue b max=0\n");
	qev(f, TWIML_Q_SYSTEM_ERROR);
	expect(f, "queue-leave\nsay next|man|en-US|1\n");
}

/* The waiting caller hangs up: its prompt stops and the final action says hangup. */
static void t_queue_caller_hangs_up(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue action=\"/a\" waitUrl=\"/w\">support</Enqueue>");
	qev(f, TWIML_Q_JOINED);
	doc(f, "<Gather numDigits=\"1\"><Say>press 1 to leave</Say></Gather>", "http://app.test/w");
	expect(f, "answer\nenqueue support max=0\nfetch WAIT POST /w base=" APP
	          " status=in-progress " WAITQ "\ncollect n=1 key=# t=5000 barge=1\n"
	          "say press 1 to leave|man|en-US|1\n");
	twiml_on_call_ended(f->e);
	expect(f, "collect-stop\nstop\nqueue-leave\nfetch ENQUEUE POST /a base=" APP
	          " status=completed QueueResult=hangup QueueSid=QU1 QueueTime=7 final\n");
}

/* A wait application that fails keeps the caller waiting: one pass of hold music, then the
 * application again; an empty wait document does not spin (1 s pacing). */
static void t_queue_wait_failure_and_pacing(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue waitUrl=\"/w\">support</Enqueue>");
	qev(f, TWIML_Q_JOINED);
	expect(f, "answer\nenqueue support max=0\nfetch WAIT POST /w base=" APP
	          " status=in-progress " WAITQ "\n");
	twiml_on_fetch_failed(f->e, 11200);
	expect(f, "notify 11200 request failed\nhold loop=1\n");
	assert_true(twiml_engine_in_queue(f->e));
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "fetch WAIT POST /w base=" APP " status=in-progress " WAITQ "\n");
	doc(f, "", "http://app.test/w");
	expect(f, "timer 1000\n");
	twiml_on_timer(f->e);
	expect(f, "fetch WAIT POST /w base=" APP " status=in-progress " WAITQ "\n");
	doc(f, "<Hangup/>", "http://app.test/w");
	expect(f, "hangup\nqueue-leave\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
}

/* Dequeued with a <Queue url>, then the dequeuer goes before the bridge: waiting again. */
static void t_queue_requeued(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue>support</Enqueue>");
	qev(f, TWIML_Q_JOINED);
	struct twiml_queue_event d = {.ev = TWIML_Q_DEQUEUED, .url = "http://app.test/c",
	                              .dequeuer_sid = "CA9"};
	twiml_on_queue(f->e, &d);
	expect(f, "answer\nenqueue support max=0\nhold loop=0\nstop\nfetch QUEUE_URL POST "
	          "http://app.test/c base=" APP " status=in-progress QueueSid=QU1 QueueTime=7 "
	          "DequeingCallSid=CA9\n");
	qev(f, TWIML_Q_REQUEUED);
	expect(f, "hold loop=0\n");
	twiml_on_document(f->e, NULL, "x"); /* nothing awaited: ignored */
	expect(f, "");
}

/* Redirected out of the queue (REST): the action is told, its answer not awaited. */
static void t_queue_redirected(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue action=\"/a\">support</Enqueue>");
	qev(f, TWIML_Q_JOINED);
	expect(f, "answer\nenqueue support max=0\nhold loop=0\n");
	twiml_engine_queue_redirected(f->e);
	expect(f, "stop\nqueue-leave\ncallback\nfetch ENQUEUE POST /a base=" APP
	          " status=in-progress QueueResult=redirected QueueSid=QU1 QueueTime=7\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
	assert_false(twiml_engine_in_queue(f->e));
}

/* Resumed after a restart while bridged: the router answers the re-run <Enqueue> with BRIDGED;
 * the bridge's end sends the action. */
static void t_queue_resumed_bridged(void **st)
{
	struct fx *f = *st;
	start(f, "<Enqueue action=\"/a\">support</Enqueue>");
	expect(f, "answer\nenqueue support max=0\n");
	qev(f, TWIML_Q_BRIDGED);
	expect(f, "");
	qev(f, TWIML_Q_JOINED); /* stale: a bridged call does not start waiting */
	expect(f, "");
	qev(f, TWIML_Q_UNBRIDGED);
	expect(f, "queue-leave\nfetch ENQUEUE POST /a base=" APP
	          " status=in-progress QueueResult=bridged QueueSid=QU1 QueueTime=7\n");
}

/* While queued the saved position stays the <Enqueue>: a resumed call joins again. */
static void t_queue_persist_resume(void **st)
{
	struct fx *f = *st;
	start(f, "<Say>hi</Say><Enqueue waitUrl=\"/w\">support</Enqueue>");
	twiml_on_media_done(f->e, f->tok, false);
	char saved[TWIML_STATE_MAX];
	memcpy(saved, f->state, f->state_len + 1);
	unsigned n = f->persists;
	assert_non_null(strstr(saved, "TW1 R 1 "));
	qev(f, TWIML_Q_JOINED);
	doc(f, "<Say>wait</Say>", "http://app.test/w");
	twiml_on_media_done(f->e, f->tok, false);
	assert_int_equal(f->persists, n); /* nothing saved while queued */
	struct twiml_engine *e2;
	assert_int_equal(twiml_engine_create(&e2, &ops_q, f), 0);
	f->n = 0;
	f->log[0] = 0;
	assert_int_equal(twiml_engine_resume(e2, saved, strlen(saved)), 0);
	expect(f, "fetch RESUME POST " APP " base=" APP " status=in-progress\n");
	struct twiml_engine *e1 = f->e;
	f->e = e2;
	doc(f, "<Say>hi</Say><Enqueue waitUrl=\"/w\">support</Enqueue>", APP);
	expect(f, "enqueue support max=0\n");
	twiml_engine_destroy(e1);
}

static void t_gather_finish_key_alone(void **st)
{
	struct fx *f = *st;
	/* Twilio: the finish key before any digit is no input: no request, next verb */
	start(f, "<Gather action=\"/g\"><Say>Pin?</Say></Gather><Say>none</Say>");
	expect(f, "answer\ncollect n=0 key=# t=5000 barge=1\nsay Pin?|man|en-US|1\n");
	dtmf(f, "#");
	expect(f, "stop\ncollect-stop\nsay none|man|en-US|1\n");
}

static void t_outbound_answered(void **st)
{
	struct fx *f = *st;
	twiml_engine_mark_answered(f->e);
	assert_int_equal(twiml_engine_start(f->e, APP, TWIML_POST), 0);
	expect(f, "fetch INITIAL POST " APP " base= status=in-progress\n");
	doc(f, "<Reject/><Say>never</Say>", APP);
	expect(f, "hangup\n"); /* answered already: Reject is a hang-up, never a SIP rejection */
}

static void t_state_resume_bridged(void **st)
{
	struct fx *f = *st;
	start(f, "<Say>hi</Say>" DIAL2);
	expect(f, "answer\nsay hi|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "dial 0 Number +15550001\ndial 1 Sip sip:bob@192.0.2.9\ntimer 30000\n");
	struct twiml_leg_event ev = {.result = TWIML_LEG_ANSWERED,
	                             .sip_code = 200,
	                             .call_sid = "CA11",
	                             .sip_call_id = "abc@h"};
	twiml_on_leg(f->e, 1, &ev);
	expect(f, "timer off\ncancel 0\nbridge 1\ndeadline 14400\n");
	assert_int_equal(f->state[4], 'B');

	/* restarted control: the bridge is re-adopted, nothing is dialled again */
	struct fx *g = calloc(1, sizeof(*g));
	assert_int_equal(twiml_engine_create(&g->e, &ops, g), 0);
	assert_int_equal(twiml_engine_resume(g->e, f->state, f->state_len), 0);
	expect(g, "fetch RESUME POST " APP " base=" APP " status=in-progress\n");
	doc(g, "<Say>hi</Say>" DIAL2, APP);
	expect(g, "");
	assert_int_equal(twiml_engine_state(g->e), TWIML_ST_BRIDGED);
	struct twiml_leg_event end = {.result = TWIML_LEG_ENDED, .duration_s = 30};
	twiml_on_leg(g->e, 1, &end);
	expect(g,
	       "fetch DIAL POST /dialed base=" APP " status=in-progress DialCallStatus=completed "
	       "DialCallSid=CA11 DialCallDuration=30 DialBridged=true DialSipCallId=abc@h "
	       "DialSipResponseCode=200\n");
	twiml_engine_destroy(g->e);

	/* the document changed: no Dial at that position any more → hang up */
	memset(g, 0, sizeof(*g));
	assert_int_equal(twiml_engine_create(&g->e, &ops, g), 0);
	assert_int_equal(twiml_engine_resume(g->e, f->state, f->state_len), 0);
	expect(g, "fetch RESUME POST " APP " base=" APP " status=in-progress\n");
	doc(g, "<Say>hi</Say><Say>changed</Say>", APP);
	expect(g, "notify 12200 resume: the bridged Dial is gone from the document\ncancel 1\n"
	          "hangup\n");
	twiml_engine_destroy(g->e);
	free(g);
}

/* A noun whose sendDigits/url run once the callee answered: ANSWERING stops the ring timeout
 * only; a refusal (NO_ANSWER) rings the next noun; ANSWERED then bridges as usual. */
static void t_dial_answering(void **st)
{
	struct fx *f = *st;
	start(f, "<Dial sequential=\"true\" action=\"/d\"><Number>+15550001</Number>"
	         "<Number>+15550002</Number></Dial>");
	expect(f, "answer\ndial 0 Number +15550001\ntimer 30000\n");
	struct twiml_leg_event ing = {.result = TWIML_LEG_ANSWERING, .call_sid = "CA1"};
	twiml_on_leg(f->e, 0, &ing);
	expect(f, "timer off\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_DIAL);
	struct twiml_leg_event refused = {.result = TWIML_LEG_NO_ANSWER, .call_sid = "CA1"};
	twiml_on_leg(f->e, 0, &refused);
	expect(f, "dial 1 Number +15550002\ntimer 30000\n");
	struct twiml_leg_event ing2 = {.result = TWIML_LEG_ANSWERING, .call_sid = "CA2"};
	twiml_on_leg(f->e, 1, &ing2);
	twiml_on_leg(f->e, 0, &ing2); /* a leg that is done: nothing */
	expect(f, "timer off\n");
	struct twiml_leg_event ans = {.result = TWIML_LEG_ANSWERED, .sip_code = 200, .call_sid = "CA2"};
	twiml_on_leg(f->e, 1, &ans);
	expect(f, "bridge 1\ndeadline 14400\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_BRIDGED);
}

static void o_finished(void *c)
{
	oplog(c, "finished");
}

/* With a finished op (a Dial noun's url), the end of the document is not a hang-up; an explicit
 * <Hangup/> still is. */
static void t_finished_op(void **st)
{
	(void)st;
	struct twiml_ops o2 = ops;
	o2.finished = o_finished;
	struct fx *f = calloc(1, sizeof(*f));
	assert_int_equal(twiml_engine_create(&f->e, &o2, f), 0);
	twiml_engine_mark_answered(f->e);
	assert_int_equal(twiml_engine_start(f->e, APP, TWIML_POST), 0);
	expect(f, "fetch INITIAL POST " APP " base= status=in-progress\n");
	doc(f, "<Say>hi</Say>", APP);
	expect(f, "say hi|man|en-US|1\n");
	twiml_on_media_done(f->e, f->tok, false);
	expect(f, "finished\n");
	assert_int_equal(twiml_engine_state(f->e), TWIML_ST_ENDED);
	twiml_engine_destroy(f->e);
	memset(f, 0, sizeof(*f));
	assert_int_equal(twiml_engine_create(&f->e, &o2, f), 0);
	twiml_engine_mark_answered(f->e);
	assert_int_equal(twiml_engine_start(f->e, APP, TWIML_POST), 0);
	doc(f, "<Hangup/>", APP);
	expect(f, "fetch INITIAL POST " APP " base= status=in-progress\nhangup\n");
	twiml_engine_destroy(f->e);
	free(f);
}

static const char *o_dial_done(void *c)
{
	oplog(c, "dial-done");
	return "http://h/Recordings/RE1";
}

/* ops->dial_done: told when the Dial is over, before its action, whose RecordingUrl it gives. */
static void t_dial_done_recording(void **st)
{
	(void)st;
	struct twiml_ops o2 = ops;
	o2.dial_done = o_dial_done;
	struct fx *f = calloc(1, sizeof(*f));
	assert_int_equal(twiml_engine_create(&f->e, &o2, f), 0);
	assert_int_equal(twiml_engine_start(f->e, APP, TWIML_POST), 0);
	doc(f, "<Dial action=\"/d\" record=\"record-from-answer\"><Number>+15550001</Number></Dial>",
	    APP);
	struct twiml_leg_event ans = {.result = TWIML_LEG_ANSWERED, .sip_code = 200, .call_sid = "CA1"};
	twiml_on_leg(f->e, 0, &ans);
	f->n = 0;
	f->log[0] = 0;
	struct twiml_leg_event end = {.result = TWIML_LEG_ENDED, .duration_s = 7};
	twiml_on_leg(f->e, 0, &end);
	expect(f, "dial-done\nfetch DIAL POST /d base=" APP " status=in-progress "
	          "DialCallStatus=completed DialCallSid=CA1 DialCallDuration=7 DialBridged=true "
	          "RecordingUrl=http://h/Recordings/RE1\n");
	twiml_engine_destroy(f->e);
	free(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
#define TQ(fn) cmocka_unit_test_setup_teardown(fn, fxq_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
	    T(t_say_hangup),
	    T(t_end_of_document),
	    T(t_reject_first),
	    T(t_pause_then_reject),
	    T(t_reject_after_answer),
	    T(t_gather_digits),
	    T(t_gather_finish_key_no_action),
	    T(t_gather_timeout_falls_through),
	    T(t_gather_empty_result),
	    T(t_gather_speech_only),
	    T(t_redirect),
	    T(t_fetch_failed),
	    T(t_dial_parallel_first_wins),
	    T(t_dial_busy),
	    T(t_dial_parallel_busy_and_failed),
	    T(t_dial_timeout),
	    T(t_dial_sequential),
	    T(t_dial_no_action_continues),
	    T(t_dial_caller_hangs_up),
	    T(t_dial_unsupported_noun),
	    T(t_record),
	    T(t_record_empty_and_hangup),
	    T(t_state_resume_verb),
	    T(t_state_resume_pending_action),
	    T(t_call_ended_midway),
	    T(t_warnings_reported),
	    T(t_gather_digit_cap),
	    T(t_long_action_url),
	    T(t_dial_sip_failed_and_empty),
	    T(t_bridged_caller_hangs_up),
	    T(t_inline_doc_and_enqueue),
	    T(t_gather_finish_key_alone),
	    T(t_outbound_answered),
	    T(t_state_resume_bridged),
	    TQ(t_queue_wait_loop_leave),
	    TQ(t_queue_hold_bridge),
	    TQ(t_queue_whisper_then_hangup),
	    TQ(t_queue_full),
	    TQ(t_queue_caller_hangs_up),
	    TQ(t_queue_wait_failure_and_pacing),
	    TQ(t_queue_requeued),
	    TQ(t_queue_redirected),
	    TQ(t_queue_persist_resume),
	    TQ(t_queue_resumed_bridged),
	    T(t_dial_answering),
	    cmocka_unit_test(t_finished_op),
	    cmocka_unit_test(t_dial_done_recording),
	};
	return cmocka_run_group_tests_name("twiml_engine", tests, NULL, NULL);
}
