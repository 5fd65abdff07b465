// SPDX-License-Identifier: GPL-2.0-only
/*
 * The admin resources of the mobile management database (patent FIG. 2,
 * 3A-3E): what each column is, its range and default, and the rules that
 * span columns.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <string.h>

#include "resource.h"
#include "../util/json.h"

#define YEARS10 ((long long)WPDOC_PERIOD_MAX_S)

static long long get_int(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;
}

/* --- administrators --- */

static const char *const roles[] = { "admin", "helpdesk", "read-only", NULL };

static const struct wp_field admin_fields[] = {
	{ "username", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 64, NULL, NULL, NULL },
	{ "role", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, roles, NULL, NULL },
	{ "password", FT_PASSWORD, FF_REQUIRED, 8, 256, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct wp_resource wp_res_admins = {
	.type = "admin", .path = "admins", .table = "admins", .label = "username",
	.fields = admin_fields,
};

/* --- policy sets (FIG. 3D) --- */

static const char *const strengths[] = { "pin", "alphanumeric", "complex", NULL };

static const struct wp_field policy_fields[] = {
	{ "name", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 128, NULL, NULL, NULL },
	{ "description", FT_STRING, FF_NULLABLE, 0, 2000, NULL, NULL, NULL },
	{ "lease_interval_s", FT_INT, 0, 1, YEARS10, NULL, NULL, "43200" },
	{ "auto_disable_s", FT_INT, 0, 1, YEARS10, NULL, NULL, "86400" },
	{ "auto_wipe_s", FT_INT, 0, 1, YEARS10, NULL, NULL, "345600" },
	{ "password_required", FT_BOOL, FF_FILTER, 0, 0, NULL, NULL, "true" },
	{ "password_strength", FT_ENUM, FF_FILTER, 0, 0, strengths, NULL, "\"pin\"" },
	{ "password_min_length", FT_INT, 0, 4, 64, NULL, NULL, "6" },
	{ "password_expiration_days", FT_INT, 0, 0, 3650, NULL, NULL, "0" },
	{ "auto_lock_minutes", FT_INT, 0, 0, 1440, NULL, NULL, "5" },
	{ "max_retries", FT_INT, 0, 0, 100, NULL, NULL, "10" },
	{ "vpn_allowed", FT_BOOL, FF_FILTER, 0, 0, NULL, NULL, "true" },
	{ "debug_mode", FT_BOOL, FF_FILTER, 0, 0, NULL, NULL, "false" },
	{ "copy_paste", FT_BOOL, FF_FILTER, 0, 0, NULL, NULL, "false" },
	{ "version", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/*
 * The enabler's rules (lease-protocol.rst): interval <= auto-disable <
 * auto-wipe.  Checked here so the server never signs a lease the enabler
 * would refuse.  Every change takes a new version, larger than any policy
 * version ever issued, so a device's policy version never goes down.
 */
static int policy_validate(struct wp_app *app, struct db_tx *tx, json_object *obj,
			   json_object *before, struct wp_err *err)
{
	long long interval = get_int(obj, "lease_interval_s");
	long long disable = get_int(obj, "auto_disable_s");
	long long wipe = get_int(obj, "auto_wipe_s");
	struct db_rows *rows;

	(void)app;
	(void)before;
	if (disable < interval)
		return WP_BAD(err, "auto_disable_s",
			      "'auto_disable_s' (%lld) must be at least lease_interval_s (%lld)",
			      disable, interval);
	if (disable >= wipe)
		return WP_BAD(err, "auto_disable_s",
			      "'auto_disable_s' (%lld) must be less than auto_wipe_s (%lld)",
			      disable, wipe);
	if (db_lock(tx, "policy_version", err) ||
	    db_exec(tx, "SELECT COALESCE(MAX(version), 0) + 1 FROM policy_sets",
		    0, NULL, &rows, NULL, err))
		return -1;
	json_object_object_add(obj, "version",
			       json_object_new_int64(db_atoll(db_val(rows, 0, 0))));
	db_rows_free(rows);
	return 0;
}

const struct wp_resource wp_res_policy_sets = {
	.type = "policy_set", .path = "policy-sets", .table = "policy_sets",
	.label = "name", .fields = policy_fields, .validate = policy_validate,
};

/* --- images and applications (file repository) --- */

static const struct wp_field image_fields[] = {
	{ "name", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 128, NULL, NULL, NULL },
	{ "version", FT_STRING, FF_NULLABLE | FF_FILTER, 0, 64, NULL, NULL, NULL },
	{ "description", FT_STRING, FF_NULLABLE, 0, 2000, NULL, NULL, NULL },
	{ "sha256", FT_STRING, FF_READONLY | FF_FILTER, 0, 64, NULL, NULL, NULL },
	{ "size", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct wp_resource wp_res_images = {
	.type = "image", .path = "images", .table = "images", .label = "name",
	.fields = image_fields,
};

static const struct wp_field app_fields[] = {
	{ "name", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 128, NULL, NULL, NULL },
	{ "version", FT_STRING, FF_NULLABLE | FF_FILTER, 0, 64, NULL, NULL, NULL },
	{ "description", FT_STRING, FF_NULLABLE, 0, 2000, NULL, NULL, NULL },
	{ "a_la_carte", FT_BOOL, FF_FILTER, 0, 0, NULL, NULL, "false" },
	{ "sha256", FT_STRING, FF_READONLY | FF_FILTER, 0, 64, NULL, NULL, NULL },
	{ "size", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct wp_resource wp_res_apps = {
	.type = "app", .path = "apps", .table = "apps", .label = "name",
	.fields = app_fields,
};

/* --- image templates (FIG. 3E) --- */

static const struct wp_field template_fields[] = {
	{ "name", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 128, NULL, NULL, NULL },
	{ "guest_os", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 64, NULL, NULL, NULL },
	{ "image_id", FT_REF, FF_NULLABLE | FF_FILTER, 0, 0, NULL, "images", NULL },
	{ "settings", FT_OBJECT, 0, 0, 65536, NULL, NULL, "{}" },
	{ "app_ids", FT_REF_LIST, 0, 0, 200, NULL, "apps", "[]" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct wp_resource wp_res_templates = {
	.type = "template", .path = "templates", .table = "templates",
	.label = "name", .fields = template_fields,
};

/* --- business groups (FIG. 3C) --- */

static const struct wp_field group_fields[] = {
	{ "name", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 128, NULL, NULL, NULL },
	{ "description", FT_STRING, FF_NULLABLE, 0, 2000, NULL, NULL, NULL },
	{ "policy_set_id", FT_REF, FF_NULLABLE | FF_FILTER, 0, 0, NULL, "policy_sets", NULL },
	{ "template_id", FT_REF, FF_NULLABLE | FF_FILTER, 0, 0, NULL, "templates", NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct wp_resource wp_res_groups = {
	.type = "group", .path = "groups", .table = "business_groups",
	.label = "name", .fields = group_fields,
};

/* --- users (FIG. 3B) --- */

static const struct wp_field user_fields[] = {
	{ "username", FT_STRING, FF_REQUIRED | FF_FILTER, 1, 128, NULL, NULL, NULL },
	{ "display_name", FT_STRING, FF_NULLABLE, 0, 256, NULL, NULL, NULL },
	{ "email", FT_STRING, FF_NULLABLE | FF_FILTER, 0, 256, NULL, NULL, NULL },
	{ "group_id", FT_REF, FF_NULLABLE | FF_FILTER, 0, 0, NULL, "business_groups", NULL },
	{ "password", FT_PASSWORD, 0, 8, 256, NULL, NULL, NULL },
	{ "app_ids", FT_REF_LIST, 0, 0, 100, NULL, "apps", "[]" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* A user may request only "a la carte" applications. */
static int user_validate(struct wp_app *app, struct db_tx *tx, json_object *obj,
			 json_object *before, struct wp_err *err)
{
	json_object *ids;

	(void)app;
	(void)before;
	if (!json_object_object_get_ex(obj, "app_ids", &ids) || !ids)
		return 0;
	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		const char *params[1] = {
			json_object_get_string(json_object_array_get_idx(ids, i)) };
		struct db_rows *rows;
		char field[64];
		int ok;

		if (db_exec(tx, "SELECT a_la_carte FROM apps WHERE id = $1", 1, params,
			    &rows, NULL, err))
			return -1;
		ok = rows->nrows && db_atoll(db_val(rows, 0, 0));
		db_rows_free(rows);
		snprintf(field, sizeof(field), "app_ids[%zu]", i);
		if (!ok)
			return WP_BAD(err, field, "'%s': app %s is not available a la carte",
				      field, params[0]);
	}
	return 0;
}

const struct wp_resource wp_res_users = {
	.type = "user", .path = "users", .table = "users", .label = "username",
	.fields = user_fields, .validate = user_validate,
};

/* --- devices (created by enrolment) --- */

static const char *const device_states[] = {
	"pending", "active", "inactive", "locked", "wiped", NULL };

static const struct wp_field device_fields[] = {
	{ "user_id", FT_REF, FF_READONLY | FF_FILTER, 0, 0, NULL, "users", NULL },
	{ "name", FT_STRING, FF_NULLABLE, 0, 128, NULL, NULL, NULL },
	{ "model", FT_STRING, FF_READONLY, 0, 128, NULL, NULL, NULL },
	{ "status", FT_ENUM, FF_READONLY | FF_FILTER, 0, 0, device_states, NULL, NULL },
	{ "enrolled_at", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ "installed_at", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ "last_checkin_at", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ "inactive_at", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ "policy_version", FT_INT, FF_READONLY, 0, 0, NULL, NULL, NULL },
	{ "image_sha256", FT_STRING, FF_READONLY, 0, 64, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct wp_resource wp_res_devices = {
	.type = "device", .path = "devices", .table = "devices", .label = "name",
	.fields = device_fields,
	.flags = RES_NO_CREATE | RES_NO_DELETE | RES_DEVICE_STATUS,
};

const struct wp_resource *const wp_resources[] = {
	&wp_res_admins, &wp_res_users, &wp_res_groups, &wp_res_policy_sets,
	&wp_res_templates, &wp_res_images, &wp_res_apps, &wp_res_devices, NULL,
};
