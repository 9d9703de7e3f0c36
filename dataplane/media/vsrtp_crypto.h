/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to vsrtp: allocation-free cipher/auth types installed into libsrtp2. */
#ifndef VOX_MEDIA_VSRTP_CRYPTO_H
#define VOX_MEDIA_VSRTP_CRYPTO_H

/* Replace libsrtp's AES-128-ICM and HMAC-SHA1 with the OpenSSL-backed,
 * allocation-free types of vsrtp_crypto.c. Call after srtp_init(), before
 * any session exists. Returns 0, or -EIO if libsrtp's self tests reject them. */
int vsrtp_crypto_install(void);

#endif
