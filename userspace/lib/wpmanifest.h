/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The server-signed device manifest (what a device installs: image, apps,
 * policy set) and the password rules taken from its policy set, shared by
 * wp-provision (at enrolment) and wpd (on a policy_change command).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_WPMANIFEST_H
#define WP_LIB_WPMANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* In the image directory: the password rules for the hypervisor. */
#define WP_PASSWORD_POLICY_FILE	"password-policy.json"

/*
 * Verify a manifest answer of the server ({"manifest", "manifest_sig",
 * "server_cert"}, all base64): the manifest must be signed with
 * server_cert, which must be the pinned certificate if pinned is not
 * NULL, and be for device_id.  0 with *manifest (and, if cert is not
 * NULL, the DER certificate in *cert, to free); -1 with a message in err.
 */
int wp_manifest_verify(json_object *answer, const uint8_t *pinned, size_t pinned_len,
		       const char *device_id, json_object **manifest,
		       uint8_t **cert, size_t *cert_len, char *err, size_t err_len);

/*
 * The password rules of a policy set (password_*, auto_lock_minutes,
 * max_retries): a new object.
 */
json_object *wp_password_policy(json_object *policy);

/*
 * Write IMAGE_DIR/password-policy.json from a policy set, atomically and
 * mode 0600.  0, or -errno with a message in err.
 */
int wp_password_policy_write(const char *image_dir, json_object *policy,
			     char *err, size_t err_len);

#endif /* WP_LIB_WPMANIFEST_H */
