// SPDX-License-Identifier: GPL-2.0-only
/*
 * The declarative resource engine; see resource.h.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "resource.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/crypto.h"
#include "../util/json.h"

#define MAX_FIELDS 32
#define SQL_MAX 4096

static const char *column(const struct wp_field *f)
{
	return f->type == FT_PASSWORD ? "password_hash" : f->name;
}

static const struct wp_field *field_find(const struct wp_resource *res, const char *name)
{
	for (const struct wp_field *f = res->fields; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* SELECT list; a device's status is derived from its lease deadline. */
static void select_list(const struct wp_resource *res, bool derived, char *buf,
			size_t size)
{
	snprintf(buf, size, "id, created_at, updated_at");
	for (const struct wp_field *f = res->fields; f->name; f++) {
		if (f->type == FT_PASSWORD)
			continue;
		if (derived && (res->flags & RES_DEVICE_STATUS) && !strcmp(f->name, "status"))
			snprintf(buf + strlen(buf), size - strlen(buf),
				 ", CASE WHEN status IN ('active', 'locked') AND"
				 " inactive_at < %" PRId64 " THEN 'inactive' ELSE status END"
				 " AS status", wp_now_ms());
		else
			snprintf(buf + strlen(buf), size - strlen(buf), ", %s", f->name);
	}
}

static json_object *row_to_json(const struct wp_resource *res,
				const struct db_rows *rows, int r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", wpj_new_string(db_get(rows, r, "id")));
	for (const struct wp_field *f = res->fields; f->name; f++) {
		const char *v = db_get(rows, r, f->name);
		json_object *jv = NULL;

		if (f->type == FT_PASSWORD)
			continue;
		if (v) {
			switch (f->type) {
			case FT_INT:
				jv = json_object_new_int64(db_atoll(v));
				break;
			case FT_BOOL:
				jv = json_object_new_boolean(db_atoll(v) != 0);
				break;
			case FT_REF_LIST:
			case FT_OBJECT:
				jv = json_tokener_parse(v);
				break;
			default:
				jv = json_object_new_string(v);
			}
		}
		json_object_object_add(o, f->name, jv);
	}
	json_object_object_add(o, "created_at",
			       json_object_new_int64(db_atoll(db_get(rows, r, "created_at"))));
	json_object_object_add(o, "updated_at",
			       json_object_new_int64(db_atoll(db_get(rows, r, "updated_at"))));
	return o;
}

/* @derived: as shown to administrators; otherwise as stored (for writes). */
static int load(struct db_tx *tx, const struct wp_resource *res, const char *id,
		bool derived, json_object **out, struct wp_err *err)
{
	char sql[SQL_MAX], cols[SQL_MAX - 200];
	struct db_rows *rows;
	const char *params[1] = { id };

	select_list(res, derived, cols, sizeof(cols));
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = $1", cols, res->table);
	if (db_one(tx, sql, 1, params, res->type, &rows, err)) {
		if (err->status == 404)
			snprintf(err->message, sizeof(err->message), "%s %s not found",
				 res->type, id);
		return -1;
	}
	*out = row_to_json(res, rows, 0);
	db_rows_free(rows);
	return 0;
}

int wp_resource_load(struct db_tx *tx, const struct wp_resource *res,
		     const char *id, json_object **out, struct wp_err *err)
{
	return load(tx, res, id, false, out, err);
}

int wp_resource_get(struct wp_app *app, const struct wp_resource *res,
		    const char *id, json_object **out, struct wp_err *err)
{
	struct db_tx *tx;
	int ret;

	if (db_begin(app->db, &tx, err))
		return -1;
	ret = load(tx, res, id, true, out, err);
	db_rollback(tx);
	return ret;
}

static int ref_exists(struct db_tx *tx, const char *table, const char *id,
		      const char *field, struct wp_err *err)
{
	char sql[200];
	const char *params[1] = { id };
	struct db_rows *rows;
	int n;

	if (!wp_uuid_valid(id))
		return WP_BAD(err, field, "'%s' is not a valid id", field);
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = $1", table);
	if (db_exec(tx, sql, 1, params, &rows, NULL, err))
		return -1;
	n = rows->nrows;
	db_rows_free(rows);
	if (!n)
		return wp_fail(err, 400, "invalid_reference", field,
			       "'%s': no such object %s", field, id);
	return 0;
}

/* Check one request value against its field description. */
static int check_value(struct db_tx *tx, const struct wp_field *f, json_object *v,
		       struct wp_err *err)
{
	const char *name = f->name;

	if (!v) {
		if (!(f->flags & FF_NULLABLE))
			return WP_BAD(err, name, "'%s' must not be null", name);
		return 0;
	}
	switch (f->type) {
	case FT_STRING:
	case FT_PASSWORD:
		if (!json_object_is_type(v, json_type_string))
			return WP_BAD(err, name, "'%s' must be a string", name);
		if (json_object_get_string_len(v) > f->max)
			return WP_BAD(err, name, "'%s' is longer than %lld bytes", name, f->max);
		if (json_object_get_string_len(v) < f->min)
			return WP_BAD(err, name, "'%s' must be at least %lld bytes", name, f->min);
		if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
			return WP_BAD(err, name, "'%s' contains a NUL character", name);
		return 0;
	case FT_INT: {
		int64_t n;

		if (!json_object_is_type(v, json_type_int))
			return WP_BAD(err, name, "'%s' must be an integer", name);
		errno = 0;
		n = json_object_get_int64(v);
		if (n < f->min || n > f->max || n == INT64_MAX || n == INT64_MIN)
			return WP_BAD(err, name, "'%s' must be between %lld and %lld",
				      name, f->min, f->max);
		return 0;
	}
	case FT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return WP_BAD(err, name, "'%s' must be true or false", name);
		return 0;
	case FT_ENUM: {
		char allowed[256] = "";

		if (json_object_is_type(v, json_type_string))
			for (const char *const *e = f->enum_values; *e; e++)
				if (!strcmp(*e, json_object_get_string(v)))
					return 0;
		for (const char *const *e = f->enum_values; *e; e++)
			snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
				 "%s%s", e == f->enum_values ? "" : ", ", *e);
		return WP_BAD(err, name, "'%s' must be one of: %s", name, allowed);
	}
	case FT_REF:
		if (!json_object_is_type(v, json_type_string))
			return WP_BAD(err, name, "'%s' must be an id (string)", name);
		return ref_exists(tx, f->ref, json_object_get_string(v), name, err);
	case FT_REF_LIST:
		if (!json_object_is_type(v, json_type_array))
			return WP_BAD(err, name, "'%s' must be an array of ids", name);
		if ((long long)json_object_array_length(v) > f->max)
			return WP_BAD(err, name, "'%s' has more than %lld entries", name, f->max);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			char elem[128];

			snprintf(elem, sizeof(elem), "%s[%zu]", name, i);
			if (!json_object_is_type(e, json_type_string))
				return WP_BAD(err, elem, "'%s' must be an id (string)", elem);
			if (ref_exists(tx, f->ref, json_object_get_string(e), elem, err))
				return -1;
			for (size_t j = 0; j < i; j++)
				if (!strcmp(json_object_get_string(json_object_array_get_idx(v, j)),
					    json_object_get_string(e)))
					return WP_BAD(err, elem, "'%s' repeats an id", elem);
		}
		return 0;
	case FT_OBJECT:
		if (!json_object_is_type(v, json_type_object))
			return WP_BAD(err, name, "'%s' must be a JSON object", name);
		if (strlen(wpj_text(v)) > (size_t)f->max)
			return WP_BAD(err, name, "'%s' is larger than %lld bytes", name, f->max);
		return 0;
	}
	return WP_INTERNAL(err, "field type");
}

/*
 * Merge @body into @obj (a copy of the stored object, or empty) after
 * checking every key.  The password, if any, is hashed into @pw_hash.
 */
static int apply_body(struct db_tx *tx, const struct wp_resource *res,
		      json_object *obj, json_object *body, bool creating,
		      char *pw_hash, size_t pw_size, struct wp_err *err)
{
	json_object_object_foreach(body, key, val) {
		const struct wp_field *f = field_find(res, key);

		if (!strcmp(key, "id") || !strcmp(key, "created_at") ||
		    !strcmp(key, "updated_at") || (f && (f->flags & FF_READONLY)))
			return WP_BAD(err, key, "'%s' is read-only", key);
		if (!f)
			return wp_fail(err, 400, "unknown_field", key, "unknown field '%s'", key);
		if (check_value(tx, f, val, err))
			return -1;
		if (f->type == FT_PASSWORD) {
			if (wp_password_hash(json_object_get_string(val), pw_hash, pw_size))
				return WP_INTERNAL(err, "password hashing failed");
			continue;
		}
		json_object_object_add(obj, key, json_object_get(val));
	}
	if (!creating)
		return 0;
	for (const struct wp_field *f = res->fields; f->name; f++) {
		if (f->flags & FF_READONLY || json_object_object_get_ex(body, f->name, NULL))
			continue;
		if (f->flags & FF_REQUIRED)
			return wp_fail(err, 400, "missing_field", f->name,
				       "field '%s' is required", f->name);
		if (f->type != FT_PASSWORD)
			json_object_object_add(obj, f->name,
					       f->def ? json_tokener_parse(f->def) : NULL);
	}
	return 0;
}

/* Column value as text for a bound parameter; NULL for JSON null. */
static const char *param_of(const struct wp_field *f, json_object *obj, char *buf,
			    size_t size)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, f->name, &v) || !v)
		return NULL;
	switch (f->type) {
	case FT_INT:
		snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
		return buf;
	case FT_BOOL:
		return json_object_get_boolean(v) ? "1" : "0";
	case FT_REF_LIST:
	case FT_OBJECT:
		return wpj_text(v);
	default:
		return json_object_get_string(v);
	}
}

static const char *label_of(const struct wp_resource *res, json_object *obj)
{
	json_object *v;

	if (res->label && json_object_object_get_ex(obj, res->label, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

static void conflict_field(const struct wp_resource *res, struct wp_err *err)
{
	if (err->status == 409 && !strcmp(err->code, "conflict") && res->label) {
		snprintf(err->field, sizeof(err->field), "%s", res->label);
		snprintf(err->message, sizeof(err->message), "a %s with this %s already exists",
			 res->type, res->label);
	}
}

/* INSERT or UPDATE every column of @obj (server-managed ones included). */
static int write_row(struct db_tx *tx, const struct wp_resource *res, const char *id,
		     json_object *obj, const char *pw_hash, bool creating,
		     struct wp_err *err)
{
	char sql[SQL_MAX], bufs[MAX_FIELDS][DB_INT_LEN], now[DB_INT_LEN];
	const char *params[MAX_FIELDS + 3];
	int np = 0;
	long long changes = 0;

	params[np++] = id;
	params[np++] = db_int(now, wp_now_ms());
	if (creating)
		snprintf(sql, sizeof(sql), "INSERT INTO %s (id, created_at, updated_at",
			 res->table);
	else
		snprintf(sql, sizeof(sql), "UPDATE %s SET updated_at = $2", res->table);
	for (const struct wp_field *f = res->fields; f->name; f++) {
		const char *value;

		if (f->type == FT_PASSWORD) {
			if (!pw_hash[0] && !creating)
				continue;
			value = pw_hash[0] ? pw_hash : NULL;
		} else {
			value = param_of(f, obj, bufs[np], sizeof(bufs[np]));
		}
		params[np++] = value;
		if (creating)
			snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), ", %s", column(f));
		else
			snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), ", %s = $%d",
				 column(f), np);
	}
	if (creating) {
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), ") VALUES ($1, $2, $2");
		for (int i = 3; i <= np; i++)
			snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), ", $%d", i);
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), ")");
	} else {
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " WHERE id = $1");
	}
	if (db_exec(tx, sql, np, params, NULL, &changes, err)) {
		conflict_field(res, err);
		return -1;
	}
	if (!changes)
		return wp_fail(err, 404, "not_found", NULL, "%s %s not found", res->type, id);
	return 0;
}

int wp_resource_create(struct wp_app *app, const struct wp_resource *res,
		       const struct wp_principal *who, json_object *body,
		       json_object **out, struct wp_err *err)
{
	json_object *obj = json_object_new_object(), *stored = NULL;
	char id[37], pw_hash[200] = "";
	struct db_tx *tx = NULL;

	if (res->flags & RES_NO_CREATE) {
		json_object_put(obj);
		return wp_fail(err, 405, "method_not_allowed", NULL,
			       "%s objects are not created through this API", res->type);
	}
	if (wp_uuid_new(id) || db_begin(app->db, &tx, err))
		goto fail;
	if (apply_body(tx, res, obj, body, true, pw_hash, sizeof(pw_hash), err) ||
	    (res->validate && res->validate(app, tx, obj, NULL, err)) ||
	    write_row(tx, res, id, obj, pw_hash, true, err) ||
	    wp_resource_load(tx, res, id, &stored, err) ||
	    wp_audit(tx, who, "create", res->type, id, NULL, stored,
		     "created %s %s", res->type, label_of(res, stored)))
		goto fail;
	if (db_commit(tx, err)) {
		tx = NULL;
		goto fail;
	}
	json_object_put(obj);
	*out = stored;
	return 0;
fail:
	if (err->status == 0)
		WP_INTERNAL(err, "creating %s failed", res->type);
	db_rollback(tx);
	json_object_put(obj);
	json_object_put(stored);
	return -1;
}

int wp_resource_update(struct wp_app *app, const struct wp_resource *res,
		       const struct wp_principal *who, const char *id,
		       json_object *body, json_object **out, struct wp_err *err)
{
	json_object *before = NULL, *obj = NULL, *after = NULL;
	char pw_hash[200] = "";
	struct db_tx *tx;

	if (db_begin(app->db, &tx, err))
		return -1;
	if (wp_resource_load(tx, res, id, &before, err))
		goto fail;
	if (json_object_deep_copy(before, &obj, NULL))
		goto fail;
	if (apply_body(tx, res, obj, body, false, pw_hash, sizeof(pw_hash), err) ||
	    (res->validate && res->validate(app, tx, obj, before, err)) ||
	    write_row(tx, res, id, obj, pw_hash, false, err) ||
	    wp_resource_load(tx, res, id, &after, err) ||
	    wp_audit(tx, who, "update", res->type, id, before, after,
		     "updated %s %s", res->type, label_of(res, after)))
		goto fail;
	if (db_commit(tx, err)) {
		tx = NULL;
		goto fail;
	}
	json_object_put(before);
	json_object_put(obj);
	*out = after;
	return 0;
fail:
	if (err->status == 0)
		WP_INTERNAL(err, "updating %s failed", res->type);
	db_rollback(tx);
	json_object_put(before);
	json_object_put(obj);
	json_object_put(after);
	return -1;
}

int wp_resource_set(struct db_tx *tx, const struct wp_resource *res,
		    const struct wp_principal *who, const char *id,
		    json_object *changes, const char *action, struct wp_err *err)
{
	json_object *before = NULL, *obj = NULL, *after = NULL;
	int ret = -1;

	if (wp_resource_load(tx, res, id, &before, err) ||
	    json_object_deep_copy(before, &obj, NULL))
		goto out;
	json_object_object_foreach(changes, key, val)
		json_object_object_add(obj, key, json_object_get(val));
	if (write_row(tx, res, id, obj, "", false, err) ||
	    wp_resource_load(tx, res, id, &after, err))
		goto out;
	ret = wp_audit(tx, who, action, res->type, id, before, after, "%s %s %s",
		       action, res->type, label_of(res, after));
out:
	json_object_put(before);
	json_object_put(obj);
	json_object_put(after);
	return ret;
}

int wp_resource_delete(struct wp_app *app, const struct wp_resource *res,
		       const struct wp_principal *who, const char *id,
		       struct wp_err *err)
{
	json_object *before = NULL;
	const char *params[1] = { id };
	struct db_tx *tx;
	char sql[200];

	if (res->flags & RES_NO_DELETE)
		return wp_fail(err, 405, "method_not_allowed", NULL,
			       "%s objects cannot be deleted", res->type);
	if (db_begin(app->db, &tx, err))
		return -1;
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = $1", res->table);
	if (wp_resource_load(tx, res, id, &before, err))
		goto fail;
	if (db_exec(tx, sql, 1, params, NULL, NULL, err)) {
		if (err->status == 409)
			snprintf(err->message, sizeof(err->message),
				 "%s %s is still in use by other objects", res->type, id);
		goto fail;
	}
	if (wp_audit(tx, who, "delete", res->type, id, before, NULL,
		     "deleted %s %s", res->type, label_of(res, before)))
		goto fail;
	json_object_put(before);
	return db_commit(tx, err);
fail:
	db_rollback(tx);
	json_object_put(before);
	return -1;
}

int wp_resource_list(struct wp_app *app, const struct wp_resource *res,
		     const struct wp_kv *q, int nq, json_object **out,
		     struct wp_err *err)
{
	const char *allowed[MAX_FIELDS + 2], *params[MAX_FIELDS + 3];
	char cols[SQL_MAX - 800], where[1024] = "", sql[SQL_MAX];
	char lim[DB_INT_LEN], off[DB_INT_LEN], like[410], nums[MAX_FIELDS][DB_INT_LEN];
	struct db_rows *rows = NULL, *count = NULL;
	struct wp_page page;
	struct db_tx *tx;
	json_object *items;
	int na = 0, np = 0;

	for (const struct wp_field *f = res->fields; f->name; f++)
		if (f->flags & FF_FILTER)
			allowed[na++] = f->name;
	allowed[na++] = "q";
	allowed[na] = NULL;
	if (wp_page_parse(q, nq, allowed, &page, err))
		return -1;
	select_list(res, true, cols, sizeof(cols));
	for (int i = 0; i < nq; i++) {
		const struct wp_field *f = field_find(res, q[i].key);
		const char *v = q[i].value ? q[i].value : "";

		if (!strcmp(q[i].key, "q")) {
			size_t n = 0;

			if (!res->label || strlen(v) > 200)
				return WP_BAD(err, "q", "'q' must be at most 200 bytes");
			/*
			 * A case-insensitive substring on both backends (SQLite's
			 * LIKE ignores ASCII case, PostgreSQL's does not); the
			 * wildcards % and _ are matched literally.
			 */
			like[n++] = '%';
			for (const char *c = v; *c; c++) {
				if (*c == '%' || *c == '_' || *c == '\\')
					like[n++] = '\\';
				like[n++] = *c;
			}
			like[n++] = '%';
			like[n] = '\0';
			params[np++] = like;
			snprintf(where + strlen(where), sizeof(where) - strlen(where),
				 "%s LOWER(%s) LIKE LOWER($%d) ESCAPE '\\'",
				 np == 1 ? " WHERE" : " AND", res->label, np);
			continue;
		}
		if (!f || !(f->flags & FF_FILTER))
			continue;
		if (f->type == FT_BOOL) {
			if (strcmp(v, "true") && strcmp(v, "false"))
				return WP_BAD(err, f->name, "'%s' must be true or false", f->name);
			v = !strcmp(v, "true") ? "1" : "0";
		} else if (f->type == FT_INT) {
			char *end;
			long long n = strtoll(v, &end, 10);

			if (!*v || *end)
				return WP_BAD(err, f->name, "'%s' must be an integer", f->name);
			v = db_int(nums[np], n);
		}
		params[np++] = v;
		if ((res->flags & RES_DEVICE_STATUS) && !strcmp(f->name, "status"))
			/* Filter on the derived status, as shown. */
			snprintf(where + strlen(where), sizeof(where) - strlen(where),
				 "%s (CASE WHEN status IN ('active', 'locked') AND"
				 " inactive_at < %" PRId64 " THEN 'inactive' ELSE status END) = $%d",
				 np == 1 ? " WHERE" : " AND", wp_now_ms(), np);
		else
			snprintf(where + strlen(where), sizeof(where) - strlen(where),
				 "%s %s = $%d", np == 1 ? " WHERE" : " AND", f->name, np);
	}
	if (db_begin(app->db, &tx, err))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s%s", res->table, where);
	if (db_exec(tx, sql, np, params, &count, NULL, err))
		goto fail;
	params[np] = db_int(lim, page.limit);
	params[np + 1] = db_int(off, page.offset);
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s%s ORDER BY created_at, id"
		 " LIMIT CAST($%d AS INTEGER) OFFSET CAST($%d AS INTEGER)",
		 cols, res->table, where, np + 1, np + 2);
	if (db_exec(tx, sql, np + 2, params, &rows, NULL, err))
		goto fail;
	db_rollback(tx);
	items = json_object_new_array();
	for (int r = 0; r < rows->nrows; r++)
		json_object_array_add(items, row_to_json(res, rows, r));
	*out = wp_page_result(items, db_atoll(db_val(count, 0, 0)), &page);
	db_rows_free(rows);
	db_rows_free(count);
	return 0;
fail:
	db_rows_free(count);
	db_rollback(tx);
	return -1;
}
