// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small OpenSSL-backed helpers: identifiers, secrets, hashes, base64,
 * password hashing and clocks.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_CRYPTO_H
#define WP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WP_SHA256_HEX 65

/* A random (version 4) UUID in text form. */
int wp_uuid_new(char out[37]);
/* True if @s is a UUID in canonical lower- or upper-case text form. */
bool wp_uuid_valid(const char *s);

/* A secret bearer token "<prefix><43 chars base64url>". */
int wp_token_new(const char *prefix, char *out, size_t out_size);

void wp_sha256_hex(const void *data, size_t len, char out[WP_SHA256_HEX]);
bool wp_sha256_hex_valid(const char *s);
void wp_hex(const uint8_t *in, size_t len, char *out);

/* Base64 (RFC 4648, padded).  encode: malloc()ed string. */
char *wp_base64_encode(const void *data, size_t len);
/* decode: 0 and *out malloc()ed, or -1 if @s is not base64. */
int wp_base64_decode(const char *s, uint8_t **out, size_t *out_len);

/* "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" */
int wp_password_hash(const char *password, char *out, size_t out_size);
bool wp_password_verify(const char *password, const char *stored);

int64_t wp_now_ms(void);
int64_t wp_now_ns(void);

#endif /* WP_CRYPTO_H */
