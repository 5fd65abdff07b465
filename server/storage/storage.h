// SPDX-License-Identifier: GPL-2.0-only
/*
 * Storage: the one interface the services use to reach the relational
 * database, with one implementation per backend (storage/sqlite/,
 * storage/pgsql/) that pass the same test suite.
 *
 * The services speak a common SQL subset (TEXT/BIGINT/INTEGER columns,
 * "$1" placeholders, ON CONFLICT, RETURNING) inside explicit transactions;
 * values travel as text in both directions, NULL as a NULL pointer.  A
 * driver owns connections, transactions, named locks and the mapping of
 * constraint violations to errors (409 conflict / in_use).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_STORAGE_H
#define WP_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

struct db;
struct db_tx;

/* A result set; values are row-major, NULL for SQL NULL. */
struct db_rows {
	int nrows;
	int ncols;
	char **names;
	char **vals;
};

static inline const char *db_val(const struct db_rows *r, int row, int col)
{
	return r->vals[(long)row * r->ncols + col];
}

/* Column by name for row @row, or NULL (also when absent). */
const char *db_get(const struct db_rows *r, int row, const char *name);
void db_rows_free(struct db_rows *rows);

/* What a driver implements (storage/sqlite/sqlite.c, storage/pgsql/pgsql.c). */
struct db_driver {
	const char *name;
	int (*open)(const char *target, int pool_size, void **state,
		    struct wp_err *err);
	void (*close)(void *state);
	/* Take a connection for one transaction (blocks while all are busy). */
	int (*acquire)(void *state, void **conn, struct wp_err *err);
	void (*release)(void *state, void *conn, bool broken);
	int (*exec)(void *conn, const char *sql, int nparams,
		    const char *const *params, struct db_rows **rows,
		    long long *changes, struct wp_err *err);
	/* Serialise transactions on @name until commit (advisory lock). */
	int (*lock)(void *conn, const char *name, struct wp_err *err);
	const char *begin_sql;
	/* Check the database file/cluster for corruption (wpserver check-db). */
	int (*check)(void *conn, struct wp_err *err);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pgsql_driver;

/*
 * Open "sqlite:PATH" or "postgres://..." / "postgresql://..." and apply
 * the schema migrations that are missing (serialised between instances).
 */
int db_open(const char *url, int pool_size, struct db **out, struct wp_err *err);
void db_close(struct db *db);
const char *db_backend(const struct db *db);
int db_schema_version(struct db *db, int *version, struct wp_err *err);
/*
 * Refuse a database whose schema is older than this binary's, which only
 * WPSERVER_SCHEMA_MAX (for tests) leaves: wpserver serve must not run on it.
 */
int db_require_latest(struct db *db, struct wp_err *err);
int db_check(struct db *db, struct wp_err *err);

int db_begin(struct db *db, struct db_tx **tx, struct wp_err *err);
int db_commit(struct db_tx *tx, struct wp_err *err);
/* Roll back and release; a NULL @tx is fine. */
void db_rollback(struct db_tx *tx);
int db_lock(struct db_tx *tx, const char *name, struct wp_err *err);

/*
 * Run @sql with @nparams text parameters ($1..$n).  @rows (optional)
 * receives the result set; @changes (optional) the number of rows changed.
 */
int db_exec(struct db_tx *tx, const char *sql, int nparams,
	    const char *const *params, struct db_rows **rows,
	    long long *changes, struct wp_err *err);

/* Convenience: run @sql and return its first row (404 @what if none). */
int db_one(struct db_tx *tx, const char *sql, int nparams,
	   const char *const *params, const char *what, struct db_rows **row,
	   struct wp_err *err);

/* Integer text helpers for parameters. */
#define DB_INT_LEN 24
const char *db_int(char buf[DB_INT_LEN], long long v);
long long db_atoll(const char *s);

#endif /* WP_STORAGE_H */
