/* SPDX-License-Identifier: BSD-3-Clause */
/* sip.h — SIP message layer: parser, structured headers, URIs, validation, responses, SDP. */
#ifndef SIP_H
#define SIP_H

/*
 * Design. A UDP datagram is parsed in place into struct sip_msg: every piece of text is a
 * struct sip_str, an (offset, length) slice of the caller's buffer, so nothing is copied and
 * the buffer must outlive the message. Headers are kept in arrival order in a fixed array
 * (SIP_MAX_HDRS, overflow is an error); values of list headers (Via, Contact, Route, Require...)
 * are split at top-level commas into one entry each. Structured parsers (Via, name-addr, CSeq,
 * URI, Content-Type) run on demand over one entry. Validation maps a parsed request to the
 * RFC 3261 answer; the builder writes a response into a bounded caller buffer. No function here
 * allocates, locks or logs; all are re-entrant. Lengths never exceed SIP_MSG_MAX.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_MSG_MAX 65535u /* largest message (one UDP datagram) */
#define SIP_MAX_HDRS 64u   /* header entries per message, list values counted one by one */
#define SIP_MAX_PARAMS 16u /* ;params per Via, name-addr, URI or Content-Type */
#define SIP_MAX_UNSUPP 8u  /* option tags reported in one 420 */

/* A slice of the message buffer: buf + off, len bytes. */
struct sip_str {
	uint16_t off;
	uint16_t len;
};

static inline const char *sip_str_ptr(const char *buf, struct sip_str s)
{
	return buf + s.off;
}

/* Case-insensitive comparison of a slice with a C string. */
bool sip_str_ieq(const char *buf, struct sip_str s, const char *lit);

/* ---- methods and headers ---------------------------------------------------------------- */

/* Methods we implement (the Allow list), in Allow order. */
#define SIP_FOREACH_METHOD(_)                                                                      \
	_(INVITE)                                                                                  \
	_(ACK)                                                                                     \
	_(BYE) _(CANCEL) _(OPTIONS) _(INFO) _(UPDATE) _(PRACK) _(REGISTER) _(SUBSCRIBE) _(NOTIFY)  \
	    _(PUBLISH) _(MESSAGE) _(REFER)

enum sip_method {
	SIP_M_UNKNOWN = 0,
#define SIP_M_ENUM_(n) SIP_M_##n,
	SIP_FOREACH_METHOD(SIP_M_ENUM_)
#undef SIP_M_ENUM_
	    SIP_M__COUNT
};

/* Method id of a method token (case-sensitive, RFC 3261 §7.1); SIP_M_UNKNOWN if not ours. */
enum sip_method sip_method_id(const char *s, size_t len);
const char *sip_method_name(enum sip_method m);
/* "INVITE, ACK, ..." : the value we send in Allow. */
extern const char sip_allow_value[];

/*
 * Known headers: id, long name, compact form (0 if none), list header (values split at commas).
 * sip_msg.c indexes them by first letter; test_sip_parse checks every entry is found.
 */
#define SIP_FOREACH_HDR(_)                                                                         \
	_(VIA, "Via", 'v', 1)                                                                      \
	_(FROM, "From", 'f', 0)                                                                    \
	_(TO, "To", 't', 0)                                                                        \
	_(CALL_ID, "Call-ID", 'i', 0)                                                              \
	_(CSEQ, "CSeq", 0, 0)                                                                      \
	_(MAX_FORWARDS, "Max-Forwards", 0, 0)                                                      \
	_(CONTACT, "Contact", 'm', 1)                                                              \
	_(CONTENT_LENGTH, "Content-Length", 'l', 0)                                                \
	_(CONTENT_TYPE, "Content-Type", 'c', 0)                                                    \
	_(CONTENT_ENCODING, "Content-Encoding", 'e', 1)                                            \
	_(SUPPORTED, "Supported", 'k', 1)                                                          \
	_(REQUIRE, "Require", 0, 1)                                                                \
	_(PROXY_REQUIRE, "Proxy-Require", 0, 1)                                                    \
	_(UNSUPPORTED, "Unsupported", 0, 1)                                                        \
	_(ROUTE, "Route", 0, 1)                                                                    \
	_(RECORD_ROUTE, "Record-Route", 0, 1)                                                      \
	_(EXPIRES, "Expires", 0, 0)                                                                \
	_(ALLOW, "Allow", 0, 1)                                                                    \
	_(ACCEPT, "Accept", 0, 1)                                                                  \
	_(SUBJECT, "Subject", 's', 0)                                                              \
	_(EVENT, "Event", 'o', 0)                                                                  \
	_(ALLOW_EVENTS, "Allow-Events", 'u', 1)                                                    \
	_(REFER_TO, "Refer-To", 'r', 0)                                                            \
	_(REFERRED_BY, "Referred-By", 'b', 0)                                                      \
	_(SESSION_EXPIRES, "Session-Expires", 'x', 0)                                              \
	_(MIN_SE, "Min-SE", 0, 0)                                                                  \
	_(RSEQ, "RSeq", 0, 0)                                                                      \
	_(RACK, "RAck", 0, 0)                                                                      \
	_(AUTHORIZATION, "Authorization", 0, 0)                                                    \
	_(PROXY_AUTHORIZATION, "Proxy-Authorization", 0, 0)                                        \
	_(WWW_AUTHENTICATE, "WWW-Authenticate", 0, 0)                                              \
	_(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0, 0)                                          \
	_(USER_AGENT, "User-Agent", 0, 0)                                                          \
	_(SERVER, "Server", 0, 0)                                                                  \
	_(DATE, "Date", 0, 0)                                                                      \
	_(RETRY_AFTER, "Retry-After", 0, 0)                                                        \
	_(P_ASSERTED_IDENTITY, "P-Asserted-Identity", 0, 1)                                        \
	_(PRIVACY, "Privacy", 0, 0)                                                                \
	_(REASON, "Reason", 0, 1)

enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
#define SIP_HDR_ENUM_(id, name, compact, list) SIP_HDR_##id,
	SIP_FOREACH_HDR(SIP_HDR_ENUM_)
#undef SIP_HDR_ENUM_
	    SIP_HDR__COUNT
};

/* Header id from a name (long or compact, case-insensitive); SIP_HDR_OTHER if unknown. */
enum sip_hdr_id sip_hdr_lookup(const char *name, size_t len);
/* Canonical long name of a known header ("Call-ID"), NULL for SIP_HDR_OTHER. */
const char *sip_hdr_name(enum sip_hdr_id id);

/* One header entry. name is as received (may be compact); value is trimmed of LWS at both
 * ends and may contain folded line breaks (CRLF + WS), which every parser here treats as LWS. */
struct sip_hdr {
	struct sip_str name;
	struct sip_str value;
	uint8_t id;   /* enum sip_hdr_id */
	uint8_t line; /* index of the physical header line (entries split from one line share it) */
};

/* ---- the message ------------------------------------------------------------------------ */

/* Parse errors: id, reason phrase for a 400 answer. */
#define SIP_FOREACH_PERR(_)                                                                        \
	_(NONE, "OK")                                                                              \
	_(EMPTY, "Empty Message")                                                                  \
	_(TOO_LONG, "Message Too Large")                                                           \
	_(START_LINE, "Malformed Start Line")                                                      \
	_(VERSION, "Malformed SIP Version")                                                        \
	_(STATUS, "Malformed Status Code")                                                         \
	_(HDR_LINE, "Malformed Header Line")                                                       \
	_(TOO_MANY_HDRS, "Too Many Headers")                                                       \
	_(NO_EOH, "Missing Empty Line After Headers")                                              \
	_(CL_SYNTAX, "Malformed Content-Length")                                                   \
	_(CL_MULTI, "Conflicting Content-Length Values")                                           \
	_(CL_TOO_BIG, "Content-Length Larger Than Message")

enum sip_perr {
#define SIP_PERR_ENUM_(id, reason) SIP_PERR_##id,
	SIP_FOREACH_PERR(SIP_PERR_ENUM_)
#undef SIP_PERR_ENUM_
	    SIP_PERR__COUNT
};
const char *sip_perr_reason(enum sip_perr e);

/*
 * A parsed message. Written by sip_msg_parse() only; everything refers to buf. Roughly 900
 * bytes: keep one per lcore (or per in-flight message), not on a small stack.
 */
struct sip_msg {
	const char *buf;
	uint32_t len; /* bytes of the message: start line to end of body (datagram tail excluded) */
	uint8_t is_request; /* 1 request, 0 response */
	uint8_t method;     /* enum sip_method: request line's method, or CSeq's for a response */
	uint8_t version_ok; /* version is SIP/2.0 */
	uint8_t err;        /* enum sip_perr: first error met, SIP_PERR_NONE if none */
	uint16_t status;    /* response code (100..699) */
	uint16_t nhdr;      /* entries used in hdr[] */
	uint16_t cl;        /* Content-Length value, if has_cl */
	uint8_t has_cl;
	uint8_t has_eoh;      /* the empty line ending the headers was seen */
	struct sip_str start; /* whole start line, without CRLF */
	struct sip_str method_s;
	struct sip_str ruri;
	struct sip_str version;
	struct sip_str reason;
	struct sip_str body;
	uint8_t
	    first[SIP_HDR__COUNT]; /* 1 + index in hdr[] of the first entry of each id, 0 if none */
	uint8_t count[SIP_HDR__COUNT]; /* entries of each id */
	uint8_t lines[SIP_HDR__COUNT]; /* physical header lines of each id */
	struct sip_hdr hdr[SIP_MAX_HDRS];
};

/*
 * Parse buf[0..len) (one UDP datagram). Leading CRLFs are skipped (RFC 3261 §7.5). The body is
 * Content-Length bytes after the empty line; bytes beyond it are ignored; without Content-Length
 * the body is the rest of the datagram. Parsing goes on past a malformed start line or header
 * line so that a request can still be answered with a 400.
 * Returns 0; -EBADMSG if malformed (m->err says why, m is filled as far as possible); -E2BIG
 * if longer than SIP_MSG_MAX or more than SIP_MAX_HDRS entries; -ENODATA if only CRLFs (a
 * keep-alive); -EINVAL on NULL arguments.
 */
int sip_msg_parse(struct sip_msg *m, const char *buf, size_t len);

/* Index of the first entry with this id at or after index from, or -1. */
int sip_msg_find(const struct sip_msg *m, enum sip_hdr_id id, int from);
/* First entry with this id, or NULL. */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m, enum sip_hdr_id id);
/* First entry with this name (case-insensitive, for unknown headers), or NULL. */
const struct sip_hdr *sip_msg_hdr_named(const struct sip_msg *m, const char *name);

/* ---- URIs ------------------------------------------------------------------------------- */

enum sip_scheme {
	SIP_SCHEME_OTHER = 0,
	SIP_SCHEME_SIP,
	SIP_SCHEME_SIPS,
	SIP_SCHEME_TEL,
};

/*
 * A parsed URI. Escaped characters stay escaped in every slice (compare with sip_esc_eq(),
 * decode with sip_unescape()). host of an IPv6 reference excludes the brackets. params is
 * everything after the first ';' of the host part (without it), headers after '?' (without it).
 * tel: URIs put the number in user and their parameters in params.
 */
struct sip_uri {
	uint8_t scheme;    /* enum sip_scheme */
	uint8_t host_type; /* SIP_HOST_* */
	uint16_t port;     /* 0 if absent */
	struct sip_str scheme_s, user, password, host, port_s, params, headers;
};
enum { SIP_HOST_NAME = 0, SIP_HOST_IPV4 = 1, SIP_HOST_IPV6 = 2 };

/*
 * Parse s as a URI. Returns 0; -EPROTONOSUPPORT for a well-formed scheme that is not sip, sips
 * or tel (scheme_s set, the rest opaque); -EBADMSG if malformed.
 */
int sip_uri_parse(struct sip_uri *u, const char *buf, struct sip_str s);

/* Find URI/header parameter name (case-insensitive) in a ;-separated list slice (no leading ';').
 * Returns 1 and *val (empty if no '=value'), 0 if absent. */
int sip_param_find(const char *buf, struct sip_str list, const char *name, struct sip_str *val);

/* Decode %HH escapes of in[0..len) into out (at most cap bytes; the result may contain NUL).
 * Returns the decoded length, -EINVAL for a bad escape, -ENOSPC if it does not fit. */
int sip_unescape(char *out, size_t cap, const char *in, size_t len);
/* Compare two escaped strings by their decoded bytes (icase: ASCII case-insensitive). */
bool sip_esc_eq(const char *a, size_t alen, const char *b, size_t blen, bool icase);
/* RFC 3261 §19.1.4 equality of two parsed sip/sips URIs (each in its own buffer). */
bool sip_uri_eq(const char *abuf, const struct sip_uri *a, const char *bbuf,
                const struct sip_uri *b);

/* ---- structured headers ----------------------------------------------------------------- */

struct sip_param {
	struct sip_str name;
	struct sip_str value; /* empty if the parameter has no '=' */
	uint8_t has_value;
};

struct sip_params {
	uint8_t n;
	struct sip_param p[SIP_MAX_PARAMS];
};

/* Parse ";a=b;c" params of s (s starts at the first ';' or is empty). Returns 0, -EBADMSG
 * (empty name, bad characters, unterminated quoted value), -E2BIG (over SIP_MAX_PARAMS). */
int sip_params_parse(struct sip_params *ps, const char *buf, struct sip_str s);
/* Parameter by name (case-insensitive) or NULL. */
const struct sip_param *sip_params_get(const struct sip_params *ps, const char *buf,
                                       const char *name);

/* One Via entry. host excludes the brackets of an IPv6 reference. */
struct sip_via {
	struct sip_str proto, version, transport; /* "SIP", "2.0", "UDP" */
	struct sip_str host;
	uint8_t host_type; /* SIP_HOST_* */
	uint8_t has_rport;
	uint16_t port; /* 0 if absent */
	int32_t rport; /* value of rport=, -1 if rport has no value or is absent */
	struct sip_str branch, received, maddr;
	struct sip_str params; /* all params, without the first ';' */
	struct sip_params p;
};
/* Returns 0 or -EBADMSG (-E2BIG for too many params). */
int sip_via_parse(struct sip_via *v, const char *buf, struct sip_str val);
/* Only sent-protocol and sent-by of a Via whose params may be malformed (enough to answer a
 * 400 to it); params are left empty. Returns 0 or -EBADMSG. */
int sip_via_sentby(struct sip_via *v, const char *buf, struct sip_str val);

/*
 * name-addr / addr-spec with header params (From, To, Contact, Route, Record-Route, Refer-To).
 * With <>, URI params live inside the brackets; a bare URI ends at the first ';', so what follows
 * is header params (RFC 3261 §20.10). display excludes the quotes of a quoted string and keeps
 * its backslash escapes.
 */
struct sip_nameaddr {
	struct sip_str display;
	struct sip_str uri;
	struct sip_str tag;
	struct sip_str params; /* header params, without the first ';' */
	uint8_t quoted;        /* display was a quoted string */
	uint8_t angle;         /* URI was in <> */
	uint8_t star;          /* Contact: * */
	struct sip_params p;
};
/* Returns 0 or -EBADMSG (-E2BIG for too many params). A Contact "*" sets star. */
int sip_nameaddr_parse(struct sip_nameaddr *na, const char *buf, struct sip_str val);

struct sip_cseq {
	uint32_t num;   /* < 2^31 (RFC 3261 §8.1.1.5) */
	uint8_t method; /* enum sip_method */
	struct sip_str method_s;
};
/* Returns 0 or -EBADMSG (also for a number ≥ 2^31 or a non-token method). */
int sip_cseq_parse(struct sip_cseq *c, const char *buf, struct sip_str val);

/* Call-ID: word ["@" word]. Returns 0 or -EBADMSG. */
int sip_callid_check(const char *buf, struct sip_str val);
/* Max-Forwards of m: 0..255, -ENOENT if absent, -EBADMSG if malformed or repeated. */
int sip_max_forwards(const struct sip_msg *m);
/* delta-seconds (Expires, Min-SE...): values over 2^32-1 saturate. Returns 0 or -EBADMSG. */
int sip_delta_parse(const char *buf, struct sip_str val, uint32_t *out);
/* One token of a list header entry (Require, Supported...). Returns 0 or -EBADMSG. */
int sip_token_check(const char *buf, struct sip_str val);

struct sip_ctype {
	struct sip_str type, subtype;
	struct sip_str params; /* without the first ';' */
};
/* Content-Type / Accept media-range "type/subtype;params". Returns 0 or -EBADMSG. */
int sip_ctype_parse(struct sip_ctype *ct, const char *buf, struct sip_str val);

/* ---- validation ------------------------------------------------------------------------- */

/* Verdicts on a request: id, status code, reason phrase. Code 0 = accept, 1 = drop silently. */
#define SIP_FOREACH_VERDICT(_)                                                                     \
	_(OK, 0, "OK")                                                                             \
	_(DROP_NO_VIA, 1, "No usable Via")                                                         \
	_(DROP_RESPONSE, 1, "Malformed response")                                                  \
	_(DROP_TOO_MANY, 1, "Too many headers")                                                    \
	_(DROP_GARBAGE, 1, "Not a SIP message")                                                    \
	_(BAD_START_LINE, 400, "Malformed Request-Line")                                           \
	_(BAD_MESSAGE, 400, "Malformed Message")                                                   \
	_(BAD_CL, 400, "Bad Content-Length")                                                       \
	_(VERSION, 505, "Version Not Supported")                                                   \
	_(MISSING_TO, 400, "Missing To")                                                           \
	_(MISSING_FROM, 400, "Missing From")                                                       \
	_(MISSING_CALL_ID, 400, "Missing Call-ID")                                                 \
	_(MISSING_CSEQ, 400, "Missing CSeq")                                                       \
	_(MISSING_MAX_FORWARDS, 400, "Missing Max-Forwards")                                       \
	_(MULTI_SINGLE, 400, "Repeated Single-Value Header")                                       \
	_(BAD_VIA, 400, "Malformed Via")                                                           \
	_(BAD_BRANCH, 400, "Missing Or Bad Via Branch")                                            \
	_(BAD_FROM, 400, "Malformed From")                                                         \
	_(BAD_TO, 400, "Malformed To")                                                             \
	_(BAD_CONTACT, 400, "Malformed Contact")                                                   \
	_(BAD_CALL_ID, 400, "Malformed Call-ID")                                                   \
	_(BAD_CSEQ, 400, "Bad CSeq")                                                               \
	_(CSEQ_METHOD, 400, "CSeq Method Does Not Match")                                          \
	_(BAD_MAX_FORWARDS, 400, "Bad Max-Forwards")                                               \
	_(BAD_RURI, 400, "Malformed Request-URI")                                                  \
	_(RURI_HEADERS, 400, "Headers Not Allowed In Request-URI")                                 \
	_(BAD_HEADER, 400, "Malformed Header")                                                     \
	_(BAD_CTYPE, 400, "Malformed Content-Type")                                                \
	_(SCHEME, 416, "Unsupported URI Scheme")                                                   \
	_(METHOD, 501, "Not Implemented")                                                          \
	_(EXTENSION, 420, "Bad Extension")                                                         \
	_(MEDIA_TYPE, 415, "Unsupported Media Type")                                               \
	_(NOT_ACCEPTABLE, 406, "Not Acceptable")

enum sip_verdict_id {
#define SIP_VERDICT_ENUM_(id, code, reason) SIP_V_##id,
	SIP_FOREACH_VERDICT(SIP_VERDICT_ENUM_)
#undef SIP_VERDICT_ENUM_
	    SIP_V__COUNT
};

/* Result of validation. Extra headers to put in the answer follow from code: 501 Allow,
 * 415 Accept (sip_accept_value), 420 Unsupported (the tags below). */
struct sip_verdict {
	uint16_t code; /* 0 accept, 1 drop (count, do not answer), else the status to answer */
	uint8_t id;    /* enum sip_verdict_id: one counter per id */
	uint8_t n_unsupp;
	const char *reason;                    /* static reason phrase */
	struct sip_str unsupp[SIP_MAX_UNSUPP]; /* Require tags we lack (slices of the request) */
};

/* Option tags we accept in Require, NULL-terminated; the Supported value we send. */
extern const char *const sip_supported_tags[];
extern const char sip_supported_value[];
/* Body types we accept (Accept value in a 415). */
extern const char sip_accept_value[];

/*
 * Check a parsed request (rc is what sip_msg_parse returned) and say how to answer it:
 * v->code 0 to go on, 1 to drop (count v->id, send nothing), else the status to answer
 * (400, 406, 415, 416, 420, 501, 505) with v->reason. A response given here is dropped.
 * Returns v->code.
 */
int sip_validate_request(const struct sip_msg *m, int rc, struct sip_verdict *v);
/* Check a parsed response: 0 accept, 1 drop (malformed: no answer is ever sent). */
int sip_validate_response(const struct sip_msg *m, int rc, struct sip_verdict *v);
/* Either of the above, by m->is_request. */
int sip_validate(const struct sip_msg *m, int rc, struct sip_verdict *v);
/* Entry of list header id (Supported, Require, Allow...) equal to token, case-insensitive. */
bool sip_msg_has_token(const struct sip_msg *m, enum sip_hdr_id id, const char *token);
/* 483 if Max-Forwards is 0 (for a request we would forward), else 0. */
int sip_check_max_forwards(const struct sip_msg *m);
const char *sip_verdict_reason(enum sip_verdict_id id);
uint16_t sip_verdict_code(enum sip_verdict_id id);

/* ---- responses -------------------------------------------------------------------------- */

/* An IPv4 or IPv6 address and UDP port, host byte order port, address in network order. */
struct sip_addr {
	uint8_t family; /* 4 or 6 */
	uint16_t port;
	uint8_t ip[16];
};

/* Text form of a (numeric) address into out; returns 0 or -EINVAL/-ENOSPC. */
int sip_addr_fmt(const struct sip_addr *a, char *out, size_t cap);
/* Parse numeric IPv4/IPv6 text (IPv6 without brackets). Returns 0 or -EINVAL. */
int sip_addr_parse(struct sip_addr *a, const char *s, size_t len);

/*
 * RFC 3261 §18.2.2 with RFC 3581, for UDP: where to send responses to request m that came from
 * src. maddr in the top Via wins (port from sent-by, else 5060); otherwise the source address
 * (what our received= says), at the source port if the Via has rport, else at the sent-by port
 * or 5060. A Via received= from the wire is never trusted. Returns 0; -ENOENT without a usable
 * Via; -ENOTSUP if maddr is a host name (needs DNS); -EADDRNOTAVAIL for a broadcast or
 * unspecified destination.
 */
int sip_response_dest(const struct sip_msg *m, const struct sip_addr *src, struct sip_addr *dst);

struct sip_resp_opts {
	const char *to_tag;         /* added to To if it has no tag (NULL: none added) */
	const struct sip_addr *src; /* request source: received=/rport= added to the top Via */
	const char *extra;          /* preformatted header lines, each ending in CRLF, or NULL */
	const char *content_type;   /* with body */
	const char *body;
	size_t body_len;
};

/*
 * Write the response "SIP/2.0 code reason" to request m into out[0..cap): every Via in order
 * (the top one annotated from o->src), From, To (+ tag), Call-ID, CSeq, o->extra, Content-Type
 * and body, Content-Length. Returns the length written, or -ENOSPC (out is then unspecified),
 * -EINVAL for a code outside 100..699 or a reason with CR/LF.
 */
int sip_build_response(char *out, size_t cap, const struct sip_msg *m, uint16_t code,
                       const char *reason, const struct sip_resp_opts *o);

/* The answer for a verdict (code ≥ 100) with its extra headers (Allow, Accept, Unsupported)
 * and Supported where useful. Same returns as sip_build_response. */
int sip_build_verdict(char *out, size_t cap, const struct sip_msg *m, const struct sip_verdict *v,
                      const char *to_tag, const struct sip_addr *src);

/* ---- SDP (RFC 4566 / 3264) -------------------------------------------------------------- */

#define SIP_SDP_MAX_FMT 16u
#define SIP_SDP_MAX_CRYPTO 4u

enum sip_sdp_dir {
	SIP_SDP_SENDRECV = 0,
	SIP_SDP_SENDONLY,
	SIP_SDP_RECVONLY,
	SIP_SDP_INACTIVE,
};

enum sip_sdp_suite {
	SIP_SDP_SUITE_UNKNOWN = 0,
	SIP_SDP_AES_CM_128_HMAC_SHA1_80,
	SIP_SDP_AES_CM_128_HMAC_SHA1_32,
};

struct sip_sdp_fmt {
	uint8_t pt;
	uint8_t has_rtpmap;
	uint16_t channels;
	uint32_t clock;
	struct sip_str name; /* encoding name from a=rtpmap ("PCMU", "telephone-event") */
	struct sip_str fmtp;
};

struct sip_sdp_crypto {
	uint32_t tag;
	uint8_t suite;       /* enum sip_sdp_suite */
	uint8_t key_ok;      /* inline key decoded to 30 bytes */
	uint8_t key[30];     /* 16-byte master key + 14-byte salt */
	struct sip_str line; /* the attribute value */
};

/* The first audio stream of an offer, and the session-level connection. Slices refer to the
 * body buffer passed to sip_sdp_parse(). */
struct sip_sdp {
	struct sip_str origin_user;
	uint64_t sess_id, sess_version;
	struct sip_addr conn; /* media c= (else session c=), port = m= port */
	uint8_t has_conn;
	uint8_t has_audio;
	uint8_t secure; /* RTP/SAVP */
	uint8_t dir;    /* enum sip_sdp_dir (media level, else session level) */
	uint16_t ptime; /* 0 if absent */
	uint8_t rtcp_mux;
	uint8_t n_fmt;
	uint8_t n_crypto;
	uint8_t n_media;     /* m= lines seen */
	uint8_t audio_index; /* index of the audio m= line */
	struct sip_sdp_fmt fmt[SIP_SDP_MAX_FMT];
	struct sip_sdp_crypto crypto[SIP_SDP_MAX_CRYPTO];
};

/* Parse an SDP body. Unknown or malformed attributes are ignored. Returns 0; -EBADMSG if a
 * mandatory line (v=, o=, c=, m=) is malformed or no connection address is known for audio. */
int sip_sdp_parse(struct sip_sdp *s, const char *buf, size_t len);

/* What we answer with: our address/port, the codecs we can do, an optional SRTP key. */
struct sip_sdp_local {
	struct sip_addr addr; /* our media address and RTP port */
	uint64_t sess_id, sess_version;
	const char *user;        /* o= username, e.g. "voxplane" */
	const uint8_t *srtp_key; /* 30 bytes, used when the offer is RTP/SAVP */
	uint16_t ptime;          /* 0: follow the offer (or 20) */
};

/* Negotiation result. */
struct sip_sdp_answer {
	int16_t codec_pt;     /* 0 PCMU or 8 PCMA, -1: no common codec */
	int16_t dtmf_pt;      /* the offer's telephone-event PT, -1 if none */
	uint8_t dir;          /* our direction (RFC 3264 §6.1) */
	uint8_t crypto_index; /* the offer's crypto line we accepted, if secure */
	uint8_t secure;
	uint16_t ptime;
};

/* Choose the answer to offer o (PCMU then PCMA, in our preference; the offer's
 * telephone-event PT at 8000 Hz; direction mirrored; first supported crypto suite).
 * Returns 0; -ENOMSG if no common codec or, for RTP/SAVP, no usable crypto line. */
int sip_sdp_negotiate(const struct sip_sdp *o, const char *obuf, struct sip_sdp_answer *a);

/* Serialize the answer SDP into out[0..cap). Returns the length, or -ENOSPC/-EINVAL. */
int sip_sdp_write(char *out, size_t cap, const struct sip_sdp *o, const char *obuf,
                  const struct sip_sdp_answer *a, const struct sip_sdp_local *l);

#endif /* SIP_H */
