/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_abi.h — the control/dataplane contract: version, limits, handles, addresses, records. */
#ifndef VOX_ABI_H
#define VOX_ABI_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

/*
 * Everything in this file crosses the process boundary through the shm file. Rules:
 *  - no pointers, only handles and byte offsets from the start of the shm file;
 *  - every record and shared struct has a _Static_assert on its size;
 *  - any change to a layout bumps VOX_ABI_VERSION (control refuses a different version).
 */
#define VOX_SHM_MAGIC 0x454e414c50584f56ull /* "VOXPLANE" little endian */
#define VOX_ABI_VERSION 2u /* 2: leg mirror quality fields, LEG_MEDIA_TIMEOUT, vox_dial.flags */

#define VOX_MAX_WORKERS 16u   /* worker lcores per node */
#define VOX_REC_SLOT 64u      /* one ring element */
#define VOX_REC_MAX_SLOTS 160u /* header + continuation: 159 * 64 = 10176 payload bytes max */
#define VOX_REC_MAX_PAYLOAD ((VOX_REC_MAX_SLOTS - 1u) * VOX_REC_SLOT)

/* ---------------------------------------------------------------------------------------
 * Leg handle: node:8 | lcore:8 | slot:24 | generation:24.
 * "lcore" is the worker index (0..n_workers-1), not the EAL lcore id. Generations start at a
 * random value every boot, so a handle from a previous boot is stale with high probability
 * even before control notices the new boot_id. Handle 0 is never valid.
 * --------------------------------------------------------------------------------------- */
typedef uint64_t vox_handle_t;

#define VOX_HANDLE_SLOT_MAX 0xffffffu
#define VOX_HANDLE_GEN_MASK 0xffffffu

static inline vox_handle_t vox_handle_make(uint32_t node, uint32_t lcore, uint32_t slot, uint32_t gen)
{
	return ((uint64_t)(node & 0xff) << 56) | ((uint64_t)(lcore & 0xff) << 48) |
	       ((uint64_t)(slot & 0xffffff) << 24) | (uint64_t)(gen & 0xffffff);
}
static inline uint32_t vox_handle_node(vox_handle_t h) { return (uint32_t)(h >> 56) & 0xff; }
static inline uint32_t vox_handle_lcore(vox_handle_t h) { return (uint32_t)(h >> 48) & 0xff; }
static inline uint32_t vox_handle_slot(vox_handle_t h) { return (uint32_t)(h >> 24) & 0xffffff; }
static inline uint32_t vox_handle_gen(vox_handle_t h) { return (uint32_t)h & 0xffffff; }

/* ---------------------------------------------------------------------------------------
 * Addresses: 16 bytes plus a family everywhere, so IPv6 needs no ABI change.
 * IPv4 addresses sit in addr[0..3], network byte order. Port in host byte order.
 * --------------------------------------------------------------------------------------- */
enum vox_af { VOX_AF_NONE = 0, VOX_AF_INET = 4, VOX_AF_INET6 = 6 };

struct vox_addr {
	uint8_t family; /* enum vox_af */
	uint8_t rsvd;
	uint16_t port;
	uint8_t addr[16];
};
_Static_assert(sizeof(struct vox_addr) == 20, "vox_addr is ABI");

/* ---------------------------------------------------------------------------------------
 * Records. A record is one 64-byte header slot followed by n_slots continuation slots that
 * carry `len` payload bytes. A record is enqueued with one bulk enqueue (all or nothing), so
 * a consumer that sees the header can always dequeue its continuation slots at once.
 * --------------------------------------------------------------------------------------- */
enum vox_rec_flag {
	VOX_RECF_TRUNCATED = 1u << 0, /* payload was cut to the configured maximum */
	VOX_RECF_REEMIT = 1u << 1,    /* state event re-emitted from leg state (ring was full, or a
					 new control attached before acknowledging it) */
};

struct vox_rec_hdr {
	uint16_t type;    /* enum vox_rec_type */
	uint16_t flags;   /* enum vox_rec_flag */
	uint16_t n_slots; /* continuation slots that follow */
	uint16_t worker;  /* worker index that produced (event) or must consume (command) it */
	uint32_t len;     /* payload bytes in the continuation slots */
	int32_t status;   /* result: 0 or a negative errno / SIP code, per type */
	uint64_t leg;     /* vox_handle_t, 0 when not about a leg */
	uint8_t tag[16];  /* control's opaque tag for the leg (e.g. its CallSid digest) */
	uint64_t req_id;  /* control request id, echoed by the answering event */
	uint64_t seq;     /* per-worker sequence number of events; control's for commands */
	uint64_t ts_ns;   /* CLOCK_REALTIME ns when produced */
};
_Static_assert(sizeof(struct vox_rec_hdr) == VOX_REC_SLOT, "record header is one slot");

/* Record types. Commands flow control -> worker, events worker -> control. */
enum vox_rec_type {
	VOX_REC_NONE = 0,

	/* commands (0x0001 - 0x7fff) */
	VOX_CMD_PING = 0x0001,       /* payload vox_ping; answered by EVT_PONG */
	VOX_CMD_LEG_CREATE = 0x0010, /* payload vox_leg_create; answered by LEG_CREATED/LEG_FAILED */
	VOX_CMD_LEG_END = 0x0011,    /* end a leg; answered by LEG_ENDED or STALE_HANDLE */
	VOX_CMD_SET_DEADLINE = 0x0012, /* payload vox_deadline */
	VOX_CMD_DIAG_BURST = 0x00f0, /* diagnostic: create `status` loopback legs at once (tests the
					 never-drop path for state events); ids req_id..+n-1 */

	/* SIP legs (payloads: fixed struct, then the strings its vox_pstr fields point at) */
	VOX_CMD_RING = 0x0020,     /* inbound leg: 180, or 183 with early media; status = code */
	VOX_CMD_ANSWER = 0x0021,   /* inbound leg: 200 with our SDP answer */
	VOX_CMD_REJECT = 0x0022,   /* inbound leg, never answered: payload vox_sip_reply */
	VOX_CMD_HANGUP = 0x0023,   /* BYE (answered), CANCEL (outbound ringing) or 480 (inbound
				      unanswered); status = optional SIP code for the unanswered case */
	VOX_CMD_DIAL = 0x0024,     /* new outbound leg: payload vox_dial; LEG_CREATED echoes req_id;
				      hdr.leg may name the inbound leg it serves (same worker): its
				      Max-Forwards is decremented, and 483 answers it when 0 */
	VOX_CMD_CANCEL_LEG = 0x0025, /* outbound leg not answered yet: CANCEL */
	VOX_CMD_RESPOND = 0x0026,  /* answer a request delivered by EVT_SIP_REQUEST: vox_sip_reply */
	VOX_CMD_SEND_REQUEST = 0x0027, /* non-INVITE request in (leg != 0) or out of a dialog */
	VOX_CMD_SET_MATCH = 0x0028, /* per leg: report signalling matching a code class or header */
	VOX_CMD_SET_ACL = 0x0029,   /* replace the inbound source access list: vox_acl */

	/* media on a leg */
	VOX_CMD_PLAY = 0x0030, /* play clips of the shared media pool: vox_play; ends with MEDIA_DONE */
	VOX_CMD_STOP = 0x0031, /* stop what is playing: MEDIA_DONE with status 1; also ends a TONE,
				  a SILENCE, a COLLECT (DIGITS, reason STOPPED) and a RECORD */
	VOX_CMD_TONE = 0x0032,    /* tones or DTMF digits: vox_tone; ends with MEDIA_DONE */
	VOX_CMD_SILENCE = 0x0033, /* silence for vox_silence.ms; ends with MEDIA_DONE */
	VOX_CMD_COLLECT = 0x0034, /* gather digits: vox_collect; ends with DIGITS */
	VOX_CMD_RECORD = 0x0035,  /* record the leg: vox_record; audio in the bulk ring, then
				     RECORDING_DONE */

	/* bridging two answered SIP legs, or ringing ones with early media (an inbound leg after
	   RING 183 with SDP, an outbound one whose LEG_PROGRESS said early_media), on the same or
	   different workers; sent to the owner of hdr.leg. BRIDGED on both legs when paired, BRIDGE_FAILED on hdr.leg otherwise. */
	VOX_CMD_BRIDGE = 0x0040,   /* payload vox_bridge */
	VOX_CMD_UNBRIDGE = 0x0041, /* hdr.leg: UNBRIDGED on it (status 0) and on its peer (status 1) */

	/* events (0x8000 - 0xffff); state events are never dropped */
	VOX_EVT_PONG = 0x8001,       /* payload vox_ping (echoed, with the worker's times) */
	VOX_EVT_HELLO = 0x8002,      /* informational: worker started / saw a new control */
	VOX_EVT_STALE_HANDLE = 0x8003, /* command named a handle that is not live; status = cmd type */
	VOX_EVT_BAD_COMMAND = 0x8004,  /* malformed or unknown command; status = -errno */

	VOX_EVT_LEG_CREATED = 0x8010, /* state: leg exists; req_id echoes the creating command */
	VOX_EVT_LEG_FAILED = 0x8011,  /* state: leg could not be created or failed; status = cause */
	VOX_EVT_LEG_ENDED = 0x8012,   /* state: leg gone; status = cause (enum vox_end_cause) */
	VOX_EVT_LEG_OFFERED = 0x8013, /* state (SIP issue): inbound call offered */
	VOX_EVT_LEG_PROGRESS = 0x8014,
	VOX_EVT_LEG_ANSWERED = 0x8015,
	VOX_EVT_MEDIA_DONE = 0x8020,
	VOX_EVT_DIGITS = 0x8021,          /* COLLECT over: vox_digits */
	VOX_EVT_RECORDING_DONE = 0x8022,  /* RECORD over: vox_recording_done */
	VOX_EVT_DTMF = 0x8023,            /* one key press (RFC 4733 or in-band): vox_dtmf; sent
					     directly, counted in term_evt_dropped when the ring is
					     full (not re-emitted) */
	VOX_EVT_LEG_MEDIA_TIMEOUT = 0x8040, /* state: an answered leg received no RTP for the
					       dataplane's rtp_timeout_ms; status = ms since the
					       last packet. The leg stays up: control decides. Sent
					       once per silence (RTP that flows again re-arms it) */
	VOX_EVT_BRIDGED = 0x8030,       /* state: the leg relays media with its peer (payload
					   vox_leg_sip; the peer is the mirror's bridge_peer) */
	VOX_EVT_UNBRIDGED = 0x8031,     /* state: the leg is back to control; status enum
					   vox_unbridge_why */
	VOX_EVT_BRIDGE_FAILED = 0x8032, /* state: BRIDGE refused; status -errno (-ESTALE: the peer
					   is not live, -EBUSY: a leg is bridged already, -EINVAL:
					   not two answered (or early-media) SIP legs, -ENOBUFS: no mbuf to set up,
					   -EPROTONOSUPPORT: an SRTP leg, not bridged yet) */

	/* informational (the peer retransmits, or control can ask again) */
	VOX_EVT_SIP_REQUEST = 0x8101,  /* a request for control to decide: vox_sip_in + raw */
	VOX_EVT_SIP_RESPONSE = 0x8102, /* final response to SEND_REQUEST: vox_sip_in + raw */
	VOX_EVT_DTMF_INFO = 0x8103,    /* SIP INFO digits: status = digit, payload = duration ms */
	VOX_EVT_SIGNALING_MATCH = 0x8104, /* a message matching SET_MATCH: vox_sip_in + raw */
};

/* State events change what control must believe about a leg: never dropped. */
static inline int vox_evt_is_state(uint16_t type)
{
	return type >= VOX_EVT_LEG_CREATED && type < 0x8100;
}

/* LEG_OFFERED carries vox_sip_in + the raw INVITE; the other state events of SIP legs carry
 * vox_leg_sip (status = the SIP code or the end cause). */

enum vox_end_cause {
	VOX_CAUSE_NONE = 0,
	VOX_CAUSE_CONTROL = 1,    /* control ended it */
	VOX_CAUSE_REMOTE = 2,     /* far end hung up */
	VOX_CAUSE_TIME_LIMIT = 3, /* deadline reached (SET_DEADLINE) */
	VOX_CAUSE_CONTROL_LOST = 4, /* waited on a control decision past its deadline */
	VOX_CAUSE_NO_RESOURCES = 5,
	VOX_CAUSE_SHUTDOWN = 6,
	VOX_CAUSE_MEDIA = 7,      /* media could not be set up (SRTP refused or no session) */
};

/* Payloads. */
struct vox_ping {
	uint64_t ctl_send_ns; /* control's CLOCK_MONOTONIC when sent */
	uint64_t dp_recv_ns;  /* worker's CLOCK_MONOTONIC when it handled the PING */
	uint64_t dp_tsc;      /* worker's TSC then */
	uint64_t rsvd;
};
_Static_assert(sizeof(struct vox_ping) == 32, "vox_ping is ABI");

enum vox_leg_kind {
	VOX_LEG_KIND_LOOPBACK = 1, /* diagnostic leg with no signalling (tests, voxctl) */
	VOX_LEG_KIND_SIP_IN = 2,
	VOX_LEG_KIND_SIP_OUT = 3,
};

struct vox_leg_create {
	uint32_t kind;        /* enum vox_leg_kind */
	uint32_t account_idx; /* control's account index, mirrored for usage limits */
	uint64_t deadline_ns; /* 0 = none; CLOCK_REALTIME ns */
};
_Static_assert(sizeof(struct vox_leg_create) == 16, "vox_leg_create is ABI");

struct vox_deadline {
	uint64_t deadline_ns; /* CLOCK_REALTIME ns; 0 clears */
	uint32_t account_idx;
	uint32_t rsvd;
};
_Static_assert(sizeof(struct vox_deadline) == 16, "vox_deadline is ABI");

/* ---- SIP payloads ---------------------------------------------------------------------- */

/* A string inside a payload: byte offset from the start of the payload, and length. */
struct vox_pstr {
	uint16_t off;
	uint16_t len;
};

/* Parsed fields handed up with a SIP message: offsets into the raw message that follows. */
enum vox_sip_field {
	VOX_SF_RURI = 0,
	VOX_SF_RURI_USER,
	VOX_SF_FROM,      /* whole header value */
	VOX_SF_FROM_USER,
	VOX_SF_FROM_DISPLAY,
	VOX_SF_TO,
	VOX_SF_TO_USER,
	VOX_SF_CALL_ID,
	VOX_SF_CONTACT,
	VOX_SF_PAI,       /* P-Asserted-Identity */
	VOX_SF_DIVERSION,
	VOX_SF_USER_AGENT,
	VOX_SF_BODY,
	VOX_SF_CTYPE,
	VOX_SF__COUNT = 16
};

enum vox_sip_flag {
	VOX_SIPF_SDP = 1u << 0,       /* carried an SDP offer we can answer */
	VOX_SIPF_SRTP = 1u << 1,      /* RTP/SAVP */
	VOX_SIPF_TRUNCATED = 1u << 2, /* raw message cut to max_sip_bytes (fields beyond are 0/0) */
};

/* Header of EVT_LEG_OFFERED / EVT_SIP_REQUEST / EVT_SIP_RESPONSE / EVT_SIGNALING_MATCH payloads;
 * the raw SIP message follows immediately (offsets in f[] are from the start of the raw part). */
struct vox_sip_in {
	struct vox_addr src;  /* where it came from */
	struct vox_addr dst;  /* our address it came to */
	uint16_t method;      /* SIP method id (dataplane's enum sip_method); 0 for responses */
	uint16_t status;      /* responses: code */
	uint32_t flags;       /* enum vox_sip_flag */
	uint32_t txn;         /* server transaction reference for CMD_RESPOND (0: none) */
	uint32_t raw_len;
	struct vox_pstr f[VOX_SF__COUNT];
};
_Static_assert(sizeof(struct vox_sip_in) == 120, "vox_sip_in is ABI");

/* State events of SIP legs (PROGRESS, ANSWERED, FAILED, ENDED). */
enum vox_leg_by { VOX_BY_LOCAL = 0, VOX_BY_REMOTE = 1 };
struct vox_leg_sip {
	uint16_t sip_code; /* 180/183/200/486...; for ENDED the code that ended it, if any */
	uint8_t by;        /* enum vox_leg_by: who ended it */
	uint8_t early_media; /* PROGRESS: the leg has early media (the callee's SDP in a 1xx) */
	uint32_t rsvd;
	uint64_t answered_ns; /* CLOCK_REALTIME, ANSWERED and ENDED */
};
_Static_assert(sizeof(struct vox_leg_sip) == 16, "vox_leg_sip is ABI");

/* REJECT and RESPOND: the strings follow the struct. headers: CRLF-terminated lines. */
struct vox_sip_reply {
	uint16_t code;
	uint16_t rsvd;
	uint32_t txn;          /* RESPOND: vox_sip_in.txn of the request */
	struct vox_pstr reason; /* empty: the standard phrase */
	struct vox_pstr headers;
	struct vox_pstr ctype;
	struct vox_pstr body;
};
_Static_assert(sizeof(struct vox_sip_reply) == 24, "vox_sip_reply is ABI");

/* DIAL: an outbound leg. */
struct vox_dial {
	struct vox_addr next_hop;  /* where the INVITE goes */
	uint32_t ring_timeout_ms;  /* CANCEL after this without an answer (0: 60 s) */
	uint32_t account_idx;
	struct vox_pstr target;    /* Request-URI */
	struct vox_pstr from_uri;
	struct vox_pstr from_display;
	struct vox_pstr headers;   /* extra header lines (X-..., from <Sip> URI headers) */
	struct vox_pstr auth_user; /* answered on 401/407 */
	struct vox_pstr auth_pass;
	struct vox_pstr to_uri;    /* empty: the target */
	uint32_t flags;            /* enum vox_dial_flag */
};
enum vox_dial_flag {
	VOX_DIAL_SRTP = 1u << 0, /* offer RTP/SAVP with an SDES key (AES_CM_128_HMAC_SHA1_80) */
};
_Static_assert(sizeof(struct vox_dial) == 60, "vox_dial is ABI");

/* SEND_REQUEST: in a dialog when hdr.leg != 0 (target/next_hop then ignored). */
struct vox_send_req {
	struct vox_addr next_hop;
	uint16_t method;
	uint16_t rsvd;
	struct vox_pstr target, from_uri, to_uri, headers, ctype, body;
};
_Static_assert(sizeof(struct vox_send_req) == 48, "vox_send_req is ABI");

/* SET_MATCH: report every signalling message of the leg whose code falls in [code_lo, code_hi]
 * or that carries header `name` (with `value` as a substring if given). */
struct vox_match {
	uint16_t code_lo, code_hi;
	struct vox_pstr name, value;
};
_Static_assert(sizeof(struct vox_match) == 12, "vox_match is ABI");

/* SET_ACL: allowed inbound sources (IPv4 prefixes); n = 0 allows everyone. */
#define VOX_ACL_MAX 64
struct vox_acl {
	uint32_t n;
	uint32_t rsvd;
	struct {
		struct vox_addr net;
		uint8_t prefix;
		uint8_t rsvd[3];
	} e[VOX_ACL_MAX];
};
_Static_assert(sizeof(struct vox_acl) == 8 + 24 * VOX_ACL_MAX, "vox_acl is ABI");

/* PLAY: clips of the media pool (vox_clip_t handles) in order, the whole list `loop` times
 * (0: until STOP). MEDIA_DONE status: 0 played out, 1 stopped, 2 a clip went away. */
#define VOX_PLAY_MAX 8
struct vox_play {
	uint32_t n;
	uint32_t loop;
	uint64_t clip[VOX_PLAY_MAX];
};
_Static_assert(sizeof(struct vox_play) == 72, "vox_play is ABI");

/* TONE: what to generate, in the leg's codec, on the 20 ms media tick.
 *  RINGBACK: 440+480 Hz, 2 s on / 4 s off (North America), until STOP or ms elapsed; with f1
 *  set: a national ringing tone, f1 (+ f2) Hz, on_ms on / off_ms off (both > 0), with
 *  VOX_TONEF_DOUBLE two on_ms bursts 200 ms apart before the off part (British double ring);
 *  BEEP: 1000 Hz for ms (0: 500 ms);
 *  DIGITS: the DTMF string `digits` (0-9 * # A-D; 'w' = 0.5 s pause, 'W' = 1 s), each digit
 *  `on_ms` (0: 100) followed by `off_ms` (0: 100) of silence; as RFC 4733 events on a leg that
 *  negotiated telephone-event (updates every 20 ms, three end packets), else in-band audio;
 *  SINE: f1 (+ f2 when non-zero) Hz for ms.
 * ms = 0 for RINGBACK/SINE: until STOP. A TONE replaces a PLAY, TONE or SILENCE in progress
 * (no MEDIA_DONE for the replaced one). MEDIA_DONE status: 0 done, 1 stopped. */
enum vox_tone_kind {
	VOX_TONE_RINGBACK = 1,
	VOX_TONE_BEEP = 2,
	VOX_TONE_DIGITS = 3,
	VOX_TONE_SINE = 4,
};
enum vox_tone_flag {
	VOX_TONEF_INBAND = 1u << 0, /* DIGITS as audio even when telephone-event was negotiated */
	VOX_TONEF_DOUBLE = 1u << 1, /* RINGBACK with f1: double ring */
};
#define VOX_TONE_DIGITS_MAX 32
struct vox_tone {
	uint8_t kind;    /* enum vox_tone_kind */
	uint8_t level;   /* -dBm0 per frequency (0: 10) */
	uint16_t f1, f2; /* SINE, RINGBACK */
	uint16_t on_ms, off_ms; /* DIGITS, RINGBACK */
	uint16_t flags;  /* enum vox_tone_flag */
	uint32_t ms;
	char digits[VOX_TONE_DIGITS_MAX]; /* NUL-terminated unless all 32 are used */
};
_Static_assert(sizeof(struct vox_tone) == 48, "vox_tone is ABI");

struct vox_silence {
	uint32_t ms; /* 1 .. 3600000 */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct vox_silence) == 8, "vox_silence is ABI");

/* COLLECT: digits from RFC 4733 events or, on legs without telephone-event, in-band detection.
 * Ends on max_digits, a finish key (in finish_keys: bit e for event e, 0-9 * # A-D = 0..15; the
 * key itself is not part of the string), the first-digit timeout (no key within first_ms of the
 * start) or the inter-digit timeout (no key within inter_ms of the previous one), or STOP. */
enum vox_collect_flag {
	VOX_COLLECTF_BARGE = 1u << 0, /* the first key stops a PLAY/TONE in progress */
};
#define VOX_DIGITS_MAX 32
struct vox_collect {
	uint8_t max_digits;   /* 1 .. VOX_DIGITS_MAX */
	uint8_t flags;        /* enum vox_collect_flag */
	uint16_t finish_keys; /* bitmask of events */
	uint32_t first_ms;    /* 0: no first-digit timeout */
	uint32_t inter_ms;    /* 0: no inter-digit timeout */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct vox_collect) == 16, "vox_collect is ABI");

/* Why a COLLECT or a RECORD ended (status of DIGITS / RECORDING_DONE, and in the payload). */
enum vox_term_reason {
	VOX_TERM_MAX_DIGITS = 1,
	VOX_TERM_FINISH_KEY = 2,
	VOX_TERM_TIMEOUT = 3,   /* first- or inter-digit timeout (COLLECT) */
	VOX_TERM_STOPPED = 4,   /* STOP, a new COLLECT/RECORD, or the leg ended */
	VOX_TERM_MAX_LENGTH = 5,
	VOX_TERM_SILENCE = 6,   /* RECORD: silence timeout */
};

struct vox_digits {
	uint8_t reason;   /* enum vox_term_reason */
	uint8_t n;        /* digits in the string */
	char finish;      /* the finish key that ended it, 0 if none */
	uint8_t rsvd;
	uint32_t rsvd2;
	char digits[VOX_DIGITS_MAX]; /* not NUL-terminated beyond n */
};
_Static_assert(sizeof(struct vox_digits) == 40, "vox_digits is ABI");

/* DTMF: one key press. */
enum vox_dtmf_src { VOX_DTMF_RFC4733 = 1, VOX_DTMF_INBAND = 2 };
struct vox_dtmf {
	char digit;
	uint8_t source;    /* enum vox_dtmf_src */
	uint8_t volume;    /* RFC 4733: -dBm0; in-band: 0 */
	uint8_t e_bit;     /* RFC 4733: ended by the E bit (0: timeout/superseded) */
	uint32_t duration_ms; /* 0 for in-band */
};
_Static_assert(sizeof(struct vox_dtmf) == 8, "vox_dtmf is ABI");

/* RECORD: linear 16-bit 8 kHz PCM goes to the worker's bulk ring as VOX_BULK_AUDIO chunks with
 * stream = rec_id and the leg's handle; mono = both directions mixed, dual = interleaved
 * frames, channel 0 what the far end sent, channel 1 what we sent. Control writes them to a
 * file it associated with (leg, rec_id) when it sent the command. A new RECORD ends the one in
 * progress (RECORDING_DONE reason STOPPED). */
enum vox_record_flag {
	VOX_RECORDF_DUAL = 1u << 0,
};
struct vox_record {
	uint16_t rec_id;      /* control's id for this recording on this leg */
	uint8_t flags;        /* enum vox_record_flag */
	uint8_t rsvd;
	uint16_t finish_keys; /* like vox_collect; 0: keys do not stop it */
	uint16_t silence_level; /* mean |sample| at or below this is silence (0: 100 ~ -50 dBFS) */
	uint32_t max_ms;      /* 0: until STOP (the dataplane caps at 4 hours) */
	uint32_t silence_ms;  /* silence timeout; 0: none */
};
_Static_assert(sizeof(struct vox_record) == 16, "vox_record is ABI");

enum vox_recording_flag {
	VOX_RECDONE_OVERFLOW = 1u << 0, /* some audio was lost: the bulk ring was full */
};
struct vox_recording_done {
	uint16_t rec_id;
	uint8_t reason;      /* enum vox_term_reason */
	uint8_t flags;       /* enum vox_recording_flag */
	char finish;         /* the finish key, 0 if none */
	uint8_t channels;
	uint16_t rsvd;
	uint32_t duration_ms; /* audio produced (frames written + frames lost) */
	uint32_t frames;      /* 20 ms frames put in the ring */
	uint32_t frames_lost; /* refused by a full ring */
	uint32_t rsvd2;
};
_Static_assert(sizeof(struct vox_recording_done) == 24, "vox_recording_done is ABI");

/* BRIDGE: pair hdr.leg with `peer`. While bridged, a leg's RTP is relayed to the peer with
 * its own SSRC/sequence/timestamp (continuous across source changes), PCMU<->PCMA converted,
 * RFC 4733 events mapped to the peer's telephone-event PT, nothing sent to a leg on hold.
 * BRIDGE stops playout on both legs (MEDIA_DONE status 1); PLAY on a bridged leg is refused
 * (BAD_COMMAND -EBUSY). A leg that ends unbridges its peer (UNBRIDGED status 2). */
struct vox_bridge {
	uint64_t peer;  /* vox_handle_t */
	uint32_t flags; /* 0 (reserved for options) */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct vox_bridge) == 16, "vox_bridge is ABI");

enum vox_unbridge_why {
	VOX_UNBRIDGE_COMMAND = 0,    /* UNBRIDGE named this leg */
	VOX_UNBRIDGE_PEER_CMD = 1,   /* UNBRIDGE named the peer */
	VOX_UNBRIDGE_PEER_ENDED = 2, /* the peer leg ended */
};

/* Number of continuation slots for a payload of len bytes. */
static inline uint32_t vox_rec_slots_for(uint32_t len)
{
	return (len + VOX_REC_SLOT - 1) / VOX_REC_SLOT;
}

#endif /* VOX_ABI_H */
