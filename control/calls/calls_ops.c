/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_ops.c — the interpreter's operations on a call's leg: answer, reject, hangup as SIP
 * commands; Say (espeak-ng) and Play (HTTP + decode) as clips of the media pool, cached by a
 * tag; tones, DTMF collection and recordings as the dataplane's media commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

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

/* ---- media ---- */

/* Pool tag of a cached prompt: SHA-1 of (kind, strings, part), first 16 bytes. */
static void media_tag(uint8_t tag[16], const char *kind, const char *a, const char *b,
                      const char *c, uint32_t part)
{
	SHA_CTX s;
	uint8_t d[SHA_DIGEST_LENGTH];
	SHA1_Init(&s);
	const char *v[] = {kind, a ?: "", b ?: "", c ?: ""};
	for (int i = 0; i < 4; i++)
		SHA1_Update(&s, v[i], strlen(v[i]) + 1);
	SHA1_Update(&s, &part, sizeof(part));
	SHA1_Final(d, &s);
	memcpy(tag, d, 16);
}

/* The clips of a cached prompt (parts 0..n-1), or 0. */
static uint32_t media_find(struct ctl_pool *pool, const char *kind, const char *a,
                           const char *b, const char *c, vox_clip_t *clips)
{
	uint32_t n = 0;
	for (; n < CALLS_PLAY_CLIPS; n++) {
		uint8_t tag[16];
		media_tag(tag, kind, a, b, c, n);
		clips[n] = ctl_pool_find(pool, tag);
		if (!clips[n])
			break;
	}
	return n;
}

static void media_play(struct call *k, const vox_clip_t *clips, uint32_t n, uint32_t loop)
{
	struct vox_play p = {.n = n, .loop = loop};
	memcpy(p.clip, clips, n * sizeof(clips[0]));
	if (call_cmd(k, VOX_CMD_PLAY, 0, &p, sizeof(p)) == 0)
		k->media_sent = true;
	else if (k->eng)
		twiml_on_media_done(k->eng, k->media_token, false);
}

/* A failed prompt: the verb is skipped (Twilio goes on with the next verb), counted. */
static void media_fail(struct call *k, uint32_t code, const char *why)
{
	k->m->cnt.media_errors++;
	CTL_WARN(TAG, "%s: media: %s", k->sid, why);
	calls_notify(k, code, NULL, why, 1);
	if (k->eng)
		twiml_on_media_done(k->eng, k->media_token, false);
}

/* Load samples into the pool as up to CALLS_PLAY_CLIPS clips tagged (kind, a, b, c). */
static uint32_t media_load(struct call *k, const char *kind, const char *a, const char *b,
                           const char *c, const int16_t *pcm, size_t n, vox_clip_t *clips)
{
	struct ctl_pool *pool = k->m->c->pool;
	struct ctl_pool_stats st;
	ctl_pool_stats(pool, &st);
	size_t per = (size_t)st.max_frames * 160;
	uint32_t parts = 0;
	for (size_t off = 0; off < n && parts < CALLS_PLAY_CLIPS; off += per, parts++) {
		uint8_t tag[16];
		media_tag(tag, kind, a, b, c, parts);
		size_t len = n - off < per ? n - off : per;
		if (ctl_pool_clip_load(pool, tag, pcm + off, (uint32_t)len, &clips[parts]) != 0)
			break;
	}
	return parts;
}

struct media_job {
	void *ref;
	uint32_t token, loop;
	char kind[8];
	char *a, *b, *c;
};

static void job_free(struct media_job *j)
{
	free(j->a);
	free(j->b);
	free(j->c);
	free(j);
}

static void media_done_cb(void *cookie, uint64_t id, struct ctl_media_result *res)
{
	struct media_job *j = cookie;
	struct call *k = call_deref(calls_module(), j->ref);
	if (k && k->media_job == id)
		k->media_job = 0;
	if (!k || k->media_token != j->token || k->leg_gone) {
		free(res->samples);
		job_free(j);
		return;
	}
	if (res->status || !k->m->c->pool) {
		free(res->samples);
		media_fail(k, strcmp(j->kind, "say") == 0 ? 13520 : 13227,
		           res->status ? res->error : "media pool not attached");
		job_free(j);
		return;
	}
	vox_clip_t clips[CALLS_PLAY_CLIPS];
	CTL_DEBUG(TAG, "%s: %s ready: %zu samples (from %u Hz, %u ch)", k->sid, j->kind,
	          res->n_samples, res->src_rate, res->src_channels);
	uint32_t n = media_load(k, j->kind, j->a, j->b, j->c, res->samples, res->n_samples, clips);
	free(res->samples);
	if (!n)
		media_fail(k, 12300, "media pool full");
	else
		media_play(k, clips, n, j->loop);
	job_free(j);
}

static struct media_job *job_new(struct call *k, uint32_t token, uint32_t loop, const char *kind,
                                 const char *a, const char *b, const char *c)
{
	struct media_job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->ref = call_ref(k);
	j->token = token;
	j->loop = loop;
	snprintf(j->kind, sizeof(j->kind), "%s", kind);
	j->a = strdup(a ?: "");
	j->b = strdup(b ?: "");
	j->c = strdup(c ?: "");
	if (!j->a || !j->b || !j->c) {
		job_free(j);
		return NULL;
	}
	return j;
}

static void op_say(void *ctx, uint32_t token, const char *text, const char *voice,
                   const char *lang, uint32_t loop)
{
	struct call *k = K(ctx);
	k->media_token = token;
	k->media_sent = false;
	vox_clip_t clips[CALLS_PLAY_CLIPS];
	uint32_t n = k->m->c->pool ? media_find(k->m->c->pool, "say", text, voice, lang, clips) : 0;
	if (n) {
		k->m->cnt.prompts_cached++;
		media_play(k, clips, n, loop);
		return;
	}
	struct media_job *j = job_new(k, token, loop, "say", text, voice, lang);
	if (!k->m->media || !j) {
		if (j)
			job_free(j);
		media_fail(k, 13520, "text to speech unavailable");
		return;
	}
	k->m->cnt.prompts_tts++;
	if (ctl_media_submit_tts(k->m->media, text, voice, lang, media_done_cb, j, &k->media_job)) {
		job_free(j);
		media_fail(k, 13520, "text to speech refused the prompt");
	}
}

static void play_decode(struct call *k, struct media_job *j, void *data, size_t len);

static void play_fetched(const struct http_result *res, void *arg)
{
	struct media_job *j = arg;
	struct call *k = call_deref(calls_module(), j->ref);
	if (!k || k->media_token != j->token || k->leg_gone) {
		job_free(j);
		return;
	}
	k->media_job = 0;
	if (res->error) {
		char why[160];
		snprintf(why, sizeof(why), "Play %s: HTTP %ld (%d)", j->a, res->status, res->error);
		job_free(j);
		media_fail(k, 11200, why);
		return;
	}
	void *data = malloc(res->body_len ? res->body_len : 1);
	if (!data) {
		job_free(j);
		media_fail(k, 11200, "out of memory");
		return;
	}
	memcpy(data, res->body, res->body_len);
	k->m->cnt.plays_fetched++;
	play_decode(k, j, data, res->body_len);
}

/* Decode data (owned, freed by the decoder or here) into the pool for job j, then PLAY. */
static void play_decode(struct call *k, struct media_job *j, void *data, size_t len)
{
	struct ctl_media_src src = {.format = CTL_MEDIA_AUTO, .data = data, .len = len};
	if (!k->m->media ||
	    ctl_media_submit_decode(k->m->media, &src, media_done_cb, j, &k->media_job) != 0) {
		free(data);
		job_free(j);
		media_fail(k, 13227, "decoder unavailable");
	}
}

static void op_play(void *ctx, uint32_t token, const char *url, uint32_t loop)
{
	struct call *k = K(ctx);
	k->media_token = token;
	k->media_sent = false;
	char abs[CALLS_URL_MAX];
	if (http_url_resolve(k->doc_url[0] ? k->doc_url : url, url, abs, sizeof(abs)) != 0)
		snprintf(abs, sizeof(abs), "%s", url);
	vox_clip_t clips[CALLS_PLAY_CLIPS];
	uint32_t n = k->m->c->pool ? media_find(k->m->c->pool, "play", abs, NULL, NULL, clips) : 0;
	/* the <Play> an audio answer stands for: its body is here already */
	void *audio = NULL;
	size_t audio_len = k->hook_audio_len;
	if (k->hook_audio && strcmp(k->hook_audio_url, url) == 0) {
		audio = k->hook_audio;
		k->hook_audio = NULL;
		free(k->hook_audio_url);
		k->hook_audio_url = NULL;
	}
	if (n) {
		/* cached by URL; revalidation (ETag/Last-Modified) is not done yet */
		free(audio);
		k->m->cnt.plays_cached++;
		media_play(k, clips, n, loop);
		return;
	}
	struct media_job *j = job_new(k, token, loop, "play", abs, NULL, NULL);
	if (audio) {
		if (!j) {
			free(audio);
			media_fail(k, 11200, "out of memory");
			return;
		}
		play_decode(k, j, audio, audio_len);
		return;
	}
	/* signed like every request to the application (GET: the URL alone) */
	struct http_request rq = {.url = abs, .method = "GET",
	                          .auth_token = k->token[0] ? k->token : NULL};
	if (!j || !k->m->media_fetch ||
	    http_fetch_start(k->m->media_fetch, &rq, play_fetched, j, NULL) != 0) {
		if (j)
			job_free(j);
		media_fail(k, 11200, "Play: the fetch could not start");
		return;
	}
	k->media_job = 1; /* a fetch: not cancellable by id, its token decides */
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
	struct call *k = K(ctx);
	if (k->media_job > 1 && k->m->media)
		ctl_media_cancel(k->m->media, k->media_job);
	k->media_job = 0;
	if (k->media_sent) {
		/* the STOP's MEDIA_DONE (status 1) is the stopped media's: swallow it */
		k->media_sent = false;
		if (call_cmd(k, VOX_CMD_STOP, 0, NULL, 0) == 0)
			k->media_stop++;
	}
	k->media_token = 0;
}

void calls_ops_media_done(struct call *k, int32_t status)
{
	if (k->media_stop) {
		k->media_stop--;
		return;
	}
	if (!k->media_sent)
		return;
	k->media_sent = false;
	if (k->ob_digits_wait) {
		k->ob_digits_wait = false; /* SendDigits were sent: now the markup */
		calls_api_markup(k);
		return;
	}
	if (k->eng)
		twiml_on_media_done(k->eng, k->media_token, status == 1);
}

void calls_ops_cancel(struct call *k)
{
	if (k->media_job > 1 && k->m->media)
		ctl_media_cancel(k->m->media, k->media_job);
	k->media_job = 0;
	if (k->timer)
		ctl_loop_del_timer(k->m->c->loop, k->timer);
	k->timer = 0;
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
		twiml_on_record_done(k->eng, token, &empty);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.wav", dir, k->rec_sid);
	if (ctl_rec_open(c, k->leg, vr.rec_id, 1, path) != 0) {
		calls_notify(k, 12300, NULL, "Record: the file cannot be opened", 0);
		twiml_on_record_done(k->eng, token, &empty);
		return;
	}
	k->rec_start_ns = ctl_real_ns();
	if (call_cmd(k, VOX_CMD_RECORD, 0, &vr, sizeof(vr)) != 0) {
		ctl_rec_abort(c, k->leg, vr.rec_id);
		twiml_on_record_done(k->eng, token, &empty);
	}
}

static void rec_store(struct call *k, uint32_t dur_s, const char *url)
{
	char d[40], uri[160], du[16];
	store_rfc2822(k->rec_start_ns / 1000, d);
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Recordings/%s.json", k->account_sid,
	         k->rec_sid);
	snprintf(du, sizeof(du), "%u", dur_s);
	json_t *r = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:n, s:s, s:s}",
	    "sid", k->rec_sid, "account_sid", k->account_sid, "call_sid", k->sid, "api_version",
	    STORE_API_VERSION, "date_created", d, "date_updated", d, "start_time", d, "duration", du,
	    "status", "completed", "source", "RecordVerb", "channels", 1, "uri", uri, "media_url",
	    url, "_ts", (json_int_t)(k->rec_start_ns / 1000), "price", "price_unit", "USD",
	    "track", "both");
	struct store_batch *b = store_batch_new();
	if (r && b && store_res_put(b, STORE_K_RECORDING, r, 1) == 0)
		store_submit(k->m->c->store, b, NULL, NULL);
	else
		store_batch_free(b);
	json_decref(r);
}

void calls_ops_record_done(struct call *k, const struct vox_recording_done *d)
{
	if (!k->eng || d->rec_id != k->rec_id || !k->rec_token)
		return;
	uint32_t token = k->rec_token;
	k->rec_token = 0;
	char url[512];
	snprintf(url, sizeof(url), "%s/2010-04-01/Accounts/%s/Recordings/%s", k->m->base_url,
	         k->account_sid, k->rec_sid);
	struct twiml_rec_result r = {.duration_s = (d->duration_ms + 500) / 1000,
	                             .sid = k->rec_sid,
	                             .url = url,
	                             .digit = d->finish};
	if (d->duration_ms) {
		k->m->cnt.recordings++;
		rec_store(k, r.duration_s, url);
	}
	twiml_on_record_done(k->eng, token, &r);
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
