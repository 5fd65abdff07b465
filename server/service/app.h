// SPDX-License-Identifier: GPL-2.0-only
/*
 * The service layer: everything wpserver knows how to do, independent of
 * HTTP.  Handlers in http/ parse nothing but the transport and call these
 * functions; each takes the acting principal, works in one database
 * transaction and reports failures in a struct wp_err.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_APP_H
#define WP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "../config.h"
#include "../storage/storage.h"
#include "../util/error.h"
#include "wpdoc.h"

struct wp_app {
	const struct wp_config *cfg;
	struct db *db;
	struct wpdoc_signer *signer;	/* keys/server.{key,pem} */
	struct wpdoc_signer *next_signer; /* keys/next.*, during a rotation */
	char repo_dir[600];
	int64_t started_ms;
};

enum wp_role { ROLE_NONE = 0, ROLE_READONLY = 1, ROLE_HELPDESK = 2, ROLE_ADMIN = 3 };

enum wp_principal_kind { PRINCIPAL_NONE, PRINCIPAL_ADMIN, PRINCIPAL_DEVICE };

/* Who is calling: resolved from the bearer token. */
struct wp_principal {
	enum wp_principal_kind kind;
	enum wp_role role;		/* admins */
	char id[37];			/* admin or device id */
	char name[128];			/* admin username, or device id */
	char token_id[37];
	bool api_token;
};

/* A query parameter. */
struct wp_kv {
	const char *key;
	const char *value;
};

const char *wp_role_name(enum wp_role role);
enum wp_role wp_role_parse(const char *name);

/* --- keys (keys.c) --- */
int wp_keys_generate(const char *data_dir, const char *name, int bits,
		     struct wp_err *err);
int wp_keys_promote(const char *data_dir, struct wp_err *err);
int wp_keys_load(struct wp_app *app, bool create, struct wp_err *err);

/* --- audit (audit.c): activity feed and change history --- */
int wp_audit(struct db_tx *tx, const struct wp_principal *who,
	     const char *action, const char *object_type, const char *object_id,
	     json_object *before, json_object *after, const char *summary_fmt, ...)
	__attribute__((format(printf, 8, 9)));
int wp_activity_list(struct wp_app *app, const struct wp_kv *q, int nq,
		     json_object **out, struct wp_err *err);
int wp_history_list(struct wp_app *app, const char *object_type,
		    const char *object_id, const struct wp_kv *q, int nq,
		    json_object **out, struct wp_err *err);

/* Shared by lists: limit/offset from the query, unknown keys refused. */
struct wp_page {
	long long limit;
	long long offset;
};
int wp_page_parse(const struct wp_kv *q, int nq, const char *const *allowed,
		  struct wp_page *page, struct wp_err *err);
const char *wp_query_get(const struct wp_kv *q, int nq, const char *key);
json_object *wp_page_result(json_object *items, long long total,
			    const struct wp_page *page);
/*
 * The filters (beside limit and offset) each list accepts, NULL-terminated:
 * the lists parse their query with these, and "wpserver routes --query"
 * prints them.
 */
extern const char *const wp_activity_params[];
extern const char *const wp_history_params[];
extern const char *const wp_object_history_params[];	/* /R/{id}/history */
extern const char *const wp_command_list_params[];
extern const char *const wp_api_token_list_params[];

/* --- auth (auth.c) --- */
int wp_auth_resolve(struct wp_app *app, const char *bearer,
		    struct wp_principal *who, struct wp_err *err);
int wp_auth_login(struct wp_app *app, json_object *body, json_object **out,
		  struct wp_err *err);
int wp_auth_logout(struct wp_app *app, const struct wp_principal *who,
		   struct wp_err *err);
int wp_auth_me(struct wp_app *app, const struct wp_principal *who,
	       json_object **out, struct wp_err *err);
int wp_api_token_create(struct wp_app *app, const struct wp_principal *who,
			json_object *body, json_object **out, struct wp_err *err);
int wp_api_token_list(struct wp_app *app, const struct wp_principal *who,
		      const struct wp_kv *q, int nq, json_object **out,
		      struct wp_err *err);
int wp_api_token_delete(struct wp_app *app, const struct wp_principal *who,
			const char *id, struct wp_err *err);
/* Bootstrap an administrator from the command line. */
int wp_admin_bootstrap(struct wp_app *app, const char *username,
		       const char *role, const char *password, struct wp_err *err);
/* Store a new bearer token; @out receives the secret. */
int wp_token_issue(struct db_tx *tx, const char *kind, const char *prefix,
		   const char *subject_id, const char *name, int64_t expires_at,
		   char *out, size_t out_size, char id_out[37], struct wp_err *err);

/* --- statistics (stats.c) --- */
int wp_stats(struct wp_app *app, json_object **out, struct wp_err *err);

#endif /* WP_APP_H */
