// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commands to devices (lock, unlock, wipe, install/remove an application,
 * image update, policy change, certificate re-pin) and scheduled jobs
 * (commands with a not_before time).
 *
 * A command's UUID is its primary key and the client may choose it, so a
 * retried request creates nothing new; its result is stored once (first
 * report wins).  States:
 *
 *   held -> queued -> sent -> done | failed
 *   held, queued, sent -> expired (TTL) | cancelled
 *
 * "held" is the mass-wipe protection: a wipe beyond the configured count in
 * the configured window waits for a second administrator's approval.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"
#include "../util/crypto.h"
#include "../util/json.h"

struct command_type {
	const char *name;
	enum wp_role min_role;
	const char *param;		/* required id parameter, if any */
	const char *param_table;
};

static const struct command_type command_types[] = {
	{ "lock", ROLE_HELPDESK, NULL, NULL },
	{ "unlock", ROLE_HELPDESK, NULL, NULL },
	{ "wipe", ROLE_ADMIN, NULL, NULL },
	{ "install_app", ROLE_HELPDESK, "app_id", "apps" },
	{ "remove_app", ROLE_HELPDESK, "app_id", "apps" },
	{ "image_update", ROLE_ADMIN, "image_id", "images" },
	{ "policy_change", ROLE_ADMIN, NULL, NULL },
	{ "repin", ROLE_ADMIN, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};

#define TTL_DEFAULT_S (7 * 86400)
#define TTL_MAX_S (90 * 86400)

/* State as shown: pending commands past their TTL are expired. */
#define STATE_SQL "CASE WHEN c.state IN ('held', 'queued', 'sent') AND c.expires_at <= %" \
	PRId64 " THEN 'expired' ELSE c.state END"

#define COMMAND_COLS "c.id, c.device_id, c.type, c.params, %s AS state, c.created_by," \
	" c.approved_by, c.not_before, c.expires_at, c.delivered_at, c.completed_at," \
	" c.created_at, c.updated_at, r.status AS result_status, r.result, r.reported_at"

static void command_cols(char *buf, size_t size)
{
	char state[256];

	snprintf(state, sizeof(state), STATE_SQL, wp_now_ms());
	snprintf(buf, size, COMMAND_COLS, state);
}

static json_object *command_json(const struct db_rows *rows, int r)
{
	static const char *const strings[] = { "id", "device_id", "type", "state",
					       "created_by", "approved_by", NULL };
	static const char *const ints[] = { "not_before", "expires_at", "delivered_at",
					    "completed_at", "created_at", "updated_at", NULL };
	json_object *o = json_object_new_object(), *result = NULL;
	const char *v;

	for (const char *const *s = strings; *s; s++)
		json_object_object_add(o, *s, wpj_new_string(db_get(rows, r, *s)));
	json_object_object_add(o, "params", json_tokener_parse(db_get(rows, r, "params")));
	for (const char *const *s = ints; *s; s++) {
		v = db_get(rows, r, *s);
		json_object_object_add(o, *s, v ? json_object_new_int64(db_atoll(v)) : NULL);
	}
	if ((v = db_get(rows, r, "result_status"))) {
		result = json_object_new_object();
		json_object_object_add(result, "status", json_object_new_string(v));
		json_object_object_add(result, "result",
				       json_tokener_parse(db_get(rows, r, "result")));
		json_object_object_add(result, "reported_at",
				       json_object_new_int64(db_atoll(db_get(rows, r, "reported_at"))));
	}
	json_object_object_add(o, "result", result);
	return o;
}

static int load_command(struct db_tx *tx, const char *id, json_object **out,
			struct wp_err *err)
{
	char cols[1024], sql[1400];
	const char *params[1] = { id };
	struct db_rows *rows;

	command_cols(cols, sizeof(cols));
	snprintf(sql, sizeof(sql), "SELECT %s FROM commands c"
		 " LEFT JOIN command_results r ON r.command_id = c.id WHERE c.id = $1", cols);
	if (db_one(tx, sql, 1, params, "command", &rows, err))
		return -1;
	*out = command_json(rows, 0);
	db_rows_free(rows);
	return 0;
}

static const struct command_type *type_find(const char *name)
{
	for (const struct command_type *t = command_types; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* Check @params against the command type; ids must name existing content. */
static int check_params(struct db_tx *tx, const struct command_type *t,
			json_object *params, struct wp_err *err)
{
	char field[64], sql[160];
	const char *id, *p[1];
	struct db_rows *rows;
	int ok;

	json_object_object_foreach(params, key, val) {
		(void)val;
		if (!t->param || strcmp(key, t->param)) {
			snprintf(field, sizeof(field), "params.%s", key);
			return wp_fail(err, 400, "unknown_field", field,
				       "'%s' is not a parameter of %s", field, t->name);
		}
	}
	if (!t->param)
		return 0;
	snprintf(field, sizeof(field), "params.%s", t->param);
	if (wpj_string(params, t->param, true, 64, &id, err)) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		return -1;
	}
	if (!wp_uuid_valid(id))
		return WP_BAD(err, field, "'%s' is not a valid id", field);
	snprintf(sql, sizeof(sql), "SELECT sha256 FROM %s WHERE id = $1", t->param_table);
	p[0] = id;
	if (db_exec(tx, sql, 1, p, &rows, NULL, err))
		return -1;
	ok = rows->nrows && db_val(rows, 0, 0);
	db_rows_free(rows);
	if (!ok)
		return wp_fail(err, 400, "invalid_reference", field,
			       "'%s': no such object with uploaded content: %s", field, id);
	return 0;
}

int wp_command_create(struct wp_app *app, const struct wp_principal *who,
		      json_object *body, json_object **out, bool *created,
		      struct wp_err *err)
{
	static const char *const allowed[] = { "id", "device_id", "type", "params",
					       "ttl_s", "not_before", NULL };
	const char *id_in, *device_id, *type_name, *p[11];
	char id[37], hash[WP_SHA256_HEX], req[2048], now_s[DB_INT_LEN], exp_s[DB_INT_LEN];
	char nb_s[DB_INT_LEN], since_s[DB_INT_LEN];
	long long ttl = TTL_DEFAULT_S, not_before = 0;
	bool has_nb = false, has_ttl;
	const struct command_type *t;
	json_object *params = NULL, *existing = NULL;
	struct db_rows *rows = NULL;
	struct db_tx *tx = NULL;
	const char *state = "queued";
	long long changes;
	int64_t now = wp_now_ms();

	*created = false;
	if (wpj_only(body, allowed, err) ||
	    wpj_string(body, "id", false, 36, &id_in, err) ||
	    wpj_string(body, "device_id", true, 36, &device_id, err) ||
	    wpj_string(body, "type", true, 32, &type_name, err) ||
	    wpj_int(body, "ttl_s", false, 1, TTL_MAX_S, &ttl, &has_ttl, err) ||
	    wpj_int(body, "not_before", false, 0, INT64_MAX / 2, &not_before, &has_nb, err))
		return -1;
	if (id_in && !wp_uuid_valid(id_in))
		return WP_BAD(err, "id", "'id' must be a UUID");
	if (!wp_uuid_valid(device_id))
		return WP_BAD(err, "device_id", "'device_id' must be a UUID");
	if (!(t = type_find(type_name)))
		return WP_BAD(err, "type", "'type' must be one of: lock, unlock, wipe, install_app,"
			      " remove_app, image_update, policy_change, repin");
	if (who->role < t->min_role)
		return wp_fail(err, 403, "forbidden", "type",
			       "role %s may not send %s commands", wp_role_name(who->role), t->name);
	if (json_object_object_get_ex(body, "params", &params) && params &&
	    !json_object_is_type(params, json_type_object))
		return WP_BAD(err, "params", "'params' must be a JSON object");
	if (!strcmp(t->name, "repin") && !app->next_signer)
		return wp_fail(err, 409, "no_next_key", "type",
			       "no next key to pin: run 'wpserver keygen --next' first");
	if (id_in) {
		for (int i = 0; i < 36; i++)
			id[i] = (char)(id_in[i] >= 'A' && id_in[i] <= 'F' ? id_in[i] + 32 : id_in[i]);
		id[36] = '\0';
	} else if (wp_uuid_new(id)) {
		return WP_INTERNAL(err, "no randomness");
	}
	snprintf(req, sizeof(req), "%s|%s|%s|%lld|%lld", device_id, t->name,
		 params ? wpj_text(params) : "{}", ttl, not_before);
	wp_sha256_hex(req, strlen(req), hash);

	if (db_begin(app->db, &tx, err))
		return -1;
	/* A repeated request: answer with what the first one created. */
	p[0] = id;
	if (db_exec(tx, "SELECT request_hash FROM commands WHERE id = $1", 1, p, &rows,
		    NULL, err))
		goto fail;
	if (rows->nrows) {
		if (strcmp(db_val(rows, 0, 0), hash)) {
			wp_fail(err, 409, "conflict", "id",
				"command %s exists with different content", id);
			goto fail;
		}
		db_rows_free(rows);
		rows = NULL;
		goto existing;
	}
	db_rows_free(rows);
	rows = NULL;
	p[0] = device_id;
	if (db_exec(tx, "SELECT status FROM devices WHERE id = $1", 1, p, &rows, NULL, err))
		goto fail;
	if (!rows->nrows) {
		wp_fail(err, 400, "invalid_reference", "device_id", "no device %s", device_id);
		goto fail;
	}
	if (!strcmp(db_val(rows, 0, 0), "wiped")) {
		wp_fail(err, 409, "device_wiped", "device_id", "device %s was wiped", device_id);
		goto fail;
	}
	db_rows_free(rows);
	rows = NULL;
	{
		json_object *empty = json_object_new_object();
		int bad = check_params(tx, t, params ? params : empty, err);

		json_object_put(empty);
		if (bad)
			goto fail;
	}
	if (!strcmp(t->name, "wipe")) {
		/* Count the window under a lock shared by every instance. */
		p[0] = db_int(since_s, now - (int64_t)app->cfg->wipe_hold_window_s * 1000);
		if (db_lock(tx, "wipe_window", err) ||
		    db_exec(tx, "SELECT COUNT(*) FROM commands WHERE type = 'wipe'"
			    " AND created_at >= $1 AND state <> 'cancelled'", 1, p, &rows,
			    NULL, err))
			goto fail;
		if (app->cfg->wipe_hold_count >= 0 &&	/* -1: "off" */
		    db_atoll(db_val(rows, 0, 0)) >= app->cfg->wipe_hold_count)
			state = "held";
		db_rows_free(rows);
		rows = NULL;
	}
	p[0] = id;
	p[1] = device_id;
	p[2] = t->name;
	p[3] = params ? wpj_text(params) : "{}";
	p[4] = state;
	p[5] = hash;
	p[6] = who->name;
	p[7] = has_nb ? db_int(nb_s, not_before) : NULL;
	p[8] = db_int(exp_s, (has_nb && not_before > now ? not_before : now) + ttl * 1000);
	p[9] = db_int(now_s, now);
	if (db_exec(tx, "INSERT INTO commands (id, device_id, type, params, state,"
		    " request_hash, created_by, not_before, expires_at, created_at, updated_at)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
		    " ON CONFLICT (id) DO NOTHING", 10, p, NULL, &changes, err))
		goto fail;
	if (!changes) {
		/* Another instance inserted the same id meanwhile. */
		db_rollback(tx);
		tx = NULL;
		wp_fail(err, 409, "conflict", "id", "command %s was created concurrently; retry",
			id);
		goto fail;
	}
	if (load_command(tx, id, &existing, err) ||
	    wp_audit(tx, who, "create", "command", id, NULL, existing, "%s %s for device %s",
		     !strcmp(state, "held") ? "held (mass-wipe protection)" : "queued",
		     t->name, device_id))
		goto fail;
	if (db_commit(tx, err)) {
		json_object_put(existing);
		return -1;
	}
	*created = true;
	*out = existing;
	return 0;
existing:
	if (load_command(tx, id, out, err))
		goto fail;
	db_rollback(tx);
	return 0;
fail:
	db_rows_free(rows);
	db_rollback(tx);
	json_object_put(existing);
	return -1;
}

int wp_command_get(struct wp_app *app, const char *id, json_object **out,
		   struct wp_err *err)
{
	struct db_tx *tx;
	int ret;

	if (db_begin(app->db, &tx, err))
		return -1;
	ret = load_command(tx, id, out, err);
	db_rollback(tx);
	return ret;
}

/* The first three are column filters (wp_command_list). */
const char *const wp_command_list_params[] = { "device_id", "state", "type", "scheduled",
					       NULL };

int wp_command_list(struct wp_app *app, const struct wp_kv *q, int nq,
		    json_object **out, struct wp_err *err)
{
	const char *const *allowed = wp_command_list_params;
	char cols[1024], state[256], where[1024] = "", sql[2600];
	char lim[DB_INT_LEN], off[DB_INT_LEN];
	const char *params[5];
	struct db_rows *rows = NULL, *count = NULL;
	struct wp_page page;
	struct db_tx *tx;
	json_object *items;
	const char *sched;
	int np = 0;

	if (wp_page_parse(q, nq, allowed, &page, err))
		return -1;
	command_cols(cols, sizeof(cols));
	snprintf(state, sizeof(state), STATE_SQL, wp_now_ms());
	for (int i = 0; i < 3; i++) {
		const char *v = wp_query_get(q, nq, allowed[i]);

		if (!v)
			continue;
		params[np++] = v;
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s %s%s = $%d",
			 np == 1 ? " WHERE" : " AND", i == 1 ? "" : "c.",
			 i == 1 ? state : allowed[i], np);
	}
	/* Scheduled jobs: a not_before time still in the future. */
	sched = wp_query_get(q, nq, "scheduled");
	if (sched && strcmp(sched, "true") && strcmp(sched, "false"))
		return WP_BAD(err, "scheduled", "'scheduled' must be true or false");
	if (sched)
		snprintf(where + strlen(where), sizeof(where) - strlen(where),
			 !strcmp(sched, "true") ? "%s c.not_before > %" PRId64 :
			 "%s (c.not_before IS NULL OR c.not_before <= %" PRId64 ")",
			 np ? " AND" : " WHERE", wp_now_ms());
	if (db_begin(app->db, &tx, err))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM commands c%s", where);
	if (db_exec(tx, sql, np, params, &count, NULL, err))
		goto fail;
	params[np] = db_int(lim, page.limit);
	params[np + 1] = db_int(off, page.offset);
	snprintf(sql, sizeof(sql), "SELECT %s FROM commands c"
		 " LEFT JOIN command_results r ON r.command_id = c.id%s"
		 " ORDER BY c.created_at DESC, c.id"
		 " LIMIT CAST($%d AS INTEGER) OFFSET CAST($%d AS INTEGER)",
		 cols, where, np + 1, np + 2);
	if (db_exec(tx, sql, np + 2, params, &rows, NULL, err))
		goto fail;
	db_rollback(tx);
	items = json_object_new_array();
	for (int r = 0; r < rows->nrows; r++)
		json_object_array_add(items, command_json(rows, r));
	*out = wp_page_result(items, db_atoll(db_val(count, 0, 0)), &page);
	db_rows_free(rows);
	db_rows_free(count);
	return 0;
fail:
	db_rows_free(count);
	db_rollback(tx);
	return -1;
}

/* Move a command from one of @from states to @to, as @who, with audit. */
static int transition(struct wp_app *app, const struct wp_principal *who,
		      const char *id, const char *const *from, const char *to,
		      bool second_admin, json_object **out, struct wp_err *err)
{
	json_object *before = NULL, *after = NULL, *v;
	const char *state, *params[4];
	char now[DB_INT_LEN];
	struct db_tx *tx;
	bool ok = false;

	if (db_begin(app->db, &tx, err))
		return -1;
	if (load_command(tx, id, &before, err))
		goto fail;
	state = json_object_get_string(json_object_object_get(before, "state"));
	for (const char *const *f = from; *f; f++)
		ok |= !strcmp(*f, state);
	if (!ok) {
		wp_fail(err, 409, "invalid_state", "state", "command %s is %s", id, state);
		goto fail;
	}
	if (second_admin && json_object_object_get_ex(before, "created_by", &v) &&
	    !strcmp(json_object_get_string(v), who->name)) {
		wp_fail(err, 403, "second_admin_required", NULL,
			"a held wipe must be approved by another administrator");
		goto fail;
	}
	params[0] = id;
	params[1] = to;
	params[2] = db_int(now, wp_now_ms());
	params[3] = second_admin ? who->name : NULL;
	if (db_exec(tx, "UPDATE commands SET state = $2, updated_at = $3,"
		    " approved_by = COALESCE($4, approved_by) WHERE id = $1",
		    4, params, NULL, NULL, err) ||
	    load_command(tx, id, &after, err) ||
	    wp_audit(tx, who, second_admin ? "approve" : "cancel", "command", id, before,
		     after, "%s command %s", second_admin ? "approved" : "cancelled", id))
		goto fail;
	json_object_put(before);
	if (db_commit(tx, err)) {
		json_object_put(after);
		return -1;
	}
	*out = after;
	return 0;
fail:
	db_rollback(tx);
	json_object_put(before);
	json_object_put(after);
	return -1;
}

int wp_command_approve(struct wp_app *app, const struct wp_principal *who,
		       const char *id, json_object **out, struct wp_err *err)
{
	static const char *const from[] = { "held", NULL };

	return transition(app, who, id, from, "queued", true, out, err);
}

int wp_command_cancel(struct wp_app *app, const struct wp_principal *who,
		      const char *id, json_object **out, struct wp_err *err)
{
	static const char *const from[] = { "held", "queued", "sent", NULL };

	return transition(app, who, id, from, "cancelled", false, out, err);
}

int wp_commands_take(struct db_tx *tx, const char *device_id, int max,
		     struct db_rows **rows, struct wp_err *err)
{
	char now[DB_INT_LEN], lim[DB_INT_LEN];
	const char *p[3] = { device_id, db_int(now, wp_now_ms()), db_int(lim, max) };

	if (db_exec(tx, "UPDATE commands SET state = 'expired', updated_at = $2"
		    " WHERE device_id = $1 AND state IN ('held', 'queued', 'sent')"
		    " AND expires_at <= $2", 2, p, NULL, NULL, err) ||
	    db_exec(tx, "SELECT id, type, params FROM commands WHERE device_id = $1"
		    " AND state IN ('queued', 'sent')"
		    " AND (not_before IS NULL OR not_before <= $2)"
		    " ORDER BY created_at, id LIMIT CAST($3 AS INTEGER)", 3, p, rows, NULL, err))
		return -1;
	for (int i = 0; i < (*rows)->nrows; i++) {
		const char *u[2] = { db_val(*rows, i, 0), now };

		if (db_exec(tx, "UPDATE commands SET state = 'sent', updated_at = $2,"
			    " delivered_at = COALESCE(delivered_at, $2) WHERE id = $1",
			    2, u, NULL, NULL, err)) {
			db_rows_free(*rows);
			*rows = NULL;
			return -1;
		}
	}
	return 0;
}

int wp_command_result(struct db_tx *tx, const char *device_id,
		      const char *command_id, const char *status,
		      json_object *result, bool *stored, struct wp_err *err)
{
	const char *p[4] = { command_id, device_id };
	char now[DB_INT_LEN];
	struct db_rows *rows;
	const char *new_status = NULL;
	char type[32], params[512];
	long long changes = 0;

	*stored = false;
	if (db_exec(tx, "SELECT type, params FROM commands WHERE id = $1 AND device_id = $2",
		    2, p, &rows, NULL, err))
		return -1;
	if (!rows->nrows) {
		db_rows_free(rows);
		return 0;	/* not this device's command: ignored */
	}
	snprintf(type, sizeof(type), "%s", db_val(rows, 0, 0));
	snprintf(params, sizeof(params), "%s", db_val(rows, 0, 1));
	db_rows_free(rows);
	p[1] = status;
	p[2] = result ? wpj_text(result) : "{}";
	p[3] = db_int(now, wp_now_ms());
	if (db_exec(tx, "INSERT INTO command_results (command_id, status, result, reported_at)"
		    " VALUES ($1, $2, $3, $4) ON CONFLICT (command_id) DO NOTHING",
		    4, p, NULL, &changes, err))
		return -1;
	if (!changes)
		return 0;	/* reported before: the first report stands */
	*stored = true;
	p[2] = now;
	if (db_exec(tx, "UPDATE commands SET state = $2, completed_at = $3, updated_at = $3"
		    " WHERE id = $1", 3, p, NULL, NULL, err))
		return -1;
	if (strcmp(status, "done"))
		return 0;
	if (!strcmp(type, "lock"))
		new_status = "locked";
	else if (!strcmp(type, "unlock"))
		new_status = "active";
	else if (!strcmp(type, "wipe"))
		new_status = "wiped";
	if (new_status) {
		const char *u[3] = { device_id, new_status, now };

		return db_exec(tx, "UPDATE devices SET status = $2, updated_at = $3"
			       " WHERE id = $1 AND status <> 'wiped'", 3, u, NULL, NULL, err);
	}
	if (!strcmp(type, "image_update")) {
		json_object *o = json_tokener_parse(params), *v;
		const char *u[3] = { device_id, NULL, now };
		int ret = 0;

		if (o && json_object_object_get_ex(o, "image_id", &v)) {
			u[1] = json_object_get_string(v);
			ret = db_exec(tx, "UPDATE devices SET image_sha256 ="
				      " (SELECT sha256 FROM images WHERE id = $2), updated_at = $3"
				      " WHERE id = $1", 3, u, NULL, NULL, err);
		}
		json_object_put(o);
		return ret;
	}
	return 0;
}
