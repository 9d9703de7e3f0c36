/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_dialrec.c — <Dial record="record-from-answer|record-from-ringing[-dual]">: a RECORD of
 * the caller's leg (once bridged it records both directions; dual: two channels, the caller's
 * side and what it hears), from the bridge or from the Dial's start, until the Dial is over; a
 * Recording record (source DialVerb), RecordingUrl in the Dial's action, the Dial's
 * recordingStatusCallback. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_priv.h"
#include "ctl_log.h"
#include "ctl_rec.h"
#include "http.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"

static bool dual(const struct call *k)
{
	return k->dr.mode == TWIML_REC_FROM_ANSWER_DUAL || k->dr.mode == TWIML_REC_FROM_RINGING_DUAL;
}

static void start(struct call *k)
{
	struct call_dialrec *r = &k->dr;
	if (r->on || r->mode == TWIML_REC_NONE || k->leg_gone)
		return;
	struct ctl *c = k->m->c;
	char dir[300], path[400];
	snprintf(dir, sizeof(dir), "%s/recordings", c->cfg.data_dir);
	struct vox_record vr = {.rec_id = ++k->rec_id, .flags = dual(k) ? VOX_RECORDF_DUAL : 0};
	if (ctl_mkdirs(dir) != 0 || store_sid_new(r->sid, "RE") != 0) {
		calls_notify(k, 12300, NULL, "Dial record: no recordings folder", 1);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.wav", dir, r->sid);
	if (ctl_rec_open(c, k->leg, vr.rec_id, dual(k) ? 2 : 1, path) != 0) {
		calls_notify(k, 12300, NULL, "Dial record: the file cannot be opened", 1);
		return;
	}
	if (call_cmd(k, VOX_CMD_RECORD, 0, &vr, sizeof(vr)) != 0) {
		ctl_rec_abort(c, k->leg, vr.rec_id);
		return;
	}
	r->on = true;
	r->rec_id = vr.rec_id;
	r->start_ns = ctl_real_ns();
	snprintf(r->url, sizeof(r->url), "%s/2010-04-01/Accounts/%s/Recordings/%s", k->m->base_url,
	         k->account_sid, r->sid);
}

void calls_dialrec_dial(struct call *k, const struct twiml_node *dial)
{
	struct call_dialrec *r = &k->dr;
	if (r->node == dial)
		return; /* the same Dial's next noun */
	calls_dialrec_stop(k, true);
	free(r->rsc);
	r->rsc = NULL;
	r->node = dial;
	r->mode = dial->u.dial.record;
	r->url[0] = 0;
	r->rsc_get = dial->u.dial.rsc_method == TWIML_GET;
	if (r->mode != TWIML_REC_NONE && dial->u.dial.rsc && *dial->u.dial.rsc) {
		char abs[CALLS_URL_MAX];
		r->rsc = strdup(http_url_resolve(k->doc_url, dial->u.dial.rsc, abs, sizeof(abs))
		                    ? dial->u.dial.rsc : abs);
	}
	/* from-ringing: now, when the caller is answered already (else from the bridge) */
	bool answered = k->answered || (k->eng && twiml_engine_answered(k->eng));
	if (answered && (r->mode == TWIML_REC_FROM_RINGING || r->mode == TWIML_REC_FROM_RINGING_DUAL))
		start(k);
}

void calls_dialrec_bridge(struct call *k)
{
	start(k);
}

bool calls_dialrec_stop(struct call *k, bool send)
{
	struct call_dialrec *r = &k->dr;
	if (!r->on)
		return false;
	r->on = false;
	r->node = NULL; /* a later Dial (even at the same address) starts afresh */
	/* STOP ends the RECORD (RECORDING_DONE) and the hangupOnStar COLLECT; MEDIA_DONE only
	 * comes of it when something plays (the ring tone: the caller counts it) */
	if (send)
		call_cmd(k, VOX_CMD_STOP, 0, NULL, 0);
	return true;
}

const char *calls_dialrec_url(const struct call *k)
{
	return k->dr.url[0] ? k->dr.url : NULL;
}

bool calls_dialrec_done(struct call *k, const struct vox_recording_done *d)
{
	struct call_dialrec *r = &k->dr;
	if (!r->sid[0] || d->rec_id != r->rec_id)
		return false;
	r->on = false;
	uint32_t dur = (d->duration_ms + 500) / 1000, ch = d->channels ? d->channels : 1;
	if (d->duration_ms && k->m->c->store) {
		k->m->cnt.recordings++;
		calls_recording_put(k, r->sid, r->start_ns, dur, ch, "DialVerb", r->url);
	}
	if (r->rsc && d->duration_ms) {
		char du[16], chs[8], st[40];
		snprintf(du, sizeof(du), "%u", dur);
		snprintf(chs, sizeof(chs), "%u", ch);
		store_rfc2822(r->start_ns / 1000, st);
		struct twiml_fetch f = {.kind = TWIML_FETCH_RECORDING_STATUS,
		                        .method = r->rsc_get ? TWIML_GET : TWIML_POST,
		                        .url = r->rsc,
		                        .base = "",
		                        .call_status = k->status ? k->status : "in-progress"};
		const struct twiml_kv kv[] = {{"RecordingSid", r->sid},
		                              {"RecordingUrl", r->url},
		                              {"RecordingStatus", "completed"},
		                              {"RecordingDuration", du},
		                              {"RecordingChannels", chs},
		                              {"RecordingStartTime", st},
		                              {"RecordingSource", "DialVerb"}};
		for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
			f.params[f.n_params++] = kv[i];
		calls_hook_fetch(k, &f, true);
	}
	CTL_INFO(TAG, "%s: Dial recording %s: %u ms, %u channel(s)", k->sid, r->sid, d->duration_ms,
	         ch);
	r->sid[0] = 0;
	return true;
}

void calls_dialrec_free(struct call *k)
{
	free(k->dr.rsc);
	k->dr.rsc = NULL;
}
