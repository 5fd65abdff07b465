// SPDX-License-Identifier: GPL-2.0-only
/*
 * PostgreSQL backend (libpq): a pool of connections, one per HTTP worker
 * thread.  Several wpserver instances may share one database: migrations
 * and the few read-modify-write sequences (mass-wipe counting, policy
 * versions) take transaction-scoped advisory locks, everything else relies
 * on row-level constraints (UUID keys, ON CONFLICT).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../storage.h"

struct pg_state {
	char *conninfo;
	int size;
	PGconn **conns;
	bool *busy;
	pthread_mutex_t lock;
	pthread_cond_t freed;
};

static int pg_fail_result(PGconn *conn, PGresult *res, struct wp_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	char clean[300];
	size_t n;

	snprintf(clean, sizeof(clean), "%s", msg && *msg ? msg : PQerrorMessage(conn));
	n = strlen(clean);
	while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	if (state && !strcmp(state, "23505"))
		return wp_fail(err, 409, "conflict", NULL, "already exists (%s)", clean);
	if (state && !strcmp(state, "23503"))
		return wp_fail(err, 409, "in_use", NULL,
			       "referenced by or referencing another object (%s)", clean);
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
		return wp_fail(err, 503, "busy", NULL, "database busy: %s", clean);
	return WP_INTERNAL(err, "postgresql: %s", clean);
}

static int pg_exec(void *conn_, const char *sql, int nparams,
		   const char *const *params, struct db_rows **rows,
		   long long *changes, struct wp_err *err)
{
	PGconn *conn = conn_;
	PGresult *res;
	ExecStatusType st;
	struct db_rows *r = NULL;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_fail_result(conn, res, err);
		PQclear(res);
		return -1;
	}
	if (changes) {
		const char *t = PQcmdTuples(res);

		*changes = t && *t ? strtoll(t, NULL, 10) : 0;
	}
	if (rows) {
		int nrows = PQntuples(res), ncols = PQnfields(res);

		r = calloc(1, sizeof(*r));
		if (!r)
			goto oom;
		r->ncols = ncols;
		r->names = calloc((size_t)ncols + 1, sizeof(char *));
		r->vals = calloc((size_t)nrows * ncols + 1, sizeof(char *));
		if (!r->names || !r->vals)
			goto oom;
		for (int c = 0; c < ncols; c++)
			if (!(r->names[c] = strdup(PQfname(res, c))))
				goto oom;
		for (int i = 0; i < nrows; i++) {
			r->nrows = i + 1;
			for (int c = 0; c < ncols; c++)
				if (!PQgetisnull(res, i, c) &&
				    !(r->vals[(long)i * ncols + c] = strdup(PQgetvalue(res, i, c))))
					goto oom;
		}
		*rows = r;
	}
	PQclear(res);
	return 0;
oom:
	PQclear(res);
	db_rows_free(r);
	return WP_INTERNAL(err, "out of memory reading a result");
}

static int pg_connect(const char *conninfo, PGconn **out, struct wp_err *err)
{
	PGconn *conn = PQconnectdb(conninfo);

	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		wp_fail(err, 500, "storage", "db", "postgresql: cannot connect: %s",
			conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return -1;
	}
	/* Quiet NOTICEs (e.g. "relation already exists, skipping"). */
	PQclear(PQexec(conn, "SET client_min_messages = warning"));
	*out = conn;
	return 0;
}

static void pg_close(void *state)
{
	struct pg_state *s = state;

	for (int i = 0; i < s->size; i++)
		PQfinish(s->conns[i]);
	free(s->conns);
	free(s->busy);
	free(s->conninfo);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->freed);
	free(s);
}

static int pg_open(const char *url, int pool_size, void **out, struct wp_err *err)
{
	struct pg_state *s = calloc(1, sizeof(*s));

	if (!s)
		return WP_INTERNAL(err, "out of memory");
	s->size = pool_size < 1 ? 1 : pool_size;
	s->conninfo = strdup(url);
	s->conns = calloc((size_t)s->size, sizeof(PGconn *));
	s->busy = calloc((size_t)s->size, sizeof(bool));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	if (!s->conninfo || !s->conns || !s->busy) {
		pg_close(s);
		return WP_INTERNAL(err, "out of memory");
	}
	for (int i = 0; i < s->size; i++)
		if (pg_connect(url, &s->conns[i], err)) {
			pg_close(s);
			return -1;
		}
	*out = s;
	return 0;
}

static int pg_acquire(void *state, void **conn, struct wp_err *err)
{
	struct pg_state *s = state;
	int i;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (i = 0; i < s->size && s->busy[i]; i++)
			;
		if (i < s->size)
			break;
		pthread_cond_wait(&s->freed, &s->lock);
	}
	s->busy[i] = true;
	pthread_mutex_unlock(&s->lock);
	/* A connection the server dropped is re-established here. */
	if (PQstatus(s->conns[i]) != CONNECTION_OK) {
		PQreset(s->conns[i]);
		if (PQstatus(s->conns[i]) != CONNECTION_OK) {
			pthread_mutex_lock(&s->lock);
			s->busy[i] = false;
			pthread_cond_signal(&s->freed);
			pthread_mutex_unlock(&s->lock);
			return wp_fail(err, 503, "storage_unavailable", NULL,
				       "postgresql: %s", PQerrorMessage(s->conns[i]));
		}
	}
	*conn = s->conns[i];
	return 0;
}

static void pg_release(void *state, void *conn, bool broken)
{
	struct pg_state *s = state;

	if (broken && PQstatus(conn) != CONNECTION_OK)
		PQreset(conn);
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->size; i++)
		if (s->conns[i] == conn)
			s->busy[i] = false;
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

static int pg_lock(void *conn, const char *name, struct wp_err *err)
{
	const char *params[1] = { name };

	return pg_exec(conn, "SELECT pg_advisory_xact_lock(hashtext($1))", 1,
		       params, NULL, NULL, err);
}

static int pg_check(void *conn, struct wp_err *err)
{
	/* PostgreSQL checks its own pages; verify the references are whole. */
	struct db_rows *rows;
	int ret;

	if (pg_exec(conn, "SELECT (SELECT COUNT(*) FROM commands c WHERE NOT EXISTS"
		    " (SELECT 1 FROM devices d WHERE d.id = c.device_id))"
		    " + (SELECT COUNT(*) FROM devices d WHERE NOT EXISTS"
		    " (SELECT 1 FROM users u WHERE u.id = d.user_id))",
		    0, NULL, &rows, NULL, err))
		return -1;
	ret = strcmp(db_val(rows, 0, 0), "0") ?
	      WP_INTERNAL(err, "%s dangling rows", db_val(rows, 0, 0)) : 0;
	db_rows_free(rows);
	return ret;
}

const struct db_driver db_pgsql_driver = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.acquire = pg_acquire,
	.release = pg_release,
	.exec = pg_exec,
	.lock = pg_lock,
	.begin_sql = "BEGIN",
	.check = pg_check,
};
