// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: the catalogue resources of api.rst - administrators, users,
 * business groups, policy sets, image templates, images, applications and
 * devices.  They share one shape (list, show, create, update, delete,
 * history), so one set of handlers serves them all; the tables below say
 * which fields each has, which are required, which filter lists, which
 * may be cleared, and which columns a list shows.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpadmin.h"

static const char *const roles[] = { "admin", "helpdesk", "read-only", NULL };
static const char *const strengths[] = { "pin", "alphanumeric", "complex", NULL };
static const char *const device_states[] = {
	"pending", "active", "inactive", "locked", "wiped", NULL };

const struct wpa_opt wpa_search_opts[] = {
	{ "search", "q", WT_STRING, O_QUERY, NULL, "only those whose name contains TEXT" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

/* --- administrators --- */

static const struct wpa_opt admin_fields[] = {
	{ "username", "username", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "login name, 1..64 bytes, unique" },
	{ "role", "role", WT_ENUM, O_WRITE | O_REQUIRED | O_FILTER, roles,
	  "what the administrator may do" },
	{ "password-stdin", "password", WT_PASSWORD, O_WRITE | O_REQUIRED, NULL,
	  "read the password (8..256 bytes) from standard input (asked without echo on a"
	  " terminal)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column admin_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "USERNAME", "username", FMT_TEXT },
	{ "ROLE", "role", FMT_TEXT },
	{ "CREATED", "created_at", FMT_TIME },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_admins = {
	"admins", "administrator", admin_fields, admin_columns,
};

/* --- users (FIG. 3B) --- */

static const struct wpa_opt user_fields[] = {
	{ "username", "username", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "user name, 1..128 bytes, unique; what the user types to enrol" },
	{ "display-name", "display_name", WT_STRING, O_WRITE | O_NULLABLE, NULL, "full name" },
	{ "email", "email", WT_STRING, O_WRITE | O_NULLABLE | O_FILTER, NULL, "e-mail address" },
	{ "group-id", "group_id", WT_ID, O_WRITE | O_NULLABLE | O_FILTER, NULL,
	  "business group: its policy set and template apply to the user" },
	{ "password-stdin", "password", WT_PASSWORD, O_WRITE, NULL,
	  "read the enrolment password (8..256 bytes) from standard input" },
	{ "app-ids", "app_ids", WT_ID_LIST, O_WRITE, NULL,
	  "a la carte applications the user requested ('' for none)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column user_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "USERNAME", "username", FMT_TEXT },
	{ "DISPLAY NAME", "display_name", FMT_TEXT },
	{ "EMAIL", "email", FMT_TEXT },
	{ "GROUP", "group_id", FMT_TEXT },
	{ "APPS", "app_ids", FMT_COUNT },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_users = {
	"users", "user", user_fields, user_columns,
};

/* --- business groups (FIG. 3C) --- */

static const struct wpa_opt group_fields[] = {
	{ "name", "name", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "group name, 1..128 bytes, unique" },
	{ "description", "description", WT_STRING, O_WRITE | O_NULLABLE, NULL, "free text" },
	{ "policy-set-id", "policy_set_id", WT_ID, O_WRITE | O_NULLABLE | O_FILTER, NULL,
	  "the policy set of the group's users" },
	{ "template-id", "template_id", WT_ID, O_WRITE | O_NULLABLE | O_FILTER, NULL,
	  "the image template of the group's users" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column group_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "POLICY SET", "policy_set_id", FMT_TEXT },
	{ "TEMPLATE", "template_id", FMT_TEXT },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_groups = {
	"groups", "group", group_fields, group_columns,
};

/* --- policy sets (FIG. 3D) --- */

static const struct wpa_opt policy_fields[] = {
	{ "name", "name", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "policy set name, 1..128 bytes, unique" },
	{ "description", "description", WT_STRING, O_WRITE | O_NULLABLE, NULL, "free text" },
	{ "lease-interval", "lease_interval_s", WT_DURATION, O_WRITE, NULL,
	  "how often devices check in (default 12h)" },
	{ "auto-disable", "auto_disable_s", WT_DURATION, O_WRITE, NULL,
	  "the work phone locks after this long without a check-in; at least the lease"
	  " interval (default 1d)" },
	{ "auto-wipe", "auto_wipe_s", WT_DURATION, O_WRITE, NULL,
	  "and is wiped after this long; more than auto-disable, at most 10 years"
	  " (default 4d)" },
	{ "password-required", "password_required", WT_BOOL, O_WRITE | O_FILTER, NULL,
	  "the work phone needs a password (default true)" },
	{ "password-strength", "password_strength", WT_ENUM, O_WRITE | O_FILTER, strengths,
	  "kind of password (default pin)" },
	{ "password-min-length", "password_min_length", WT_INT, O_WRITE, NULL,
	  "4..64 (default 6)" },
	{ "password-expiration-days", "password_expiration_days", WT_INT, O_WRITE, NULL,
	  "0..3650, 0: never (default 0)" },
	{ "auto-lock-minutes", "auto_lock_minutes", WT_INT, O_WRITE, NULL,
	  "screen lock after idle minutes, 0..1440 (default 5)" },
	{ "max-retries", "max_retries", WT_INT, O_WRITE, NULL,
	  "wrong passwords allowed, 0..100, 0: unlimited (default 10)" },
	{ "vpn-allowed", "vpn_allowed", WT_BOOL, O_WRITE | O_FILTER, NULL,
	  "VPN allowed in the work phone (default true)" },
	{ "debug-mode", "debug_mode", WT_BOOL, O_WRITE | O_FILTER, NULL,
	  "debugging allowed (default false)" },
	{ "copy-paste", "copy_paste", WT_BOOL, O_WRITE | O_FILTER, NULL,
	  "copy and paste between personal and work (default false)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column policy_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "VERSION", "version", FMT_TEXT },
	{ "INTERVAL", "lease_interval_s", FMT_DURATION },
	{ "DISABLE", "auto_disable_s", FMT_DURATION },
	{ "WIPE", "auto_wipe_s", FMT_DURATION },
	{ "PASSWORD", "password_strength", FMT_TEXT },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_policies = {
	"policy-sets", "policy set", policy_fields, policy_columns,
};

/* --- image templates (FIG. 3E) --- */

static const struct wpa_opt template_fields[] = {
	{ "name", "name", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "template name, 1..128 bytes, unique" },
	{ "guest-os", "guest_os", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "guest operating system, e.g. android or linux" },
	{ "image-id", "image_id", WT_ID, O_WRITE | O_NULLABLE | O_FILTER, NULL,
	  "the work-phone image" },
	{ "settings", "settings", WT_OBJECT, O_WRITE, NULL,
	  "settings: a JSON object up to 64 KiB (wallpaper, shortcuts, network...)" },
	{ "app-ids", "app_ids", WT_ID_LIST, O_WRITE, NULL,
	  "default applications, up to 200 ('' for none)" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column template_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "GUEST OS", "guest_os", FMT_TEXT },
	{ "IMAGE", "image_id", FMT_TEXT },
	{ "APPS", "app_ids", FMT_COUNT },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_templates = {
	"templates", "template", template_fields, template_columns,
};

/* --- images and applications --- */

static const struct wpa_opt image_fields[] = {
	{ "name", "name", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "image name, 1..128 bytes" },
	{ "version", "version", WT_STRING, O_WRITE | O_NULLABLE | O_FILTER, NULL,
	  "version label, up to 64 bytes" },
	{ "description", "description", WT_STRING, O_WRITE | O_NULLABLE, NULL, "free text" },
	{ "sha256", "sha256", WT_STRING, O_FILTER, NULL, "the SHA-256 of the content" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column image_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "VERSION", "version", FMT_TEXT },
	{ "SIZE", "size", FMT_SIZE },
	{ "SHA256", "sha256", FMT_SHORT },
	{ "UPDATED", "updated_at", FMT_TIME },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_images = {
	"images", "image", image_fields, image_columns,
};

static const struct wpa_opt app_fields[] = {
	{ "name", "name", WT_STRING, O_WRITE | O_REQUIRED | O_FILTER, NULL,
	  "application name, 1..128 bytes" },
	{ "version", "version", WT_STRING, O_WRITE | O_NULLABLE | O_FILTER, NULL,
	  "version label, up to 64 bytes" },
	{ "description", "description", WT_STRING, O_WRITE | O_NULLABLE, NULL, "free text" },
	{ "a-la-carte", "a_la_carte", WT_BOOL, O_WRITE | O_FILTER, NULL,
	  "users may request it (default false)" },
	{ "sha256", "sha256", WT_STRING, O_FILTER, NULL, "the SHA-256 of the content" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column app_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "VERSION", "version", FMT_TEXT },
	{ "A LA CARTE", "a_la_carte", FMT_TEXT },
	{ "SIZE", "size", FMT_SIZE },
	{ "SHA256", "sha256", FMT_SHORT },
	{ NULL, NULL, 0 },
};

static const struct wpa_resource res_apps = {
	"apps", "application", app_fields, app_columns,
};

/* --- devices (created by enrolment; the operations are in commands.c) --- */

static const struct wpa_opt device_fields[] = {
	{ "user-id", "user_id", WT_ID, O_FILTER, NULL, "the devices of this user" },
	{ "status", "status", WT_ENUM, O_FILTER, device_states, "devices in this state" },
	{ "name", "name", WT_STRING, O_UPDATE | O_NULLABLE, NULL, "display name, up to 128 bytes" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const struct wpa_column device_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "MODEL", "model", FMT_TEXT },
	{ "STATUS", "status", FMT_TEXT },
	{ "USER", "user_id", FMT_TEXT },
	{ "LAST CHECK-IN", "last_checkin_at", FMT_TIME },
	{ NULL, NULL, 0 },
};

const struct wpa_resource wpa_res_devices = {
	"devices", "device", device_fields, device_columns,
};

const struct wpa_column wpa_history_columns[] = {
	{ "AT", "at", FMT_TIME },
	{ "ACTOR", "actor", FMT_TEXT },
	{ "ACTION", "action", FMT_TEXT },
	{ "TYPE", "object_type", FMT_TEXT },
	{ "OBJECT", "object_id", FMT_TEXT },
	{ "CHANGED", "changes", FMT_CHANGES },
	{ NULL, NULL, 0 },
};

/* --- the handlers --- */

static const struct wpa_resource *res_of(struct wpa_ctx *ctx)
{
	return ctx->group->res;
}

static char *collection(const struct wpa_resource *res, const char *query)
{
	char *path;

	if (asprintf(&path, "/api/v1/%s%s", res->path, query ? query : "") < 0)
		return NULL;
	return path;
}

/* The object's path: /api/v1/RES/ID[SUFFIX]. */
static char *item(const struct wpa_resource *res, const char *id, const char *suffix)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "/api/v1/%s", res->path);
	return wpa_path(prefix, id, suffix);
}

/* "user alice (ID)", or "device ID" for an object without a name. */
static const char *describe(const struct wpa_resource *res, json_object *obj, const char *id,
			    char *buf, size_t len)
{
	const char *name = wpa_str(obj, "username") ? wpa_str(obj, "username") :
			   wpa_str(obj, "name");

	id = wpa_str(obj, "id") ? wpa_str(obj, "id") : id;
	if (name)
		snprintf(buf, len, "%s %s (%s)", res->noun, name, id ? id : "?");
	else
		snprintf(buf, len, "%s %s", res->noun, id ? id : "?");
	return wpa_sanitize(buf);
}

int wpa_catalogue_list(struct wpa_ctx *ctx, struct wpa_args *a)
{
	char *query = wpa_query(a);
	int ret = wpa_get_print(ctx, collection(res_of(ctx), query), res_of(ctx)->columns);

	free(query);
	return ret;
}

int wpa_catalogue_show(struct wpa_ctx *ctx, struct wpa_args *a)
{
	return wpa_get_print(ctx, item(res_of(ctx), a->pos[0], NULL), NULL);
}

int wpa_catalogue_create(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const struct wpa_resource *res = res_of(ctx);
	json_object *body = wpa_body(a);
	char *path = collection(res, NULL), what[256];
	struct wpa_resp r;
	int ret;

	ret = wpa_request(ctx, "POST", path, body, &r);
	if (!ret) {
		wpa_info(ctx, "Created %s", describe(res, r.json, NULL, what, sizeof(what)));
		ret = wpa_print_result(ctx, &r, NULL);
	}
	wpa_resp_free(&r);
	json_object_put(body);
	free(path);
	return ret;
}

/* --unset a,b: those fields become null; each must be a nullable field. */
static int apply_unset(struct wpa_ctx *ctx, struct wpa_args *a, json_object *body)
{
	const char *list = wpa_get(a, "unset");
	char *copy, *save = NULL, nullable[256] = "";
	int ret = WPA_OK;

	if (!list)
		return WPA_OK;
	for (const struct wpa_opt *o = res_of(ctx)->fields; o->name; o++)
		if ((o->flags & O_UPDATE) && (o->flags & O_NULLABLE))
			snprintf(nullable + strlen(nullable), sizeof(nullable) - strlen(nullable),
				 "%s%s", nullable[0] ? ", " : "", o->name);
	copy = strdup(list);
	for (char *t = strtok_r(copy, ", ", &save); t && !ret; t = strtok_r(NULL, ", ", &save)) {
		const struct wpa_opt *found = NULL;

		for (const struct wpa_opt *o = res_of(ctx)->fields; o->name; o++)
			if ((o->flags & O_UPDATE) && (o->flags & O_NULLABLE) &&
			    (!strcmp(o->name, t) || !strcmp(o->key, t)))
				found = o;
		if (!found) {
			wpa_usage_error(ctx, "--unset: '%s' cannot be cleared (these can: %s)", t,
					nullable);
			ret = WPA_EXIT_USAGE;
		} else if (wpa_get(a, found->name)) {
			wpa_usage_error(ctx, "--unset %s and --%s contradict each other", t,
					found->name);
			ret = WPA_EXIT_USAGE;
		} else {
			json_object_object_add(body, found->key, NULL);
		}
	}
	free(copy);
	return ret;
}

int wpa_catalogue_update(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const struct wpa_resource *res = res_of(ctx);
	json_object *body = wpa_body(a);
	char *path = NULL, what[256];
	struct wpa_resp r = { 0 };
	int ret = apply_unset(ctx, a, body);

	if (!ret && !json_object_object_length(body)) {
		wpa_usage_error(ctx, "nothing to change: give the fields to change as options");
		ret = WPA_EXIT_USAGE;
	}
	if (!ret) {
		path = item(res, a->pos[0], NULL);
		ret = wpa_request(ctx, "PATCH", path, body, &r);
	}
	if (!ret) {
		wpa_info(ctx, "Updated %s", describe(res, r.json, a->pos[0], what, sizeof(what)));
		ret = wpa_print_result(ctx, &r, NULL);
	}
	wpa_resp_free(&r);
	json_object_put(body);
	free(path);
	return ret;
}

int wpa_catalogue_delete(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const struct wpa_resource *res = res_of(ctx);
	char *path = item(res, a->pos[0], NULL);
	struct wpa_resp r;
	int ret;

	ret = wpa_request(ctx, "DELETE", path, NULL, &r);
	if (!ret)
		wpa_info(ctx, "Deleted %s %s", res->noun, a->pos[0]);
	wpa_resp_free(&r);
	free(path);
	return ret;
}

int wpa_catalogue_history(struct wpa_ctx *ctx, struct wpa_args *a)
{
	char *query = wpa_query(a), *path = item(res_of(ctx), a->pos[0], "/history");
	char *full = NULL;
	struct wpa_resp r = { 0 };
	int ret = WPA_EXIT_SERVER;

	if (asprintf(&full, "%s%s", path, query ? query : "") >= 0)
		ret = wpa_request(ctx, "GET", full, NULL, &r);
	if (!ret)
		ret = wpa_print_result(ctx, &r, wpa_history_columns);
	wpa_resp_free(&r);
	free(full);
	free(path);
	free(query);
	return ret;
}

/* --- the command tree --- */

#define CATALOGUE_ACTIONS(P, ONE, MANY)                                                   \
	{ "list", "List " MANY, "GET /api/v1/" P, "read-only", NULL, 0, 0, K_LIST,         \
	  wpa_search_opts, wpa_catalogue_list, NULL },                                     \
	{ "show", "Show " ONE, "GET /api/v1/" P "/{id}", "read-only", "ID", 1, 1, K_OTHER, \
	  NULL, wpa_catalogue_show, NULL },                                                \
	{ "create", "Create " ONE, "POST /api/v1/" P, "admin", NULL, 0, 0, K_CREATE, NULL, \
	  wpa_catalogue_create, NULL },                                                    \
	{ "update", "Change the given fields of " ONE, "PATCH /api/v1/" P "/{id}", "admin", \
	  "ID", 1, 1, K_UPDATE, NULL, wpa_catalogue_update, NULL },                        \
	{ "delete", "Delete " ONE " (refused while other objects use it)",                 \
	  "DELETE /api/v1/" P "/{id}", "admin", "ID", 1, 1, K_OTHER, NULL,                 \
	  wpa_catalogue_delete, NULL },                                                    \
	{ "history", "The change history of " ONE " (who, when, what)",                    \
	  "GET /api/v1/" P "/{id}/history", "read-only", "ID", 1, 1, K_OTHER,              \
	  wpa_page_opts, wpa_catalogue_history, NULL }

#define CONTENT_ACTIONS(P, ONE)                                                           \
	{ "upload", "Upload the content of " ONE " from FILE, streamed from disk with its"  \
	  " SHA-256 (X-Content-SHA256), which the server checks; a progress bar on a"      \
	  " terminal. An interrupted upload resumes: run the same command again and only"  \
	  " the bytes the server lacks (GET /api/v1/" P "/{id}/upload) are sent with"       \
	  " Content-Range; nothing is sent when the server already holds this file",       \
	  "PUT /api/v1/" P "/{id}/content", "admin",                                       \
	  "ID FILE", 2, 2, K_OTHER, wpa_upload_opts, wpa_content_upload, NULL },           \
	{ "download", "Download the content of " ONE " to FILE, resuming FILE.part, and"   \
	  " verify its SHA-256", "GET /api/v1/" P "/{id}/content", "read-only", "ID FILE",  \
	  2, 2, K_OTHER, NULL, wpa_content_download, NULL }

static const struct wpa_action admin_actions[] = {
	CATALOGUE_ACTIONS("admins", "an administrator", "administrators"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_admins = {
	"admins", NULL, "administrators of this server and their roles", S_CATALOGUE,
	&res_admins, admin_actions, NULL, false,
};

static const struct wpa_action user_actions[] = {
	CATALOGUE_ACTIONS("users", "a user", "users"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_users = {
	"users", NULL, "users who enrol devices (FIG. 3B)", S_CATALOGUE,
	&res_users, user_actions, NULL, false,
};

static const struct wpa_action group_actions[] = {
	CATALOGUE_ACTIONS("groups", "a business group", "business groups"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_groups = {
	"groups", NULL, "business groups: policy set and template of their users (FIG. 3C)",
	S_CATALOGUE, &res_groups, group_actions, NULL, false,
};

static const struct wpa_action policy_actions[] = {
	CATALOGUE_ACTIONS("policy-sets", "a policy set", "policy sets"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_policies = {
	"policies", "policy-sets", "policy sets: lease periods, passwords, VPN... (FIG. 3D)",
	S_CATALOGUE, &res_policies, policy_actions, NULL, false,
};

static const struct wpa_action template_actions[] = {
	CATALOGUE_ACTIONS("templates", "an image template", "image templates"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_templates = {
	"templates", NULL, "image templates: image, settings, default apps (FIG. 3E)",
	S_CATALOGUE, &res_templates, template_actions, NULL, false,
};

static const struct wpa_action image_actions[] = {
	CATALOGUE_ACTIONS("images", "an image", "images"),
	CONTENT_ACTIONS("images", "an image"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_images = {
	"images", NULL, "work-phone images; also upload, download", S_CATALOGUE,
	&res_images, image_actions, NULL, false,
};

static const struct wpa_action app_actions[] = {
	CATALOGUE_ACTIONS("apps", "an application", "applications"),
	CONTENT_ACTIONS("apps", "an application"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_apps = {
	"apps", NULL, "applications; also upload, download", S_CATALOGUE,
	&res_apps, app_actions, NULL, false,
};
