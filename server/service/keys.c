// SPDX-License-Identifier: GPL-2.0-only
/*
 * The server's signing keys (DATA/keys/): server.key + server.pem/.der is
 * the current key whose certificate devices pin; next.* exists during a
 * rotation (lease-protocol.rst "Server key rotation").  Private keys are
 * created 0600 in a 0700 directory and never overwritten.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "app.h"
#include "../util/log.h"

static void key_path(char *buf, size_t size, const char *dir, const char *name,
		     const char *ext)
{
	snprintf(buf, size, "%s/keys/%s.%s", dir, name, ext);
}

static FILE *create_file(const char *path, mode_t mode, struct wp_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0) {
		wp_fail(err, errno == EEXIST ? 409 : 500, errno == EEXIST ? "conflict" : "internal",
			NULL, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		WP_INTERNAL(err, "%s: %s", path, strerror(errno));
	}
	return f;
}

static int close_synced(FILE *f, const char *path, struct wp_err *err)
{
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		return WP_INTERNAL(err, "%s: %s", path, strerror(errno));
	}
	return fclose(f) ? WP_INTERNAL(err, "%s: %s", path, strerror(errno)) : 0;
}

static X509 *self_signed(EVP_PKEY *key, const char *name)
{
	X509 *cert = X509_new();
	X509_NAME *subject;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char cn[128];

	if (!cert || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;	/* positive */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	snprintf(cn, sizeof(cn), "wpserver %s key", name);
	subject = X509_get_subject_name(cert);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) ||
	    !X509_set_version(cert, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), 20L * 366 * 86400) ||
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
					(unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(cert, subject) || !X509_set_pubkey(cert, key) ||
	    !X509_sign(cert, key, EVP_sha256()))
		goto fail;
	BN_free(bn);
	return cert;
fail:
	BN_free(bn);
	X509_free(cert);
	return NULL;
}

int wp_keys_generate(const char *data_dir, const char *name, int bits,
		     struct wp_err *err)
{
	char dir[600], kpath[700], ppath[700], dpath[700];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	FILE *f;
	int ret = -1;

	snprintf(dir, sizeof(dir), "%s/keys", data_dir);
	if (mkdir(data_dir, 0750) && errno != EEXIST)
		return WP_INTERNAL(err, "%s: %s", data_dir, strerror(errno));
	if (mkdir(dir, 0700) && errno != EEXIST)
		return WP_INTERNAL(err, "%s: %s", dir, strerror(errno));
	key_path(kpath, sizeof(kpath), data_dir, name, "key");
	key_path(ppath, sizeof(ppath), data_dir, name, "pem");
	key_path(dpath, sizeof(dpath), data_dir, name, "der");
	key = EVP_RSA_gen((unsigned int)bits);
	cert = key ? self_signed(key, name) : NULL;
	if (!cert) {
		WP_INTERNAL(err, "generating an RSA-%d key failed", bits);
		goto out;
	}
	if (!(f = create_file(kpath, 0600, err)))
		goto out;
	if (!PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)) {
		fclose(f);
		WP_INTERNAL(err, "%s: cannot write key", kpath);
		goto out;
	}
	if (close_synced(f, kpath, err) || !(f = create_file(ppath, 0644, err)))
		goto out;
	if (!PEM_write_X509(f, cert)) {
		fclose(f);
		WP_INTERNAL(err, "%s: cannot write certificate", ppath);
		goto out;
	}
	if (close_synced(f, ppath, err) || !(f = create_file(dpath, 0644, err)))
		goto out;
	if (!i2d_X509_fp(f, cert)) {
		fclose(f);
		WP_INTERNAL(err, "%s: cannot write certificate", dpath);
		goto out;
	}
	ret = close_synced(f, dpath, err);
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return ret;
}

int wp_keys_promote(const char *data_dir, struct wp_err *err)
{
	static const char *const exts[] = { "key", "pem", "der" };
	char from[700], to[700];

	key_path(from, sizeof(from), data_dir, "next", "key");
	if (access(from, R_OK))
		return wp_fail(err, 404, "not_found", NULL, "%s: no key to promote", from);
	for (int i = 0; i < 3; i++) {
		key_path(from, sizeof(from), data_dir, "server", exts[i]);
		key_path(to, sizeof(to), data_dir, "old", exts[i]);
		if (rename(from, to) && errno != ENOENT)
			return WP_INTERNAL(err, "%s: %s", from, strerror(errno));
	}
	for (int i = 0; i < 3; i++) {
		key_path(from, sizeof(from), data_dir, "next", exts[i]);
		key_path(to, sizeof(to), data_dir, "server", exts[i]);
		if (rename(from, to))
			return WP_INTERNAL(err, "%s: %s", from, strerror(errno));
	}
	return 0;
}

int wp_keys_load(struct wp_app *app, bool create, struct wp_err *err)
{
	const char *data = app->cfg->data_dir;
	char kpath[700], ppath[700];
	struct wpdoc_error derr = { 0 };

	key_path(kpath, sizeof(kpath), data, "server", "key");
	key_path(ppath, sizeof(ppath), data, "server", "pem");
	if (create && access(kpath, F_OK)) {
		wp_log(WP_LOG_INFO, "no signing key yet: generating one", "path", kpath, NULL);
		if (wp_keys_generate(data, "server", app->cfg->key_bits, err))
			return -1;
	}
	if (wpdoc_signer_load(kpath, ppath, &app->signer, &derr))
		return WP_INTERNAL(err, "signing key: %s", derr.message);
	key_path(kpath, sizeof(kpath), data, "next", "key");
	key_path(ppath, sizeof(ppath), data, "next", "pem");
	if (!access(kpath, F_OK) &&
	    wpdoc_signer_load(kpath, ppath, &app->next_signer, &derr))
		return WP_INTERNAL(err, "next signing key: %s", derr.message);
	return 0;
}
