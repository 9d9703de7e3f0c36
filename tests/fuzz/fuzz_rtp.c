/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer driver for the media parsers: RTP header, RTCP compound, RFC 4733, SDES key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtmf4733.h"
#include "jb.h"
#include "rtcp.h"
#include "rtp.h"
#include "vsrtp.h"

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static struct jb fuzz_jb;
static struct rtp_source fuzz_src;
static struct dtmf4733_rx fuzz_dtmf;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_hdr h;
	struct rtcp_info info;
	static int init;

	if (!init) {
		jb_init(&fuzz_jb, NULL);
		rtp_source_init(&fuzz_src, 0, 0);
		dtmf4733_rx_init(&fuzz_dtmf);
		init = 1;
	}
	if (size > 65535)
		return 0;

	/* The same bytes through every parser; the input is copied so that
	 * reads past the end are caught by ASan at the exact size. */
	uint8_t *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);

	enum rtp_err e = rtp_parse(buf, size, &h);
	FUZZ_CHECK(e < RTP_ERR__N);
	if (e == RTP_ERR_OK) {
		FUZZ_CHECK((size_t)h.payload_off + h.payload_len + h.pad_len == size);
		FUZZ_CHECK(h.payload_off >= RTP_HDR_LEN + 4u * h.cc);
		if (h.has_ext)
			FUZZ_CHECK((size_t)h.ext_off + h.ext_len <= h.payload_off);
		for (unsigned i = 0; i < h.cc; i++)
			(void)rtp_csrc(buf, i);
		/* exercise the per-packet consumers with arbitrary header values */
		rtp_source_rx(&fuzz_src, h.seq, h.ts, h.ts + (uint32_t)size);
		jb_put(&fuzz_jb, &h, buf, (uint64_t)h.seq * 20000u);
		int16_t out[JB_FRAME_SAMPLES];
		jb_get(&fuzz_jb, (uint64_t)h.seq * 20000u + 10000u, out);
		struct dtmf_report rep[DTMF4733_RX_MAX_REPORTS];
		unsigned n = dtmf4733_rx_packet(&fuzz_dtmf, h.ts, buf + h.payload_off,
			h.payload_len, h.seq, rep);
		FUZZ_CHECK(n <= DTMF4733_RX_MAX_REPORTS);
	}

	enum rtcp_err r = rtcp_parse(buf, size, &info);
	FUZZ_CHECK(r < RTCP_ERR__N);
	if (r == RTCP_ERR_OK) {
		FUZZ_CHECK(info.n_rb <= RTCP_INFO_MAX_RB);
		FUZZ_CHECK(info.n_bye <= RTCP_INFO_MAX_BYE);
		FUZZ_CHECK(info.cname[info.cname_len] == '\0'); /* NUL inside is possible */
	}

	uint8_t master[VSRTP_MASTER_LEN];
	(void)vsrtp_sdes_key_decode((const char *)buf, size, master);
	struct dtmf_event ev;
	(void)dtmf_event_parse(buf, size, &ev);
	free(buf);
	return 0;
}
