/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device side of the check-in exchange (lease-protocol.rst): one
 * request, and the decoding of the signed documents in the answer.  Used
 * by wp-provision (the first lease) and wpd (every renewal).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_CHECKIN_H
#define WP_LIB_CHECKIN_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include <linux/workphone.h>

struct wp_http;

struct wp_checkin_answer {
	json_object *json;	/* the whole answer (owned) */
	uint8_t *doc;		/* the lease document, 128 bytes */
	uint8_t *sig;
	size_t sig_len;
	uint32_t lease_interval_s;
	json_object *commands;	/* array inside json, may be NULL */
	bool wiped;		/* the server has this device as wiped: no lease */
};

/*
 * POST /api/v1/device/checkin with the enabler's status @st (its policy
 * version, and "wiped" when it wiped the work phone; NULL before the
 * first lease).  0 with a decoded lease; 0 with ->wiped
 * set and no lease when the server has the device as wiped (its answer
 * says "status": "wiped", or 410 Gone once that was said); or -1 with a
 * message (unreachable, refused with the server's reason, malformed).
 */
int wp_checkin_request(struct wp_http *h, const uint8_t nonce[32],
		       const struct workphone_status *st, json_object *results,
		       struct wp_checkin_answer *a, char *err, size_t err_len);
void wp_checkin_answer_free(struct wp_checkin_answer *a);

/* Decode "doc"/"sig" and optional "cert" (base64) of one JSON object. */
int wp_checkin_decode_doc(json_object *o, uint8_t **doc, uint8_t **sig,
			  size_t *sig_len, uint8_t **cert, size_t *cert_len,
			  char *err, size_t err_len);

#endif /* WP_LIB_CHECKIN_H */
