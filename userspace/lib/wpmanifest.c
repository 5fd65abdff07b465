// SPDX-License-Identifier: GPL-2.0-only
/*
 * The server-signed device manifest and the password rules of its policy
 * set, for wp-provision and wpd.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"
#include "wpdoc.h"
#include "wpmanifest.h"

static const char *jstr(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) &&
	       json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int wp_manifest_verify(json_object *answer, const uint8_t *pinned, size_t pinned_len,
		       const char *device_id, json_object **manifest,
		       uint8_t **cert_out, size_t *cert_len_out, char *err, size_t err_len)
{
	uint8_t *text = NULL, *sig = NULL, *cert = NULL;
	size_t text_len, sig_len, cert_len;
	struct wpdoc_error derr = { 0 };
	json_tokener *tok;
	json_object *m = NULL;
	int ret = -1;

	*manifest = NULL;
	if (!jstr(answer, "manifest") || !jstr(answer, "manifest_sig") ||
	    !jstr(answer, "server_cert") ||
	    wp_base64_decode(jstr(answer, "manifest"), &text, &text_len) ||
	    wp_base64_decode(jstr(answer, "manifest_sig"), &sig, &sig_len) ||
	    wp_base64_decode(jstr(answer, "server_cert"), &cert, &cert_len)) {
		snprintf(err, err_len, "manifest, manifest_sig or server_cert missing or not base64");
		goto out;
	}
	if (pinned && (pinned_len != cert_len || memcmp(pinned, cert, cert_len))) {
		snprintf(err, err_len, "the server certificate differs from the one pinned at enrolment");
		goto out;
	}
	if (wpdoc_verify(cert, cert_len, text, text_len, sig, sig_len, &derr)) {
		snprintf(err, err_len, "manifest signature: %s", derr.message);
		goto out;
	}
	/* Signed bytes, not necessarily a C string: parse exactly them. */
	tok = text_len < INT_MAX ? json_tokener_new() : NULL;
	if (tok) {
		m = json_tokener_parse_ex(tok, (const char *)text, (int)text_len);
		json_tokener_free(tok);
	}
	if (!m || !json_object_is_type(m, json_type_object) || !jstr(m, "device_id") ||
	    strcasecmp(jstr(m, "device_id"), device_id)) {
		snprintf(err, err_len, "manifest: not for device %s", device_id);
		goto out;
	}
	*manifest = m;
	m = NULL;
	if (cert_out) {
		*cert_out = cert;
		*cert_len_out = cert_len;
		cert = NULL;
	}
	ret = 0;
out:
	json_object_put(m);
	free(text);
	free(sig);
	free(cert);
	return ret;
}

json_object *wp_password_policy(json_object *policy)
{
	json_object *pw = json_object_new_object();

	if (!pw || !json_object_is_type(policy, json_type_object))
		return pw;
	json_object_object_foreach(policy, key, val) {
		if (!strncmp(key, "password", 8) || !strcmp(key, "auto_lock_minutes") ||
		    !strcmp(key, "max_retries"))
			json_object_object_add(pw, key, json_object_get(val));
	}
	return pw;
}

int wp_password_policy_write(const char *image_dir, json_object *policy,
			     char *err, size_t err_len)
{
	json_object *pw = wp_password_policy(policy);
	char path[PATH_MAX];
	const char *text;
	int ret;

	if (!pw) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", image_dir, WP_PASSWORD_POLICY_FILE);
	text = json_object_to_json_string_ext(pw, JSON_C_TO_STRING_PRETTY);
	ret = wp_write_file_atomic(path, text, strlen(text), 0600);
	if (ret)
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
	json_object_put(pw);
	return ret;
}
