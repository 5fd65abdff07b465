// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: devices and the commands sent to them.  "wpadmin devices lock
 * ID" and its siblings are POST /api/v1/commands with the type filled in,
 * one action per command type the server accepts; "wpadmin commands"
 * lists, shows, creates, approves (held wipes) and cancels them.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpadmin.h"

static const char *const command_types[] = {
	"lock", "unlock", "wipe", "install_app", "remove_app", "image_update",
	"policy_change", "repin", NULL,
};

static const char *const command_states[] = {
	"held", "queued", "sent", "done", "failed", "expired", "cancelled", NULL,
};

#define END { NULL, NULL, 0, 0, NULL, NULL }

#define COMMAND_COMMON                                                                   \
	{ "ttl", "ttl_s", WT_DURATION, O_BODY, NULL,                                      \
	  "expire the command if not carried out within this time, 1s..90d (default 7d)" }, \
	{ "not-before", "not_before", WT_TIME, O_BODY, NULL,                              \
	  "do not deliver it before TIME: a scheduled job" },                             \
	{ "id", "id", WT_STRING, O_BODY, NULL,                                            \
	  "a UUID of your choosing for the command: sent again, the same command is"      \
	  " not created twice" }

static const struct wpa_opt plain_opts[] = {
	COMMAND_COMMON,
	END,
};

static const struct wpa_opt app_opts[] = {
	{ "app-id", "params.app_id", WT_ID, O_BODY | O_REQUIRED, NULL,
	  "the application (its content uploaded)" },
	COMMAND_COMMON,
	END,
};

static const struct wpa_opt image_opts[] = {
	{ "image-id", "params.image_id", WT_ID, O_BODY | O_REQUIRED, NULL,
	  "the image (its content uploaded)" },
	COMMAND_COMMON,
	END,
};

static const struct wpa_opt create_opts[] = {
	{ "device-id", "device_id", WT_ID, O_BODY | O_REQUIRED, NULL, "the device" },
	{ "type", "type", WT_ENUM, O_BODY | O_REQUIRED | O_DASHES, command_types,
	  "what the device is to do" },
	{ "app-id", "params.app_id", WT_ID, O_BODY, NULL,
	  "for install_app and remove_app: the application" },
	{ "image-id", "params.image_id", WT_ID, O_BODY, NULL, "for image_update: the image" },
	COMMAND_COMMON,
	END,
};

static const struct wpa_opt list_opts[] = {
	{ "device-id", "device_id", WT_ID, O_QUERY, NULL, "the commands of this device" },
	{ "state", "state", WT_ENUM, O_QUERY, command_states, "commands in this state" },
	{ "type", "type", WT_ENUM, O_QUERY | O_DASHES, command_types, "commands of this type" },
	END,
};

const struct wpa_column wpa_command_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "DEVICE", "device_id", FMT_TEXT },
	{ "TYPE", "type", FMT_TEXT },
	{ "STATE", "state", FMT_TEXT },
	{ "BY", "created_by", FMT_TEXT },
	{ "CREATED", "created_at", FMT_TIME },
	{ NULL, NULL, 0 },
};

/* What happened to a command just sent, in one line on stderr. */
static void describe(struct wpa_ctx *ctx, const struct wpa_resp *r)
{
	const char *id = wpa_str(r->json, "id"), *state = wpa_str(r->json, "state");
	const char *type = wpa_str(r->json, "type"), *dev = wpa_str(r->json, "device_id");

	if (!id || !state)
		return;
	if (r->status == 200)
		wpa_info(ctx, "Command %s already existed with the same content (%s): nothing new"
			 " was created", id, state);
	else if (!strcmp(state, "held"))
		wpa_info(ctx, "Command %s (%s for device %s) is held by the mass-wipe protection:"
			 " another administrator must run 'wpadmin commands approve %s'",
			 id, type, dev, id);
	else
		wpa_info(ctx, "Command %s (%s for device %s) is %s; the device gets it at its next"
			 " check-in", id, type, dev, state);
}

int wpa_device_command(struct wpa_ctx *ctx, struct wpa_args *a)
{
	json_object *body = wpa_body(a);
	struct wpa_resp r;
	int ret;

	/* "wpadmin devices lock ID": the device and the type are implied. */
	if (a->npos)
		json_object_object_add(body, "device_id", json_object_new_string(a->pos[0]));
	if (ctx->action->data)
		json_object_object_add(body, "type", json_object_new_string(ctx->action->data));
	ret = wpa_request(ctx, "POST", "/api/v1/commands", body, &r);
	if (!ret) {
		describe(ctx, &r);
		ret = wpa_print_result(ctx, &r, NULL);
	}
	wpa_resp_free(&r);
	json_object_put(body);
	return ret;
}

static int command_list(struct wpa_ctx *ctx, struct wpa_args *a)
{
	char *query = wpa_query(a), *path = NULL;
	int ret;

	if (asprintf(&path, "/api/v1/commands%s", query ? query : "") < 0)
		path = NULL;
	ret = wpa_get_print(ctx, path, wpa_command_columns);
	free(query);
	return ret;
}

static int command_show(struct wpa_ctx *ctx, struct wpa_args *a)
{
	return wpa_get_print(ctx, wpa_path("/api/v1/commands", a->pos[0], NULL), NULL);
}

/* approve, cancel: POST /api/v1/commands/{id}/ACTION */
static int command_transition(struct wpa_ctx *ctx, struct wpa_args *a)
{
	char suffix[32], *path;
	struct wpa_resp r;
	int ret;

	snprintf(suffix, sizeof(suffix), "/%s", ctx->action->name);
	path = wpa_path("/api/v1/commands", a->pos[0], suffix);
	ret = wpa_request(ctx, "POST", path, NULL, &r);
	if (!ret) {
		wpa_info(ctx, "Command %s is now %s", a->pos[0],
			 wpa_str(r.json, "state") ? wpa_str(r.json, "state") : "?");
		ret = wpa_print_result(ctx, &r, NULL);
	}
	wpa_resp_free(&r);
	free(path);
	return ret;
}

#define DEVICE_COMMAND(NAME, TYPE, ROLE, OPTS, SUMMARY)                                  \
	{ NAME, SUMMARY, "POST /api/v1/commands {\"type\":\"" TYPE "\"}", ROLE, "ID", 1, 1, \
	  K_OTHER, OPTS, wpa_device_command, TYPE }

static const struct wpa_action device_actions[] = {
	{ "list", "List devices", "GET /api/v1/devices", "read-only", NULL, 0, 0, K_LIST,
	  wpa_search_opts, wpa_catalogue_list, NULL },
	{ "show", "Show a device: status, last check-in, policy version, image",
	  "GET /api/v1/devices/{id}", "read-only", "ID", 1, 1, K_OTHER, NULL,
	  wpa_catalogue_show, NULL },
	{ "update", "Rename a device (devices are created by enrolment, never deleted)",
	  "PATCH /api/v1/devices/{id}", "admin", "ID", 1, 1, K_UPDATE, NULL,
	  wpa_catalogue_update, NULL },
	{ "history", "The change history of a device", "GET /api/v1/devices/{id}/history",
	  "read-only", "ID", 1, 1, K_OTHER, wpa_page_opts, wpa_catalogue_history, NULL },
	DEVICE_COMMAND("lock", "lock", "helpdesk", plain_opts,
		       "Lock the work phone (a signed LOCK document)"),
	DEVICE_COMMAND("unlock", "unlock", "helpdesk", plain_opts,
		       "Unlock the work phone (a signed UNLOCK document)"),
	DEVICE_COMMAND("wipe", "wipe", "admin", plain_opts,
		       "Wipe the work phone, leaving the personal side alone; past the"
		       " mass-wipe threshold it is held until another administrator approves"),
	DEVICE_COMMAND("install-app", "install_app", "helpdesk", app_opts,
		       "Install an application on the work phone"),
	DEVICE_COMMAND("remove-app", "remove_app", "helpdesk", app_opts,
		       "Remove an application from the work phone"),
	DEVICE_COMMAND("image-update", "image_update", "admin", image_opts,
		       "Move the work phone to another image"),
	DEVICE_COMMAND("policy-change", "policy_change", "admin", plain_opts,
		       "Send the device its policy set again (signed)"),
	DEVICE_COMMAND("repin", "repin", "admin", plain_opts,
		       "Pin the server's next certificate on the device (after"
		       " 'wpserver keygen --next')"),
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_devices = {
	"devices", NULL, "enrolled devices, and one action per command: lock, unlock,"
	" wipe, install-app, remove-app, image-update, policy-change, repin", S_OPERATIONS,
	&wpa_res_devices, device_actions, NULL, false,
};

static const struct wpa_action command_actions[] = {
	{ "list", "List commands, newest first", "GET /api/v1/commands", "read-only", NULL, 0,
	  0, K_LIST, list_opts, command_list, NULL },
	{ "show", "Show a command and the device's result", "GET /api/v1/commands/{id}",
	  "read-only", "ID", 1, 1, K_OTHER, NULL, command_show, NULL },
	{ "create", "Send a command of any type to a device (see also 'wpadmin devices')",
	  "POST /api/v1/commands", "helpdesk (wipe, image_update, policy_change, repin: admin)",
	  NULL, 0, 0, K_OTHER, create_opts, wpa_device_command, NULL },
	{ "approve", "Approve a wipe held by the mass-wipe protection (not its creator)",
	  "POST /api/v1/commands/{id}/approve", "admin", "ID", 1, 1, K_OTHER, NULL,
	  command_transition, NULL },
	{ "cancel", "Cancel a command not carried out yet",
	  "POST /api/v1/commands/{id}/cancel", "helpdesk", "ID", 1, 1, K_OTHER, NULL,
	  command_transition, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct wpa_group wpa_group_commands = {
	"commands", NULL, "commands sent to devices and scheduled jobs; approve held wipes",
	S_OPERATIONS, NULL, command_actions, NULL, false,
};
