// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: the activity feed, the change history of all objects and the
 * dashboard statistics (patent FIG. 3A).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>

#include "wpadmin.h"

#define END { NULL, NULL, 0, 0, NULL, NULL }
#define NO_ACTION { NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }

static const struct wpa_column activity_columns[] = {
	{ "AT", "at", FMT_TIME },
	{ "ACTOR", "actor", FMT_TEXT },
	{ "ACTION", "action", FMT_TEXT },
	{ "TYPE", "object_type", FMT_TEXT },
	{ "SUMMARY", "summary", FMT_TEXT },
	{ NULL, NULL, 0 },
};

static int activity_list(struct wpa_ctx *ctx, struct wpa_args *a)
{
	return wpa_call(ctx, a, activity_columns);
}

static int history_list(struct wpa_ctx *ctx, struct wpa_args *a)
{
	return wpa_call(ctx, a, wpa_history_columns);
}

static int stats_show(struct wpa_ctx *ctx, struct wpa_args *a)
{
	return wpa_call(ctx, a, NULL);
}

static const struct wpa_opt activity_opts[] = {
	{ "actor", "actor", WT_STRING, O_QUERY, NULL, "done by this administrator (or device:ID)" },
	{ "action", "action", WT_STRING, O_QUERY, NULL,
	  "this kind of action: create, update, delete, login, upload, enroll, approve..." },
	{ "object-type", "object_type", WT_STRING, O_QUERY, NULL,
	  "on this kind of object: user, group, policy_set, template, image, app, device,"
	  " admin, command..." },
	{ "object-id", "object_id", WT_ID, O_QUERY, NULL, "on this object" },
	{ "since", "since", WT_TIME, O_QUERY, NULL, "at or after TIME" },
	END,
};

static const struct wpa_opt history_opts[] = {
	{ "object-type", "object_type", WT_STRING, O_QUERY, NULL,
	  "changes of this kind of object: user, group, policy_set, template, image, app,"
	  " device, admin, command" },
	{ "object-id", "object_id", WT_ID, O_QUERY, NULL, "changes of this object" },
	{ "actor", "actor", WT_STRING, O_QUERY, NULL, "changes made by this administrator" },
	END,
};

static const struct wpa_action activity_actions[] = {
	{ "list", "The activity feed, newest first", "GET /api/v1/activity", "read-only", NULL,
	  0, 0, K_LIST, activity_opts, activity_list, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_activity = {
	"activity", NULL, "the activity feed: who did what, newest first", S_FEEDS, NULL,
	activity_actions, "list", false,
};

static const struct wpa_action history_actions[] = {
	{ "list", "The change history of all objects (before and after), newest first",
	  "GET /api/v1/history", "read-only", NULL, 0, 0, K_LIST, history_opts, history_list,
	  NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_history = {
	"history", NULL, "change history of all objects, newest first", S_FEEDS, NULL,
	history_actions, "list", false,
};

static const struct wpa_action stats_actions[] = {
	{ "stats", "Dashboard statistics: objects, devices by status, commands by state,"
	  " check-ins in the last 24 hours", "GET /api/v1/stats", "read-only", NULL, 0, 0,
	  K_OTHER, NULL, stats_show, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_stats = {
	"stats", NULL, "dashboard statistics", S_FEEDS, NULL, stats_actions, NULL, true,
};
