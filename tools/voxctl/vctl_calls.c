/* SPDX-License-Identifier: BSD-3-Clause */
/* vctl_calls.c — `voxctl calls`: the leg mirror straight from shm, and the shared shm opener. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "vctl.h"

int vctl_shm_open(struct vctl *v, struct vox_shm_map *m)
{
	uint32_t abi = 0;
	/* no flock: control may hold it, and we only read (and never reset a ring) */
	int rc = vox_shm_attach(m, v->names.shm_path, 0, &abi);
	switch (rc) {
	case 0:
		return VCTL_OK;
	case -ENOENT:
		fprintf(stderr, "voxplane-dataplane is not running (no shm file at %s)\n",
		        v->names.shm_path);
		return VCTL_ABSENT;
	case -ETIMEDOUT:
		fprintf(stderr, "voxplane-dataplane is starting (%s not ready yet)\n",
		        v->names.shm_path);
		return VCTL_ABSENT;
	case -EPROTONOSUPPORT:
		fprintf(stderr, "shm ABI version %u, this voxctl was built for %u\n", abi,
		        VOX_ABI_VERSION);
		return VCTL_FAILED;
	default:
		fprintf(stderr, "voxctl: %s: %s\n", v->names.shm_path,
		        rc == -EPROTO ? "not a valid voxplane shm file" : strerror(-rc));
		return VCTL_FAILED;
	}
}

static const char *calls_state(uint32_t s)
{
	static const char *const n[] = {"free",    "created",  "offered", "dialing",
	                                "ringing", "answered", "ending"};
	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static const char *calls_kind(uint32_t k)
{
	static const char *const n[] = {"-", "loopback", "sip-in", "sip-out"};
	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static void calls_tag(const uint8_t *tag, char *out)
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", tag[i]);
}

/* Seconds from now to a CLOCK_REALTIME deadline (negative: past). */
static double calls_secs(uint64_t at, uint64_t now)
{
	return at >= now ? (double)(at - now) / 1e9 : -(double)(now - at) / 1e9;
}

int vctl_cmd_calls(struct vctl *v, int argc, char **argv)
{
	int as_json = argc == 2 && !strcmp(argv[1], "--json");
	if (argc > 2 || (argc == 2 && !as_json)) {
		fprintf(stderr, "usage: voxctl calls [--json]\n");
		return VCTL_USAGE;
	}
	struct vox_shm_map m;
	int rc = vctl_shm_open(v, &m);
	if (rc)
		return rc;
	const struct vox_shm_hdr *h = m.hdr;
	uint64_t now = vctl_real_ns();
	json_t *legs = as_json ? json_array() : NULL;
	uint32_t n = 0, busy = 0;
	if (!as_json)
		printf("%-18s %3s %7s %-8s %-8s %5s %-32s %9s %8s %7s %7s %6s %6s %6s %6s %6s %-5s\n",
		       "handle", "w", "slot", "state", "kind", "acct", "tag", "deadline", "age",
		       "rtp_rx", "rtp_tx", "lost", "jit_us", "rtt_us", "p_lost", "p_jit", "media");
	for (uint32_t w = 0; w < h->n_workers; w++)
		for (uint32_t s = 0; s < h->mirror_slots; s++) {
			struct vox_leg_mirror e;
			if (vox_mirror_read(vox_shm_mirror(&m, w, s), &e, 1000) != 0) {
				busy++;
				continue;
			}
			if (e.state == VOX_LEG_FREE)
				continue;
			n++;
			char tag[33], hx[24];
			calls_tag(e.tag, tag);
			snprintf(hx, sizeof(hx), "0x%016llx", (unsigned long long)e.handle);
			double age = e.created_ns ? -calls_secs(e.created_ns, now) : 0;
			if (as_json) {
				json_t *o = json_pack(
				    "{s:s, s:i, s:i, s:s, s:s, s:i, s:s, s:f, s:i, s:i, s:i, s:i, "
				    "s:i, s:i}",
				    "handle", hx, "worker", (json_int_t)w, "slot", (json_int_t)s,
				    "state", calls_state(e.state), "kind", calls_kind(e.kind),
				    "account", (json_int_t)e.account_idx, "tag", tag, "age_s", age,
				    "rtp_rx", (json_int_t)e.rtp_rx, "rtp_tx", (json_int_t)e.rtp_tx,
				    "lost", (json_int_t)e.lost, "jitter_us",
				    (json_int_t)e.jitter_us, "rtt_us", (json_int_t)e.rtt_us,
				    "jb_depth_ms", (json_int_t)e.jb_depth_ms);
				json_object_set_new(o, "deadline_s",
				                    e.deadline_ns
				                        ? json_real(calls_secs(e.deadline_ns, now))
				                        : json_null());
				json_object_set_new(o, "bridge_peer",
				                    json_integer((json_int_t)e.bridge_peer));
				/* RTCP: what the peer reports about our stream; rtt_us null until measured */
				json_object_set_new(o, "rtt_us", e.media_flags & VOX_MEDIA_HAVE_RTT
				                                     ? json_integer((json_int_t)e.rtt_us)
				                                     : json_null());
				json_object_set_new(o, "peer_lost", json_integer((json_int_t)e.peer_lost));
				json_object_set_new(o, "peer_loss_pct",
				                    json_real(e.peer_loss_frac * 100.0 / 256.0));
				json_object_set_new(o, "peer_jitter_us",
				                    json_integer((json_int_t)e.peer_jitter_us));
				json_object_set_new(o, "rtcp_rx", json_integer((json_int_t)e.rtcp_rx));
				json_object_set_new(o, "rtcp_tx", json_integer((json_int_t)e.rtcp_tx));
				json_object_set_new(o, "srtp", json_boolean(e.media_flags & VOX_MEDIA_SRTP));
				json_object_set_new(o, "srtp_fail", json_integer((json_int_t)e.srtp_fail));
				json_object_set_new(o, "media_timeout",
				                    json_boolean(e.media_flags & VOX_MEDIA_TIMEOUT));
				json_array_append_new(legs, o);
				continue;
			}
			char dl[16] = "-";
			if (e.deadline_ns)
				snprintf(dl, sizeof(dl), "%.1fs", calls_secs(e.deadline_ns, now));
			char rtt[16] = "-", media[8];
			if (e.media_flags & VOX_MEDIA_HAVE_RTT)
				snprintf(rtt, sizeof(rtt), "%u", e.rtt_us);
			snprintf(media, sizeof(media), "%s%s", e.media_flags & VOX_MEDIA_SRTP ? "srtp" : "rtp",
			         e.media_flags & VOX_MEDIA_TIMEOUT ? "!" : "");
			printf("%-18s %3u %7u %-8s %-8s %5u %-32s %9s %7.1fs %7u %7u %6u %6u %6s %6u %6u %-5s\n",
			       hx, w, s, calls_state(e.state), calls_kind(e.kind), e.account_idx,
			       tag, dl, age, e.rtp_rx, e.rtp_tx, e.lost, e.jitter_us, rtt, e.peer_lost,
			       e.peer_jitter_us, media);
		}
	if (as_json) {
		char boot[20];
		snprintf(boot, sizeof(boot), "%016llx", (unsigned long long)h->boot_id);
		json_t *j = json_pack("{s:s, s:o, s:i}", "boot_id", boot, "legs", legs, "busy",
		                      (json_int_t)busy);
		json_dumpf(j, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(j);
	} else {
		printf("%u legs%s\n", n,
		       busy ? " (some entries were changing too fast to read)" : "");
	}
	vox_shm_unmap(&m);
	return VCTL_OK;
}
