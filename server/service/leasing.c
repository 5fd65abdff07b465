// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual phone leasing service (patent FIG. 6): a device checks in
 * with the nonce its enabler issued and the results of earlier commands;
 * it gets a signed lease for that nonce and its queued commands, each
 * signed too.  Format: Documentation/lease-protocol.rst.
 *
 * The database work (results, expiry, delivery, last check-in) is one
 * transaction; the RSA signatures are made after it commits so the
 * database is never held during signing.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"
#include "../util/crypto.h"
#include "../util/json.h"

#define MAX_RESULTS 64

/* 400 naming "results[i].key". */
static int sub_error(struct wp_err *err, const char *item, const char *key,
		     const char *why)
{
	char field[96];

	snprintf(field, sizeof(field), "%s.%s", item, key);
	return WP_BAD(err, field, "'%s' %s", field, why);
}

static int check_results(json_object *results, struct wp_err *err)
{
	static const char *const allowed[] = { "command_id", "status", "result", NULL };

	if (!json_object_is_type(results, json_type_array))
		return WP_BAD(err, "results", "'results' must be an array");
	if (json_object_array_length(results) > MAX_RESULTS)
		return WP_BAD(err, "results", "at most %d results per check-in", MAX_RESULTS);
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		json_object *r = json_object_array_get_idx(results, i), *v;
		const char *id, *status;
		char field[64];

		snprintf(field, sizeof(field), "results[%zu]", i);
		if (!json_object_is_type(r, json_type_object))
			return WP_BAD(err, field, "'%s' must be an object", field);
		if (wpj_only(r, allowed, err) ||
		    wpj_string(r, "command_id", true, 36, &id, err) ||
		    wpj_string(r, "status", true, 16, &status, err)) {
			char full[140];

			snprintf(full, sizeof(full), "%s.%s", field, err->field);
			snprintf(err->field, sizeof(err->field), "%s", full);
			return -1;
		}
		if (!wp_uuid_valid(id))
			return sub_error(err, field, "command_id", "must be a UUID");
		if (strcmp(status, "done") && strcmp(status, "failed"))
			return sub_error(err, field, "status", "must be done or failed");
		if (!json_object_object_get_ex(r, "result", &v))
			v = NULL;
		if (v && !json_object_is_type(v, json_type_object))
			return sub_error(err, field, "result", "must be an object");
		if (v && strlen(wpj_text(v)) > 16384)
			return sub_error(err, field, "result", "is larger than 16 KiB");
	}
	return 0;
}

static void add_b64(json_object *o, const char *key, const void *data, size_t len)
{
	char *b64 = wp_base64_encode(data, len);

	json_object_object_add(o, key, json_object_new_string(b64 ? b64 : ""));
	free(b64);
}

/* Sign @len bytes and add "<key>" and "<sig_key>" (both base64) to @o. */
static int add_signed(struct wp_app *app, json_object *o, const char *key,
		      const char *sig_key, const void *data, size_t len, struct wp_err *err)
{
	struct wpdoc_error derr = { 0 };
	uint8_t *sig;
	size_t sig_len;

	if (wpdoc_sign(app->signer, data, len, &sig, &sig_len, &derr))
		return WP_INTERNAL(err, "signing: %s", derr.message);
	add_b64(o, key, data, len);
	add_b64(o, sig_key, sig, sig_len);
	free(sig);
	return 0;
}

static int sign_doc(struct wp_app *app, const struct wpdoc *doc, json_object *o,
		    const uint8_t *cert, size_t cert_len, struct wp_err *err)
{
	struct wpdoc_error derr = { 0 };
	uint8_t buf[WPDOC_SIZE + 16384];

	if (wpdoc_check_periods(doc, &derr) || wpdoc_encode(doc, buf, &derr))
		return wp_fail(err, 500, "internal", derr.field, "lease document: %s",
			       derr.message);
	if (cert_len > sizeof(buf) - WPDOC_SIZE)
		return WP_INTERNAL(err, "certificate too large");
	if (cert_len)
		memcpy(buf + WPDOC_SIZE, cert, cert_len);
	/* A REPIN's signature covers the document and the new certificate. */
	if (add_signed(app, o, "doc", "sig", buf, WPDOC_SIZE + cert_len, err))
		return -1;
	if (cert_len) {
		/* "doc" carries just the 128 bytes; the certificate goes apart. */
		add_b64(o, "doc", buf, WPDOC_SIZE);
		add_b64(o, "cert", cert, cert_len);
	}
	return 0;
}

/* The JSON body of a command the enabler does not enforce. */
static json_object *command_body(struct wp_app *app, const char *id, const char *type,
				 const char *params_text, const char *device_id,
				 const char *nonce_b64, int64_t now_ns)
{
	json_object *b = json_object_new_object(), *params = json_tokener_parse(params_text);

	(void)app;
	json_object_object_add(b, "command_id", json_object_new_string(id));
	json_object_object_add(b, "device_id", json_object_new_string(device_id));
	json_object_object_add(b, "nonce", json_object_new_string(nonce_b64));
	json_object_object_add(b, "type", json_object_new_string(type));
	json_object_object_add(b, "server_time_ns", json_object_new_int64(now_ns));
	json_object_object_add(b, "params", params ? params : json_object_new_object());
	return b;
}

/* Content details for install_app and image_update: what to fetch. */
static int enrich_params(struct db_tx *tx, const char *type, char **params_text,
			 struct wp_err *err)
{
	const char *table = !strcmp(type, "install_app") ? "apps" :
			    !strcmp(type, "image_update") ? "images" : NULL;
	const char *key = !strcmp(type, "install_app") ? "app_id" : "image_id";
	json_object *o, *id;
	struct db_rows *rows;
	const char *p[1];
	char sql[160], url[200];

	if (!table)
		return 0;
	o = json_tokener_parse(*params_text);
	if (!o || !json_object_object_get_ex(o, key, &id)) {
		json_object_put(o);
		return 0;
	}
	p[0] = json_object_get_string(id);
	snprintf(sql, sizeof(sql), "SELECT sha256, size, name, version FROM %s WHERE id = $1",
		 table);
	if (db_exec(tx, sql, 1, p, &rows, NULL, err)) {
		json_object_put(o);
		return -1;
	}
	if (rows->nrows && db_val(rows, 0, 0)) {
		snprintf(url, sizeof(url), "/api/v1/device/%s/%s", table, db_val(rows, 0, 0));
		json_object_object_add(o, "sha256", json_object_new_string(db_val(rows, 0, 0)));
		json_object_object_add(o, "size", json_object_new_int64(db_atoll(db_val(rows, 0, 1))));
		json_object_object_add(o, "name", wpj_new_string(db_val(rows, 0, 2)));
		json_object_object_add(o, "version", wpj_new_string(db_val(rows, 0, 3)));
		json_object_object_add(o, "url", json_object_new_string(url));
	}
	db_rows_free(rows);
	free(*params_text);
	*params_text = strdup(wpj_text(o));
	json_object_put(o);
	return *params_text ? 0 : WP_INTERNAL(err, "out of memory");
}

struct pending {
	char id[37];
	char type[32];
	char *params;
};

int wp_checkin(struct wp_app *app, const struct wp_principal *device,
	       json_object *body, json_object **out, struct wp_err *err)
{
	static const char *const allowed[] = { "nonce", "results", "policy_version", "wiped",
					       NULL };
	struct wp_device_policy pol;
	struct pending cmds[WPDOC_CMDS_PER_NONCE];
	int ncmds = 0, ret = -1;
	const char *nonce_b64, *p[4];
	json_object *results = NULL, *resp = NULL, *jcmds, *ignored;
	uint8_t *nonce = NULL;
	size_t nonce_len;
	struct db_rows *rows = NULL;
	struct db_tx *tx = NULL;
	char now_s[DB_INT_LEN], inactive_s[DB_INT_LEN], ver_s[DB_INT_LEN];
	int64_t now_ms = wp_now_ms(), now_ns = wp_now_ns(), grace_ms;
	long long reported_version;
	bool wiped, reports_wiped = false;
	struct wpdoc doc = { 0 };

	if (wpj_only(body, allowed, err) ||
	    wpj_string(body, "nonce", true, 64, &nonce_b64, err) ||
	    wpj_int(body, "policy_version", false, 0, UINT32_MAX, &reported_version, NULL, err) ||
	    wpj_bool(body, "wiped", false, &reports_wiped, NULL, err))
		return -1;
	if (wp_base64_decode(nonce_b64, &nonce, &nonce_len) || nonce_len != 32) {
		free(nonce);
		return WP_BAD(err, "nonce", "'nonce' must be the base64 of 32 bytes");
	}
	if (json_object_object_get_ex(body, "results", &results) && results &&
	    check_results(results, err))
		goto out;

	if (db_begin(app->db, &tx, err))
		goto out;
	if (wp_device_policy(tx, device->id, &pol, err))
		goto out;
	if (!strcmp(pol.status, "wiped")) {
		wp_fail(err, 410, "gone", NULL, "device %s was wiped; enrol it again", device->id);
		goto out;
	}
	ignored = json_object_new_array();
	resp = json_object_new_object();
	json_object_object_add(resp, "ignored_results", ignored);
	for (size_t i = 0; results && i < json_object_array_length(results); i++) {
		json_object *r = json_object_array_get_idx(results, i);
		const char *cid = json_object_get_string(json_object_object_get(r, "command_id"));
		bool stored;

		if (wp_command_result(tx, device->id, cid,
				      json_object_get_string(json_object_object_get(r, "status")),
				      json_object_object_get(r, "result"), &stored, err))
			goto out;
		if (!stored)
			json_object_array_add(ignored, json_object_new_string(cid));
	}
	/*
	 * The enabler wiped the work phone on its own (auto-wipe, or a wipe
	 * whose result was lost): the device says so, and it is final.
	 */
	if (reports_wiped) {
		long long changed = 0;

		p[0] = device->id;
		p[1] = db_int(now_s, now_ms);
		if (db_exec(tx, "UPDATE devices SET status = 'wiped', updated_at = $2"
			    " WHERE id = $1 AND status <> 'wiped'", 2, p, NULL, &changed, err) ||
		    (changed && wp_audit(tx, device, "wipe", "device", device->id, NULL, NULL,
					 "device %s reports its work phone wiped by the enabler",
					 device->id)))
			goto out;
	}
	/* A wipe reported just now ends the device's life. */
	p[0] = device->id;
	if (db_exec(tx, "SELECT status FROM devices WHERE id = $1", 1, p, &rows, NULL, err))
		goto out;
	wiped = !strcmp(db_val(rows, 0, 0), "wiped");
	db_rows_free(rows);
	rows = NULL;
	if (!wiped) {
		if (wp_commands_take(tx, device->id, WPDOC_CMDS_PER_NONCE, &rows, err))
			goto out;
		for (int i = 0; i < rows->nrows && ncmds < WPDOC_CMDS_PER_NONCE; i++) {
			struct pending *c = &cmds[ncmds];

			snprintf(c->id, sizeof(c->id), "%s", db_val(rows, i, 0));
			snprintf(c->type, sizeof(c->type), "%s", db_val(rows, i, 1));
			c->params = strdup(db_val(rows, i, 2));
			if (!c->params) {
				WP_INTERNAL(err, "out of memory");
				goto out;
			}
			ncmds++;
			if (enrich_params(tx, c->type, &c->params, err))
				goto out;
		}
		db_rows_free(rows);
		rows = NULL;
	}
	grace_ms = (app->cfg->grace_s ? app->cfg->grace_s : pol.lease_interval_s) * 1000;
	p[1] = db_int(now_s, now_ms);
	p[2] = db_int(inactive_s, now_ms + pol.lease_interval_s * 1000 + grace_ms);
	p[3] = db_int(ver_s, wiped ? 0 : pol.policy_version);
	if (db_exec(tx, "UPDATE devices SET last_checkin_at = $2, inactive_at = $3,"
		    " policy_version = CASE WHEN policy_version > CAST($4 AS BIGINT)"
		    " THEN policy_version ELSE CAST($4 AS BIGINT) END, updated_at = $2"
		    " WHERE id = $1", 4, p, NULL, NULL, err))
		goto out;
	if (db_commit(tx, err)) {
		tx = NULL;
		goto out;
	}
	tx = NULL;

	/* Committed: now sign what was decided. */
	json_object_object_add(resp, "device_id", json_object_new_string(device->id));
	json_object_object_add(resp, "server_time_ns", json_object_new_int64(now_ns));
	if (wiped) {
		json_object_object_add(resp, "status", json_object_new_string("wiped"));
		json_object_object_add(resp, "lease", NULL);
		json_object_object_add(resp, "commands", json_object_new_array());
		*out = resp;
		resp = NULL;
		ret = 0;
		goto out;
	}
	json_object_object_add(resp, "status", json_object_new_string(pol.status));
	json_object_object_add(resp, "lease_interval_s",
			       json_object_new_int64(pol.lease_interval_s));
	json_object_object_add(resp, "policy_version",
			       json_object_new_int64(pol.policy_version));
	if (wpdoc_uuid_parse(device->id, doc.device_id)) {
		WP_INTERNAL(err, "device id %s", device->id);
		goto out;
	}
	memcpy(doc.nonce, nonce, 32);
	doc.kind = WORKPHONE_DOC_LEASE;
	doc.server_time_ns = (uint64_t)now_ns;
	doc.valid_for_s = (uint32_t)app->cfg->lease_valid_s;
	doc.lease_interval_s = (uint32_t)pol.lease_interval_s;
	doc.auto_disable_s = (uint32_t)pol.auto_disable_s;
	doc.auto_wipe_s = (uint32_t)pol.auto_wipe_s;
	doc.policy_version = (uint32_t)pol.policy_version;
	{
		json_object *lease = json_object_new_object();

		json_object_object_add(resp, "lease", lease);
		if (sign_doc(app, &doc, lease, NULL, 0, err))
			goto out;
	}
	jcmds = json_object_new_array();
	json_object_object_add(resp, "commands", jcmds);
	for (int i = 0; i < ncmds; i++) {
		json_object *c = json_object_new_object();
		int kind = !strcmp(cmds[i].type, "lock") ? WORKPHONE_DOC_LOCK :
			   !strcmp(cmds[i].type, "unlock") ? WORKPHONE_DOC_UNLOCK :
			   !strcmp(cmds[i].type, "wipe") ? WORKPHONE_DOC_WIPE :
			   !strcmp(cmds[i].type, "repin") ? WORKPHONE_DOC_REPIN : 0;

		json_object_array_add(jcmds, c);
		json_object_object_add(c, "id", json_object_new_string(cmds[i].id));
		json_object_object_add(c, "type", json_object_new_string(cmds[i].type));
		if (kind) {
			struct wpdoc cdoc = doc;
			const uint8_t *cert = NULL;
			size_t cert_len = 0;

			cdoc.kind = (uint16_t)kind;
			if (wpdoc_uuid_parse(cmds[i].id, cdoc.command_id)) {
				WP_INTERNAL(err, "command id %s", cmds[i].id);
				goto out;
			}
			if (kind == WORKPHONE_DOC_REPIN) {
				if (!app->next_signer) {
					WP_INTERNAL(err, "repin queued but no next key is loaded");
					goto out;
				}
				cert = wpdoc_signer_cert_der(app->next_signer, &cert_len);
			}
			if (sign_doc(app, &cdoc, c, cert, cert_len, err))
				goto out;
		} else {
			json_object *b = command_body(app, cmds[i].id, cmds[i].type, cmds[i].params,
						      device->id, nonce_b64, now_ns);
			const char *text = wpj_text(b);
			int bad = add_signed(app, c, "body", "body_sig", text, strlen(text), err);

			json_object_put(b);
			if (bad)
				goto out;
		}
	}
	*out = resp;
	resp = NULL;
	ret = 0;
out:
	for (int i = 0; i < ncmds; i++)
		free(cmds[i].params);
	db_rows_free(rows);
	db_rollback(tx);
	json_object_put(resp);
	free(nonce);
	return ret;
}
