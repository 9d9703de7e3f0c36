/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_base64.h — RFC 4648 base64 (standard alphabet, padded), strict; used for SDES keys. */
#ifndef VOX_BASE64_H
#define VOX_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Decode exactly outlen octets from s[0..len): padded to a multiple of 4, no whitespace, unused
 * trailing bits zero. Returns 0 or -EINVAL. */
int vox_b64_decode(const char *s, size_t len, uint8_t *out, size_t outlen);
/* Encode n octets into out (room for 4 * ((n + 2) / 3) + 1 bytes, NUL-terminated). Returns the
 * length written. */
size_t vox_b64_encode(const uint8_t *in, size_t n, char *out);

#endif /* VOX_BASE64_H */
