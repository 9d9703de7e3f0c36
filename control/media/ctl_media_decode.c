/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_media_decode.c — decoders (libsndfile, libmpg123, raw s16le) into an 8 kHz mono sink. */

/*
 * Every decoder reads its input in chunks, down-mixes each chunk to mono float (scaled to
 * +-32768) and pushes it into a sink, which resamples to 8 kHz with speexdsp and clips to
 * int16. The sink enforces the duration bound as frames arrive, so a file whose header lies
 * about its length still stops at the limit; the size bound is checked before reading.
 * The sink's output length is exact: round(in_frames * 8000 / in_rate), with the
 * resampler's delay removed at the start (skip_zeros) and flushed at the end.
 * Runs on a worker thread; nothing here touches the module's shared state.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mpg123.h>
#include <sndfile.h>
#include <speex/speex_resampler.h>

#include "ctl_media_priv.h"

#define CTL_MEDIA_CHUNK 4096 /* samples per read, all channels together */
#define CTL_MEDIA_MAX_CHANNELS 64

static inline int16_t ctl_media_clip(float v)
{
	if (v >= 32767.0f)
		return 32767;
	if (v <= -32768.0f)
		return -32768;
	return (int16_t)lrintf(v);
}

static uint64_t ctl_media_out_frames(uint64_t in_frames, uint32_t in_rate)
{
	return (in_frames * CTL_MEDIA_RATE + in_rate / 2) / in_rate;
}

static int ctl_media_sink_grow(struct ctl_media_sink *s, size_t need)
{
	if (s->n + need <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 4096;
	if (cap < s->n + need)
		cap = s->n + need;
	int16_t *p = realloc(s->out, cap * sizeof(*p));
	if (!p)
		return ctl_media_fail(s->res, -ENOMEM, "out of memory for %zu samples", cap);
	s->out = p;
	s->cap = cap;
	return 0;
}

int ctl_media_sink_init(struct ctl_media_sink *s, const struct ctl_media_limits *lim,
                        struct ctl_media_result *res, uint32_t in_rate, uint64_t frames_hint)
{
	memset(s, 0, sizeof(*s));
	s->lim = lim;
	s->res = res;
	s->in_rate = in_rate;
	s->max_in_frames = (uint64_t)lim->max_duration_ms * in_rate / 1000;
	if (in_rate < 1000 || in_rate > 384000)
		return ctl_media_fail(res, -EBADMSG, "unsupported sample rate %u", in_rate);
	if (frames_hint > s->max_in_frames)
		return ctl_media_fail(res, -EFBIG, "input is %.1f s, over the %u ms limit",
		                      (double)frames_hint / in_rate, lim->max_duration_ms);
	if (in_rate != CTL_MEDIA_RATE) {
		int err = 0;
		s->rs = speex_resampler_init(1, in_rate, CTL_MEDIA_RATE, lim->quality, &err);
		if (!s->rs)
			return ctl_media_fail(res, -ENOMEM, "resampler: %s",
			                      speex_resampler_strerror(err));
		speex_resampler_skip_zeros(s->rs);
	}
	if (frames_hint)
		return ctl_media_sink_grow(s, ctl_media_out_frames(frames_hint, in_rate) + 64);
	return 0;
}

/* Resample (or copy) n frames into the output, without counting them as input. */
static int ctl_media_sink_feed(struct ctl_media_sink *s, const float *in, size_t n)
{
	if (!s->rs) {
		int rc = ctl_media_sink_grow(s, n);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++)
			s->out[s->n++] = ctl_media_clip(in[i]);
		return 0;
	}
	float tmp[1024];
	while (n) {
		spx_uint32_t in_len = n > UINT32_MAX ? UINT32_MAX : (spx_uint32_t)n;
		spx_uint32_t out_len = sizeof(tmp) / sizeof(tmp[0]);
		speex_resampler_process_float(s->rs, 0, in, &in_len, tmp, &out_len);
		int rc = ctl_media_sink_grow(s, out_len);
		if (rc)
			return rc;
		for (spx_uint32_t i = 0; i < out_len; i++)
			s->out[s->n++] = ctl_media_clip(tmp[i]);
		in += in_len;
		n -= in_len;
	}
	return 0;
}

int ctl_media_sink_push(struct ctl_media_sink *s, const float *in, size_t n)
{
	if (atomic_load(s->lim->stop))
		return ctl_media_fail(s->res, -ECANCELED, "module stopping");
	s->in_frames += n;
	if (s->in_frames > s->max_in_frames)
		return ctl_media_fail(s->res, -EFBIG, "input longer than the %u ms limit",
		                      s->lim->max_duration_ms);
	return ctl_media_sink_feed(s, in, n);
}

int ctl_media_sink_finish(struct ctl_media_sink *s)
{
	if (s->rs) {
		/* push the resampler's delay out with silence */
		float zeros[256] = {0};
		int left = speex_resampler_get_input_latency(s->rs);
		while (left > 0) {
			int k = left > 256 ? 256 : left;
			int rc = ctl_media_sink_feed(s, zeros, (size_t)k);
			if (rc)
				return rc;
			left -= k;
		}
	}
	size_t want = ctl_media_out_frames(s->in_frames, s->in_rate);
	if (want == 0)
		return ctl_media_fail(s->res, -EBADMSG, "no audio in the input");
	if (s->n < want) { /* not expected; pad rather than return a short buffer */
		int rc = ctl_media_sink_grow(s, want - s->n);
		if (rc)
			return rc;
		memset(s->out + s->n, 0, (want - s->n) * sizeof(*s->out));
	}
	s->n = want;
	int16_t *p = realloc(s->out, want * sizeof(*p));
	free(s->res->samples);
	s->res->samples = p ? p : s->out;
	s->res->n_samples = want;
	s->out = NULL;
	s->n = s->cap = 0;
	return 0;
}

void ctl_media_sink_fini(struct ctl_media_sink *s)
{
	if (s->rs)
		speex_resampler_destroy(s->rs);
	free(s->out);
	memset(s, 0, sizeof(*s));
}

/* Down-mix n interleaved frames of ch channels into mono, scaled by gain. */
static void ctl_media_mix(const float *in, unsigned ch, size_t n, float gain, float *mono)
{
	if (ch == 1) {
		for (size_t i = 0; i < n; i++)
			mono[i] = in[i] * gain;
		return;
	}
	float g = gain / (float)ch;
	for (size_t i = 0; i < n; i++) {
		float acc = 0;
		for (unsigned c = 0; c < ch; c++)
			acc += in[i * ch + c];
		mono[i] = acc * g;
	}
}

/* Where a decoder's bytes come from: an open file or the job's buffer. */
struct ctl_media_in {
	int fd; /* -1: memory */
	const uint8_t *data;
	size_t len, pos;
	uint8_t buf[16384];
};

/* Next bytes of input: sets *p and returns how many (0 at the end), or -errno. */
static ssize_t ctl_media_in_next(struct ctl_media_in *in, const uint8_t **p)
{
	if (in->fd < 0) {
		size_t n = in->len - in->pos;
		if (n > sizeof(in->buf))
			n = sizeof(in->buf);
		*p = in->data + in->pos;
		in->pos += n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t r = read(in->fd, in->buf, sizeof(in->buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		*p = in->buf;
		return r;
	}
}

/* ---- libsndfile, with virtual I/O over the buffer ---- */

static sf_count_t ctl_media_vio_len(void *u)
{
	return (sf_count_t)((struct ctl_media_in *)u)->len;
}

static sf_count_t ctl_media_vio_seek(sf_count_t off, int whence, void *u)
{
	struct ctl_media_in *in = u;
	sf_count_t base = whence == SEEK_SET   ? 0
	                  : whence == SEEK_CUR ? (sf_count_t)in->pos
	                                       : (sf_count_t)in->len;
	sf_count_t to = base + off;
	if (to < 0)
		to = 0;
	if (to > (sf_count_t)in->len)
		to = (sf_count_t)in->len;
	in->pos = (size_t)to;
	return to;
}

static sf_count_t ctl_media_vio_read(void *ptr, sf_count_t count, void *u)
{
	struct ctl_media_in *in = u;
	size_t n = in->len - in->pos;
	if (count < 0)
		return 0;
	if ((size_t)count < n)
		n = (size_t)count;
	memcpy(ptr, in->data + in->pos, n);
	in->pos += n;
	return (sf_count_t)n;
}

static sf_count_t ctl_media_vio_write(const void *ptr, sf_count_t count, void *u)
{
	return 0;
}

static sf_count_t ctl_media_vio_tell(void *u)
{
	return (sf_count_t)((struct ctl_media_in *)u)->pos;
}

static int ctl_media_decode_sndfile(const struct ctl_media_limits *lim, struct ctl_media_in *in,
                                    struct ctl_media_result *res)
{
	SF_VIRTUAL_IO vio = {
	    .get_filelen = ctl_media_vio_len,
	    .seek = ctl_media_vio_seek,
	    .read = ctl_media_vio_read,
	    .write = ctl_media_vio_write,
	    .tell = ctl_media_vio_tell,
	};
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *sf = in->fd >= 0 ? sf_open_fd(in->fd, SFM_READ, &info, SF_FALSE)
	                          : sf_open_virtual(&vio, SFM_READ, &info, in);
	if (!sf)
		return ctl_media_fail(res, -EBADMSG, "not a readable audio file: %s",
		                      sf_strerror(NULL));
	int rc;
	if (info.channels < 1 || info.channels > CTL_MEDIA_MAX_CHANNELS) {
		rc = ctl_media_fail(res, -EBADMSG, "unsupported channel count %d", info.channels);
		goto out_close;
	}
	res->src_rate = (uint32_t)info.samplerate;
	res->src_channels = (uint16_t)info.channels;
	res->format = CTL_MEDIA_SNDFILE;
	/* float files may exceed +-1.0: the sink clips */
	struct ctl_media_sink s;
	uint64_t hint = info.frames > 0 && info.frames < SF_COUNT_MAX ? (uint64_t)info.frames : 0;
	rc = ctl_media_sink_init(&s, lim, res, (uint32_t)info.samplerate, hint);
	if (rc)
		goto out_sink;
	float buf[CTL_MEDIA_CHUNK], mono[CTL_MEDIA_CHUNK];
	sf_count_t per = CTL_MEDIA_CHUNK / info.channels;
	sf_count_t got;
	while ((got = sf_readf_float(sf, buf, per)) > 0) {
		ctl_media_mix(buf, (unsigned)info.channels, (size_t)got, 32768.0f, mono);
		rc = ctl_media_sink_push(&s, mono, (size_t)got);
		if (rc)
			goto out_sink;
	}
	if (sf_error(sf) != SF_ERR_NO_ERROR) {
		rc = ctl_media_fail(res, -EBADMSG, "corrupt audio: %s", sf_strerror(sf));
		goto out_sink;
	}
	rc = ctl_media_sink_finish(&s);
out_sink:
	ctl_media_sink_fini(&s);
out_close:
	sf_close(sf);
	return rc;
}

/* ---- libmpg123, feed API ---- */

static pthread_once_t ctl_media_mpg123_once = PTHREAD_ONCE_INIT;
static int ctl_media_mpg123_init_rc;

static void ctl_media_mpg123_init(void)
{
	ctl_media_mpg123_init_rc = mpg123_init(); /* a no-op since 1.27, needed before */
}

static int ctl_media_decode_mp3(const struct ctl_media_limits *lim, struct ctl_media_in *in,
                                struct ctl_media_result *res)
{
	pthread_once(&ctl_media_mpg123_once, ctl_media_mpg123_init);
	if (ctl_media_mpg123_init_rc != MPG123_OK)
		return ctl_media_fail(res, -ENOTSUP, "mpg123_init failed");
	int err = 0;
	mpg123_handle *mh = mpg123_new(NULL, &err);
	if (!mh)
		return ctl_media_fail(res, -ENOMEM, "mpg123: %s", mpg123_plain_strerror(err));
	struct ctl_media_sink s;
	memset(&s, 0, sizeof(s));
	bool have_fmt = false;
	long rate = 0;
	int ch = 0, enc = 0, rc;
	mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_QUIET, 0);
	mpg123_format_none(mh);
	if (mpg123_format2(mh, 0, MPG123_MONO | MPG123_STEREO, MPG123_ENC_SIGNED_16) != MPG123_OK ||
	    mpg123_open_feed(mh) != MPG123_OK) {
		rc = ctl_media_fail(res, -ENOTSUP, "mpg123: %s", mpg123_strerror(mh));
		goto out;
	}
	res->format = CTL_MEDIA_MP3;
	int16_t pcm[CTL_MEDIA_CHUNK];
	float fl[CTL_MEDIA_CHUNK], mono[CTL_MEDIA_CHUNK];
	for (;;) {
		size_t done = 0;
		int r = mpg123_read(mh, pcm, sizeof(pcm), &done);
		if (r == MPG123_NEW_FORMAT) {
			mpg123_getformat(mh, &rate, &ch, &enc);
			if (have_fmt && (uint32_t)rate != s.in_rate) {
				rc =
				    ctl_media_fail(res, -EBADMSG, "sample rate changes mid-stream");
				goto out;
			}
			if (!have_fmt) {
				res->src_rate = (uint32_t)rate;
				res->src_channels = (uint16_t)ch;
				rc = ctl_media_sink_init(&s, lim, res, (uint32_t)rate, 0);
				if (rc)
					goto out;
				have_fmt = true;
			}
		}
		if (done && have_fmt) {
			size_t frames = done / sizeof(int16_t) / (size_t)ch;
			for (size_t i = 0; i < frames * (size_t)ch; i++)
				fl[i] = pcm[i];
			ctl_media_mix(fl, (unsigned)ch, frames, 1.0f, mono);
			rc = ctl_media_sink_push(&s, mono, frames);
			if (rc)
				goto out;
		}
		if (r == MPG123_NEED_MORE) {
			const uint8_t *p;
			ssize_t n = ctl_media_in_next(in, &p);
			if (n < 0) {
				rc = ctl_media_fail(res, (int)n, "read: %s", strerror((int)-n));
				goto out;
			}
			if (n == 0)
				break;
			if (mpg123_feed(mh, p, (size_t)n) != MPG123_OK) {
				rc =
				    ctl_media_fail(res, -ENOMEM, "mpg123: %s", mpg123_strerror(mh));
				goto out;
			}
		} else if (r == MPG123_DONE) {
			break;
		} else if (r != MPG123_OK && r != MPG123_NEW_FORMAT) {
			rc = ctl_media_fail(res, -EBADMSG, "corrupt MPEG audio: %s",
			                    mpg123_strerror(mh));
			goto out;
		}
	}
	if (!have_fmt) {
		rc = ctl_media_fail(res, -EBADMSG, "no MPEG audio in the input");
		goto out;
	}
	rc = ctl_media_sink_finish(&s);
out:
	ctl_media_sink_fini(&s);
	mpg123_delete(mh);
	return rc;
}

/* ---- raw signed 16-bit little-endian ---- */

static int ctl_media_decode_raw(const struct ctl_media_limits *lim, struct ctl_media_in *in,
                                uint64_t size, const struct ctl_media_src *src,
                                struct ctl_media_result *res)
{
	unsigned ch = src->raw_channels ? src->raw_channels : 1;
	size_t fbytes = 2 * ch;
	res->src_rate = src->raw_rate;
	res->src_channels = (uint16_t)ch;
	res->format = CTL_MEDIA_RAW_S16LE;
	struct ctl_media_sink s;
	int rc = ctl_media_sink_init(&s, lim, res, src->raw_rate, size / fbytes);
	if (rc)
		goto out;
	uint8_t carry[16]; /* a frame split across two reads */
	size_t ncarry = 0;
	float fl[CTL_MEDIA_CHUNK], mono[CTL_MEDIA_CHUNK];
	size_t per = CTL_MEDIA_CHUNK / ch;
	for (;;) {
		const uint8_t *p;
		ssize_t n = ctl_media_in_next(in, &p);
		if (n < 0) {
			rc = ctl_media_fail(res, (int)n, "read: %s", strerror((int)-n));
			goto out;
		}
		if (n == 0)
			break;
		size_t len = (size_t)n;
		if (ncarry) {
			size_t k = fbytes - ncarry < len ? fbytes - ncarry : len;
			memcpy(carry + ncarry, p, k);
			ncarry += k;
			p += k;
			len -= k;
			if (ncarry == fbytes) {
				for (unsigned c = 0; c < ch; c++)
					fl[c] = (int16_t)(carry[2 * c] | carry[2 * c + 1] << 8);
				ctl_media_mix(fl, ch, 1, 1.0f, mono);
				if ((rc = ctl_media_sink_push(&s, mono, 1)))
					goto out;
				ncarry = 0;
			}
		}
		while (len >= fbytes) {
			size_t frames = len / fbytes;
			if (frames > per)
				frames = per;
			for (size_t i = 0; i < frames * ch; i++)
				fl[i] = (int16_t)(p[2 * i] | p[2 * i + 1] << 8);
			ctl_media_mix(fl, ch, frames, 1.0f, mono);
			if ((rc = ctl_media_sink_push(&s, mono, frames)))
				goto out;
			p += frames * fbytes;
			len -= frames * fbytes;
		}
		memcpy(carry + ncarry, p, len);
		ncarry += len;
	}
	rc = ctl_media_sink_finish(&s); /* a trailing partial frame is dropped */
out:
	ctl_media_sink_fini(&s);
	return rc;
}

/* MP3 starts with an ID3v2 tag or an MPEG audio frame sync with a valid layer. */
static bool ctl_media_looks_mp3(const uint8_t *b, size_t n)
{
	if (n >= 3 && b[0] == 'I' && b[1] == 'D' && b[2] == '3')
		return true;
	return n >= 2 && b[0] == 0xff && (b[1] & 0xe0) == 0xe0 && (b[1] & 0x06) != 0;
}

void ctl_media_decode_run(const struct ctl_media_limits *lim, struct ctl_media_job *j)
{
	struct ctl_media_result *res = &j->res;
	const struct ctl_media_src *src = &j->src;
	struct ctl_media_in *in = malloc(sizeof(*in));
	if (!in) {
		ctl_media_fail(res, -ENOMEM, "out of memory");
		return;
	}
	in->fd = -1;
	in->data = src->data;
	in->len = src->len;
	in->pos = 0;
	uint64_t size = src->len;
	uint8_t head[4] = {0};
	size_t nhead = 0;
	if (src->path) {
		in->fd = open(src->path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			ctl_media_fail(res, -errno, "%s: %s", src->path, strerror(errno));
			goto out;
		}
		struct stat st;
		if (fstat(in->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			ctl_media_fail(res, -EBADMSG, "%s: not a regular file", src->path);
			goto out;
		}
		size = (uint64_t)st.st_size;
		ssize_t r = pread(in->fd, head, sizeof(head), 0);
		nhead = r > 0 ? (size_t)r : 0;
	} else {
		nhead = src->len < sizeof(head) ? src->len : sizeof(head);
		memcpy(head, src->data, nhead);
	}
	if (size > lim->max_input_bytes) {
		ctl_media_fail(res, -EFBIG, "input is %llu bytes, over the %llu byte limit",
		               (unsigned long long)size, (unsigned long long)lim->max_input_bytes);
		goto out;
	}
	enum ctl_media_format f = src->format;
	if (f == CTL_MEDIA_AUTO)
		f = ctl_media_looks_mp3(head, nhead) ? CTL_MEDIA_MP3 : CTL_MEDIA_SNDFILE;
	switch (f) {
	case CTL_MEDIA_MP3:
		ctl_media_decode_mp3(lim, in, res);
		break;
	case CTL_MEDIA_RAW_S16LE:
		ctl_media_decode_raw(lim, in, size, src, res);
		break;
	default:
		ctl_media_decode_sndfile(lim, in, res);
		break;
	}
out:
	if (in->fd >= 0)
		close(in->fd);
	free(in);
}
