/* SPDX-License-Identifier: BSD-3-Clause */
/* test_pool.c — shared/vox_g711 reference values and bounds; vox_pool layout and readers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vox_g711.h"
#include "vox_pool.h"

/* ---- G.711 ------------------------------------------------------------------------------ */

static void test_g711_known_values(void **state)
{
	(void)state;
	assert_int_equal(vox_g711_ulaw_encode(0), 0xff);
	assert_int_equal(vox_g711_alaw_encode(0), 0xd5);
	assert_int_equal(vox_g711_ulaw_encode(-1), 0x7f);
	assert_int_equal(vox_g711_alaw_encode(-1), 0x55);
	assert_int_equal(vox_g711_ulaw_encode(32767), 0x80);
	assert_int_equal(vox_g711_ulaw_encode(-32768), 0x00);
	assert_int_equal(vox_g711_alaw_encode(32767), 0xaa);
	assert_int_equal(vox_g711_alaw_encode(-32768), 0x2a);
	assert_int_equal(vox_g711_ulaw_decode(0xff), 0);
	assert_int_equal(vox_g711_ulaw_decode(0x7f), 0);
	assert_int_equal(vox_g711_ulaw_decode(0x80), 32124);
	assert_int_equal(vox_g711_ulaw_decode(0x00), -32124);
	assert_int_equal(vox_g711_alaw_decode(0xd5), 8);
	assert_int_equal(vox_g711_alaw_decode(0x55), -8);
	assert_int_equal(vox_g711_alaw_decode(0xaa), 32256);
	assert_int_equal(vox_g711_alaw_decode(0x2a), -32256);
	/* a segment boundary each: first code of μ-law segment 1, A-law segment 2 */
	assert_int_equal(vox_g711_ulaw_encode(124), 0xef);
	assert_int_equal(vox_g711_alaw_encode(512), 0xf5);
}

/* Every code decodes to a value that encodes back to it (μ-law's two zeros map onto 0xFF). */
static void test_g711_codes_round_trip(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		uint8_t u = vox_g711_ulaw_encode(vox_g711_ulaw_decode((uint8_t)c));
		assert_int_equal(u, c == 0x7f ? 0xff : c);
		assert_int_equal(vox_g711_alaw_encode(vox_g711_alaw_decode((uint8_t)c)), c);
	}
}

/* Every 16-bit input decodes back within half a quantisation step: at most |x|/32 past the
 * first segments (μ-law counts its bias of 132), plus the clipping above 32635 for μ-law. */
static void test_g711_round_trip_bound(void **state)
{
	(void)state;
	int worst_u = 0, worst_a = 0;
	for (int x = -32768; x <= 32767; x++) {
		int mag = x < 0 ? -x : x;
		int eu = vox_g711_ulaw_decode(vox_g711_ulaw_encode((int16_t)x)) - x;
		int ea = vox_g711_alaw_decode(vox_g711_alaw_encode((int16_t)x)) - x;
		eu = eu < 0 ? -eu : eu;
		ea = ea < 0 ? -ea : ea;
		int clip = mag > 32635 ? mag - 32635 : 0;
		/* negative inputs are one's complement (G.191): one more unit of error */
		if (eu * 32 > mag - clip + 132 + clip * 32 + (x < 0) * 32)
			fail_msg("ulaw x=%d err=%d", x, eu);
		if (ea > 9 + mag / 32)
			fail_msg("alaw x=%d err=%d", x, ea);
		worst_u = eu > worst_u ? eu : worst_u;
		worst_a = ea > worst_a ? ea : worst_a;
	}
	/* and monotonic: a larger input never decodes smaller */
	int prev_u = -32768, prev_a = -32768;
	for (int x = -32768; x <= 32767; x++) {
		int du = vox_g711_ulaw_decode(vox_g711_ulaw_encode((int16_t)x));
		int da = vox_g711_alaw_decode(vox_g711_alaw_encode((int16_t)x));
		assert_true(du >= prev_u);
		assert_true(da >= prev_a);
		prev_u = du;
		prev_a = da;
	}
	print_message("worst error: ulaw %d, alaw %d\n", worst_u, worst_a);
}

static void test_g711_buffers(void **state)
{
	(void)state;
	int16_t pcm[7] = {0, 1, -1, 1000, -1000, 32767, -32768};
	uint8_t u[7], a[7];
	vox_g711_ulaw_encode_buf(u, pcm, 7);
	vox_g711_alaw_encode_buf(a, pcm, 7);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(u[i], vox_g711_ulaw_encode(pcm[i]));
		assert_int_equal(a[i], vox_g711_alaw_encode(pcm[i]));
	}
}

/* ---- layout ----------------------------------------------------------------------------- */

#define REGION (1u << 20)

static void *region_new(void)
{
	void *r = aligned_alloc(4096, REGION);
	assert_non_null(r);
	memset(r, 0, REGION);
	return r;
}

static void test_layout_format(void **state)
{
	(void)state;
	void *r = region_new();
	struct vox_pool_hdr *p = r;
	assert_int_equal(vox_pool_check(r, REGION), -ENODATA);
	assert_int_equal(vox_pool_format(r, REGION, 1000, 1), -EINVAL);
	assert_int_equal(vox_pool_format(r, REGION, 32u << 20, 1), -EINVAL);
	assert_int_equal(vox_pool_format(r, 8192, 0, 1), -ENOSPC);
	assert_int_equal(vox_pool_format(r, REGION, 4096, 7), 0);
	assert_int_equal(vox_pool_check(r, REGION), 0);
	assert_int_equal(vox_pool_check(r, REGION / 2), -EPROTO);

	assert_int_equal(p->slab_size, 4096);
	assert_int_equal(p->frames_per_slab, 6);
	assert_int_equal(p->n_clips, p->n_slabs);
	assert_int_equal(p->off_slabs % 4096, 0);
	assert_true(p->off_owner >=
	            p->off_clips + (uint64_t)p->n_clips * sizeof(struct vox_pool_clip));
	assert_true(p->off_slabs >= p->off_owner + (uint64_t)p->n_slabs * 4);
	assert_true(p->off_slabs + (uint64_t)p->n_slabs * p->slab_size <= REGION);
	/* tight: one more slab would not fit */
	uint64_t n1 = (uint64_t)p->n_slabs + 1;
	uint64_t need = ((256 + n1 * 1028 + 4095) & ~4095ull) + n1 * 4096;
	assert_true(need > REGION);
	/* every entry FREE, generations never 0, owners free */
	for (uint32_t i = 0; i < p->n_clips; i++) {
		uint64_t w = atomic_load(&vox_pool_clip_at(p, i)->word);
		assert_int_equal((uint32_t)w, VOX_CLIP_FREE);
		assert_int_not_equal(w >> 32, 0);
		assert_int_equal(vox_pool_owner(p)[i], VOX_POOL_OWNER_FREE);
	}
	/* the default is 64 KiB slabs of 102 frames */
	assert_int_equal(vox_pool_format(r, REGION, 0, 7), 0);
	assert_int_equal(p->slab_size, VOX_POOL_SLAB_DEFAULT);
	assert_int_equal(p->frames_per_slab, 102);
	assert_int_equal(p->n_slabs, 15);

	p->version = 99;
	assert_int_equal(vox_pool_check(r, REGION), -EPROTO);
	atomic_store(&p->magic, 0x1234);
	assert_int_equal(vox_pool_check(r, REGION), -EPROTO);
	free(r);
}

static void test_layout_frame_addressing(void **state)
{
	(void)state;
	void *r = region_new();
	struct vox_pool_hdr *p = r;
	assert_int_equal(vox_pool_format(r, REGION, 4096, 1), 0);
	struct vox_pool_clip *c = vox_pool_clip_at(p, 3);
	c->n_frames = 13;
	c->n_slabs = 3;
	c->slab[0] = 9;
	c->slab[1] = 2;
	c->slab[2] = 40;
	uint8_t *slabs = (uint8_t *)r + p->off_slabs;
	assert_ptr_equal(vox_pool_frame_rec(p, c, 0), slabs + 9 * 4096);
	assert_ptr_equal(vox_pool_frame_rec(p, c, 5), slabs + 9 * 4096 + 5 * 640);
	assert_ptr_equal(vox_pool_frame_rec(p, c, 6), slabs + 2 * 4096);
	assert_ptr_equal(vox_pool_frame_rec(p, c, 12), slabs + 40 * 4096);
	assert_int_equal(vox_pool_fmt_off(VOX_POOL_LIN16), 0);
	assert_int_equal(vox_pool_fmt_off(VOX_POOL_PCMU), 320);
	assert_int_equal(vox_pool_fmt_off(VOX_POOL_PCMA), 480);
	assert_int_equal(vox_pool_fmt_bytes(VOX_POOL_LIN16), 320);
	assert_int_equal(vox_pool_fmt_bytes(VOX_POOL_PCMA), 160);
	free(r);
}

/* The reader accepts exactly (generation, READY) and nothing else. */
static void test_reader_lookup(void **state)
{
	(void)state;
	void *r = region_new();
	struct vox_pool_hdr *p = r;
	assert_int_equal(vox_pool_format(r, REGION, 4096, 100), 0);
	struct vox_pool_clip *c = vox_pool_clip_at(p, 3);
	uint32_t gen = (uint32_t)(atomic_load(&c->word) >> 32) + 1;
	vox_clip_t h = vox_clip_make(3, gen);
	c->n_frames = 2;
	c->n_slabs = 1;
	c->slab[0] = 4;
	assert_null(vox_pool_lookup(p, 0));
	assert_null(vox_pool_lookup(p, vox_clip_make(p->n_clips, gen)));
	atomic_store(&c->word, vox_clip_word(gen, VOX_CLIP_ALLOC));
	assert_null(vox_pool_lookup(p, h));
	atomic_store(&c->word, vox_clip_word(gen, VOX_CLIP_READY));
	assert_ptr_equal(vox_pool_lookup(p, h), c);
	assert_null(vox_pool_lookup(p, vox_clip_make(3, gen + 1)));
	assert_null(vox_pool_lookup(p, vox_clip_make(2, gen)));
	const uint8_t *f1 = vox_pool_play(p, h, 1, VOX_POOL_PCMU);
	assert_ptr_equal(f1, (uint8_t *)r + p->off_slabs + 4 * 4096 + 640 + 320);
	assert_null(vox_pool_play(p, h, 2, VOX_POOL_PCMU));
	atomic_store(&c->word, vox_clip_word(gen, VOX_CLIP_RETIRED));
	assert_null(vox_pool_lookup(p, h));
	assert_null(vox_pool_play(p, h, 0, VOX_POOL_LIN16));
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_g711_known_values),
	    cmocka_unit_test(test_g711_codes_round_trip),
	    cmocka_unit_test(test_g711_round_trip_bound),
	    cmocka_unit_test(test_g711_buffers),
	    cmocka_unit_test(test_layout_format),
	    cmocka_unit_test(test_layout_frame_addressing),
	    cmocka_unit_test(test_reader_lookup),
	};
	return cmocka_run_group_tests_name("shared_pool", tests, NULL, NULL);
}
