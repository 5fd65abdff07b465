// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image and application content: attaching a verified upload from the
 * repository to its catalogue entry, and deciding who may download what.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <string.h>

#include "services.h"

int wp_content_attach(struct wp_app *app, const struct wp_resource *res,
		      const struct wp_principal *who, const char *id,
		      struct wp_upload *up, const char *expected_sha256,
		      json_object **out, struct wp_err *err)
{
	char sha256[WP_SHA256_HEX];
	json_object *changes;
	struct db_tx *tx;
	uint64_t size;

	if (expected_sha256 && !wp_sha256_hex_valid(expected_sha256))
		return WP_BAD(err, "X-Content-SHA256",
			      "X-Content-SHA256 must be 64 lower-case hex digits");
	if (wp_upload_finish(up, expected_sha256, sha256, &size, err))
		return -1;
	changes = json_object_new_object();
	json_object_object_add(changes, "sha256", json_object_new_string(sha256));
	json_object_object_add(changes, "size", json_object_new_int64((int64_t)size));
	if (db_begin(app->db, &tx, err)) {
		json_object_put(changes);
		return -1;
	}
	if (wp_resource_set(tx, res, who, id, changes, "upload", err)) {
		json_object_put(changes);
		db_rollback(tx);
		return -1;
	}
	json_object_put(changes);
	if (db_commit(tx, err))
		return -1;
	return wp_resource_get(app, res, id, out, err);
}

int wp_content_sha256(struct wp_app *app, const struct wp_resource *res,
		      const char *id, char sha256[WP_SHA256_HEX], struct wp_err *err)
{
	const char *params[1] = { id };
	struct db_rows *rows;
	struct db_tx *tx;
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT sha256 FROM %s WHERE id = $1", res->table);
	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_one(tx, sql, 1, params, res->type, &rows, err)) {
		db_rollback(tx);
		return -1;
	}
	db_rollback(tx);
	if (!db_val(rows, 0, 0)) {
		db_rows_free(rows);
		return wp_fail(err, 404, "not_found", NULL, "%s %s has no content yet",
			       res->type, id);
	}
	snprintf(sha256, WP_SHA256_HEX, "%s", db_val(rows, 0, 0));
	db_rows_free(rows);
	return 0;
}

int wp_content_device_allowed(struct wp_app *app, const char *sha256,
			      struct wp_err *err)
{
	const char *params[1] = { sha256 };
	struct db_rows *rows;
	struct db_tx *tx;
	int n;

	if (!wp_sha256_hex_valid(sha256))
		return wp_fail(err, 404, "not_found", NULL, "no such file");
	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_exec(tx, "SELECT 1 FROM images WHERE sha256 = $1"
		    " UNION SELECT 1 FROM apps WHERE sha256 = $1", 1, params, &rows, NULL, err)) {
		db_rollback(tx);
		return -1;
	}
	db_rollback(tx);
	n = rows->nrows;
	db_rows_free(rows);
	return n ? 0 : wp_fail(err, 404, "not_found", NULL, "file %s is not published", sha256);
}
