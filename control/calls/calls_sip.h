/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_sip.h — pure helpers of the call router on SIP text (unit-tested alone). */
#ifndef CALLS_SIP_H
#define CALLS_SIP_H

#include <stddef.h>
#include <stdint.h>

/* The X-... headers of a raw SIP message (after its start line, up to the blank line), at most
 * max of them; a name over ncap-1 or a value over vcap-1 bytes is skipped. names/vals are
 * arrays of max rows of ncap/vcap bytes. Returns how many were found. */
uint32_t calls_sip_x_headers(const char *raw, size_t len, char *names, size_t ncap, char *vals,
                             size_t vcap, uint32_t max);
/* The user part of a Diversion (or any name-addr) header value: "<sip:+1555@h>;reason=x" ->
 * "+1555". Returns 0 or -EINVAL (no sip: URI, empty user, does not fit). */
int calls_sip_addr_user(const char *hdr, char *out, size_t cap);
/* Host and port of "sip:user@host:port;params?headers" (or sips:); port 0 when none.
 * Returns 0 or -EINVAL. */
int calls_sip_uri_host(const char *uri, char *host, size_t cap, uint16_t *port);
/* The CallStatus a call that ended has: completed when answered; else busy (rejected 486),
 * no-answer (rejected otherwise), canceled (the caller hung up), failed. */
const char *calls_end_status(int answered, int rejected, int rejected_busy, int by_remote);

/* The markup an audio answer to a webhook stands for: <Response><Play>URL</Play></Response>,
 * the URL XML-escaped (& < > " '). Returns the length written or -ENOSPC (does not fit cap). */
int calls_audio_markup(const char *url, char *out, size_t cap);

#endif /* CALLS_SIP_H */
