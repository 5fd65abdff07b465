// SPDX-License-Identifier: GPL-2.0-only
/*
 * Administrators' authentication: login tokens that expire, API tokens
 * for scripts that do not, roles, and bearer-token resolution for every
 * request (admins and devices alike).  Only the SHA-256 of a token is
 * stored, so a database dump does not hand out credentials.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "resource.h"
#include "../util/crypto.h"
#include "../util/json.h"

const char *wp_role_name(enum wp_role role)
{
	switch (role) {
	case ROLE_ADMIN: return "admin";
	case ROLE_HELPDESK: return "helpdesk";
	case ROLE_READONLY: return "read-only";
	default: return "none";
	}
}

enum wp_role wp_role_parse(const char *name)
{
	if (!name)
		return ROLE_NONE;
	if (!strcmp(name, "admin"))
		return ROLE_ADMIN;
	if (!strcmp(name, "helpdesk"))
		return ROLE_HELPDESK;
	if (!strcmp(name, "read-only"))
		return ROLE_READONLY;
	return ROLE_NONE;
}

int wp_token_issue(struct db_tx *tx, const char *kind, const char *prefix,
		   const char *subject_id, const char *name, int64_t expires_at,
		   char *out, size_t out_size, char id_out[37], struct wp_err *err)
{
	char hash[WP_SHA256_HEX], now[DB_INT_LEN], exp[DB_INT_LEN];
	const char *params[7];

	if (wp_token_new(prefix, out, out_size) || wp_uuid_new(id_out))
		return WP_INTERNAL(err, "no randomness for a token");
	wp_sha256_hex(out, strlen(out), hash);
	params[0] = hash;
	params[1] = id_out;
	params[2] = kind;
	params[3] = subject_id;
	params[4] = name;
	params[5] = db_int(now, wp_now_ms());
	params[6] = expires_at ? db_int(exp, expires_at) : NULL;
	return db_exec(tx, "INSERT INTO tokens (hash, id, kind, subject_id, name,"
		       " created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		       7, params, NULL, NULL, err);
}

int wp_auth_resolve(struct wp_app *app, const char *bearer,
		    struct wp_principal *who, struct wp_err *err)
{
	char hash[WP_SHA256_HEX];
	const char *params[1] = { hash };
	struct db_rows *rows = NULL;
	struct db_tx *tx;
	const char *kind, *expires;

	memset(who, 0, sizeof(*who));
	if (!bearer || !*bearer || strlen(bearer) > 200)
		return wp_fail(err, 401, "unauthorized", NULL,
			       "missing or malformed bearer token");
	wp_sha256_hex(bearer, strlen(bearer), hash);
	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_exec(tx, "SELECT t.kind, t.subject_id, t.expires_at, t.id, a.username, a.role"
		    " FROM tokens t LEFT JOIN admins a ON a.id = t.subject_id"
		    " WHERE t.hash = $1", 1, params, &rows, NULL, err)) {
		db_rollback(tx);
		return -1;
	}
	db_rollback(tx);
	if (!rows->nrows)
		goto unknown;
	kind = db_val(rows, 0, 0);
	expires = db_val(rows, 0, 2);
	if (expires && db_atoll(expires) <= wp_now_ms()) {
		db_rows_free(rows);
		return wp_fail(err, 401, "unauthorized", NULL, "token expired");
	}
	snprintf(who->id, sizeof(who->id), "%s", db_val(rows, 0, 1));
	snprintf(who->token_id, sizeof(who->token_id), "%s", db_val(rows, 0, 3));
	if (!strcmp(kind, "session") || !strcmp(kind, "api")) {
		if (!db_val(rows, 0, 4))
			goto unknown;	/* the administrator was deleted */
		who->kind = PRINCIPAL_ADMIN;
		who->api_token = !strcmp(kind, "api");
		who->role = wp_role_parse(db_val(rows, 0, 5));
		snprintf(who->name, sizeof(who->name), "%s", db_val(rows, 0, 4));
	} else if (!strcmp(kind, "device")) {
		who->kind = PRINCIPAL_DEVICE;
		snprintf(who->name, sizeof(who->name), "device:%s", who->id);
	} else {
		goto unknown;	/* enrolment tokens are not bearer credentials */
	}
	db_rows_free(rows);
	return 0;
unknown:
	db_rows_free(rows);
	memset(who, 0, sizeof(*who));
	return wp_fail(err, 401, "unauthorized", NULL, "unknown bearer token");
}

static json_object *admin_json(const char *id, const char *username, const char *role)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "username", json_object_new_string(username));
	json_object_object_add(o, "role", json_object_new_string(role));
	return o;
}

int wp_auth_login(struct wp_app *app, json_object *body, json_object **out,
		  struct wp_err *err)
{
	static const char *const allowed[] = { "username", "password", NULL };
	/* Verified when the user does not exist, so timing tells nothing. */
	static const char dummy[] = "pbkdf2-sha256$100000$00000000000000000000000000000000$"
		"0000000000000000000000000000000000000000000000000000000000000000";
	const char *username, *password, *params[1];
	char token[128], token_id[37];
	struct wp_principal who = { 0 };
	struct db_rows *rows = NULL;
	struct db_tx *tx;
	int64_t expires;
	bool ok;

	if (wpj_only(body, allowed, err) ||
	    wpj_string(body, "username", true, 64, &username, err) ||
	    wpj_string(body, "password", true, 256, &password, err))
		return -1;
	params[0] = username;
	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_exec(tx, "SELECT id, password_hash, role FROM admins WHERE username = $1",
		    1, params, &rows, NULL, err))
		goto fail;
	/* Hash outside the lock's hot path would be nicer; logins are rare. */
	ok = wp_password_verify(password, rows->nrows ? db_val(rows, 0, 1) : dummy) &&
	     rows->nrows;
	if (!ok) {
		wp_fail(err, 401, "unauthorized", NULL, "wrong username or password");
		goto fail;
	}
	expires = wp_now_ms() + (int64_t)app->cfg->session_ttl_s * 1000;
	who.kind = PRINCIPAL_ADMIN;
	snprintf(who.name, sizeof(who.name), "%s", username);
	if (wp_token_issue(tx, "session", "wps_", db_val(rows, 0, 0), "login", expires,
			   token, sizeof(token), token_id, err) ||
	    wp_audit(tx, &who, "login", "admin", db_val(rows, 0, 0), NULL, NULL,
		     "%s logged in", username))
		goto fail;
	*out = json_object_new_object();
	json_object_object_add(*out, "token", json_object_new_string(token));
	json_object_object_add(*out, "expires_at", json_object_new_int64(expires));
	json_object_object_add(*out, "admin", admin_json(db_val(rows, 0, 0), username,
							 db_val(rows, 0, 2)));
	db_rows_free(rows);
	if (db_commit(tx, err)) {
		json_object_put(*out);
		return -1;
	}
	return 0;
fail:
	db_rows_free(rows);
	db_rollback(tx);
	return -1;
}

int wp_auth_logout(struct wp_app *app, const struct wp_principal *who,
		   struct wp_err *err)
{
	const char *params[1] = { who->token_id };
	struct db_tx *tx;

	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_exec(tx, "DELETE FROM tokens WHERE id = $1", 1, params, NULL, NULL, err)) {
		db_rollback(tx);
		return -1;
	}
	return db_commit(tx, err);
}

int wp_auth_me(struct wp_app *app, const struct wp_principal *who,
	       json_object **out, struct wp_err *err)
{
	(void)app;
	(void)err;
	*out = admin_json(who->id, who->name, wp_role_name(who->role));
	json_object_object_add(*out, "api_token", json_object_new_boolean(who->api_token));
	return 0;
}

int wp_api_token_create(struct wp_app *app, const struct wp_principal *who,
			json_object *body, json_object **out, struct wp_err *err)
{
	static const char *const allowed[] = { "name", NULL };
	char token[128], id[37];
	const char *name;
	struct db_tx *tx;

	if (wpj_only(body, allowed, err) || wpj_string(body, "name", true, 128, &name, err))
		return -1;
	if (db_begin(app->db, &tx, err))
		return -1;
	if (wp_token_issue(tx, "api", "wpk_", who->id, name, 0, token, sizeof(token), id, err) ||
	    wp_audit(tx, who, "create", "api_token", id, NULL, NULL,
		     "%s created API token %s", who->name, name)) {
		db_rollback(tx);
		return -1;
	}
	if (db_commit(tx, err))
		return -1;
	*out = json_object_new_object();
	json_object_object_add(*out, "id", json_object_new_string(id));
	json_object_object_add(*out, "name", json_object_new_string(name));
	json_object_object_add(*out, "token", json_object_new_string(token));
	return 0;
}

const char *const wp_api_token_list_params[] = { "name", NULL };

int wp_api_token_list(struct wp_app *app, const struct wp_principal *who,
		      const struct wp_kv *q, int nq, json_object **out,
		      struct wp_err *err)
{
	const char *const *allowed = wp_api_token_list_params;
	/* $2: an optional exact name; NULL matches every token. */
	static const char where[] = "WHERE kind = 'api' AND subject_id = $1"
		" AND (CAST($2 AS TEXT) IS NULL OR name = $2)";
	const char *params[4];
	char lim[DB_INT_LEN], off[DB_INT_LEN], sql[400];
	struct db_rows *rows = NULL, *count = NULL;
	struct wp_page page;
	struct db_tx *tx;
	json_object *items;

	if (wp_page_parse(q, nq, allowed, &page, err) || db_begin(app->db, &tx, err))
		return -1;
	params[0] = who->id;
	params[1] = wp_query_get(q, nq, "name");
	params[2] = db_int(lim, page.limit);
	params[3] = db_int(off, page.offset);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM tokens %s", where);
	if (db_exec(tx, sql, 2, params, &count, NULL, err))
		goto fail;
	snprintf(sql, sizeof(sql), "SELECT id, name, created_at FROM tokens %s"
		 " ORDER BY created_at, id LIMIT CAST($3 AS INTEGER) OFFSET CAST($4 AS INTEGER)",
		 where);
	if (db_exec(tx, sql, 4, params, &rows, NULL, err))
		goto fail;
	db_rollback(tx);
	items = json_object_new_array();
	for (int r = 0; r < rows->nrows; r++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(db_val(rows, r, 0)));
		json_object_object_add(o, "name", wpj_new_string(db_val(rows, r, 1)));
		json_object_object_add(o, "created_at",
				       json_object_new_int64(db_atoll(db_val(rows, r, 2))));
		json_object_array_add(items, o);
	}
	*out = wp_page_result(items, db_atoll(db_val(count, 0, 0)), &page);
	db_rows_free(rows);
	db_rows_free(count);
	return 0;
fail:
	db_rows_free(count);
	db_rollback(tx);
	return -1;
}

int wp_api_token_delete(struct wp_app *app, const struct wp_principal *who,
			const char *id, struct wp_err *err)
{
	const char *params[2] = { id, who->id };
	long long changes = 0;
	struct db_tx *tx;

	if (db_begin(app->db, &tx, err))
		return -1;
	if (db_exec(tx, "DELETE FROM tokens WHERE id = $1 AND kind = 'api' AND subject_id = $2",
		    2, params, NULL, &changes, err) ||
	    (changes && wp_audit(tx, who, "delete", "api_token", id, NULL, NULL,
				 "%s revoked API token %s", who->name, id))) {
		db_rollback(tx);
		return -1;
	}
	if (!changes) {
		db_rollback(tx);
		return wp_fail(err, 404, "not_found", NULL, "API token %s not found", id);
	}
	return db_commit(tx, err);
}

int wp_admin_bootstrap(struct wp_app *app, const char *username, const char *role,
		       const char *password, struct wp_err *err)
{
	struct wp_principal system = { .kind = PRINCIPAL_NONE, .name = "wpserver" };
	json_object *body = json_object_new_object(), *out = NULL;
	int ret;

	json_object_object_add(body, "username", json_object_new_string(username));
	json_object_object_add(body, "role", json_object_new_string(role));
	json_object_object_add(body, "password", json_object_new_string(password));
	ret = wp_resource_create(app, &wp_res_admins, &system, body, &out, err);
	json_object_put(body);
	json_object_put(out);
	return ret;
}
