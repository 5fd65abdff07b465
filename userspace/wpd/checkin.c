// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: one check-in (lease-protocol.rst, "The check-in exchange").
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enabler.h"
#include "fileio.h"
#include "http.h"
#include "wpd.h"

/* Decode "doc"/"sig"/"cert" of a JSON object; 0 or a message. */
int wpd_decode_doc(json_object *o, uint8_t **doc, uint8_t **sig, size_t *sig_len,
		   uint8_t **cert, size_t *cert_len, char *err, size_t err_len);

int wpd_decode_doc(json_object *o, uint8_t **doc, uint8_t **sig, size_t *sig_len,
		   uint8_t **cert, size_t *cert_len, char *err, size_t err_len)
{
	json_object *v;
	size_t doc_len;

	*doc = *sig = *cert = NULL;
	*cert_len = 0;
	if (!json_object_object_get_ex(o, "doc", &v) ||
	    wp_base64_decode(json_object_get_string(v), doc, &doc_len) ||
	    doc_len != sizeof(struct workphone_doc)) {
		snprintf(err, err_len, "\"doc\": not base64 of a 128-byte document");
		goto fail;
	}
	if (!json_object_object_get_ex(o, "sig", &v) ||
	    wp_base64_decode(json_object_get_string(v), sig, sig_len)) {
		snprintf(err, err_len, "\"sig\": not base64");
		goto fail;
	}
	if (json_object_object_get_ex(o, "cert", &v) &&
	    wp_base64_decode(json_object_get_string(v), cert, cert_len)) {
		snprintf(err, err_len, "\"cert\": not base64");
		goto fail;
	}
	return 0;
fail:
	free(*doc);
	free(*sig);
	*doc = *sig = NULL;
	return -1;
}

static int wpd_apply_lease(struct wpd *d, json_object *lease, char *err,
			   size_t err_len)
{
	uint8_t *doc, *sig, *cert;
	size_t sig_len, cert_len;
	int ret;

	if (wpd_decode_doc(lease, &doc, &sig, &sig_len, &cert, &cert_len, err, err_len))
		return -1;
	struct wp_enabler_doc ed = {
		.doc = (const struct workphone_doc *)doc,
		.sig = sig, .sig_len = sig_len,
	};

	ret = wp_enabler_submit(d->enabler, &ed);
	if (ret) {
		snprintf(err, err_len, "the enabler refused the lease: %s",
			 wp_enabler_explain(ret));
	} else if (wpd_persist_lease(d, doc, sig, sig_len, NULL, 0)) {
		/* The lease holds in the kernel; only a reboot would lose it. */
		wpd_log(d, "cannot persist the lease: a reboot before the next check-in locks");
	}
	free(doc);
	free(sig);
	free(cert);
	return ret ? -1 : 0;
}

int wpd_checkin(struct wpd *d, char *err, size_t err_len)
{
	struct wp_http_response resp;
	struct workphone_status st;
	json_object *body, *lease, *cmds, *v;
	uint8_t nonce[32];
	char *nonce_b64;
	int ret;

	ret = wp_enabler_nonce(d->enabler, nonce);
	if (!ret)
		ret = wp_enabler_status(d->enabler, &st);
	if (ret) {
		snprintf(err, err_len, "enabler: %s", wp_enabler_explain(ret));
		return -1;
	}
	nonce_b64 = wp_base64_encode(nonce, sizeof(nonce));
	body = json_object_new_object();
	json_object_object_add(body, "nonce", json_object_new_string(nonce_b64));
	json_object_object_add(body, "policy_version", json_object_new_int64(st.policy_version));
	json_object_object_add(body, "results", json_object_get(d->results));
	free(nonce_b64);

	ret = wp_http_json(d->http, "POST", "/api/v1/device/checkin", body, &resp,
			   err, err_len);
	json_object_put(body);
	if (ret)
		return -1;
	if (resp.status != 200 || !resp.json) {
		snprintf(err, err_len, "check-in refused: %s", wp_http_error_text(&resp));
		wp_http_response_free(&resp);
		return -1;
	}
	/* Delivered: the server stores results idempotently. */
	json_object_put(d->results);
	d->results = json_object_new_array();
	wpd_results_save(d);

	if (!json_object_object_get_ex(resp.json, "lease", &lease)) {
		snprintf(err, err_len, "check-in answer has no \"lease\"");
		wp_http_response_free(&resp);
		return -1;
	}
	ret = wpd_apply_lease(d, lease, err, err_len);
	if (!ret && json_object_object_get_ex(resp.json, "lease_interval_s", &v))
		d->lease_interval_s = (uint32_t)json_object_get_int64(v);
	/* Commands run even if the lease was refused: a WIPE still wipes. */
	if (json_object_object_get_ex(resp.json, "commands", &cmds) &&
	    json_object_is_type(cmds, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(cmds); i++)
			wpd_run_command(d, json_object_array_get_idx(cmds, i), nonce);
	}
	wp_http_response_free(&resp);
	return ret;
}
