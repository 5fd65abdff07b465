// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identifiers, secrets, hashes and password hashing, on OpenSSL.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "crypto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "wpdoc.h"

#define PBKDF2_ITERATIONS 100000

int wp_uuid_new(char out[37])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	wpdoc_uuid_format(b, out);
	return 0;
}

bool wp_uuid_valid(const char *s)
{
	uint8_t b[16];

	return s && !wpdoc_uuid_parse(s, b);
}

int wp_token_new(const char *prefix, char *out, size_t out_size)
{
	uint8_t b[32];
	char *enc;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	enc = wp_base64_encode(b, sizeof(b));
	if (!enc)
		return -1;
	/* base64url without padding: safe in headers and URLs. */
	for (char *p = enc; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	snprintf(out, out_size, "%s%s", prefix, enc);
	free(enc);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

void wp_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void wp_sha256_hex(const void *data, size_t len, char out[WP_SHA256_HEX])
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	wp_hex(md, sizeof(md), out);
}

bool wp_sha256_hex_valid(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

char *wp_base64_encode(const void *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int wp_base64_decode(const char *s, uint8_t **out, size_t *out_len)
{
	size_t len = strlen(s), pad = 0;
	uint8_t *buf;
	int n;

	if (len % 4 || len > (1u << 24))
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!isalnum((unsigned char)c) && c != '+' && c != '/' &&
		    !(c == '=' && i >= len - 2))
			return -1;
	}
	if (len && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	if (pad == 2 && s[len - 1] != '=')
		return -1;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -1;
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = (size_t)n - pad;
	return 0;
}

static int pbkdf2(const char *password, const uint8_t *salt, size_t salt_len,
		  int iterations, uint8_t out[32])
{
	return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
				 (int)salt_len, iterations, EVP_sha256(), 32,
				 out) == 1 ? 0 : -1;
}

int wp_password_hash(const char *password, char *out, size_t out_size)
{
	uint8_t salt[16], hash[32];
	char salt_hex[33], hash_hex[65];

	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    pbkdf2(password, salt, sizeof(salt), PBKDF2_ITERATIONS, hash))
		return -1;
	wp_hex(salt, sizeof(salt), salt_hex);
	wp_hex(hash, sizeof(hash), hash_hex);
	snprintf(out, out_size, "pbkdf2-sha256$%d$%s$%s", PBKDF2_ITERATIONS,
		 salt_hex, hash_hex);
	return 0;
}

bool wp_password_verify(const char *password, const char *stored)
{
	char salt_hex[33], hash_hex[65], got_hex[65];
	uint8_t salt[16], got[32];
	int iterations;

	if (!stored || sscanf(stored, "pbkdf2-sha256$%d$%32[0-9a-f]$%64[0-9a-f]",
			      &iterations, salt_hex, hash_hex) != 3 ||
	    iterations < 1000 || iterations > 10000000 || strlen(salt_hex) != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(salt_hex + 2 * i, "%2x", &v) != 1)
			return false;
		salt[i] = (uint8_t)v;
	}
	if (pbkdf2(password, salt, sizeof(salt), iterations, got))
		return false;
	wp_hex(got, sizeof(got), got_hex);
	return CRYPTO_memcmp(got_hex, hash_hex, 64) == 0;
}

int64_t wp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t wp_now_ms(void)
{
	return wp_now_ns() / 1000000;
}
