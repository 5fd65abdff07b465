// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpadmin: talking to the server.  JSON requests go through the shared
 * libcurl client of userspace/lib (TLS verified, plain HTTP only on
 * loopback); this file picks the server and the token, and turns every
 * answer that is not a success into a message and an exit code.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "wpadmin.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? v : NULL;
}

/* "mdm.example.com" means https://mdm.example.com; no trailing slash. */
static void normalize_url(const char *in, char *out, size_t len)
{
	size_t n;

	snprintf(out, len, "%s%s", strstr(in, "://") ? "" : "https://", in);
	n = strlen(out);
	while (n > 8 && out[n - 1] == '/')
		out[--n] = '\0';
}

int wpa_connect(struct wpa_ctx *ctx, bool need_token)
{
	/* Copies: the stored values may be replaced (login) while in use. */
	static char url[1024], stored[1024], tok[1024], ca[4096];
	const char *server = ctx->server, *token = ctx->token, *cacert = ctx->cacert;
	const char *cfg_server;
	char err[1024];
	int ret;

	if (ctx->http)
		return WPA_OK;
	server = server ? server : env("WPADMIN_SERVER");
	token = token ? token : env("WPADMIN_TOKEN");
	cacert = cacert ? cacert : env("WPADMIN_CACERT");
	ret = wpa_config_load(ctx);
	if (ret)
		return ret;
	cfg_server = wpa_config_get(&ctx->cfg, "server");
	if (cfg_server)
		normalize_url(cfg_server, stored, sizeof(stored));
	if (!server && cfg_server)
		server = cfg_server;
	if (!server) {
		wpa_usage_error(ctx, "no server: run 'wpadmin login SERVER', or give --server URL"
				" or set WPADMIN_SERVER");
		return WPA_EXIT_USAGE;
	}
	normalize_url(server, url, sizeof(url));
	/* The stored token and CA file belong to the stored server only. */
	if (cfg_server && !strcmp(url, stored)) {
		if (!token) {
			token = wpa_config_get(&ctx->cfg, "token");
			ctx->token_from_config = token != NULL;
		}
		if (!cacert)
			cacert = wpa_config_get(&ctx->cfg, "cacert");
	}
	if (need_token && !token) {
		wpa_error(ctx, "not logged in to %s: run 'wpadmin login %s', or give --token or"
			  " set WPADMIN_TOKEN", url, url);
		return WPA_EXIT_AUTH;
	}
	if (token && strlen(token) >= sizeof(tok)) {
		wpa_usage_error(ctx, "the token is too long");
		return WPA_EXIT_USAGE;
	}
	snprintf(tok, sizeof(tok), "%s", token ? token : "");
	snprintf(ca, sizeof(ca), "%s", cacert ? cacert : "");
	ctx->server = url;
	ctx->token = token ? tok : NULL;
	ctx->cacert = cacert ? ca : NULL;
	ctx->http = wp_http_new(url, cacert, err, sizeof(err));
	if (!ctx->http) {
		wpa_usage_error(ctx, "%s", err);
		return WPA_EXIT_USAGE;
	}
	if (token)
		wp_http_set_token(ctx->http, token);
	wp_http_set_timeout(ctx->http, 120);
	return WPA_OK;
}

void wpa_disconnect(struct wpa_ctx *ctx)
{
	wp_http_free(ctx->http);
	ctx->http = NULL;
}

int wpa_exit_for_status(long status)
{
	switch (status) {
	case 401:
		return WPA_EXIT_AUTH;
	case 403:
		return WPA_EXIT_FORBIDDEN;
	case 404:
	case 410:
		return WPA_EXIT_NOT_FOUND;
	}
	if (status >= 200 && status < 300)
		return WPA_OK;
	if (status >= 400 && status < 500)
		return WPA_EXIT_INVALID;
	return WPA_EXIT_SERVER;
}

int wpa_report(struct wpa_ctx *ctx, const struct wpa_resp *r)
{
	json_object *e = NULL, *v;
	const char *message = NULL, *field = NULL, *code = NULL, *option;
	char detail[512] = "", first[256], text[1024];
	int ret = wpa_exit_for_status(r->status);

	if (r->json && json_object_object_get_ex(r->json, "error", &e)) {
		if (json_object_object_get_ex(e, "message", &v))
			message = json_object_get_string(v);
		if (json_object_object_get_ex(e, "field", &v) && v)
			field = json_object_get_string(v);
		if (json_object_object_get_ex(e, "code", &v))
			code = json_object_get_string(v);
	}
	if (!message) {
		/* Not our server's error (a proxy?): its first line. */
		snprintf(first, sizeof(first), "%s", r->body ? r->body : "");
		first[strcspn(first, "\r\n")] = '\0';
		message = first[0] ? first : "unexpected answer";
	}
	if (field) {
		option = wpa_option_for_field(ctx->args, field);
		snprintf(detail, sizeof(detail), "field %s%s%s; ", field,
			 option ? ", option --" : "", option ? option : "");
	}
	snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "%s%sHTTP %ld",
		 code ? code : "", code ? ", " : "", r->status);
	snprintf(text, sizeof(text), "%s (%s)", message, detail);
	wpa_error(ctx, "%s", wpa_sanitize(text));
	if (ret == WPA_EXIT_AUTH && ctx->group && strcmp(ctx->group->name, "login"))
		fprintf(stderr, "%s: log in again with 'wpadmin login %s'%s\n", ctx->cmd,
			ctx->server ? ctx->server : "SERVER",
			ctx->token_from_config ? "" : " or check --token / WPADMIN_TOKEN");
	if (ctx->json)
		wpa_print_raw(r);
	return ret;
}

int wpa_request(struct wpa_ctx *ctx, const char *method, const char *path,
		json_object *body, struct wpa_resp *resp)
{
	int ret = wpa_request_quiet(ctx, method, path, body, resp);

	if (ret && resp->status && (resp->status < 200 || resp->status >= 300))
		return wpa_report(ctx, resp);
	return ret;
}

int wpa_request_quiet(struct wpa_ctx *ctx, const char *method, const char *path,
		      json_object *body, struct wpa_resp *resp)
{
	struct wp_http_response r;
	char err[1024];

	memset(resp, 0, sizeof(*resp));
	if (wp_http_json(ctx->http, method, path, body, &r, err, sizeof(err))) {
		wpa_error(ctx, "cannot reach the server: %s", err);
		return WPA_EXIT_UNREACHABLE;
	}
	resp->status = r.status;
	resp->body = r.body;
	resp->json = r.json;
	if (resp->status >= 200 && resp->status < 300) {
		if (resp->body[0] && !resp->json) {
			wpa_error(ctx, "the server's answer is not JSON (HTTP %ld)", resp->status);
			return WPA_EXIT_SERVER;
		}
		return WPA_OK;
	}
	return wpa_exit_for_status(resp->status);
}

/*
 * The call named by the action's endpoint ("POST /api/v1/commands/{id}/cancel"):
 * {id} is the first argument, the query and the body come from the options.
 */
int wpa_call(struct wpa_ctx *ctx, struct wpa_args *a, const struct wpa_column *cols)
{
	const char *ep = ctx->action->endpoint, *sp = strchr(ep, ' '), *id;
	char method[8], tmpl[256], *query = wpa_query(a), *path = NULL;
	json_object *body = NULL;
	struct wpa_resp r = { 0 };
	int ret = WPA_EXIT_SERVER;

	snprintf(method, sizeof(method), "%.*s", (int)(sp - ep), ep);
	snprintf(tmpl, sizeof(tmpl), "%s", sp + 1);
	tmpl[strcspn(tmpl, " ")] = '\0';
	id = strstr(tmpl, "{id}");
	if (id) {
		char prefix[256];

		snprintf(prefix, sizeof(prefix), "%.*s", (int)(id - tmpl - 1), tmpl);
		path = wpa_path(prefix, a->pos[0], id + 4);
	} else {
		path = strdup(tmpl);
	}
	for (int k = 0; k < a->n && !body; k++)
		if (a->slot[k].dest == D_BODY)
			body = wpa_body(a);
	if (path && query && query[0]) {
		char *full;

		if (asprintf(&full, "%s%s", path, query) >= 0) {
			free(path);
			path = full;
		}
	}
	if (path)
		ret = wpa_request(ctx, method, path, body, &r);
	if (!ret)
		ret = wpa_print_result(ctx, &r, cols);
	wpa_resp_free(&r);
	json_object_put(body);
	free(path);
	free(query);
	return ret;
}

void wpa_resp_free(struct wpa_resp *r)
{
	free(r->body);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

char *wpa_escape(const char *s)
{
	CURL *c = curl_easy_init();
	char *e = c ? curl_easy_escape(c, s, 0) : NULL, *out = e ? strdup(e) : NULL;

	curl_free(e);
	if (c)
		curl_easy_cleanup(c);
	return out;
}

char *wpa_path(const char *prefix, const char *id, const char *suffix)
{
	char *esc = wpa_escape(id), *out = NULL;

	if (esc && asprintf(&out, "%s/%s%s", prefix, esc, suffix ? suffix : "") < 0)
		out = NULL;
	free(esc);
	if (!out) {
		fprintf(stderr, "wpadmin: out of memory\n");
		exit(WPA_EXIT_SERVER);
	}
	return out;
}
