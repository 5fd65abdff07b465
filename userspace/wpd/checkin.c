// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: one check-in (lease-protocol.rst, "The check-in exchange").
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>

#include "checkin.h"
#include "enabler.h"
#include "wpd.h"

int wpd_checkin(struct wpd *d, char *err, size_t err_len)
{
	struct wp_checkin_answer a;
	struct workphone_status st;
	uint8_t nonce[32];
	int ret;

	ret = wp_enabler_nonce(d->enabler, nonce);
	if (!ret)
		ret = wp_enabler_status(d->enabler, &st);
	if (ret) {
		snprintf(err, err_len, "enabler: %s", wp_enabler_explain(ret));
		return -1;
	}
	if (wp_checkin_request(d->http, nonce, &st, d->results, &a,
			       err, err_len))
		return -1;
	/* Delivered: the server stores results idempotently. */
	json_object_put(d->results);
	d->results = json_object_new_array();
	wpd_results_save(d);
	if (a.wiped) {
		/* No lease will ever come: this device must be enrolled again. */
		wp_checkin_answer_free(&a);
		return WPD_CHECKIN_WIPED;
	}

	struct wp_enabler_doc ed = {
		.doc = (const struct workphone_doc *)a.doc,
		.sig = a.sig, .sig_len = a.sig_len,
	};

	ret = wp_enabler_submit(d->enabler, &ed);
	if (ret) {
		snprintf(err, err_len, "the enabler refused the lease: %s",
			 wp_enabler_explain(ret));
	} else {
		if (a.lease_interval_s)
			d->lease_interval_s = a.lease_interval_s;
		/* The lease holds in the kernel; only a reboot would lose it. */
		if (wpd_persist_lease(d, a.doc, a.sig, a.sig_len, NULL, 0))
			wpd_log(d, "cannot persist the lease: a reboot before the next check-in locks");
	}
	/* Commands run even if the lease was refused: a WIPE still wipes. */
	for (size_t i = 0; a.commands && i < json_object_array_length(a.commands); i++)
		wpd_run_command(d, json_object_array_get_idx(a.commands, i), nonce);
	wp_checkin_answer_free(&a);
	return ret ? -1 : 0;
}
