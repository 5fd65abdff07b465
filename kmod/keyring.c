// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: the keyring of trusted code-signing certificates.
 *
 * Certificates come from two places, both fixed when the module loads:
 * one built into the module (make WORKPHONE_TRUSTED_CERT=cert.der), and the
 * file the firmware loader finds as workphone/trusted.der (normally
 * /lib/firmware/workphone/trusted.der): one or more DER certificates
 * concatenated, which is how a device builder ships vendor certificates
 * next to a GKI module.
 * Signatures are checked with verify_pkcs7_signature() against this
 * keyring only, never the system keyrings.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/firmware.h>
#include <linux/key.h>
#include <linux/module_signature.h>
#include <linux/verification.h>
#include <keys/asymmetric-type.h>

#include "workphone.h"

#define WP_FW_CERTS_NAME	"workphone/trusted.der"

static struct key *wp_keyring;

static int wp_keyring_add(const u8 *der, size_t len, const char *origin)
{
	key_ref_t key;

	key = key_create_or_update(make_key_ref(wp_keyring, 1), "asymmetric",
				   NULL, der, len,
				   (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				   KEY_USR_VIEW | KEY_USR_READ,
				   KEY_ALLOC_NOT_IN_QUOTA |
				   KEY_ALLOC_BUILT_IN |
				   KEY_ALLOC_BYPASS_RESTRICTION);
	if (IS_ERR(key)) {
		pr_err("cannot load trusted certificate (%s): %ld\n", origin,
		       PTR_ERR(key));
		return PTR_ERR(key);
	}
	pr_info("trusted certificate loaded (%s): %s\n", origin,
		key_ref_to_ptr(key)->description);
	key_ref_put(key);
	return 0;
}

/*
 * Length of the DER SEQUENCE (a certificate) at @p, header included, or 0
 * if @p does not start with a well-formed one that fits in @len bytes.
 */
static size_t wp_der_seq_len(const u8 *p, size_t len)
{
	size_t body = 0, hdr, i;

	if (len < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		hdr = 2;
		body = p[1];
	} else {
		hdr = 2 + (p[1] & 0x7f);
		if (hdr < 3 || hdr > 5 || len < hdr)
			return 0;
		for (i = 2; i < hdr; i++)
			body = (body << 8) | p[i];
	}
	return body <= len - hdr ? hdr + body : 0;
}

static void wp_keyring_load_firmware(void)
{
	const struct firmware *fw;
	size_t off = 0, n;

	if (firmware_request_nowarn(&fw, WP_FW_CERTS_NAME, NULL))
		return;
	while (off < fw->size) {
		n = wp_der_seq_len(fw->data + off, fw->size - off);
		if (!n) {
			pr_err("%s: malformed certificate at offset %zu\n",
			       WP_FW_CERTS_NAME, off);
			break;
		}
		wp_keyring_add(fw->data + off, n, WP_FW_CERTS_NAME);
		off += n;
	}
	release_firmware(fw);
}

int wp_keyring_init(void)
{
	wp_keyring = keyring_alloc(".workphone", GLOBAL_ROOT_UID,
				   GLOBAL_ROOT_GID, current_cred(),
				   (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				   KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH,
				   KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(wp_keyring))
		return PTR_ERR(wp_keyring);
#ifdef WORKPHONE_HAVE_BUILTIN_CERT
	wp_keyring_add(wp_builtin_cert, wp_builtin_cert_end - wp_builtin_cert,
		       "built-in");
#endif
	wp_keyring_load_firmware();
	return 0;
}

void wp_keyring_exit(void)
{
	key_put(wp_keyring);
}

/**
 * wp_verify_signed_blob() - verify a blob with an appended signature
 * @data:	the blob: content, PKCS#7 signature, struct module_signature,
 *		MODULE_SIG_STRING (the layout of signed kernel modules)
 * @len:	its length
 *
 * Return: 0 if the signature verifies against the enabler keyring;
 * -ENODATA if there is no signature, -EBADMSG if it is malformed,
 * -EKEYREJECTED if it does not verify or its key is not trusted.
 */
int wp_verify_signed_blob(const void *data, size_t len)
{
	const size_t marker_len = sizeof(MODULE_SIG_STRING) - 1;
	struct module_signature ms;
	size_t sig_len;

	if (len < marker_len + sizeof(ms) ||
	    memcmp(data + len - marker_len, MODULE_SIG_STRING, marker_len))
		return -ENODATA;
	len -= marker_len;
	memcpy(&ms, data + len - sizeof(ms), sizeof(ms));
	len -= sizeof(ms);

	if (ms.id_type != PKEY_ID_PKCS7 || ms.algo || ms.hash ||
	    ms.signer_len || ms.key_id_len ||
	    !wp_mem_is_zero(ms.__pad, sizeof(ms.__pad)))
		return -EBADMSG;
	sig_len = be32_to_cpu(ms.sig_len);
	if (!sig_len || sig_len >= len)
		return -EBADMSG;
	len -= sig_len;

	return wp_verify_detached(wp_keyring, data, len, data + len, sig_len);
}

/**
 * wp_verify_detached() - verify a detached PKCS#7 signature
 * @keys:	the only keys to trust
 * @data:	signed content
 * @len:	its length
 * @sig:	DER PKCS#7 SignedData
 * @sig_len:	its length
 *
 * Return: 0, -EBADMSG (malformed), -ENOMEM, or -EKEYREJECTED for every
 * other failure (bad signature, unknown key, unsupported algorithm).
 */
int wp_verify_detached(struct key *keys, const void *data, size_t len,
		       const void *sig, size_t sig_len)
{
	int ret = verify_pkcs7_signature(data, len, sig, sig_len, keys,
					 VERIFYING_UNSPECIFIED_SIGNATURE,
					 NULL, NULL);

	switch (ret) {
	case 0:
	case -EBADMSG:
	case -ENOMEM:
		return ret;
	default:
		/* -ENOKEY, -EKEYREJECTED, -ENOPKG, -EKEYEXPIRED, ... */
		return -EKEYREJECTED;
	}
}
