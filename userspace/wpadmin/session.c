// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: logging in and out, who am I, is the server up, API tokens for
 * scripts and one-time enrolment tokens for users.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "wpadmin.h"

#define END { NULL, NULL, 0, 0, NULL, NULL }
#define NO_ACTION { NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }

/* A line typed on the terminal, with echo. */
static int ask(const char *prompt, char *buf, size_t len)
{
	FILE *f = fopen("/dev/tty", "r+");
	int ret = 0;

	if (!f)
		return -1;
	fputs(prompt, f);
	fflush(f);
	if (!fgets(buf, (int)len, f)) {
		buf[0] = '\0';
		ret = -1;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return ret;
}

static int login(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const char *username = wpa_get(a, "username");
	char user[256], pw[512], until[64], cacert[PATH_MAX];
	json_object *body, *admin = NULL, *v = NULL;
	struct wpa_resp r;
	int ret;

	if (a->npos)
		ctx->server = a->pos[0];
	ret = wpa_connect(ctx, false);
	if (ret)
		return ret;
	wp_http_set_token(ctx->http, NULL);
	if (!username) {
		if (ask("Username: ", user, sizeof(user)) || !user[0]) {
			wpa_usage_error(ctx, "no user name: give --username"
					" (no terminal to ask on)");
			return WPA_EXIT_USAGE;
		}
		username = user;
	}
	if (wpa_get(a, "password-stdin")) {
		if (!fgets(pw, sizeof(pw), stdin))
			pw[0] = '\0';
		pw[strcspn(pw, "\r\n")] = '\0';
	} else if (wpa_read_secret("Password: ", pw, sizeof(pw))) {
		wpa_usage_error(ctx, "no terminal to ask the password on: use --password-stdin");
		return WPA_EXIT_USAGE;
	}
	if (!pw[0]) {
		wpa_usage_error(ctx, "empty password");
		return WPA_EXIT_USAGE;
	}
	body = json_object_new_object();
	json_object_object_add(body, "username", json_object_new_string(username));
	json_object_object_add(body, "password", json_object_new_string(pw));
	explicit_bzero(pw, sizeof(pw));
	ret = wpa_request(ctx, "POST", "/api/v1/login", body, &r);
	json_object_put(body);
	if (ret)
		goto out;
	if (!wpa_str(r.json, "token")) {
		wpa_error(ctx, "the server's answer has no token");
		ret = WPA_EXIT_SERVER;
		goto out;
	}
	json_object_object_get_ex(r.json, "admin", &admin);
	wpa_config_set(&ctx->cfg, "server", json_object_new_string(ctx->server));
	wpa_config_set(&ctx->cfg, "token", json_object_new_string(wpa_str(r.json, "token")));
	wpa_config_set(&ctx->cfg, "username", json_object_new_string(username));
	wpa_config_set(&ctx->cfg, "role", wpa_str(admin, "role") ?
		       json_object_new_string(wpa_str(admin, "role")) : NULL);
	wpa_config_set(&ctx->cfg, "expires_at",
		       json_object_object_get_ex(r.json, "expires_at", &v) ? json_object_get(v) :
		       NULL);
	/* The CA file goes with the server: remember it, as an absolute path. */
	wpa_config_set(&ctx->cfg, "cacert", ctx->cacert && realpath(ctx->cacert, cacert) ?
		       json_object_new_string(cacert) : NULL);
	ret = wpa_config_save(ctx);
	if (ret)
		goto out;
	if (ctx->json)
		wpa_print_raw(&r);
	wpa_info(ctx, "Logged in to %s as %s (%s) until %s; the token is in %s", ctx->server,
		 username, wpa_str(admin, "role") ? wpa_str(admin, "role") : "?",
		 wpa_fmt_time(json_object_get_int64(v), until, sizeof(until)), ctx->cfg.path);
out:
	wpa_resp_free(&r);
	return ret;
}

static int logout(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const char *stored;
	struct wpa_resp r;
	int ret;

	(void)a;
	ret = wpa_request_quiet(ctx, "POST", "/api/v1/logout", NULL, &r);
	if (ret == WPA_EXIT_UNREACHABLE) {
		wpa_error(ctx, "the token was not revoked%s", ctx->token_from_config ?
			  ": it stays stored; run 'wpadmin logout' again later" : "");
		goto out;
	}
	if (ret && ret != WPA_EXIT_AUTH) {
		ret = wpa_report(ctx, &r);
		goto out;
	}
	/* 401: the token was already expired or revoked; forget it all the same. */
	stored = wpa_config_get(&ctx->cfg, "token");
	if (stored && !strcmp(stored, ctx->token)) {
		wpa_config_set(&ctx->cfg, "token", NULL);
		wpa_config_set(&ctx->cfg, "expires_at", NULL);
		ret = wpa_config_save(ctx);
		if (ret)
			goto out;
	}
	wpa_info(ctx, "Logged out of %s%s", ctx->server,
		 r.status == 401 ? " (the token was no longer valid)" : "");
	ret = WPA_OK;
out:
	wpa_resp_free(&r);
	return ret;
}

static int whoami(struct wpa_ctx *ctx, struct wpa_args *a)
{
	const char *source = ctx->token_from_config ? ctx->cfg.path : "--token or WPADMIN_TOKEN";
	int ret = wpa_call(ctx, a, NULL);

	if (!ret)
		wpa_info(ctx, "Server %s, token from %s", ctx->server, source);
	return ret;
}

static int health(struct wpa_ctx *ctx, struct wpa_args *a)
{
	int ret = wpa_connect(ctx, false);

	return ret ? ret : wpa_call(ctx, a, NULL);
}

static const struct wpa_opt login_opts[] = {
	{ "username", NULL, WT_STRING, 0, NULL, "the administrator's name (else asked)" },
	{ "password-stdin", NULL, WT_FLAG, 0, NULL,
	  "read the password from standard input (else asked without echo)" },
	END,
};

static const struct wpa_action login_actions[] = {
	{ "login", "Log in and store the server and the token (mode 0600) in"
	  " $XDG_CONFIG_HOME/workphone/wpadmin.json; SERVER is a URL (https:// is assumed)",
	  "POST /api/v1/login", NULL, "[SERVER]", 0, 1, K_OTHER, login_opts, login, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_login = {
	"login", NULL, "log in; the token is stored for the next commands", S_SESSION, NULL,
	login_actions, NULL, true,
};

static const struct wpa_action logout_actions[] = {
	{ "logout", "Revoke the token on the server and forget it", "POST /api/v1/logout",
	  "read-only", NULL, 0, 0, K_OTHER, NULL, logout, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_logout = {
	"logout", NULL, "revoke the token and forget it", S_SESSION, NULL, logout_actions,
	NULL, true,
};

static const struct wpa_action whoami_actions[] = {
	{ "whoami", "The administrator the token belongs to, and its role", "GET /api/v1/me",
	  "read-only", NULL, 0, 0, K_OTHER, NULL, whoami, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_whoami = {
	"whoami", NULL, "who the token belongs to", S_SESSION, NULL, whoami_actions, NULL,
	true,
};

static const struct wpa_action health_actions[] = {
	{ "health", "Whether the server and its database answer (no login needed)",
	  "GET /healthz", NULL, NULL, 0, 0, K_OTHER, NULL, health, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_health = {
	"health", NULL, "is the server up (no login needed)", S_SESSION, NULL, health_actions,
	NULL, true,
};

/* --- API tokens --- */

static const struct wpa_column api_token_columns[] = {
	{ "ID", "id", FMT_TEXT },
	{ "NAME", "name", FMT_TEXT },
	{ "CREATED", "created_at", FMT_TIME },
	{ NULL, NULL, 0 },
};

static int api_token_list(struct wpa_ctx *ctx, struct wpa_args *a)
{
	return wpa_call(ctx, a, api_token_columns);
}

static int api_token_create(struct wpa_ctx *ctx, struct wpa_args *a)
{
	int ret = wpa_call(ctx, a, NULL);

	if (!ret)
		wpa_info(ctx, "Keep the token now: the server shows it only once. Scripts use it"
			 " with --token or WPADMIN_TOKEN; it does not expire (revoke it with"
			 " 'wpadmin api-tokens delete ID').");
	return ret;
}

static int api_token_delete(struct wpa_ctx *ctx, struct wpa_args *a)
{
	int ret = wpa_call(ctx, a, NULL);

	if (!ret)
		wpa_info(ctx, "Revoked API token %s", a->pos[0]);
	return ret;
}

static const struct wpa_opt api_token_opts[] = {
	{ "name", "name", WT_STRING, O_BODY | O_REQUIRED, NULL,
	  "what the token is for, up to 128 bytes" },
	END,
};

static const struct wpa_opt api_token_list_opts[] = {
	{ "name", "name", WT_STRING, O_QUERY, NULL, "only the tokens of this name" },
	END,
};

static const struct wpa_action api_token_actions[] = {
	{ "list", "Your API tokens (without their secrets)", "GET /api/v1/api-tokens",
	  "read-only", NULL, 0, 0, K_LIST, api_token_list_opts, api_token_list, NULL },
	{ "create", "Create a token for scripts that does not expire; shown only once",
	  "POST /api/v1/api-tokens", "admin", NULL, 0, 0, K_OTHER, api_token_opts,
	  api_token_create, NULL },
	{ "delete", "Revoke one of your API tokens", "DELETE /api/v1/api-tokens/{id}",
	  "read-only", "ID", 1, 1, K_OTHER, NULL, api_token_delete, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_api_tokens = {
	"api-tokens", NULL, "tokens for scripts: list, create, delete", S_SESSION, NULL,
	api_token_actions, NULL, false,
};

/* --- enrolment tokens --- */

static int enroll_token_create(struct wpa_ctx *ctx, struct wpa_args *a)
{
	int ret = wpa_call(ctx, a, NULL);

	if (!ret)
		wpa_info(ctx, "The user types this one-time token into wp-provision (--token)"
			 " instead of a password.");
	return ret;
}

static const struct wpa_opt enroll_token_opts[] = {
	{ "user-id", "user_id", WT_ID, O_BODY | O_REQUIRED, NULL, "the user who will enrol" },
	{ "ttl", "ttl_s", WT_DURATION, O_BODY, NULL, "valid for 60s..90d (default 7d)" },
	END,
};

static const struct wpa_action enroll_token_actions[] = {
	{ "create", "Create a one-time enrolment token for a user",
	  "POST /api/v1/enrollment-tokens", "helpdesk", NULL, 0, 0, K_OTHER,
	  enroll_token_opts, enroll_token_create, NULL },
	NO_ACTION,
};

const struct wpa_group wpa_group_enroll_tokens = {
	"enrollment-tokens", "enrolment-tokens", "one-time enrolment tokens for users: create",
	S_SESSION, NULL, enroll_token_actions, "create", false,
};
