// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commands, content uploads, provisioning and leasing services.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_SERVICES_H
#define WP_SERVICES_H

#include "app.h"
#include "repo.h"
#include "resource.h"

/* --- commands and scheduled jobs (commands.c) --- */

/* *created: true if new (201), false if the same request was repeated. */
int wp_command_create(struct wp_app *app, const struct wp_principal *who,
		      json_object *body, json_object **out, bool *created,
		      struct wp_err *err);
int wp_command_get(struct wp_app *app, const char *id, json_object **out,
		   struct wp_err *err);
int wp_command_list(struct wp_app *app, const struct wp_kv *q, int nq,
		    json_object **out, struct wp_err *err);
int wp_command_approve(struct wp_app *app, const struct wp_principal *who,
		       const char *id, json_object **out, struct wp_err *err);
int wp_command_cancel(struct wp_app *app, const struct wp_principal *who,
		      const char *id, json_object **out, struct wp_err *err);

/* Commands a device should receive now (leasing.c); marks them sent. */
int wp_commands_take(struct db_tx *tx, const char *device_id, int max,
		     struct db_rows **rows, struct wp_err *err);
/* Store a device's result once; applies its effect on the device. */
int wp_command_result(struct db_tx *tx, const char *device_id,
		      const char *command_id, const char *status,
		      json_object *result, bool *stored, struct wp_err *err);

/* --- uploads of images and applications (content.c) --- */

/* Store a finished upload as the content of image/app @id. */
int wp_content_attach(struct wp_app *app, const struct wp_resource *res,
		      const struct wp_principal *who, const char *id,
		      struct wp_upload *up, const char *expected_sha256,
		      json_object **out, struct wp_err *err);
/* The repository file of image/app @id; 404 if none uploaded. */
int wp_content_sha256(struct wp_app *app, const struct wp_resource *res,
		      const char *id, char sha256[WP_SHA256_HEX], struct wp_err *err);
/* May a device download @sha256 (an image's or an application's)? */
int wp_content_device_allowed(struct wp_app *app, const char *sha256,
			      struct wp_err *err);

/* --- provisioning (provisioning.c) --- */
int wp_enroll_token_create(struct wp_app *app, const struct wp_principal *who,
			   json_object *body, json_object **out, struct wp_err *err);
int wp_enroll(struct wp_app *app, json_object *body, json_object **out,
	      struct wp_err *err);
int wp_manifest(struct wp_app *app, const struct wp_principal *device,
		json_object **out, struct wp_err *err);
int wp_device_installed(struct wp_app *app, const struct wp_principal *device,
			json_object *body, json_object **out, struct wp_err *err);

/* --- leasing (leasing.c) --- */
int wp_checkin(struct wp_app *app, const struct wp_principal *device,
	       json_object *body, json_object **out, struct wp_err *err);

/* Device policy and content, shared by provisioning and leasing. */
struct wp_device_policy {
	char user_id[37];
	char status[16];
	int64_t lease_interval_s, auto_disable_s, auto_wipe_s;
	int64_t policy_version;		/* max(policy set, last sent) */
	char policy_set_id[37];
};
int wp_device_policy(struct db_tx *tx, const char *device_id,
		     struct wp_device_policy *pol, struct wp_err *err);

#endif /* WP_SERVICES_H */
