// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual phone provisioning service (patent FIG. 5): a device enrols
 * with the server URL and the user's identity (password, or a one-time
 * enrolment token an administrator generated), receives its device id and
 * device token and a signed manifest naming the image, policy and apps of
 * the user's business group; it downloads them (http/download.c) and
 * reports the installation, which makes the device active.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"
#include "../util/crypto.h"
#include "../util/json.h"

#define ENROLL_TTL_DEFAULT_S (7 * 86400)

int wp_device_policy(struct db_tx *tx, const char *device_id,
		     struct wp_device_policy *pol, struct wp_err *err)
{
	const char *params[1] = { device_id };
	struct db_rows *rows;

	memset(pol, 0, sizeof(*pol));
	if (db_one(tx, "SELECT d.user_id, d.status, d.policy_version, p.id,"
		   " p.lease_interval_s, p.auto_disable_s, p.auto_wipe_s, p.version"
		   " FROM devices d JOIN users u ON u.id = d.user_id"
		   " LEFT JOIN business_groups g ON g.id = u.group_id"
		   " LEFT JOIN policy_sets p ON p.id = g.policy_set_id WHERE d.id = $1",
		   1, params, "device", &rows, err))
		return -1;
	snprintf(pol->user_id, sizeof(pol->user_id), "%s", db_val(rows, 0, 0));
	snprintf(pol->status, sizeof(pol->status), "%s", db_val(rows, 0, 1));
	if (!db_val(rows, 0, 3)) {
		db_rows_free(rows);
		return wp_fail(err, 409, "no_policy", NULL,
			       "the device's user has no business group with a policy set");
	}
	snprintf(pol->policy_set_id, sizeof(pol->policy_set_id), "%s", db_val(rows, 0, 3));
	pol->lease_interval_s = db_atoll(db_val(rows, 0, 4));
	pol->auto_disable_s = db_atoll(db_val(rows, 0, 5));
	pol->auto_wipe_s = db_atoll(db_val(rows, 0, 6));
	pol->policy_version = db_atoll(db_val(rows, 0, 7));
	/* Never lower than what this device already accepted. */
	if (db_atoll(db_val(rows, 0, 2)) > pol->policy_version)
		pol->policy_version = db_atoll(db_val(rows, 0, 2));
	db_rows_free(rows);
	return 0;
}

int wp_enroll_token_create(struct wp_app *app, const struct wp_principal *who,
			   json_object *body, json_object **out, struct wp_err *err)
{
	static const char *const allowed[] = { "user_id", "ttl_s", NULL };
	const char *user_id, *params[1];
	long long ttl = ENROLL_TTL_DEFAULT_S;
	char token[128], id[37];
	struct db_rows *rows;
	struct db_tx *tx;
	int64_t expires;

	if (wpj_only(body, allowed, err) ||
	    wpj_string(body, "user_id", true, 36, &user_id, err) ||
	    wpj_int(body, "ttl_s", false, 60, 90 * 86400, &ttl, NULL, err))
		return -1;
	if (!wp_uuid_valid(user_id))
		return WP_BAD(err, "user_id", "'user_id' must be a UUID");
	params[0] = user_id;
	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_exec(tx, "SELECT username FROM users WHERE id = $1", 1, params, &rows, NULL, err))
		goto fail;
	if (!rows->nrows) {
		db_rows_free(rows);
		wp_fail(err, 400, "invalid_reference", "user_id", "no user %s", user_id);
		goto fail;
	}
	expires = wp_now_ms() + ttl * 1000;
	if (wp_token_issue(tx, "enroll", "wpe_", user_id, "enrolment", expires, token,
			   sizeof(token), id, err) ||
	    wp_audit(tx, who, "create", "enrollment_token", id, NULL, NULL,
		     "enrolment token for user %s", db_val(rows, 0, 0))) {
		db_rows_free(rows);
		goto fail;
	}
	db_rows_free(rows);
	if (db_commit(tx, err))
		return -1;
	*out = json_object_new_object();
	json_object_object_add(*out, "id", json_object_new_string(id));
	json_object_object_add(*out, "user_id", json_object_new_string(user_id));
	json_object_object_add(*out, "token", json_object_new_string(token));
	json_object_object_add(*out, "expires_at", json_object_new_int64(expires));
	return 0;
fail:
	db_rollback(tx);
	return -1;
}

/* Which user is enrolling: a one-time token (consumed) or a password. */
static int enroll_identify(struct db_tx *tx, json_object *body, char user_id[37],
			   struct wp_err *err)
{
	const char *token, *username, *password, *params[1];
	char hash[WP_SHA256_HEX];
	struct db_rows *rows;
	bool ok;

	if (wpj_string(body, "enrollment_token", false, 200, &token, err) ||
	    wpj_string(body, "username", false, 128, &username, err) ||
	    wpj_string(body, "password", false, 256, &password, err))
		return -1;
	if (token) {
		if (username || password)
			return WP_BAD(err, "enrollment_token",
				      "give either enrollment_token or username and password");
		wp_sha256_hex(token, strlen(token), hash);
		params[0] = hash;
		/* DELETE ... RETURNING: a token enrols exactly one device. */
		if (db_exec(tx, "DELETE FROM tokens WHERE hash = $1 AND kind = 'enroll'"
			    " RETURNING subject_id, expires_at", 1, params, &rows, NULL, err))
			return -1;
		ok = rows->nrows && db_atoll(db_val(rows, 0, 1)) > wp_now_ms();
		if (ok)
			snprintf(user_id, 37, "%s", db_val(rows, 0, 0));
		db_rows_free(rows);
		if (!ok)
			return wp_fail(err, 401, "unauthorized", "enrollment_token",
				       "unknown, used or expired enrolment token");
		return 0;
	}
	if (!username || !password)
		return wp_fail(err, 400, "missing_field", username ? "password" : "username",
			       "give username and password, or enrollment_token");
	params[0] = username;
	if (db_exec(tx, "SELECT id, password_hash FROM users WHERE username = $1",
		    1, params, &rows, NULL, err))
		return -1;
	ok = rows->nrows && db_val(rows, 0, 1) &&
	     wp_password_verify(password, db_val(rows, 0, 1));
	if (ok)
		snprintf(user_id, 37, "%s", db_val(rows, 0, 0));
	db_rows_free(rows);
	if (!ok)
		return wp_fail(err, 401, "unauthorized", NULL, "wrong username or password");
	return 0;
}

static json_object *content_entry(json_object *obj, const char *kind)
{
	json_object *o = json_object_new_object(), *sha;
	char url[200];

	json_object_object_foreach(obj, key, val) {
		if (!strcmp(key, "id") || !strcmp(key, "name") || !strcmp(key, "version") ||
		    !strcmp(key, "sha256") || !strcmp(key, "size") || !strcmp(key, "a_la_carte"))
			json_object_object_add(o, key, json_object_get(val));
	}
	if (json_object_object_get_ex(obj, "sha256", &sha) && sha) {
		snprintf(url, sizeof(url), "/api/v1/device/%s/%s", kind,
			 json_object_get_string(sha));
		json_object_object_add(o, "url", json_object_new_string(url));
	}
	return o;
}

static int add_apps(struct db_tx *tx, json_object *apps, json_object *ids,
		    struct wp_err *err)
{
	for (size_t i = 0; ids && i < json_object_array_length(ids); i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(ids, i));
		json_object *app, *sha;
		bool dup = false;

		for (size_t j = 0; j < json_object_array_length(apps); j++)
			dup |= !strcmp(id, json_object_get_string(json_object_object_get(
					json_object_array_get_idx(apps, j), "id")));
		if (dup)
			continue;
		if (wp_resource_load(tx, &wp_res_apps, id, &app, err))
			return -1;
		if (json_object_object_get_ex(app, "sha256", &sha) && sha)
			json_object_array_add(apps, content_entry(app, "apps"));
		json_object_put(app);
	}
	return 0;
}

/*
 * The manifest: everything the device installs, as the exact bytes that
 * were signed.  Fails with 409 not_provisionable if the user's group lacks
 * a policy set, a template, or an uploaded image.
 */
static int build_manifest(struct wp_app *app, struct db_tx *tx, const char *device_id,
			  json_object **out, struct wp_err *err)
{
	json_object *device = NULL, *user = NULL, *group = NULL, *policy = NULL;
	json_object *tmpl = NULL, *image = NULL, *m = NULL, *v, *apps;
	const char *gid, *pid, *tid, *iid;
	int ret = -1;

	if (wp_resource_load(tx, &wp_res_devices, device_id, &device, err) ||
	    wp_resource_load(tx, &wp_res_users,
			     json_object_get_string(json_object_object_get(device, "user_id")),
			     &user, err))
		goto out;
	/* A wiped device gets nothing more; it enrols again (as at check-in). */
	v = json_object_object_get(device, "status");
	if (v && !strcmp(json_object_get_string(v), "wiped")) {
		wp_fail(err, 410, "gone", NULL, "device %s was wiped; enrol it again", device_id);
		goto out;
	}
	gid = json_object_get_string(json_object_object_get(user, "group_id"));
	if (!gid || wp_resource_load(tx, &wp_res_groups, gid, &group, err)) {
		wp_fail(err, 409, "not_provisionable", NULL, "user %s has no business group",
			json_object_get_string(json_object_object_get(user, "username")));
		goto out;
	}
	pid = json_object_get_string(json_object_object_get(group, "policy_set_id"));
	tid = json_object_get_string(json_object_object_get(group, "template_id"));
	if (!pid || !tid || wp_resource_load(tx, &wp_res_policy_sets, pid, &policy, err) ||
	    wp_resource_load(tx, &wp_res_templates, tid, &tmpl, err)) {
		wp_fail(err, 409, "not_provisionable", NULL,
			"group %s needs a policy set and an image template",
			json_object_get_string(json_object_object_get(group, "name")));
		goto out;
	}
	iid = json_object_get_string(json_object_object_get(tmpl, "image_id"));
	if (!iid || wp_resource_load(tx, &wp_res_images, iid, &image, err) ||
	    !json_object_object_get_ex(image, "sha256", &v) || !v) {
		wp_fail(err, 409, "not_provisionable", NULL,
			"template %s has no image with uploaded content",
			json_object_get_string(json_object_object_get(tmpl, "name")));
		goto out;
	}
	m = json_object_new_object();
	json_object_object_add(m, "version", json_object_new_int(1));
	json_object_object_add(m, "device_id", json_object_new_string(device_id));
	json_object_object_add(m, "server_time_ns", json_object_new_int64(wp_now_ns()));
	v = json_object_new_object();
	json_object_object_add(v, "id", json_object_get(json_object_object_get(user, "id")));
	json_object_object_add(v, "username",
			       json_object_get(json_object_object_get(user, "username")));
	json_object_object_add(m, "user", v);
	v = json_object_new_object();
	json_object_object_add(v, "id", json_object_new_string(gid));
	json_object_object_add(v, "name", json_object_get(json_object_object_get(group, "name")));
	json_object_object_add(m, "group", v);
	json_object_object_del(policy, "created_at");
	json_object_object_del(policy, "updated_at");
	json_object_object_add(m, "policy", json_object_get(policy));
	v = json_object_new_object();
	json_object_object_add(v, "id", json_object_new_string(tid));
	json_object_object_add(v, "name", json_object_get(json_object_object_get(tmpl, "name")));
	json_object_object_add(v, "guest_os",
			       json_object_get(json_object_object_get(tmpl, "guest_os")));
	json_object_object_add(v, "settings",
			       json_object_get(json_object_object_get(tmpl, "settings")));
	json_object_object_add(m, "template", v);
	json_object_object_add(m, "image", content_entry(image, "images"));
	apps = json_object_new_array();
	json_object_object_add(m, "apps", apps);
	if (add_apps(tx, apps, json_object_object_get(tmpl, "app_ids"), err) ||
	    add_apps(tx, apps, json_object_object_get(user, "app_ids"), err))
		goto out;
	*out = m;
	m = NULL;
	ret = 0;
	(void)app;
out:
	json_object_put(m);
	json_object_put(device);
	json_object_put(user);
	json_object_put(group);
	json_object_put(policy);
	json_object_put(tmpl);
	json_object_put(image);
	return ret;
}

/* {"manifest": base64 bytes, "manifest_sig": base64 CMS, "server_cert": DER} */
static int signed_manifest(struct wp_app *app, json_object *manifest, json_object *out,
			   struct wp_err *err)
{
	const char *text = wpj_text(manifest);
	struct wpdoc_error derr = { 0 };
	const uint8_t *cert;
	uint8_t *sig;
	size_t sig_len, cert_len;
	char *b64;

	if (wpdoc_sign(app->signer, text, strlen(text), &sig, &sig_len, &derr))
		return WP_INTERNAL(err, "signing the manifest: %s", derr.message);
	b64 = wp_base64_encode(text, strlen(text));
	json_object_object_add(out, "manifest", json_object_new_string(b64));
	free(b64);
	b64 = wp_base64_encode(sig, sig_len);
	json_object_object_add(out, "manifest_sig", json_object_new_string(b64));
	free(b64);
	free(sig);
	cert = wpdoc_signer_cert_der(app->signer, &cert_len);
	b64 = wp_base64_encode(cert, cert_len);
	json_object_object_add(out, "server_cert", json_object_new_string(b64));
	free(b64);
	return 0;
}

int wp_enroll(struct wp_app *app, json_object *body, json_object **out,
	      struct wp_err *err)
{
	static const char *const allowed[] = { "username", "password", "enrollment_token",
					       "device", NULL };
	static const char *const device_allowed[] = { "name", "model", NULL };
	const char *name = NULL, *model = NULL, *p[6];
	char user_id[37], device_id[37], token[128], token_id[37], now[DB_INT_LEN];
	struct wp_principal system = { .kind = PRINCIPAL_NONE };
	json_object *device, *manifest = NULL;
	struct db_tx *tx;

	if (wpj_only(body, allowed, err))
		return -1;
	if (json_object_object_get_ex(body, "device", &device) && device) {
		if (!json_object_is_type(device, json_type_object))
			return WP_BAD(err, "device", "'device' must be an object");
		if (wpj_only(device, device_allowed, err) ||
		    wpj_string(device, "name", false, 128, &name, err) ||
		    wpj_string(device, "model", false, 128, &model, err)) {
			char field[120];

			snprintf(field, sizeof(field), "device.%s", err->field);
			snprintf(err->field, sizeof(err->field), "%s", field);
			return -1;
		}
	}
	if (wp_uuid_new(device_id) || db_begin(app->db, &tx, err))
		return WP_INTERNAL(err, "cannot start enrolment");
	if (enroll_identify(tx, body, user_id, err))
		goto fail;
	p[0] = device_id;
	p[1] = user_id;
	p[2] = name;
	p[3] = model;
	p[4] = db_int(now, wp_now_ms());
	if (db_exec(tx, "INSERT INTO devices (id, user_id, name, model, status, enrolled_at,"
		    " policy_version, created_at, updated_at)"
		    " VALUES ($1, $2, $3, $4, 'pending', $5, 0, $5, $5)", 5, p, NULL, NULL, err) ||
	    build_manifest(app, tx, device_id, &manifest, err) ||
	    wp_token_issue(tx, "device", "wpd_", device_id, "device", 0, token, sizeof(token),
			   token_id, err))
		goto fail;
	snprintf(system.name, sizeof(system.name), "device:%s", device_id);
	if (wp_audit(tx, &system, "enroll", "device", device_id, NULL, NULL,
		     "device %s enrolled for user %s", device_id, user_id))
		goto fail;
	*out = json_object_new_object();
	json_object_object_add(*out, "device_id", json_object_new_string(device_id));
	json_object_object_add(*out, "device_token", json_object_new_string(token));
	if (signed_manifest(app, manifest, *out, err)) {
		json_object_put(*out);
		goto fail;
	}
	json_object_put(manifest);
	if (db_commit(tx, err)) {
		json_object_put(*out);
		return -1;
	}
	return 0;
fail:
	json_object_put(manifest);
	db_rollback(tx);
	return -1;
}

int wp_manifest(struct wp_app *app, const struct wp_principal *device,
		json_object **out, struct wp_err *err)
{
	json_object *manifest = NULL;
	struct db_tx *tx;
	int ret;

	if (db_begin(app->db, &tx, err))
		return -1;
	ret = build_manifest(app, tx, device->id, &manifest, err);
	db_rollback(tx);
	if (ret)
		return -1;
	*out = json_object_new_object();
	json_object_object_add(*out, "device_id", json_object_new_string(device->id));
	ret = signed_manifest(app, manifest, *out, err);
	json_object_put(manifest);
	if (ret) {
		json_object_put(*out);
		*out = NULL;
	}
	return ret;
}

int wp_device_installed(struct wp_app *app, const struct wp_principal *device,
			json_object *body, json_object **out, struct wp_err *err)
{
	static const char *const allowed[] = { "image_sha256", NULL };
	const char *sha, *p[4];
	json_object *manifest = NULL, *image, *want;
	char now[DB_INT_LEN], inactive[DB_INT_LEN];
	struct wp_device_policy pol;
	int64_t now_ms = wp_now_ms(), grace_s;
	struct db_tx *tx;
	struct db_rows *rows = NULL;

	if (wpj_only(body, allowed, err) ||
	    wpj_string(body, "image_sha256", true, 64, &sha, err))
		return -1;
	if (db_begin(app->db, &tx, err))
		return -1;
	if (build_manifest(app, tx, device->id, &manifest, err))
		goto fail;
	image = json_object_object_get(manifest, "image");
	want = json_object_object_get(image, "sha256");
	if (!want || strcmp(json_object_get_string(want), sha)) {
		WP_BAD(err, "image_sha256", "'image_sha256' is not the manifest's image (%s)",
		       want ? json_object_get_string(want) : "none");
		goto fail;
	}
	if (wp_device_policy(tx, device->id, &pol, err))
		goto fail;
	/*
	 * The report is a sign of life like a check-in: a device that
	 * installs and then never checks in turns inactive one interval plus
	 * the grace period later (as after a check-in, leasing.c).
	 */
	grace_s = app->cfg->grace_s ? app->cfg->grace_s : pol.lease_interval_s;
	p[0] = device->id;
	p[1] = sha;
	p[2] = db_int(now, now_ms);
	p[3] = db_int(inactive, now_ms + (pol.lease_interval_s + grace_s) * 1000);
	if (db_exec(tx, "SELECT status FROM devices WHERE id = $1", 1, p, &rows, NULL, err))
		goto fail;
	if (!strcmp(db_val(rows, 0, 0), "wiped")) {
		wp_fail(err, 410, "gone", NULL, "device %s was wiped", device->id);
		goto fail;
	}
	/* Reporting twice is harmless: only a pending device changes. */
	if (db_exec(tx, "UPDATE devices SET status = CASE WHEN status = 'pending'"
		    " THEN 'active' ELSE status END, image_sha256 = $2,"
		    " installed_at = COALESCE(installed_at, $3), updated_at = $3,"
		    " inactive_at = CASE WHEN inactive_at IS NULL OR"
		    " inactive_at < CAST($4 AS BIGINT) THEN CAST($4 AS BIGINT)"
		    " ELSE inactive_at END WHERE id = $1",
		    4, p, NULL, NULL, err) ||
	    (!strcmp(db_val(rows, 0, 0), "pending") &&
	     wp_audit(tx, device, "install", "device", device->id, NULL, NULL,
		      "device %s installed image %.12s", device->id, sha)))
		goto fail;
	db_rows_free(rows);
	rows = NULL;
	json_object_put(manifest);
	manifest = NULL;
	if (db_commit(tx, err))
		return -1;
	return wp_resource_get(app, &wp_res_devices, device->id, out, err);
fail:
	db_rows_free(rows);
	json_object_put(manifest);
	db_rollback(tx);
	return -1;
}
