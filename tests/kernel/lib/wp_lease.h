/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test-side server: builds and signs lease and command documents with
 * OpenSSL, exactly as Documentation/lease-protocol.rst specifies, and
 * drives provisioning and renewals of the enabler.
 *
 * Keys: $WP_CERTS/server.{key,pem,der} is the test server, and
 * $WP_CERTS/untrusted.* a key the enabler never pinned.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LEASE_H
#define WP_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/workphone.h>

#include "wpdoc.h"


/* A signed document ready for the ioctls. */
struct wp_signed {
	struct workphone_doc doc;
	unsigned char *content;	/* doc (+ cert for REPIN): what was signed */
	size_t content_len;
	unsigned char *sig;
	size_t sig_len;
	unsigned char *cert;	/* attached certificate, if any */
	size_t cert_len;
};

extern const uint8_t wp_test_device_id[16];

/* Defaults: a LEASE for wp_test_device_id, valid 300 s, long periods. */
void wp_doc_defaults(struct wpdoc *f);
void wp_doc_encode(const struct wpdoc *f, struct workphone_doc *doc);

/* Sign f with the key named ("server", "untrusted", ...); 0 or -1. */
int wp_doc_sign(const struct wpdoc *f, const char *key_name,
		const char *attach_cert_name, struct wp_signed *out);
void wp_signed_free(struct wp_signed *s);

/* DER certificate of a key name; caller frees. */
unsigned char *wp_cert_der(const char *key_name, size_t *len);

/* Fill a workphone_doc_arg pointing into s (cert: attach s->cert). */
void wp_doc_arg(struct workphone_doc_arg *arg, const struct wp_signed *s,
		const unsigned char *cert, size_t cert_len,
		const uint8_t *device_id);

/* GET_NONCE into f->nonce; 0 or -errno. */
int wp_get_nonce(int fd, struct wpdoc *f);

/*
 * Provision with f (nonce fetched here), pinning key_name's certificate;
 * signed by sign_name.  0 or -errno.
 */
int wp_provision(int fd, struct wpdoc *f, const char *sign_name);

/* Fetch a nonce, sign f with sign_name, SUBMIT_DOC; 0 or -errno. */
int wp_submit(int fd, struct wpdoc *f, const char *sign_name);

/* Unload and reload workphone.ko ($WP_MODULE) for a fresh state. */
int wp_reload_module(void);

/*
 * Make sure the work phone may run guest code: provision (or renew) with
 * long periods and lift admin locks.  0 or -errno.
 */
int wp_ensure_active(void);

uint64_t wp_realtime_ns(void);

#endif /* WP_LEASE_H */
