// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device side of the check-in exchange.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/workphone.h>

#include "checkin.h"
#include "fileio.h"
#include "http.h"

int wp_checkin_decode_doc(json_object *o, uint8_t **doc, uint8_t **sig,
			  size_t *sig_len, uint8_t **cert, size_t *cert_len,
			  char *err, size_t err_len)
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

int wp_checkin_request(struct wp_http *h, const uint8_t nonce[32],
		       const struct workphone_status *st, json_object *results,
		       struct wp_checkin_answer *a, char *err, size_t err_len)
{
	struct wp_http_response resp;
	json_object *body, *lease, *v;
	uint8_t *cert;
	size_t cert_len;
	char *nonce_b64;
	int ret;

	memset(a, 0, sizeof(*a));
	nonce_b64 = wp_base64_encode(nonce, 32);
	body = json_object_new_object();
	json_object_object_add(body, "nonce", json_object_new_string(nonce_b64));
	json_object_object_add(body, "policy_version",
			       json_object_new_int64(st ? st->policy_version : 0));
	if (st && st->state == WORKPHONE_STATE_WIPED)
		json_object_object_add(body, "wiped", json_object_new_boolean(1));
	json_object_object_add(body, "results",
			       results ? json_object_get(results) : json_object_new_array());
	free(nonce_b64);
	ret = wp_http_json(h, "POST", "/api/v1/device/checkin", body, &resp, err, err_len);
	json_object_put(body);
	if (ret)
		return -1;
	if (resp.status == 410) {
		/* Gone: the wipe was confirmed at an earlier check-in. */
		a->wiped = true;
		wp_http_response_free(&resp);
		return 0;
	}
	if (resp.status != 200 || !resp.json) {
		snprintf(err, err_len, "check-in refused: %s", wp_http_error_text(&resp));
		wp_http_response_free(&resp);
		return -1;
	}
	a->json = json_object_get(resp.json);
	wp_http_response_free(&resp);
	if (json_object_object_get_ex(a->json, "status", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    !strcmp(json_object_get_string(v), "wiped")) {
		a->wiped = true;
		return 0;
	}
	if (!json_object_object_get_ex(a->json, "lease", &lease)) {
		snprintf(err, err_len, "check-in answer: \"lease\" is missing");
		goto fail;
	}
	if (wp_checkin_decode_doc(lease, &a->doc, &a->sig, &a->sig_len, &cert,
				  &cert_len, err, err_len))
		goto fail;
	free(cert);
	if (json_object_object_get_ex(a->json, "lease_interval_s", &v))
		a->lease_interval_s = (uint32_t)json_object_get_int64(v);
	if (json_object_object_get_ex(a->json, "commands", &v) &&
	    json_object_is_type(v, json_type_array))
		a->commands = v;
	return 0;
fail:
	wp_checkin_answer_free(a);
	return -1;
}

void wp_checkin_answer_free(struct wp_checkin_answer *a)
{
	if (a->json)
		json_object_put(a->json);
	free(a->doc);
	free(a->sig);
	memset(a, 0, sizeof(*a));
}
