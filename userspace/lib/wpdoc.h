// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed lease and command documents (struct workphone_doc): build, parse,
 * sign and verify, exactly as Documentation/lease-protocol.rst specifies.
 * Shared by wpserver (signing) and the device tools (verifying before
 * handing documents to the enabler).
 *
 * Every function that can fail returns 0 or a negative errno chosen like
 * the enabler's (-EBADMSG malformed, -ERANGE periods out of range,
 * -EKEYREJECTED bad signature, -EINVAL bad argument, -ENOMEM), and fills
 * an optional struct wpdoc_error naming the field and why.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPDOC_H
#define WPDOC_H

#include <stddef.h>
#include <stdint.h>

#include <linux/workphone.h>

#define WPDOC_SIZE		128
#define WPDOC_VALID_FOR_MAX_S	3600u
#define WPDOC_PERIOD_MAX_S	(10u * 366 * 24 * 3600)
#define WPDOC_CMDS_PER_NONCE	16

/* The fields of a document in host order. */
struct wpdoc {
	uint16_t kind;			/* enum workphone_doc_kind */
	uint8_t device_id[16];
	uint8_t nonce[32];
	uint64_t server_time_ns;
	uint32_t valid_for_s;
	uint32_t lease_interval_s;
	uint32_t auto_disable_s;
	uint32_t auto_wipe_s;
	uint32_t policy_version;
	uint8_t command_id[16];
};

struct wpdoc_error {
	const char *field;	/* document field at fault, or NULL */
	char message[200];
};

/* Human name of a document kind ("lease", "lock", ...), NULL if unknown. */
const char *wpdoc_kind_name(unsigned int kind);

/*
 * The period rules the enabler applies:
 * 1 <= lease_interval_s <= auto_disable_s < auto_wipe_s <= 10 years, and
 * 1 <= valid_for_s <= 3600.  -ERANGE naming the field otherwise.
 */
int wpdoc_check_periods(const struct wpdoc *doc, struct wpdoc_error *err);

/* Encode @doc into the 128-byte little-endian wire form; checks kind. */
int wpdoc_encode(const struct wpdoc *doc, uint8_t out[WPDOC_SIZE],
		 struct wpdoc_error *err);

/* Parse a wire document: size, magic, version, reserved fields, kind. */
int wpdoc_decode(const void *buf, size_t len, struct wpdoc *doc,
		 struct wpdoc_error *err);

/* A loaded signing key and its certificate. */
struct wpdoc_signer;

/* Load a PEM private key and PEM certificate. */
int wpdoc_signer_load(const char *key_pem_path, const char *cert_pem_path,
		      struct wpdoc_signer **out, struct wpdoc_error *err);
void wpdoc_signer_free(struct wpdoc_signer *signer);

/* The signer's certificate in DER (owned by the signer). */
const uint8_t *wpdoc_signer_cert_der(const struct wpdoc_signer *signer,
				     size_t *len);

/*
 * Detached CMS signature over @len bytes at @data (a document, a document
 * followed by a certificate, or JSON); *sig is malloc()ed.  Thread-safe:
 * a signer may be shared by threads.
 */
int wpdoc_sign(const struct wpdoc_signer *signer, const void *data,
	       size_t len, uint8_t **sig, size_t *sig_len,
	       struct wpdoc_error *err);

/*
 * Verify a detached signature over @data against the DER certificate
 * @cert (the only accepted signer; no chain is built: the certificate is
 * pinned).  -EKEYREJECTED if it does not verify, -EBADMSG if malformed.
 */
int wpdoc_verify(const uint8_t *cert, size_t cert_len, const void *data,
		 size_t len, const uint8_t *sig, size_t sig_len,
		 struct wpdoc_error *err);

/* UUID text <-> 16 bytes (RFC 4122 order).  0 or -EINVAL. */
int wpdoc_uuid_parse(const char *text, uint8_t out[16]);
void wpdoc_uuid_format(const uint8_t id[16], char out[37]);

#endif /* WPDOC_H */
