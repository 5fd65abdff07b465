// SPDX-License-Identifier: GPL-2.0-only
/*
 * Activity feed and per-object change history.  Both are written in the
 * transaction of the change they describe, so a change and its record are
 * stored together or not at all.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "../util/crypto.h"
#include "../util/json.h"

int wp_audit(struct db_tx *tx, const struct wp_principal *who,
	     const char *action, const char *object_type, const char *object_id,
	     json_object *before, json_object *after, const char *summary_fmt, ...)
{
	char id[37], hid[37], now[DB_INT_LEN], summary[512];
	const char *actor = who && who->name[0] ? who->name : "system";
	const char *params[8];
	va_list ap;

	va_start(ap, summary_fmt);
	vsnprintf(summary, sizeof(summary), summary_fmt, ap);
	va_end(ap);
	if (wp_uuid_new(id) || wp_uuid_new(hid))
		return -1;
	db_int(now, wp_now_ms());
	params[0] = id;
	params[1] = now;
	params[2] = actor;
	params[3] = action;
	params[4] = object_type;
	params[5] = object_id;
	params[6] = summary;
	if (db_exec(tx, "INSERT INTO activity (id, at, actor, action, object_type,"
		    " object_id, summary) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		    7, params, NULL, NULL, NULL))
		return -1;
	if (!object_id || (!before && !after))
		return 0;
	params[0] = hid;
	params[6] = before ? wpj_text(before) : NULL;
	params[7] = after ? wpj_text(after) : NULL;
	return db_exec(tx, "INSERT INTO history (id, at, actor, action, object_type,"
		       " object_id, before_json, after_json)"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		       8, params, NULL, NULL, NULL);
}

const char *wp_query_get(const struct wp_kv *q, int nq, const char *key)
{
	for (int i = 0; i < nq; i++)
		if (!strcmp(q[i].key, key))
			return q[i].value;
	return NULL;
}

static int parse_ll(const char *key, const char *s, long long min, long long max,
		    long long *out, struct wp_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return WP_BAD(err, key, "query parameter '%s' must be an integer in %lld..%lld",
			      key, min, max);
	*out = v;
	return 0;
}

int wp_page_parse(const struct wp_kv *q, int nq, const char *const *allowed,
		  struct wp_page *page, struct wp_err *err)
{
	page->limit = 50;
	page->offset = 0;
	for (int i = 0; i < nq; i++) {
		const char *const *a;

		for (int j = 0; j < i; j++)
			if (!strcmp(q[j].key, q[i].key))
				return WP_BAD(err, q[i].key, "query parameter '%s' is given twice",
					      q[i].key);
		if (!strcmp(q[i].key, "limit")) {
			if (parse_ll("limit", q[i].value ? q[i].value : "", 1, 500,
				     &page->limit, err))
				return -1;
			continue;
		}
		if (!strcmp(q[i].key, "offset")) {
			if (parse_ll("offset", q[i].value ? q[i].value : "", 0,
				     1000000000, &page->offset, err))
				return -1;
			continue;
		}
		for (a = allowed; a && *a; a++)
			if (!strcmp(*a, q[i].key))
				break;
		if (!a || !*a)
			return wp_fail(err, 400, "unknown_field", q[i].key,
				       "unknown query parameter '%s'", q[i].key);
	}
	return 0;
}

json_object *wp_page_result(json_object *items, long long total,
			    const struct wp_page *page)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "items", items);
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "limit", json_object_new_int64(page->limit));
	json_object_object_add(o, "offset", json_object_new_int64(page->offset));
	return o;
}

/* Shared by both feeds: run a filtered, paged query on @table. */
static int feed(struct wp_app *app, const char *table, const char *columns,
		const char *const *filters, const char *const *values, int nfilters,
		const char *order, const struct wp_page *page, json_object **out,
		struct wp_err *err)
{
	char where[512] = "", sql[1024], lim[DB_INT_LEN], off[DB_INT_LEN];
	const char *params[10];
	int np = 0;
	struct db_rows *rows = NULL, *count = NULL;
	struct db_tx *tx;
	json_object *items;

	for (int i = 0; i < nfilters; i++) {
		if (!values[i])
			continue;
		params[np] = values[i];
		np++;
		snprintf(where + strlen(where), sizeof(where) - strlen(where),
			 "%s %s $%d", np == 1 ? " WHERE" : " AND", filters[i], np);
	}
	if (db_begin(app->db, &tx, err))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s%s", table, where);
	if (db_exec(tx, sql, np, params, &count, NULL, err))
		goto fail;
	params[np] = db_int(lim, page->limit);
	params[np + 1] = db_int(off, page->offset);
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s%s ORDER BY %s"
		 " LIMIT CAST($%d AS INTEGER) OFFSET CAST($%d AS INTEGER)",
		 columns, table, where, order, np + 1, np + 2);
	if (db_exec(tx, sql, np + 2, params, &rows, NULL, err))
		goto fail;
	db_rollback(tx);
	items = json_object_new_array();
	for (int r = 0; r < rows->nrows; r++) {
		json_object *o = json_object_new_object();

		for (int c = 0; c < rows->ncols; c++) {
			const char *name = rows->names[c], *v = db_val(rows, r, c);
			json_object *jv = NULL;

			if (!strcmp(name, "at"))
				jv = json_object_new_int64(db_atoll(v));
			else if (!strcmp(name, "before_json") || !strcmp(name, "after_json"))
				jv = v ? json_tokener_parse(v) : NULL;
			else
				jv = wpj_new_string(v);
			if (!strcmp(name, "before_json"))
				name = "before";
			else if (!strcmp(name, "after_json"))
				name = "after";
			json_object_object_add(o, name, jv);
		}
		json_object_array_add(items, o);
	}
	*out = wp_page_result(items, db_atoll(db_val(count, 0, 0)), page);
	db_rows_free(rows);
	db_rows_free(count);
	return 0;
fail:
	db_rows_free(count);
	db_rollback(tx);
	return -1;
}

const char *const wp_activity_params[] = { "actor", "action", "object_type", "object_id",
					   "since", NULL };

int wp_activity_list(struct wp_app *app, const struct wp_kv *q, int nq,
		     json_object **out, struct wp_err *err)
{
	const char *const *allowed = wp_activity_params;
	static const char *const filters[] = { "actor =", "action =", "object_type =",
					       "object_id =", "at >=" };
	const char *values[5];
	struct wp_page page;
	long long since;

	if (wp_page_parse(q, nq, allowed, &page, err))
		return -1;
	for (int i = 0; i < 5; i++)
		values[i] = wp_query_get(q, nq, allowed[i]);
	if (values[4] && parse_ll("since", values[4], 0, INT64_MAX - 1, &since, err))
		return -1;
	return feed(app, "activity", "id, at, actor, action, object_type, object_id, summary",
		    filters, values, 5, "at DESC, id DESC", &page, out, err);
}

const char *const wp_history_params[] = { "object_type", "object_id", "actor", NULL };
/* One object's history: its type and id come from the path. */
const char *const wp_object_history_params[] = { "actor", NULL };

int wp_history_list(struct wp_app *app, const char *object_type,
		    const char *object_id, const struct wp_kv *q, int nq,
		    json_object **out, struct wp_err *err)
{
	static const char *const filters[] = { "object_type =", "object_id =", "actor =" };
	const char *values[3];
	struct wp_page page;

	if (wp_page_parse(q, nq, object_id ? wp_object_history_params : wp_history_params,
			  &page, err))
		return -1;
	values[0] = object_type ? object_type : wp_query_get(q, nq, "object_type");
	values[1] = object_id ? object_id : wp_query_get(q, nq, "object_id");
	values[2] = wp_query_get(q, nq, "actor");
	return feed(app, "history", "id, at, actor, action, object_type, object_id,"
		    " before_json, after_json", filters, values, 3, "at DESC, id DESC",
		    &page, out, err);
}
