/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_script.h — scripted mode: call decisions from a rules file instead of markup (tests). */
#ifndef CTL_SCRIPT_H
#define CTL_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vox_abi.h"

/*
 * Until the markup interpreter lands, integration tests drive call decisions with a script:
 *
 *     # comment
 *     486: reject 486 Busy Here
 *     *:   ring 180; wait 100; answer
 *
 * One rule a line, `MATCH: ACTION; ACTION; ...`. MATCH is the called user (the Request-URI's
 * user, else the To user), compared exactly, or `*`; the first matching rule wins. An offered
 * inbound leg (EVT_LEG_OFFERED) runs the actions of its rule in order; `wait` and `dial` pause
 * the run on a loop timer or on the outbound leg's outcome, nothing ever blocks. A request
 * control must answer (EVT_SIP_REQUEST) runs the first matching rule that `respond`s.
 * The grammar is in control/README.md.
 *
 * A call's state (its rule, the next action, a pending timer) lives in a bounded table and is
 * dropped when its leg ends or fails; an offer beyond the bound is rejected 503 and counted.
 * `script reload` swaps the rules: running calls finish with the rules they started with.
 */
struct ctl;
struct ctl_script;
struct vox_rec_hdr;

/* Load c->cfg.script into c->script (nothing when the key is empty). Returns 0, -EINVAL with
 * "FILE:LINE: why" in err for a bad line, -errno when the file cannot be read, or -ENOMEM. */
int ctl_script_open(struct ctl *c, char *err, size_t errlen);
/* Forget every call and free the rules (no commands are sent). Safe when off. */
void ctl_script_close(struct ctl *c);
/* Re-read the file. Returns 0, -ENOENT when scripted mode is off, or ctl_script_open's errors
 * (the old rules stay). *n_rules (may be NULL) receives the new rule count. */
int ctl_script_reload(struct ctl *c, uint32_t *n_rules, char *err, size_t errlen);
/* Forget every call without sending anything (detach: the handles mean nothing any more). */
void ctl_script_reset(struct ctl *c);

/* Event hooks, called from ctl_dp's event table after control's own view is updated. They do
 * nothing when scripted mode is off. */
void ctl_script_on_offered(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_created(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_answered(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
/* LEG_MEDIA_TIMEOUT: the call's leg got no RTP for the dataplane's rtp_timeout_ms: logged and
 * hung up (counter media_timeouts). */
void ctl_script_on_media_timeout(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_ended(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_failed(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_stale(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_bridge_failed(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_script_on_request(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);

/* {"offered":n, ...} (zeros when off). New reference. */
json_t *ctl_script_counters_json(const struct ctl *c);
/* Counters plus "enabled", "path", "rules", "calls" (live), "max_calls". New reference. */
json_t *ctl_script_stats_json(const struct ctl *c);
/* The called user of a leg scripted mode follows, or NULL. */
const char *ctl_script_called(const struct ctl *c, vox_handle_t leg);

#endif /* CTL_SCRIPT_H */
