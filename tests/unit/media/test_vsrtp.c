/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: SRTP wrapper against RFC 3711 appendix B, round trips, tampering, SDES keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/srtp.h>
#include <srtp2/cipher.h>

#include "rtcp.h"
#include "rtp.h"
#include "vsrtp.h"

/* libsrtp's own AES-ICM cipher type and its crypto kernel lookup; exported
 * by libsrtp2 but not declared in its installed headers. */
extern const srtp_cipher_type_t srtp_aes_icm_128;
srtp_err_status_t srtp_crypto_kernel_alloc_cipher(srtp_cipher_type_id_t id,
	srtp_cipher_pointer_t *cp, int key_len, int tag_len);

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* AES-128 of one block (the PRF and keystream primitive), via OpenSSL. */
static void aes_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n;
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_int_equal(EVP_EncryptUpdate(c, out, &n, in, 16), 1);
	EVP_CIPHER_CTX_free(c);
}

/* RFC 3711 4.1.1 AES counter mode: block j = AES(k, iv + j), counter in
 * the low 16 bits. */
static void aes_cm(const uint8_t key[16], const uint8_t iv[16], uint8_t *ks, size_t n)
{
	uint8_t ctr[16], blk[16];
	for (size_t j = 0; j * 16 < n; j++) {
		memcpy(ctr, iv, 16);
		uint16_t lo = (uint16_t)((iv[14] << 8 | iv[15]) + j);
		ctr[14] = (uint8_t)(lo >> 8);
		ctr[15] = (uint8_t)lo;
		aes_block(key, ctr, blk);
		memcpy(ks + 16 * j, blk, n - 16 * j < 16 ? n - 16 * j : 16);
	}
}

/* RFC 3711 4.3.1 with key_derivation_rate 0: x = label at octet 7 XOR
 * master salt, PRF = AES-CM keystream with IV = x || 0x0000. */
static void kdf(const uint8_t mk[16], const uint8_t ms[14], uint8_t label, uint8_t *out,
	size_t n)
{
	uint8_t iv[16] = { 0 };
	memcpy(iv, ms, 14);
	iv[7] ^= label;
	aes_cm(mk, iv, out, n);
}

/* RFC 3711 B.2: AES-CM keystream, session key/salt given, index 0, SSRC 0. */
static void rfc3711_b2_keystream(void **state)
{
	uint8_t keysalt[30], want[48], ks_lib[48] = { 0 }, ks_ref[48], iv[16] = { 0 };
	srtp_cipher_t *c;
	uint32_t len;

	hex("2B7E151628AED2A6ABF7158809CF4F3C" "F0F1F2F3F4F5F6F7F8F9FAFBFCFD", keysalt, 30);
	hex("E03EAD0935C95E80E166B16DD92B4EB4"
	    "D23513162B02D0F72A43A2FE4A5F97AB"
	    "41E95B3BB0A2E8DD477901E4FCA894C0", want, 48);

	assert_int_equal(vsrtp_global_init(), 0);
	/* libsrtp's own type, then the one vsrtp installed in its kernel */
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			assert_int_equal(srtp_cipher_type_alloc(&srtp_aes_icm_128, &c, 30, 0),
				srtp_err_status_ok);
		else
			assert_int_equal(srtp_crypto_kernel_alloc_cipher(SRTP_AES_ICM_128, &c, 30, 0),
				srtp_err_status_ok);
		if (k == 1)
			assert_non_null(strstr(c->type->description, "voxplane"));
		memset(ks_lib, 0, sizeof(ks_lib));
		len = sizeof(ks_lib);
		assert_int_equal(srtp_cipher_init(c, keysalt), srtp_err_status_ok);
		assert_int_equal(srtp_cipher_set_iv(c, iv, srtp_direction_encrypt),
			srtp_err_status_ok);
		assert_int_equal(srtp_cipher_encrypt(c, ks_lib, &len), srtp_err_status_ok);
		srtp_cipher_dealloc(c);
		assert_memory_equal(ks_lib, want, 48);
	}

	/* and the counter-mode definition used by the known-answer test below */
	uint8_t civ[16] = { 0 };
	memcpy(civ, keysalt + 16, 14);
	aes_cm(keysalt, civ, ks_ref, 48);
	assert_memory_equal(ks_ref, want, 48);
}

static const char b3_master[] = "E1F97A0D3E018BE0D64FA32C06DE4139" "0EC675AD498AFEEBB6960B3AABE6";

/* RFC 3711 B.3: session keys from the master key and salt. */
static void rfc3711_b3_kdf(void **state)
{
	uint8_t m[30], ke[16], ks[14], ka[20], want[20];

	hex(b3_master, m, 30);
	kdf(m, m + 16, 0x00, ke, 16);
	kdf(m, m + 16, 0x02, ks, 14);
	kdf(m, m + 16, 0x01, ka, 20);
	hex("C61E7A93744F39EE10734AFE3FF7A087", want, 16);
	assert_memory_equal(ke, want, 16);
	hex("30CBBC08863D8C85D49DB34A9AE1", want, 14);
	assert_memory_equal(ks, want, 14);
	hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want, 20);
	assert_memory_equal(ka, want, 20);
}

/* Known answer: libsrtp's SRTP packet under the B.3 master key equals the
 * packet built here from the RFC-checked session keys, per RFC 3711 3.1
 * (encrypt payload, then tag over header||payload||ROC). */
static void srtp_known_answer(void **state)
{
	uint8_t m[30], ke[16], ks[14], ka[20];
	uint8_t pkt[12 + 20 + 16], ref[12 + 20 + 16];
	struct vsrtp *tx;
	struct vsrtp_cfg cfg = { .suite = VSRTP_AES_CM_128_HMAC_SHA1_80, .dir = VSRTP_TX,
		.ssrc = 0xcafebabe };

	hex(b3_master, m, 30);
	memcpy(cfg.master, m, 30);
	kdf(m, m + 16, 0x00, ke, 16);
	kdf(m, m + 16, 0x02, ks, 14);
	kdf(m, m + 16, 0x01, ka, 20);

	struct rtp_build b = { .ts = 0xdecafbad, .ssrc = 0xcafebabe, .seq = 0x1234, .pt = 0 };
	rtp_build_hdr(pkt, sizeof(pkt), &b);
	for (int i = 0; i < 20; i++)
		pkt[12 + i] = (uint8_t)(0xab ^ i);
	memcpy(ref, pkt, 32);

	/* reference: IV = salt<<16 ^ SSRC<<64 ^ index<<16, index = ROC<<16 | seq */
	uint8_t iv[16] = { 0 }, ksm[20];
	memcpy(iv, ks, 14);
	iv[4] ^= 0xca; iv[5] ^= 0xfe; iv[6] ^= 0xba; iv[7] ^= 0xbe;
	iv[12] ^= 0x12; iv[13] ^= 0x34;
	aes_cm(ke, iv, ksm, 20);
	for (int i = 0; i < 20; i++)
		ref[12 + i] ^= ksm[i];
	uint8_t auth_in[32 + 4], mac[20];
	unsigned maclen;
	memcpy(auth_in, ref, 32);
	memset(auth_in + 32, 0, 4); /* ROC 0 */
	HMAC(EVP_sha1(), ka, 20, auth_in, 36, mac, &maclen);
	memcpy(ref + 32, mac, 10);

	assert_int_equal(vsrtp_create(&tx, &cfg), 0);
	size_t len = 32;
	assert_int_equal(vsrtp_protect(tx, pkt, &len, sizeof(pkt)), 0);
	assert_int_equal(len, 42);
	assert_memory_equal(pkt, ref, 42);
	vsrtp_destroy(tx);
}

static void pair(enum vsrtp_suite suite, struct vsrtp **tx, struct vsrtp **rx, bool any)
{
	struct vsrtp_cfg c = { .suite = suite, .dir = VSRTP_TX, .ssrc = 0x1234 };
	for (int i = 0; i < 30; i++)
		c.master[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(vsrtp_create(tx, &c), 0);
	c.dir = VSRTP_RX;
	c.any_ssrc = any;
	assert_int_equal(vsrtp_create(rx, &c), 0);
}

static size_t mk_rtp(uint8_t *p, uint16_t seq)
{
	struct rtp_build b = { .ts = 160u * seq, .ssrc = 0x1234, .seq = seq, .pt = 0 };
	rtp_build_hdr(p, 200, &b);
	memset(p + 12, (int)(seq & 0xff), 160);
	return 172;
}

static void roundtrip_suite(enum vsrtp_suite suite, size_t tag, bool any)
{
	struct vsrtp *tx, *rx;
	uint8_t p[256], orig[256];

	pair(suite, &tx, &rx, any);
	for (uint16_t seq = 65530; seq != 10; seq++) { /* across the ROC wrap */
		size_t len = mk_rtp(p, seq);
		memcpy(orig, p, len);
		assert_int_equal(vsrtp_protect(tx, p, &len, sizeof(p)), 0);
		assert_int_equal(len, 172 + tag);
		assert_memory_not_equal(p + 12, orig + 12, 160);
		assert_int_equal(vsrtp_unprotect(rx, p, &len), 0);
		assert_int_equal(len, 172);
		assert_memory_equal(p, orig, 172);
	}
	/* RTCP: SR + SDES, 80-bit tag plus the 4-byte SRTCP index */
	struct rtcp_sr sr = { .ssrc = 0x1234, .ntp = 1, .rtp_ts = 2 };
	int n = rtcp_build_sr(p, sizeof(p), &sr, NULL, 0);
	n += rtcp_build_sdes_cname(p + n, sizeof(p) - (size_t)n, 0x1234, "a@b", 3);
	memcpy(orig, p, (size_t)n);
	size_t len = (size_t)n;
	assert_int_equal(vsrtp_protect_rtcp(tx, p, &len, sizeof(p)), 0);
	assert_int_equal(len, (size_t)n + 14);
	assert_int_equal(vsrtp_unprotect_rtcp(rx, p, &len), 0);
	assert_int_equal(len, (size_t)n);
	assert_memory_equal(p, orig, len);
	assert_int_equal(vsrtp_stats(rx)->auth_fail, 0);
	vsrtp_destroy(tx);
	vsrtp_destroy(rx);
}

static void roundtrip_80(void **state) { roundtrip_suite(VSRTP_AES_CM_128_HMAC_SHA1_80, 10, false); }
static void roundtrip_32(void **state) { roundtrip_suite(VSRTP_AES_CM_128_HMAC_SHA1_32, 4, true); }

static void tamper_replay(void **state)
{
	struct vsrtp *tx, *rx;
	uint8_t p[256], keep[256];

	pair(VSRTP_AES_CM_128_HMAC_SHA1_80, &tx, &rx, false);
	size_t len = mk_rtp(p, 1);
	assert_int_equal(vsrtp_protect(tx, p, &len, sizeof(p)), 0);
	memcpy(keep, p, len);
	size_t klen = len;

	p[50] ^= 0x01; /* one payload bit */
	assert_int_equal(vsrtp_unprotect(rx, p, &len), -EBADMSG);
	memcpy(p, keep, klen);
	len = klen;
	p[len - 1] ^= 0x80; /* one tag bit */
	assert_int_equal(vsrtp_unprotect(rx, p, &len), -EBADMSG);
	memcpy(p, keep, klen);
	len = klen;
	p[3] ^= 0x01; /* sequence number: authenticated header */
	assert_int_equal(vsrtp_unprotect(rx, p, &len), -EBADMSG);
	assert_int_equal(vsrtp_stats(rx)->auth_fail, 3);

	memcpy(p, keep, klen);
	len = klen;
	assert_int_equal(vsrtp_unprotect(rx, p, &len), 0);
	memcpy(p, keep, klen);
	len = klen;
	assert_int_equal(vsrtp_unprotect(rx, p, &len), -EALREADY);
	assert_int_equal(vsrtp_stats(rx)->replay, 1);

	/* a wrong key fails authentication too */
	struct vsrtp *rx2;
	struct vsrtp_cfg c = { .suite = VSRTP_AES_CM_128_HMAC_SHA1_80, .dir = VSRTP_RX,
		.any_ssrc = true };
	assert_int_equal(vsrtp_create(&rx2, &c), 0);
	memcpy(p, keep, klen);
	len = klen;
	assert_int_equal(vsrtp_unprotect(rx2, p, &len), -EBADMSG);

	/* room for the tag is required; runts are refused */
	len = mk_rtp(p, 2);
	assert_int_equal(vsrtp_protect(tx, p, &len, len + 9), -ENOSPC);
	len = 11;
	assert_int_equal(vsrtp_unprotect(rx, p, &len), -EINVAL);
	vsrtp_destroy(tx);
	vsrtp_destroy(rx);
	vsrtp_destroy(rx2);
}

static void sdes_keys(void **state)
{
	uint8_t m[30];
	const char *k;

	/* RFC 4568 section 9.1 example key, lifetime, MKI */
	k = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), -ENOTSUP);
	k = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), 0);
	assert_memory_equal(m, "=-n@%^x!Bjufr9)?,#5h\\`=&]{qiPQ", 30);
	k = "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), 0);
	for (int i = 0; i < 30; i++)
		assert_int_equal(m[i], i);
	/* wrong length, bad alphabet, missing prefix, empty lifetime */
	k = "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), -EINVAL);
	k = "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx*d";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), -EINVAL);
	k = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), -EINVAL);
	k = "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|";
	assert_int_equal(vsrtp_sdes_key_decode(k, strlen(k), m), -EINVAL);

	assert_int_equal(vsrtp_suite_parse("AES_CM_128_HMAC_SHA1_80", 23),
		VSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(vsrtp_suite_parse("AES_CM_128_HMAC_SHA1_32", 23),
		VSRTP_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(vsrtp_suite_parse("AEAD_AES_128_GCM", 16), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc3711_b2_keystream),
		cmocka_unit_test(rfc3711_b3_kdf),
		cmocka_unit_test(srtp_known_answer),
		cmocka_unit_test(roundtrip_80),
		cmocka_unit_test(roundtrip_32),
		cmocka_unit_test(tamper_replay),
		cmocka_unit_test(sdes_keys),
	};
	return cmocka_run_group_tests_name("media_vsrtp", tests, NULL, NULL);
}
