/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_ops.c — the interpreter's operations on a call's leg: answer, reject, hangup as SIP
 * commands; Say and Play (calls_media.c); tones, DTMF collection and recordings as the
 * dataplane's media commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_priv.h"
#include "ctl_dp.h"
#include "ctl_log.h"
#include "ctl_media.h"
#include "ctl_pool.h"
#include "ctl_rec.h"
#include "http_ctl.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"

static struct call *K(void *ctx)
{
	return ctx;
}

static void op_answer(void *ctx)
{
	call_cmd(K(ctx), VOX_CMD_ANSWER, 0, NULL, 0);
}

static void op_ring(void *ctx)
{
	call_cmd(K(ctx), VOX_CMD_RING, 180, NULL, 0);
}

static void op_reject(void *ctx, int code)
{
	struct call *k = K(ctx);
	struct ctl_dp_pay p;
	struct vox_sip_reply r = {.code = (uint16_t)code};
	ctl_dp_pay_init(&p, sizeof(r));
	ctl_dp_pay_fixed(&p, &r, sizeof(r));
	k->rejected = true;
	k->rejected_busy = code == 486;
	call_cmd(k, VOX_CMD_REJECT, 0, p.buf, p.len);
}

static void op_hangup(void *ctx)
{
	call_cmd(K(ctx), VOX_CMD_HANGUP, 0, NULL, 0);
}

/* ---- media (calls_media.c) ---- */

static void op_say(void *ctx, uint32_t token, const char *text, const char *voice,
                   const char *lang, uint32_t loop)
{
	calls_media_say(K(ctx), token, text, voice, lang, loop);
}

static void op_play(void *ctx, uint32_t token, const char *url, uint32_t loop)
{
	calls_media_play(K(ctx), token, url, loop);
}

static void op_tones(void *ctx, uint32_t token, const char *digits)
{
	struct call *k = K(ctx);
	k->media_token = token;
	struct vox_tone t = {.kind = VOX_TONE_DIGITS};
	snprintf(t.digits, sizeof(t.digits), "%s", digits);
	if (call_cmd(k, VOX_CMD_TONE, 0, &t, sizeof(t)) == 0)
		k->media_sent = true;
	else if (k->eng)
		twiml_on_media_done(k->eng, token, false);
}

static void op_beep(void *ctx, uint32_t token)
{
	struct call *k = K(ctx);
	k->media_token = token;
	struct vox_tone t = {.kind = VOX_TONE_BEEP, .ms = 500};
	if (call_cmd(k, VOX_CMD_TONE, 0, &t, sizeof(t)) == 0)
		k->media_sent = true;
	else if (k->eng)
		twiml_on_media_done(k->eng, token, false);
}

static void op_stop_media(void *ctx)
{
	calls_media_stop(K(ctx));
}

/* ---- keys ---- */

static void op_collect(void *ctx, const struct twiml_collect_op *op)
{
	struct call *k = K(ctx);
	k->collecting = true;
	/* a COLLECT starts the leg's key detection (in-band included); the engine applies the
	 * Gather rules to the DTMF events, so the dataplane's own limits are wide */
	struct vox_collect cl = {.max_digits = VOX_DIGITS_MAX};
	call_cmd(k, VOX_CMD_COLLECT, 0, &cl, sizeof(cl));
}

static void op_collect_stop(void *ctx)
{
	K(ctx)->collecting = false;
}

void calls_ops_dtmf(struct call *k, char digit)
{
	if (k->eng && (k->collecting || twiml_engine_state(k->eng) == TWIML_ST_RECORD))
		twiml_on_dtmf(k->eng, digit);
}

/* ---- Record ---- */

static void rec_closed(void *arg, const struct ctl_rec_closed *rc);

static void op_record(void *ctx, uint32_t token, const struct twiml_record_op *r)
{
	struct call *k = K(ctx);
	struct ctl *c = k->m->c;
	char dir[300], path[400];
	snprintf(dir, sizeof(dir), "%s/recordings", c->cfg.data_dir);
	struct vox_record vr = {.max_ms = r->max_length_s * 1000u,
	                        .silence_ms = r->timeout_s * 1000u};
	if (r->finish_keys && *r->finish_keys)
		ctl_keys_mask(r->finish_keys, &vr.finish_keys);
	vr.rec_id = ++k->rec_id;
	k->rec_token = token;
	struct twiml_rec_result empty = {0};
	if (ctl_mkdirs(dir) != 0 || store_sid_new(k->rec_sid, "RE") != 0) {
		k->rec_token = 0;
		twiml_on_record_done(k->eng, token, &empty);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.wav", dir, k->rec_sid);
	if (ctl_rec_open(c, k->leg, vr.rec_id, 1, path) != 0) {
		calls_notify(k, 12300, NULL, "Record: the file cannot be opened", 0);
		k->rec_token = 0;
		twiml_on_record_done(k->eng, token, &empty);
		return;
	}
	/* trim="trim-silence" (the default): the writer cuts the silence at both ends before
	 * the file is reported; the Recording's duration is the trimmed file's */
	ctl_rec_watch(c, k->leg, vr.rec_id, r->trim, rec_closed, call_ref(k));
	k->rec_start_ns = ctl_real_ns();
	if (call_cmd(k, VOX_CMD_RECORD, 0, &vr, sizeof(vr)) != 0) {
		ctl_rec_abort(c, k->leg, vr.rec_id); /* no close will be reported */
		k->rec_token = 0;
		twiml_on_record_done(k->eng, token, &empty);
	}
}

/* A Recording resource of call k (source RecordVerb, DialVerb...), stored (not awaited). */
void calls_recording_put(struct call *k, const char *sid, uint64_t start_ns, uint32_t dur_s,
                         uint32_t channels, const char *source, const char *url)
{
	char d[40], uri[160], du[16];
	store_rfc2822(start_ns / 1000, d);
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Recordings/%s.json", k->account_sid, sid);
	snprintf(du, sizeof(du), "%u", dur_s);
	json_t *r = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:n, s:s, s:s}",
	    "sid", sid, "account_sid", k->account_sid, "call_sid", k->sid, "api_version",
	    STORE_API_VERSION, "date_created", d, "date_updated", d, "start_time", d, "duration", du,
	    "status", "completed", "source", source, "channels", (int)channels, "uri", uri,
	    "media_url", url, "_ts", (json_int_t)(start_ns / 1000), "price", "price_unit", "USD",
	    "track", "both");
	struct store_batch *b = store_batch_new();
	if (r && b && store_res_put(b, STORE_K_RECORDING, r, 1) == 0)
		store_submit(k->m->c->store, b, NULL, NULL);
	else
		store_batch_free(b);
	json_decref(r);
}

/* RECORDING_DONE reaches the call right after ctl_rec queued the file's close: the recording
 * is reported from rec_closed, once the writer thread closed (and trimmed) the file. */
void calls_ops_record_done(struct call *k, const struct vox_recording_done *d)
{
	(void)k;
	(void)d;
}

static void rec_closed(void *arg, const struct ctl_rec_closed *rc)
{
	/* closed by RECORDING_DONE, or by LEG_ENDED when that came first (the caller hung up and
	 * the dataplane's RECORDING_DONE was late or dropped): reported either way, as Twilio
	 * requests the action of a Record the caller hung up on */
	struct call *k = call_deref(calls_module(), arg);
	if (!k || !k->eng || rc->rec_id != k->rec_id || !k->rec_token)
		return;
	const struct vox_recording_done *d = &rc->done; /* zeros without RECORDING_DONE */
	if (rc->err) {
		char why[96];
		snprintf(why, sizeof(why), "Record: the file could not be written (%d)", rc->err);
		calls_notify(k, 12300, NULL, why, 1);
	}
	uint32_t token = k->rec_token;
	k->rec_token = 0;
	char url[512];
	snprintf(url, sizeof(url), "%s/2010-04-01/Accounts/%s/Recordings/%s", k->m->base_url,
	         k->account_sid, k->rec_sid);
	struct twiml_rec_result r = {.duration_s = (rc->duration_ms + 500) / 1000,
	                             .sid = k->rec_sid,
	                             .url = url,
	                             .digit = d->finish};
	if (rc->duration_ms && !rc->err) {
		k->m->cnt.recordings++;
		calls_recording_put(k, k->rec_sid, k->rec_start_ns, r.duration_s, 1, "RecordVerb", url);
	}
	twiml_on_record_done(k->eng, token, &r);
	if (k->gen)
		call_maybe_free(k); /* the caller may be gone: the call waited for this */
}

/* ---- Dial (calls_dial.c) ---- */

static void op_dial(void *ctx, uint32_t leg, const struct twiml_node *dial,
                    const struct twiml_node *noun)
{
	calls_dial_op(K(ctx), leg, dial, noun);
}

static void op_dial_cancel(void *ctx, uint32_t leg)
{
	calls_dial_cancel(K(ctx), leg);
}

static void op_bridge(void *ctx, uint32_t leg)
{
	calls_dial_bridge(K(ctx), leg);
}

/* <Dial timeLimit>: the dialed party's leg ends at the limit (Twilio: the caller goes on with
 * the action or the next verb); a dequeued caller is unbridged instead. */
static void op_set_deadline(void *ctx, uint32_t seconds)
{
	struct call *k = K(ctx);
	calls_dial_deadline(k, k->bridge_leg, seconds);
}

/* ---- timer, fetch, notify, persist ---- */

static int64_t timer_fire(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct call *k = call_deref(calls_module(), arg);
	if (!k || k->timer != id)
		return CTL_TIMER_STOP;
	k->timer = 0;
	if (k->eng)
		twiml_on_timer(k->eng);
	if (k->gen)
		call_maybe_free(k);
	return CTL_TIMER_STOP;
}

static void op_timer(void *ctx, uint32_t ms)
{
	struct call *k = K(ctx);
	if (k->timer)
		ctl_loop_del_timer(k->m->c->loop, k->timer);
	k->timer = ms ? ctl_loop_add_timer(k->m->c->loop, ms, timer_fire, call_ref(k)) : 0;
}

static void op_fetch(void *ctx, const struct twiml_fetch *f)
{
	calls_hook_fetch(K(ctx), f, false);
}

static void op_callback(void *ctx, const struct twiml_fetch *f)
{
	calls_hook_fetch(K(ctx), f, true);
}

static void op_notify(void *ctx, uint32_t code, const char *what)
{
	struct call *k = K(ctx);
	calls_notify(k, code, k->doc_url, what, code >= 13000 && code < 14000);
}

static void op_persist(void *ctx, const char *state, size_t len)
{
	struct call *k = K(ctx);
	char *copy = strndup(state, len);
	if (!copy)
		return;
	free(k->eng_state);
	k->eng_state = copy;
	if (!k->m->c->store || !k->committed || k->leg_gone)
		return;
	struct store_batch *b = store_batch_new();
	if (b && calls_state_put(k, b) == 0)
		store_submit(k->m->c->store, b, NULL, NULL);
	else
		store_batch_free(b);
}

/* ---- queues (calls_queue.c) ---- */

static void op_enqueue(void *ctx, const char *name, uint32_t max_size)
{
	calls_queue_enqueue(K(ctx), name, max_size);
}

static void op_queue_leave(void *ctx)
{
	calls_queue_leave(K(ctx));
}

static void op_queue_ready(void *ctx)
{
	calls_queue_ready(K(ctx));
}

static void op_queue_info(void *ctx, struct twiml_queue_info *out)
{
	calls_queue_info(K(ctx), out);
}

static void op_hold(void *ctx, uint32_t token, uint32_t loop)
{
	calls_queue_hold(K(ctx), token, loop);
}

const struct twiml_ops calls_twiml_ops = {
    .answer = op_answer,
    .ring = op_ring,
    .reject = op_reject,
    .hangup = op_hangup,
    .say = op_say,
    .play = op_play,
    .tones = op_tones,
    .beep = op_beep,
    .stop_media = op_stop_media,
    .collect = op_collect,
    .collect_stop = op_collect_stop,
    .record = op_record,
    .dial = op_dial,
    .dial_cancel = op_dial_cancel,
    .bridge = op_bridge,
    .set_deadline = op_set_deadline,
    .timer = op_timer,
    .fetch = op_fetch,
    .notify = op_notify,
    .persist = op_persist,
    .callback = op_callback,
    .enqueue = op_enqueue,
    .queue_leave = op_queue_leave,
    .queue_ready = op_queue_ready,
    .queue_info = op_queue_info,
    .hold = op_hold,
    .dial_done = calls_dial_done,
};
