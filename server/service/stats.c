// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dashboard statistics (patent FIG. 3A): counts per object type, devices
 * per status as shown, commands per state, and recent check-ins.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "../util/crypto.h"

static int group_counts(struct db_tx *tx, const char *sql, json_object *into,
			struct wp_err *err)
{
	struct db_rows *rows;

	if (db_exec(tx, sql, 0, NULL, &rows, NULL, err))
		return -1;
	for (int r = 0; r < rows->nrows; r++)
		json_object_object_add(into, db_val(rows, r, 0),
				       json_object_new_int64(db_atoll(db_val(rows, r, 1))));
	db_rows_free(rows);
	return 0;
}

int wp_stats(struct wp_app *app, json_object **out, struct wp_err *err)
{
	static const char *const tables[][2] = {
		{ "users", "users" }, { "groups", "business_groups" },
		{ "policy_sets", "policy_sets" }, { "templates", "templates" },
		{ "images", "images" }, { "apps", "apps" }, { "devices", "devices" },
		{ "admins", "admins" },
	};
	json_object *o = json_object_new_object(), *counts = json_object_new_object();
	json_object *devices = json_object_new_object(), *commands = json_object_new_object();
	char sql[512];
	struct db_rows *rows;
	struct db_tx *tx;
	int64_t now = wp_now_ms();

	json_object_object_add(o, "counts", counts);
	json_object_object_add(o, "devices_by_status", devices);
	json_object_object_add(o, "commands_by_state", commands);
	if (db_begin(app->db, &tx, err))
		goto fail;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", tables[i][1]);
		if (db_exec(tx, sql, 0, NULL, &rows, NULL, err))
			goto fail;
		json_object_object_add(counts, tables[i][0],
				       json_object_new_int64(db_atoll(db_val(rows, 0, 0))));
		db_rows_free(rows);
	}
	snprintf(sql, sizeof(sql), "SELECT s, COUNT(*) FROM (SELECT CASE WHEN status IN"
		 " ('active', 'locked') AND inactive_at < %" PRId64 " THEN 'inactive'"
		 " ELSE status END AS s FROM devices) AS d GROUP BY s", now);
	if (group_counts(tx, sql, devices, err))
		goto fail;
	/* States as shown (commands.c): pending commands past their TTL are expired. */
	snprintf(sql, sizeof(sql), "SELECT s, COUNT(*) FROM (SELECT CASE WHEN state IN"
		 " ('held', 'queued', 'sent') AND expires_at <= %" PRId64 " THEN 'expired'"
		 " ELSE state END AS s FROM commands) AS c GROUP BY s", now);
	if (group_counts(tx, sql, commands, err))
		goto fail;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM devices WHERE last_checkin_at >= %"
		 PRId64, now - 86400000);
	if (db_exec(tx, sql, 0, NULL, &rows, NULL, err))
		goto fail;
	json_object_object_add(o, "checkins_last_24h",
			       json_object_new_int64(db_atoll(db_val(rows, 0, 0))));
	db_rows_free(rows);
	db_rollback(tx);
	json_object_object_add(o, "backend", json_object_new_string(db_backend(app->db)));
	json_object_object_add(o, "uptime_s", json_object_new_int64((now - app->started_ms) / 1000));
	*out = o;
	return 0;
fail:
	db_rollback(tx);
	json_object_put(o);
	return -1;
}
