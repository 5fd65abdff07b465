// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: what survives a reboot (lease-protocol.rst, "Persistence across
 * reboots") and command results not reported yet.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enabler.h"
#include "fileio.h"
#include "state.h"
#include "wpd.h"

int wpd_persist_lease(struct wpd *d, const void *doc, const void *sig,
		      size_t sig_len, const void *cert, size_t cert_len)
{
	return wp_state_save_lease(d->cfg.state_dir, d->cfg.device_id, doc, sig,
				   sig_len, cert, cert_len);
}

int wpd_load_server_cert(struct wpd *d, uint8_t **cert, size_t *len)
{
	return wp_state_read(d->cfg.state_dir, "server.der", cert, len);
}

/*
 * After a reboot the enabler is unprovisioned: give it the last lease.
 * Returns 0 (restored or nothing to restore) or -errno.
 */
int wpd_restore_lease(struct wpd *d)
{
	struct workphone_status st;
	uint8_t *doc = NULL, *sig = NULL, *cert = NULL;
	size_t doc_len, sig_len, cert_len;
	int ret;

	ret = wp_enabler_status(d->enabler, &st);
	if (ret || st.state != WORKPHONE_STATE_UNPROVISIONED)
		return ret;
	ret = wp_state_read(d->cfg.state_dir, "lease.doc", &doc, &doc_len);
	if (ret == -ENOENT)
		return 0;	/* nothing was ever accepted */
	if (!ret)
		ret = wp_state_read(d->cfg.state_dir, "lease.sig", &sig, &sig_len);
	if (!ret)
		ret = wpd_load_server_cert(d, &cert, &cert_len);
	if (!ret && doc_len != sizeof(struct workphone_doc))
		ret = -EBADMSG;
	if (!ret) {
		struct wp_enabler_doc ed = {
			.doc = (const struct workphone_doc *)doc,
			.sig = sig, .sig_len = sig_len,
			.cert = cert, .cert_len = cert_len,
			.device_id = d->cfg.device_id,
		};

		ret = wp_enabler_restore(d->enabler, &ed);
		wpd_log(d, "restore of the last lease: %s",
			ret ? wp_enabler_explain(ret) : "done");
	}
	free(doc);
	free(sig);
	free(cert);
	return ret;
}

static void results_path(struct wpd *d, char *out, size_t len)
{
	snprintf(out, len, "%s/results.json", d->cfg.state_dir);
}

void wpd_results_load(struct wpd *d)
{
	char path[600];

	results_path(d, path, sizeof(path));
	d->results = json_object_from_file(path);
	if (!d->results || !json_object_is_type(d->results, json_type_array)) {
		if (d->results)
			json_object_put(d->results);
		d->results = json_object_new_array();
	}
}

int wpd_results_save(struct wpd *d)
{
	const char *text = json_object_to_json_string_ext(d->results,
							  JSON_C_TO_STRING_PLAIN);
	char path[600];

	results_path(d, path, sizeof(path));
	return wp_write_file_atomic(path, text, strlen(text), 0600);
}

void wpd_result_add(struct wpd *d, const char *command_id, bool ok,
		    const char *error, const char *note)
{
	json_object *r = json_object_new_object(), *res = json_object_new_object();

	json_object_object_add(r, "command_id", json_object_new_string(command_id));
	json_object_object_add(r, "status", json_object_new_string(ok ? "done" : "failed"));
	if (error)
		json_object_object_add(res, "error", json_object_new_string(error));
	if (note)
		json_object_object_add(res, "note", json_object_new_string(note));
	json_object_object_add(r, "result", res);
	json_object_array_add(d->results, r);
	/* A result must survive a crash until the server has it. */
	if (wpd_results_save(d))
		wpd_log(d, "cannot save results.json: results kept in memory");
}
