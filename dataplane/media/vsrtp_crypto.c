/* SPDX-License-Identifier: BSD-3-Clause */
/* Allocation-free AES-128-ICM and HMAC-SHA1 for libsrtp2, on OpenSSL primitives. */

/*
 * Debian's libsrtp2 does its crypto through NSS, which allocates and takes
 * locks on every packet (measured: 28 mallocs and 64 mutex locks per
 * protect+unprotect pair). libsrtp lets a program replace a cipher or auth
 * type (srtp_replace_cipher_type / srtp_replace_auth_type); it runs the
 * replacement against its own test vectors and the old type's before
 * accepting it. The two types here keep every per-packet step free of
 * allocation: AES-CTR through a per-stream EVP context that only has its IV
 * reset per packet, and HMAC-SHA1 from inner and outer SHA-1 states
 * precomputed at key set-up and copied by value per packet. The low-level
 * SHA-1 calls are deprecated in OpenSSL 3 but remain; EVP digests would
 * allocate on every context copy.
 */
#define OPENSSL_API_COMPAT 10101
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include "vsrtp_crypto.h"

static const srtp_cipher_type_t vsrtp_icm_type;
static const srtp_auth_type_t vsrtp_hmac_type;

#define VSRTP_ICM_KEY 16
#define VSRTP_ICM_SALT 14

struct vsrtp_icm {
	EVP_CIPHER_CTX *ctx;
	uint8_t offset[16]; /* salt, then two zero octets for the block counter */
};

static srtp_err_status_t vsrtp_icm_dealloc(srtp_cipher_t *c)
{
	struct vsrtp_icm *s = c->state;

	if (s) {
		EVP_CIPHER_CTX_free(s->ctx);
		OPENSSL_cleanse(s, sizeof(*s));
	}
	free(c);
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_icm_alloc(srtp_cipher_t **cp, int key_len, int tag_len)
{
	srtp_cipher_t *c;
	struct vsrtp_icm *s;

	if (key_len != VSRTP_ICM_KEY + VSRTP_ICM_SALT)
		return srtp_err_status_bad_param;
	/* one block: the libsrtp handle, then our state */
	c = calloc(1, sizeof(*c) + sizeof(*s));
	if (!c)
		return srtp_err_status_alloc_fail;
	s = (struct vsrtp_icm *)(c + 1);
	s->ctx = EVP_CIPHER_CTX_new();
	if (!s->ctx) {
		free(c);
		return srtp_err_status_alloc_fail;
	}
	c->type = &vsrtp_icm_type;
	c->state = s;
	c->key_len = key_len;
	c->algorithm = SRTP_AES_ICM_128;
	*cp = c;
	return srtp_err_status_ok;
}

/* key is the 16-byte AES key followed by the 14-byte salt. */
static srtp_err_status_t vsrtp_icm_init(void *state, const uint8_t *key)
{
	struct vsrtp_icm *s = state;

	memset(s->offset, 0, sizeof(s->offset));
	memcpy(s->offset, key + VSRTP_ICM_KEY, VSRTP_ICM_SALT);
	if (EVP_EncryptInit_ex(s->ctx, EVP_aes_128_ctr(), NULL, key, s->offset) != 1)
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

/* Counter = offset XOR iv; CTR mode is its own inverse, so direction is moot.
 * The IV's low 16 bits are zero in SRTP, and packets are far below 2^16
 * blocks, so OpenSSL's 128-bit counter increment equals ICM's 16-bit one. */
static srtp_err_status_t vsrtp_icm_set_iv(void *state, uint8_t *iv,
	srtp_cipher_direction_t dir)
{
	struct vsrtp_icm *s = state;
	uint8_t ctr[16];

	for (int i = 0; i < 16; i++)
		ctr[i] = s->offset[i] ^ iv[i];
	if (EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, ctr) != 1)
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_icm_crypt(void *state, uint8_t *buf, uint32_t *len)
{
	struct vsrtp_icm *s = state;
	int out = 0;

	if (*len > INT32_MAX || EVP_EncryptUpdate(s->ctx, buf, &out, buf, (int)*len) != 1)
		return srtp_err_status_cipher_fail;
	*len = (uint32_t)out;
	return srtp_err_status_ok;
}

/* RFC 3711 B.2: the first two keystream blocks for its session key and salt. */
static const uint8_t vsrtp_icm_tc_key[30] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
	0x4f, 0x3c, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
	0xfc, 0xfd,
};
static uint8_t vsrtp_icm_tc_iv[16];
static const uint8_t vsrtp_icm_tc_zero[32];
static const uint8_t vsrtp_icm_tc_ks[32] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b,
	0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe,
	0x4a, 0x5f, 0x97, 0xab,
};
static const srtp_cipher_test_case_t vsrtp_icm_tc = {
	.key_length_octets = 30,
	.key = vsrtp_icm_tc_key,
	.idx = vsrtp_icm_tc_iv,
	.plaintext_length_octets = 32,
	.plaintext = vsrtp_icm_tc_zero,
	.ciphertext_length_octets = 32,
	.ciphertext = vsrtp_icm_tc_ks,
};

static const srtp_cipher_type_t vsrtp_icm_type = {
	.alloc = vsrtp_icm_alloc,
	.dealloc = vsrtp_icm_dealloc,
	.init = vsrtp_icm_init,
	.encrypt = vsrtp_icm_crypt,
	.decrypt = vsrtp_icm_crypt,
	.set_iv = vsrtp_icm_set_iv,
	.description = "AES-128 ICM, OpenSSL EVP (voxplane)",
	.test_data = &vsrtp_icm_tc,
	.id = SRTP_AES_ICM_128,
};

/* HMAC-SHA1 (RFC 2104): H(K^opad || H(K^ipad || m)). */
struct vsrtp_hmac {
	SHA_CTX ipad;   /* after absorbing K ^ ipad */
	SHA_CTX opad;   /* after absorbing K ^ opad */
	SHA_CTX work;   /* ipad + the message so far */
};

static srtp_err_status_t vsrtp_hmac_alloc(srtp_auth_t **ap, int key_len, int out_len)
{
	srtp_auth_t *a;

	if (key_len < 0 || key_len > SHA_CBLOCK || out_len < 0 || out_len > SHA_DIGEST_LENGTH)
		return srtp_err_status_bad_param;
	a = calloc(1, sizeof(*a) + sizeof(struct vsrtp_hmac));
	if (!a)
		return srtp_err_status_alloc_fail;
	a->type = &vsrtp_hmac_type;
	a->state = a + 1;
	a->out_len = out_len;
	a->key_len = key_len;
	a->prefix_len = 0;
	*ap = a;
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_hmac_dealloc(srtp_auth_t *a)
{
	OPENSSL_cleanse(a->state, sizeof(struct vsrtp_hmac));
	free(a);
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_hmac_init(void *state, const uint8_t *key, int key_len)
{
	struct vsrtp_hmac *h = state;
	uint8_t ipad[SHA_CBLOCK], opad[SHA_CBLOCK];

	if (key_len < 0 || key_len > SHA_CBLOCK)
		return srtp_err_status_bad_param;
	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	for (int i = 0; i < key_len; i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	SHA1_Init(&h->ipad);
	SHA1_Update(&h->ipad, ipad, sizeof(ipad));
	SHA1_Init(&h->opad);
	SHA1_Update(&h->opad, opad, sizeof(opad));
	h->work = h->ipad;
	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_hmac_start(void *state)
{
	struct vsrtp_hmac *h = state;

	h->work = h->ipad;
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_hmac_update(void *state, const uint8_t *buf, int len)
{
	struct vsrtp_hmac *h = state;

	if (len < 0)
		return srtp_err_status_bad_param;
	SHA1_Update(&h->work, buf, (size_t)len);
	return srtp_err_status_ok;
}

static srtp_err_status_t vsrtp_hmac_compute(void *state, const uint8_t *buf, int len,
	int tag_len, uint8_t *tag)
{
	struct vsrtp_hmac *h = state;
	uint8_t inner[SHA_DIGEST_LENGTH], mac[SHA_DIGEST_LENGTH];
	SHA_CTX outer;

	if (len < 0 || tag_len < 0 || tag_len > SHA_DIGEST_LENGTH)
		return srtp_err_status_bad_param;
	SHA1_Update(&h->work, buf, (size_t)len);
	SHA1_Final(inner, &h->work);
	outer = h->opad;
	SHA1_Update(&outer, inner, sizeof(inner));
	SHA1_Final(mac, &outer);
	memcpy(tag, mac, (size_t)tag_len);
	return srtp_err_status_ok;
}

/* RFC 2202 test case 1. */
static const uint8_t vsrtp_hmac_tc_key[20] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const uint8_t vsrtp_hmac_tc_data[8] = { 'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e' };
static const uint8_t vsrtp_hmac_tc_tag[20] = {
	0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
	0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const srtp_auth_test_case_t vsrtp_hmac_tc = {
	.key_length_octets = 20,
	.key = vsrtp_hmac_tc_key,
	.data_length_octets = 8,
	.data = vsrtp_hmac_tc_data,
	.tag_length_octets = 20,
	.tag = vsrtp_hmac_tc_tag,
};

static const srtp_auth_type_t vsrtp_hmac_type = {
	.alloc = vsrtp_hmac_alloc,
	.dealloc = vsrtp_hmac_dealloc,
	.init = vsrtp_hmac_init,
	.compute = vsrtp_hmac_compute,
	.update = vsrtp_hmac_update,
	.start = vsrtp_hmac_start,
	.description = "HMAC-SHA1, OpenSSL SHA-1 (voxplane)",
	.test_data = &vsrtp_hmac_tc,
	.id = SRTP_HMAC_SHA1,
};

int vsrtp_crypto_install(void)
{
	if (srtp_replace_cipher_type(&vsrtp_icm_type, SRTP_AES_ICM_128) != srtp_err_status_ok)
		return -EIO;
	if (srtp_replace_auth_type(&vsrtp_hmac_type, SRTP_HMAC_SHA1) != srtp_err_status_ok)
		return -EIO;
	return 0;
}
