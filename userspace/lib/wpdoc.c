// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed lease and command documents; see wpdoc.h and
 * Documentation/lease-protocol.rst.
 *
 * The wire form is written and read field by field in little-endian so the
 * code is correct on any host; struct workphone_doc is used only for its
 * offsets (checked at compile time below).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "wpdoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

_Static_assert(sizeof(struct workphone_doc) == WPDOC_SIZE, "doc size");
_Static_assert(offsetof(struct workphone_doc, server_time_ns) == 64, "offset");
_Static_assert(offsetof(struct workphone_doc, command_id) == 96, "offset");

struct wpdoc_signer {
	EVP_PKEY *key;
	X509 *cert;
	uint8_t *cert_der;
	size_t cert_der_len;
};

static int fail(struct wpdoc_error *err, int code, const char *field,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct wpdoc_error *err, int code, const char *field,
		const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->field = field;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Append OpenSSL's first queued error to a message, and clear the queue. */
static int fail_ssl(struct wpdoc_error *err, int code, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[120] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return fail(err, code, NULL, "%s%s%s", what, *buf ? ": " : "", buf);
}

const char *wpdoc_kind_name(unsigned int kind)
{
	switch (kind) {
	case WORKPHONE_DOC_LEASE: return "lease";
	case WORKPHONE_DOC_LOCK: return "lock";
	case WORKPHONE_DOC_UNLOCK: return "unlock";
	case WORKPHONE_DOC_WIPE: return "wipe";
	case WORKPHONE_DOC_REPIN: return "repin";
	}
	return NULL;
}

int wpdoc_check_periods(const struct wpdoc *d, struct wpdoc_error *err)
{
	if (d->valid_for_s < 1 || d->valid_for_s > WPDOC_VALID_FOR_MAX_S)
		return fail(err, -ERANGE, "valid_for_s",
			    "must be 1..%u, got %u", WPDOC_VALID_FOR_MAX_S,
			    d->valid_for_s);
	if (d->lease_interval_s < 1)
		return fail(err, -ERANGE, "lease_interval_s", "must be >= 1");
	if (d->auto_disable_s < d->lease_interval_s)
		return fail(err, -ERANGE, "auto_disable_s",
			    "must be >= lease_interval_s (%u), got %u",
			    d->lease_interval_s, d->auto_disable_s);
	if (d->auto_wipe_s <= d->auto_disable_s)
		return fail(err, -ERANGE, "auto_wipe_s",
			    "must be > auto_disable_s (%u), got %u",
			    d->auto_disable_s, d->auto_wipe_s);
	if (d->auto_wipe_s > WPDOC_PERIOD_MAX_S)
		return fail(err, -ERANGE, "auto_wipe_s",
			    "must be <= %u (10 years), got %u",
			    WPDOC_PERIOD_MAX_S, d->auto_wipe_s);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

#define OFF(f) offsetof(struct workphone_doc, f)

int wpdoc_encode(const struct wpdoc *d, uint8_t out[WPDOC_SIZE],
		 struct wpdoc_error *err)
{
	if (!wpdoc_kind_name(d->kind))
		return fail(err, -EINVAL, "kind", "unknown kind %u", d->kind);
	memset(out, 0, WPDOC_SIZE);
	put32(out + OFF(magic), WORKPHONE_DOC_MAGIC);
	put16(out + OFF(version), WORKPHONE_DOC_VERSION);
	put16(out + OFF(kind), d->kind);
	put32(out + OFF(size), WPDOC_SIZE);
	memcpy(out + OFF(device_id), d->device_id, 16);
	memcpy(out + OFF(nonce), d->nonce, 32);
	put64(out + OFF(server_time_ns), d->server_time_ns);
	put32(out + OFF(valid_for_s), d->valid_for_s);
	put32(out + OFF(lease_interval_s), d->lease_interval_s);
	put32(out + OFF(auto_disable_s), d->auto_disable_s);
	put32(out + OFF(auto_wipe_s), d->auto_wipe_s);
	put32(out + OFF(policy_version), d->policy_version);
	memcpy(out + OFF(command_id), d->command_id, 16);
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int wpdoc_decode(const void *buf, size_t len, struct wpdoc *d,
		 struct wpdoc_error *err)
{
	const uint8_t *p = buf;

	if (len != WPDOC_SIZE)
		return fail(err, -EBADMSG, "size", "document is %zu bytes, not %d",
			    len, WPDOC_SIZE);
	if (get32(p + OFF(magic)) != WORKPHONE_DOC_MAGIC)
		return fail(err, -EBADMSG, "magic", "bad magic 0x%08x",
			    get32(p + OFF(magic)));
	if (get16(p + OFF(version)) != WORKPHONE_DOC_VERSION)
		return fail(err, -EBADMSG, "version", "unsupported version %u",
			    get16(p + OFF(version)));
	if (get32(p + OFF(size)) != WPDOC_SIZE)
		return fail(err, -EBADMSG, "size", "size field %u, not %d",
			    get32(p + OFF(size)), WPDOC_SIZE);
	if (get32(p + OFF(flags)))
		return fail(err, -EBADMSG, "flags", "must be zero");
	if (get32(p + OFF(reserved0)))
		return fail(err, -EBADMSG, "reserved0", "must be zero");
	if (!all_zero(p + OFF(reserved), 16))
		return fail(err, -EBADMSG, "reserved", "must be zero");
	memset(d, 0, sizeof(*d));
	d->kind = get16(p + OFF(kind));
	if (!wpdoc_kind_name(d->kind))
		return fail(err, -EBADMSG, "kind", "unknown kind %u", d->kind);
	memcpy(d->device_id, p + OFF(device_id), 16);
	memcpy(d->nonce, p + OFF(nonce), 32);
	d->server_time_ns = get64(p + OFF(server_time_ns));
	d->valid_for_s = get32(p + OFF(valid_for_s));
	d->lease_interval_s = get32(p + OFF(lease_interval_s));
	d->auto_disable_s = get32(p + OFF(auto_disable_s));
	d->auto_wipe_s = get32(p + OFF(auto_wipe_s));
	d->policy_version = get32(p + OFF(policy_version));
	memcpy(d->command_id, p + OFF(command_id), 16);
	return 0;
}

int wpdoc_signer_load(const char *key_path, const char *cert_path,
		      struct wpdoc_signer **out, struct wpdoc_error *err)
{
	struct wpdoc_signer *s;
	unsigned char *der = NULL;
	FILE *f;
	int len;

	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, -ENOMEM, NULL, "out of memory");
	f = fopen(key_path, "r");
	if (!f) {
		wpdoc_signer_free(s);
		return fail(err, -errno, NULL, "%s: %s", key_path, strerror(errno));
	}
	s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!s->key) {
		wpdoc_signer_free(s);
		return fail_ssl(err, -EBADMSG, key_path);
	}
	f = fopen(cert_path, "r");
	if (!f) {
		wpdoc_signer_free(s);
		return fail(err, -errno, NULL, "%s: %s", cert_path, strerror(errno));
	}
	s->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!s->cert) {
		wpdoc_signer_free(s);
		return fail_ssl(err, -EBADMSG, cert_path);
	}
	if (X509_check_private_key(s->cert, s->key) != 1) {
		wpdoc_signer_free(s);
		return fail(err, -EINVAL, NULL, "%s does not match %s",
			    key_path, cert_path);
	}
	len = i2d_X509(s->cert, &der);
	if (len <= 0) {
		wpdoc_signer_free(s);
		return fail_ssl(err, -EBADMSG, cert_path);
	}
	s->cert_der = der;
	s->cert_der_len = (size_t)len;
	*out = s;
	return 0;
}

void wpdoc_signer_free(struct wpdoc_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	OPENSSL_free(s->cert_der);
	free(s);
}

const uint8_t *wpdoc_signer_cert_der(const struct wpdoc_signer *s, size_t *len)
{
	*len = s->cert_der_len;
	return s->cert_der;
}

int wpdoc_sign(const struct wpdoc_signer *s, const void *data, size_t len,
	       uint8_t **sig, size_t *sig_len, struct wpdoc_error *err)
{
	/* -binary -noattr -nocerts, detached: what the kernel verifies. */
	const unsigned int flags = CMS_BINARY | CMS_DETACHED | CMS_NOCERTS |
				   CMS_NOATTR | CMS_PARTIAL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL;
	unsigned char *der = NULL, *p;
	int der_len, ret;

	if (len > INT32_MAX)
		return fail(err, -EINVAL, NULL, "content too large to sign");
	in = BIO_new_mem_buf(data, (int)len);
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!in || !cms ||
	    !CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) ||
	    !CMS_final(cms, in, NULL, flags)) {
		ret = fail_ssl(err, -EINVAL, "CMS signing failed");
		goto out;
	}
	der_len = i2d_CMS_ContentInfo(cms, NULL);
	if (der_len <= 0 || !(der = malloc((size_t)der_len))) {
		ret = fail(err, -ENOMEM, NULL, "out of memory encoding signature");
		goto out;
	}
	p = der;
	i2d_CMS_ContentInfo(cms, &p);
	*sig = der;
	*sig_len = (size_t)der_len;
	ret = 0;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return ret;
}

int wpdoc_verify(const uint8_t *cert_der, size_t cert_len, const void *data,
		 size_t len, const uint8_t *sig, size_t sig_len,
		 struct wpdoc_error *err)
{
	/*
	 * The pinned certificate is the only possible signer (NOINTERN) and
	 * is trusted as such (NO_SIGNER_CERT_VERIFY): no chain, no expiry,
	 * exactly the kernel's model.
	 */
	const unsigned int flags = CMS_BINARY | CMS_DETACHED | CMS_NOINTERN |
				   CMS_NO_SIGNER_CERT_VERIFY;
	const unsigned char *p;
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms = NULL;
	X509 *cert = NULL;
	BIO *content = NULL;
	int ret;

	if (len > INT32_MAX || sig_len > INT32_MAX || cert_len > INT32_MAX)
		return fail(err, -EINVAL, NULL, "input too large");
	p = cert_der;
	cert = d2i_X509(NULL, &p, (long)cert_len);
	if (!cert || p != cert_der + cert_len) {
		ret = fail_ssl(err, -EBADMSG, "certificate is not valid DER");
		goto out;
	}
	p = sig;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	if (!cms || p != sig + sig_len) {
		ret = fail_ssl(err, -EBADMSG, "signature is not valid CMS DER");
		goto out;
	}
	certs = sk_X509_new_null();
	content = BIO_new_mem_buf(data, (int)len);
	if (!certs || !content || !sk_X509_push(certs, cert)) {
		ret = fail(err, -ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (CMS_verify(cms, certs, NULL, content, NULL, flags) != 1) {
		ret = fail_ssl(err, -EKEYREJECTED,
			       "signature does not verify against the certificate");
		goto out;
	}
	ret = 0;
out:
	sk_X509_free(certs);	/* cert itself is freed below */
	X509_free(cert);
	CMS_ContentInfo_free(cms);
	BIO_free(content);
	return ret;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int wpdoc_uuid_parse(const char *text, uint8_t out[16])
{
	int n = 0;

	if (!text || strlen(text) != 36)
		return -EINVAL;
	for (int i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval(text[i]);
		lo = hexval(text[++i]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void wpdoc_uuid_format(const uint8_t id[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8],
		 id[9], id[10], id[11], id[12], id[13], id[14], id[15]);
}
