// SPDX-License-Identifier: GPL-2.0-only
/*
 * SQLite backend: the embedded default.  One connection in WAL mode with
 * synchronous=FULL, so every acknowledged commit survives a crash or a
 * power cut; transactions are serialised on it by a mutex (SQLite has a
 * single writer anyway, and check-ins write).  BEGIN IMMEDIATE takes the
 * write lock up front, so the named locks of the interface are implicit.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../storage.h"

struct sqlite_state {
	sqlite3 *conn;
	pthread_mutex_t lock;
};

static int sqlite_fail(sqlite3 *conn, int rc, struct wp_err *err)
{
	int ext = sqlite3_extended_errcode(conn);

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return wp_fail(err, 409, "conflict", NULL, "already exists (%s)",
			       sqlite3_errmsg(conn));
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return wp_fail(err, 409, "in_use", NULL,
			       "referenced by or referencing another object (%s)",
			       sqlite3_errmsg(conn));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return wp_fail(err, 503, "busy", NULL, "database busy: %s",
			       sqlite3_errmsg(conn));
	return WP_INTERNAL(err, "sqlite: %s", sqlite3_errmsg(conn));
}

static int sqlite_exec(void *conn_, const char *sql, int nparams,
		       const char *const *params, struct db_rows **rows,
		       long long *changes, struct wp_err *err)
{
	sqlite3 *conn = conn_;
	sqlite3_stmt *stmt;
	struct db_rows *r = NULL;
	size_t cap = 0;
	int rc;

	rc = sqlite3_prepare_v2(conn, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return sqlite_fail(conn, rc, err);
	/* "$n" placeholders are named parameters in SQLite: bind by name. */
	for (int i = 0; i < nparams; i++) {
		char name[16];
		int idx;

		snprintf(name, sizeof(name), "$%d", i + 1);
		idx = sqlite3_bind_parameter_index(stmt, name);
		if (!idx)
			continue;
		rc = params[i] ? sqlite3_bind_text(stmt, idx, params[i], -1, SQLITE_STATIC)
			       : sqlite3_bind_null(stmt, idx);
		if (rc != SQLITE_OK)
			goto fail;
	}
	if (rows) {
		int ncols = sqlite3_column_count(stmt);

		r = calloc(1, sizeof(*r));
		if (!r)
			goto oom;
		r->ncols = ncols;
		r->names = calloc((size_t)ncols + 1, sizeof(char *));
		if (!r->names)
			goto oom;
		for (int c = 0; c < ncols; c++)
			if (!(r->names[c] = strdup(sqlite3_column_name(stmt, c))))
				goto oom;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!r)
			continue;
		if ((size_t)(r->nrows + 1) * r->ncols > cap) {
			size_t ncap = cap ? cap * 2 : (size_t)r->ncols * 16 + 1;
			char **nv = realloc(r->vals, ncap * sizeof(char *));

			if (!nv)
				goto oom;
			r->vals = nv;
			cap = ncap;
		}
		for (int c = 0; c < r->ncols; c++) {
			const unsigned char *t = sqlite3_column_text(stmt, c);
			char **slot = &r->vals[(long)r->nrows * r->ncols + c];

			*slot = NULL;
			if (t && !(*slot = strdup((const char *)t))) {
				r->nrows++;
				goto oom;
			}
		}
		r->nrows++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	if (changes)
		*changes = sqlite3_changes64(conn);
	sqlite3_finalize(stmt);
	if (rows)
		*rows = r;
	return 0;
oom:
	sqlite3_finalize(stmt);
	db_rows_free(r);
	return WP_INTERNAL(err, "out of memory reading a result");
fail:
	sqlite_fail(conn, rc, err);
	sqlite3_finalize(stmt);
	db_rows_free(r);
	return -1;
}

static int sqlite_open(const char *path, int pool_size, void **out,
		       struct wp_err *err)
{
	static const char *const pragmas[] = {
		"PRAGMA journal_mode=WAL",
		"PRAGMA synchronous=FULL",
		"PRAGMA foreign_keys=ON",
		"PRAGMA busy_timeout=10000",
		NULL,
	};
	struct sqlite_state *s = calloc(1, sizeof(*s));
	int rc;

	(void)pool_size;
	if (!s)
		return WP_INTERNAL(err, "out of memory");
	rc = sqlite3_open_v2(path, &s->conn, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		wp_fail(err, 500, "storage", "db", "sqlite: cannot open %s: %s", path,
			s->conn ? sqlite3_errmsg(s->conn) : sqlite3_errstr(rc));
		sqlite3_close(s->conn);
		free(s);
		return -1;
	}
	for (const char *const *p = pragmas; *p; p++)
		if (sqlite_exec(s->conn, *p, 0, NULL, NULL, NULL, err)) {
			wp_err_prefix(err, "%s: %s", path, *p);
			sqlite3_close(s->conn);
			free(s);
			return -1;
		}
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return 0;
}

static void sqlite_close(void *state)
{
	struct sqlite_state *s = state;

	sqlite3_close(s->conn);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int sqlite_acquire(void *state, void **conn, struct wp_err *err)
{
	struct sqlite_state *s = state;

	(void)err;
	pthread_mutex_lock(&s->lock);
	*conn = s->conn;
	return 0;
}

static void sqlite_release(void *state, void *conn, bool broken)
{
	struct sqlite_state *s = state;

	(void)conn;
	(void)broken;
	pthread_mutex_unlock(&s->lock);
}

static int sqlite_lock(void *conn, const char *name, struct wp_err *err)
{
	/* BEGIN IMMEDIATE on the only connection serialises everything. */
	(void)conn;
	(void)name;
	(void)err;
	return 0;
}

static int sqlite_check(void *conn, struct wp_err *err)
{
	struct db_rows *rows;
	int ret = 0;

	if (sqlite_exec(conn, "PRAGMA integrity_check", 0, NULL, &rows, NULL, err))
		return -1;
	if (rows->nrows != 1 || strcmp(db_val(rows, 0, 0), "ok"))
		ret = WP_INTERNAL(err, "integrity_check: %s",
				  rows->nrows ? db_val(rows, 0, 0) : "no answer");
	db_rows_free(rows);
	if (!ret && sqlite_exec(conn, "PRAGMA foreign_key_check", 0, NULL, &rows, NULL, err))
		return -1;
	if (!ret) {
		if (rows->nrows)
			ret = WP_INTERNAL(err, "foreign_key_check: %d dangling rows", rows->nrows);
		db_rows_free(rows);
	}
	return ret;
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.acquire = sqlite_acquire,
	.release = sqlite_release,
	.exec = sqlite_exec,
	.lock = sqlite_lock,
	.begin_sql = "BEGIN IMMEDIATE",
	.check = sqlite_check,
};
