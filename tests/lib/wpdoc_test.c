// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of userspace/lib/wpdoc.c: wire layout, parsing errors,
 * period rules, CMS signing and verification, interoperability with the
 * openssl command line (which the kernel tests and operators use).
 *
 * Keys come from $WPDOC_KEYS (made by tests/lib/run): a.key/a.pem/a.der,
 * b.key/b.pem/b.der, and cli.sig = openssl cms over cli.doc with key a.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wpdoc.h"

static char keys_dir[512];

static char *path(const char *name)
{
	static char buf[4][600];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", keys_dir, name);
	return buf[n];
}

static uint8_t *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void sample(struct wpdoc *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = WORKPHONE_DOC_LEASE;
	for (int i = 0; i < 16; i++)
		d->device_id[i] = (uint8_t)(0x10 + i);
	for (int i = 0; i < 32; i++)
		d->nonce[i] = (uint8_t)(0x80 + i);
	d->server_time_ns = 0x0102030405060708ull;
	d->valid_for_s = 300;
	d->lease_interval_s = 3600;
	d->auto_disable_s = 86400;
	d->auto_wipe_s = 4 * 86400;
	d->policy_version = 7;
}

static void test_encode_layout(void **state)
{
	struct wpdoc d;
	uint8_t w[WPDOC_SIZE];

	(void)state;
	sample(&d);
	d.kind = WORKPHONE_DOC_LOCK;
	d.command_id[0] = 0xaa;
	d.command_id[15] = 0xbb;
	assert_int_equal(wpdoc_encode(&d, w, NULL), 0);
	/* Offsets and byte order from Documentation/lease-protocol.rst. */
	assert_memory_equal(w + 0, "WPPD", 4);
	assert_int_equal(w[4], 1);
	assert_int_equal(w[5], 0);
	assert_int_equal(w[6], WORKPHONE_DOC_LOCK);
	assert_int_equal(w[7], 0);
	assert_int_equal(w[8], 128);
	assert_int_equal(w[16], 0x10);
	assert_int_equal(w[31], 0x1f);
	assert_int_equal(w[32], 0x80);
	assert_int_equal(w[63], 0x9f);
	assert_int_equal(w[64], 0x08);	/* little-endian u64 */
	assert_int_equal(w[71], 0x01);
	assert_int_equal(w[72], 300 & 0xff);
	assert_int_equal(w[73], 300 >> 8);
	assert_int_equal(w[76] | w[77] << 8, 3600);
	assert_int_equal(w[80] | w[81] << 8 | w[82] << 16, 86400);
	assert_int_equal(w[88], 7);
	assert_int_equal(w[96], 0xaa);
	assert_int_equal(w[111], 0xbb);
	for (int i = 112; i < 128; i++)
		assert_int_equal(w[i], 0);
}

static void test_roundtrip(void **state)
{
	struct wpdoc d, back;
	uint8_t w[WPDOC_SIZE];

	(void)state;
	sample(&d);
	assert_int_equal(wpdoc_encode(&d, w, NULL), 0);
	assert_int_equal(wpdoc_decode(w, sizeof(w), &back, NULL), 0);
	assert_memory_equal(&d, &back, sizeof(d));
}

static void expect_decode_error(uint8_t *w, size_t len, const char *field)
{
	struct wpdoc_error err = { 0 };
	struct wpdoc d;

	assert_int_equal(wpdoc_decode(w, len, &d, &err), -EBADMSG);
	assert_non_null(err.field);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
}

static void test_decode_errors(void **state)
{
	struct wpdoc d;
	uint8_t w[WPDOC_SIZE], bad[WPDOC_SIZE];

	(void)state;
	sample(&d);
	assert_int_equal(wpdoc_encode(&d, w, NULL), 0);
	expect_decode_error(w, 127, "size");
	memcpy(bad, w, sizeof(w)); bad[0] ^= 1; expect_decode_error(bad, 128, "magic");
	memcpy(bad, w, sizeof(w)); bad[4] = 2; expect_decode_error(bad, 128, "version");
	memcpy(bad, w, sizeof(w)); bad[6] = 9; expect_decode_error(bad, 128, "kind");
	memcpy(bad, w, sizeof(w)); bad[6] = 0; expect_decode_error(bad, 128, "kind");
	memcpy(bad, w, sizeof(w)); bad[8] = 64; expect_decode_error(bad, 128, "size");
	memcpy(bad, w, sizeof(w)); bad[13] = 1; expect_decode_error(bad, 128, "flags");
	memcpy(bad, w, sizeof(w)); bad[92] = 1; expect_decode_error(bad, 128, "reserved0");
	memcpy(bad, w, sizeof(w)); bad[127] = 1; expect_decode_error(bad, 128, "reserved");
}

static void test_encode_rejects_unknown_kind(void **state)
{
	struct wpdoc_error err = { 0 };
	struct wpdoc d;
	uint8_t w[WPDOC_SIZE];

	(void)state;
	sample(&d);
	d.kind = 6;
	assert_int_equal(wpdoc_encode(&d, w, &err), -EINVAL);
	assert_string_equal(err.field, "kind");
}

static void expect_range(struct wpdoc *d, const char *field)
{
	struct wpdoc_error err = { 0 };

	assert_int_equal(wpdoc_check_periods(d, &err), -ERANGE);
	assert_string_equal(err.field, field);
}

static void test_periods(void **state)
{
	struct wpdoc d;

	(void)state;
	sample(&d);
	assert_int_equal(wpdoc_check_periods(&d, NULL), 0);
	d.valid_for_s = 0; expect_range(&d, "valid_for_s");
	d.valid_for_s = 3601; expect_range(&d, "valid_for_s");
	sample(&d); d.lease_interval_s = 0; expect_range(&d, "lease_interval_s");
	sample(&d); d.auto_disable_s = d.lease_interval_s - 1;
	expect_range(&d, "auto_disable_s");
	sample(&d); d.auto_wipe_s = d.auto_disable_s; expect_range(&d, "auto_wipe_s");
	sample(&d); d.auto_wipe_s = WPDOC_PERIOD_MAX_S + 1;
	expect_range(&d, "auto_wipe_s");
	/* The boundaries themselves are allowed. */
	sample(&d);
	d.lease_interval_s = d.auto_disable_s = 1;
	d.auto_wipe_s = WPDOC_PERIOD_MAX_S;
	d.valid_for_s = WPDOC_VALID_FOR_MAX_S;
	assert_int_equal(wpdoc_check_periods(&d, NULL), 0);
}

static void test_sign_verify(void **state)
{
	struct wpdoc_signer *a;
	struct wpdoc_error err = { 0 };
	uint8_t w[WPDOC_SIZE], *sig, *cert_a, *cert_b;
	size_t sig_len, a_len, b_len, der_len;
	const uint8_t *der;
	struct wpdoc d;

	(void)state;
	assert_int_equal(wpdoc_signer_load(path("a.key"), path("a.pem"), &a, &err), 0);
	cert_a = slurp(path("a.der"), &a_len);
	cert_b = slurp(path("b.der"), &b_len);
	der = wpdoc_signer_cert_der(a, &der_len);
	assert_int_equal(der_len, a_len);
	assert_memory_equal(der, cert_a, a_len);

	sample(&d);
	assert_int_equal(wpdoc_encode(&d, w, NULL), 0);
	assert_int_equal(wpdoc_sign(a, w, sizeof(w), &sig, &sig_len, &err), 0);
	assert_int_equal(wpdoc_verify(cert_a, a_len, w, sizeof(w), sig, sig_len, &err), 0);
	/* Another key's certificate: rejected. */
	assert_int_equal(wpdoc_verify(cert_b, b_len, w, sizeof(w), sig, sig_len, &err),
			 -EKEYREJECTED);
	/* One flipped content bit: rejected. */
	w[40] ^= 1;
	assert_int_equal(wpdoc_verify(cert_a, a_len, w, sizeof(w), sig, sig_len, &err),
			 -EKEYREJECTED);
	w[40] ^= 1;
	/* Truncated or garbage signature and certificate: malformed. */
	assert_int_equal(wpdoc_verify(cert_a, a_len, w, sizeof(w), sig, sig_len - 1, &err),
			 -EBADMSG);
	assert_int_equal(wpdoc_verify(cert_a, a_len - 3, w, sizeof(w), sig, sig_len, &err),
			 -EBADMSG);
	assert_int_equal(wpdoc_verify(cert_a, a_len, w, sizeof(w), w, sizeof(w), &err),
			 -EBADMSG);
	free(sig);
	free(cert_a);
	free(cert_b);
	wpdoc_signer_free(a);
}

static void test_signer_load_errors(void **state)
{
	struct wpdoc_signer *s = NULL;
	struct wpdoc_error err = { 0 };

	(void)state;
	assert_int_equal(wpdoc_signer_load(path("missing.key"), path("a.pem"), &s, &err),
			 -ENOENT);
	assert_non_null(strstr(err.message, "missing.key"));
	assert_int_equal(wpdoc_signer_load(path("a.key"), path("b.pem"), &s, &err),
			 -EINVAL);
	assert_int_equal(wpdoc_signer_load(path("a.der"), path("a.pem"), &s, &err),
			 -EBADMSG);
	assert_null(s);
}

/* Our signature as a file, for the openssl CLI check in tests/lib/run. */
static void test_write_signature_for_cli(void **state)
{
	struct wpdoc_signer *a;
	uint8_t w[WPDOC_SIZE], *sig;
	size_t sig_len;
	struct wpdoc d;
	FILE *f;

	(void)state;
	assert_int_equal(wpdoc_signer_load(path("a.key"), path("a.pem"), &a, NULL), 0);
	sample(&d);
	assert_int_equal(wpdoc_encode(&d, w, NULL), 0);
	assert_int_equal(wpdoc_sign(a, w, sizeof(w), &sig, &sig_len, NULL), 0);
	f = fopen(path("lib.doc"), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(w, 1, sizeof(w), f), sizeof(w));
	fclose(f);
	f = fopen(path("lib.sig"), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(sig, 1, sig_len, f), sig_len);
	fclose(f);
	free(sig);
	wpdoc_signer_free(a);
}

/* A signature made by "openssl cms -sign -binary -noattr -nocerts". */
static void test_verify_cli_signature(void **state)
{
	uint8_t *doc, *sig, *cert;
	size_t doc_len, sig_len, cert_len;
	struct wpdoc d;

	(void)state;
	doc = slurp(path("cli.doc"), &doc_len);
	sig = slurp(path("cli.sig"), &sig_len);
	cert = slurp(path("a.der"), &cert_len);
	assert_int_equal(wpdoc_verify(cert, cert_len, doc, doc_len, sig, sig_len, NULL), 0);
	assert_int_equal(wpdoc_decode(doc, doc_len, &d, NULL), 0);
	assert_int_equal(d.kind, WORKPHONE_DOC_LEASE);
	free(doc);
	free(sig);
	free(cert);
}

static void test_uuid(void **state)
{
	const char *text = "0123abcd-4567-89ef-0123-456789abcdef";
	uint8_t id[16];
	char back[37];

	(void)state;
	assert_int_equal(wpdoc_uuid_parse(text, id), 0);
	assert_int_equal(id[0], 0x01);
	assert_int_equal(id[15], 0xef);
	wpdoc_uuid_format(id, back);
	assert_string_equal(back, text);
	assert_int_equal(wpdoc_uuid_parse("0123abcd-4567-89ef-0123-456789abcde", id), -EINVAL);
	assert_int_equal(wpdoc_uuid_parse("0123abcd+4567-89ef-0123-456789abcdef", id), -EINVAL);
	assert_int_equal(wpdoc_uuid_parse("0123abcg-4567-89ef-0123-456789abcdef", id), -EINVAL);
	assert_int_equal(wpdoc_uuid_parse(NULL, id), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_encode_rejects_unknown_kind),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_signer_load_errors),
		cmocka_unit_test(test_write_signature_for_cli),
		cmocka_unit_test(test_verify_cli_signature),
		cmocka_unit_test(test_uuid),
	};
	const char *dir = getenv("WPDOC_KEYS");

	if (!dir) {
		fprintf(stderr, "WPDOC_KEYS not set\n");
		return 2;
	}
	snprintf(keys_dir, sizeof(keys_dir), "%s", dir);
	return cmocka_run_group_tests_name("wpdoc", tests, NULL, NULL);
}
