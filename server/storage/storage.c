// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend selection, transactions and migrations on top of a driver.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "../util/crypto.h"
#include "../util/log.h"

struct db {
	const struct db_driver *driver;
	void *state;
};

struct db_tx {
	struct db *db;
	void *conn;
};

const char *db_get(const struct db_rows *r, int row, const char *name)
{
	for (int c = 0; c < r->ncols; c++)
		if (!strcmp(r->names[c], name))
			return db_val(r, row, c);
	return NULL;
}

void db_rows_free(struct db_rows *r)
{
	if (!r)
		return;
	for (long i = 0; i < (long)r->nrows * r->ncols; i++)
		free(r->vals[i]);
	for (int c = 0; c < r->ncols; c++)
		free(r->names[c]);
	free(r->vals);
	free(r->names);
	free(r);
}

const char *db_int(char buf[DB_INT_LEN], long long v)
{
	snprintf(buf, DB_INT_LEN, "%lld", v);
	return buf;
}

long long db_atoll(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

const char *db_backend(const struct db *db)
{
	return db->driver->name;
}

int db_begin(struct db *db, struct db_tx **out, struct wp_err *err)
{
	struct db_tx *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return WP_INTERNAL(err, "out of memory");
	tx->db = db;
	if (db->driver->acquire(db->state, &tx->conn, err)) {
		free(tx);
		return -1;
	}
	if (db->driver->exec(tx->conn, db->driver->begin_sql, 0, NULL, NULL,
			     NULL, err)) {
		db->driver->release(db->state, tx->conn, true);
		free(tx);
		return -1;
	}
	*out = tx;
	return 0;
}

int db_commit(struct db_tx *tx, struct wp_err *err)
{
	int ret = tx->db->driver->exec(tx->conn, "COMMIT", 0, NULL, NULL, NULL, err);

	if (ret) {
		/* A failed COMMIT leaves nothing applied; say so and clean up. */
		wp_err_prefix(err, "commit failed, nothing was stored");
		tx->db->driver->exec(tx->conn, "ROLLBACK", 0, NULL, NULL, NULL, NULL);
	}
	tx->db->driver->release(tx->db->state, tx->conn, ret != 0);
	free(tx);
	return ret;
}

void db_rollback(struct db_tx *tx)
{
	struct wp_err ignored;
	int ret;

	if (!tx)
		return;
	ret = tx->db->driver->exec(tx->conn, "ROLLBACK", 0, NULL, NULL, NULL, &ignored);
	tx->db->driver->release(tx->db->state, tx->conn, ret != 0);
	free(tx);
}

int db_lock(struct db_tx *tx, const char *name, struct wp_err *err)
{
	return tx->db->driver->lock(tx->conn, name, err);
}

int db_exec(struct db_tx *tx, const char *sql, int nparams,
	    const char *const *params, struct db_rows **rows,
	    long long *changes, struct wp_err *err)
{
	if (rows)
		*rows = NULL;
	return tx->db->driver->exec(tx->conn, sql, nparams, params, rows,
				    changes, err);
}

int db_one(struct db_tx *tx, const char *sql, int nparams,
	   const char *const *params, const char *what, struct db_rows **row,
	   struct wp_err *err)
{
	if (db_exec(tx, sql, nparams, params, row, NULL, err))
		return -1;
	if ((*row)->nrows == 0) {
		db_rows_free(*row);
		*row = NULL;
		return wp_fail(err, 404, "not_found", NULL, "%s not found", what);
	}
	return 0;
}

/* The newest schema version this binary knows. */
static int schema_latest(void)
{
	int latest = 0;

	for (const struct db_migration *m = db_migrations; m->version; m++)
		latest = m->version;
	return latest;
}

/*
 * WPSERVER_SCHEMA_MAX=N, for the upgrade tests only: migrations stop after
 * version N, making a database as an older wpserver left it (with, e.g.,
 * wpserver create-admin); wpserver serve refuses such a database (see
 * db_require_latest()).  *@max is N, or -1 when the variable is unset or
 * empty; anything but a positive decimal integer is refused.
 */
static int schema_max(int *max, struct wp_err *err)
{
	const char *s = getenv("WPSERVER_SCHEMA_MAX");
	char *end;
	long v;

	*max = -1;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 1 || v > 1000000)
		return wp_fail(err, 400, "invalid_config", "WPSERVER_SCHEMA_MAX",
			       "WPSERVER_SCHEMA_MAX must be a positive integer (a schema"
			       " version, for tests only), not '%.40s'", s);
	*max = (int)v;
	wp_log(WP_LOG_WARN, "WPSERVER_SCHEMA_MAX is set: schema migrations stop at that"
	       " version (for tests only)", "value", s, NULL);
	return 0;
}

/*
 * Apply the migrations the database lacks, up to WPSERVER_SCHEMA_MAX if
 * set (see schema_max()).  A database newer than this binary is refused:
 * an older wpserver must not write to a schema it does not know.
 */
static int migrate(struct db *db, struct wp_err *err)
{
	int max, latest = schema_latest();
	struct db_tx *tx;
	struct db_rows *rows;
	int current;

	if (schema_max(&max, err) || db_begin(db, &tx, err))
		return -1;
	/* One instance migrates; the others wait here, then find it done. */
	if (db_lock(tx, "schema", err) ||
	    db_exec(tx, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version INTEGER PRIMARY KEY, title TEXT NOT NULL,"
		    " applied_at BIGINT NOT NULL)", 0, NULL, NULL, NULL, err) ||
	    db_exec(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
		    0, NULL, &rows, NULL, err))
		goto fail;
	current = (int)db_atoll(db_val(rows, 0, 0));
	db_rows_free(rows);
	if (current > latest) {
		wp_fail(err, 500, "schema_too_new", NULL,
			"the database has schema version %d, newer than this wpserver's %d:"
			" run a wpserver at least as new as the one that upgraded it",
			current, latest);
		goto fail;
	}
	for (const struct db_migration *m = db_migrations; m->version; m++) {
		char version[DB_INT_LEN], now[DB_INT_LEN];
		const char *params[3];

		if (m->version <= current || (max >= 0 && m->version > max))
			continue;
		for (const char *const *s = m->statements; *s; s++)
			if (db_exec(tx, *s, 0, NULL, NULL, NULL, err)) {
				wp_err_prefix(err, "schema migration %d (%s)",
					      m->version, m->title);
				goto fail;
			}
		params[0] = db_int(version, m->version);
		params[1] = m->title;
		params[2] = db_int(now, wp_now_ms());
		if (db_exec(tx, "INSERT INTO schema_migrations (version, title, applied_at)"
			    " VALUES ($1, $2, $3)", 3, params, NULL, NULL, err))
			goto fail;
		wp_log(WP_LOG_INFO, "schema migration applied", "version", version,
		       "title", m->title, NULL);
	}
	return db_commit(tx, err);
fail:
	db_rollback(tx);
	return -1;
}

int db_open(const char *url, int pool_size, struct db **out, struct wp_err *err)
{
	struct db *db = calloc(1, sizeof(*db));
	const char *target;

	if (!db)
		return WP_INTERNAL(err, "out of memory");
	if (!strncmp(url, "sqlite:", 7)) {
		db->driver = &db_sqlite_driver;
		target = url + 7;
	} else if (!strncmp(url, "postgres://", 11) ||
		   !strncmp(url, "postgresql://", 13)) {
		db->driver = &db_pgsql_driver;
		target = url;
	} else {
		free(db);
		return wp_fail(err, 400, "invalid_config", "db",
			       "database URL must start with sqlite: or postgres://");
	}
	if (db->driver->open(target, pool_size, &db->state, err)) {
		free(db);
		return -1;
	}
	if (migrate(db, err)) {
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	db->driver->close(db->state);
	free(db);
}

int db_schema_version(struct db *db, int *version, struct wp_err *err)
{
	struct db_tx *tx;
	struct db_rows *rows;

	if (db_begin(db, &tx, err))
		return -1;
	if (db_exec(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
		    0, NULL, &rows, NULL, err)) {
		db_rollback(tx);
		return -1;
	}
	*version = (int)db_atoll(db_val(rows, 0, 0));
	db_rows_free(rows);
	db_rollback(tx);
	return 0;
}

int db_require_latest(struct db *db, struct wp_err *err)
{
	int version, latest = schema_latest();

	if (db_schema_version(db, &version, err))
		return -1;
	if (version < latest)
		return wp_fail(err, 500, "schema_too_old", "WPSERVER_SCHEMA_MAX",
			       "the database has schema version %d, older than this wpserver's"
			       " %d: unset WPSERVER_SCHEMA_MAX (for tests only) to upgrade it at"
			       " start", version, latest);
	return 0;
}

int db_check(struct db *db, struct wp_err *err)
{
	void *conn;
	int ret;

	if (db->driver->acquire(db->state, &conn, err))
		return -1;
	ret = db->driver->check(conn, err);
	db->driver->release(db->state, conn, false);
	return ret;
}
