// SPDX-License-Identifier: GPL-2.0-only
/*
 * "wpserver routes": the route table as text, one "METHOD PATTERN AUTH
 * [refused|static]" line per route, for the tests (authorisation sweep,
 * documentation and coverage checks) and for operators.  The lines come
 * from the same tables the router is built from (fixed admin and device
 * routes, six per declarative resource, the web dashboard's files); each
 * one is then looked up in the live router, which must answer with a
 * route of the same pattern and the same role, so the listing cannot
 * drift from what the server serves.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "../service/resource.h"

static const char *auth_name(enum wp_auth_need need)
{
	switch (need) {
	case AUTH_NONE: return "none";
	case AUTH_DEVICE: return "device";
	case AUTH_READ: return "read";
	case AUTH_HELPDESK: return "helpdesk";
	case AUTH_ADMIN: return "admin";
	}
	return "?";
}

/*
 * Print one route after checking the router serves it with @need; @note:
 * "refused" for a route whose answer is always 405 (a resource that is
 * not created or deleted through the API), "static" for the dashboard's
 * files, or "".
 */
static int emit(FILE *out, const char *method, const char *pattern,
		enum wp_auth_need need, const char *note)
{
	char path[256], *params[MAX_PATH_PARAMS] = { 0 };
	const struct wp_route *r;
	struct wp_err err = { 0 };
	size_t n = 0;
	int ret = 0;

	/* A concrete path: every "{}" becomes one plausible segment. */
	for (const char *p = pattern; *p && n < sizeof(path) - 40; p++) {
		if (p[0] == '{' && p[1] == '}') {
			n += (size_t)snprintf(path + n, sizeof(path) - n,
					      "00000000-0000-4000-8000-000000000000");
			p++;
		} else {
			path[n++] = *p;
		}
	}
	path[n] = '\0';
	r = wp_route_match(method, path, params, &err);
	if (!r || strcmp(r->pattern, pattern) || r->auth != need) {
		fprintf(stderr, "wpserver routes: %s %s is not served as listed\n",
			method, pattern);
		ret = -1;
	}
	for (int i = 0; i < MAX_PATH_PARAMS; i++)
		free(params[i]);
	fprintf(out, "%s %s %s%s%s\n", method, pattern, auth_name(need), *note ? " " : "", note);
	return ret;
}

int wp_handle_resource_list(struct wp_request *req, struct wp_reply *rep);
int wp_handle_resource_history(struct wp_request *req, struct wp_reply *rep);

/*
 * The query parameters of @r, into @out (at most @max, NULL-terminated):
 * limit and offset and the filters of the lists, from the arrays the
 * lists parse their query with; none for every other route.
 */
int wp_route_query(const struct wp_route *r, const char **out, int max)
{
	static const struct {
		const char *method, *pattern;
		const char *const *params;
	} lists[] = {
		{ "GET", "/api/v1/activity", wp_activity_params },
		{ "GET", "/api/v1/history", wp_history_params },
		{ "GET", "/api/v1/commands", wp_command_list_params },
		{ "GET", "/api/v1/api-tokens", wp_api_token_list_params },
	};
	const char *const *filters = NULL;
	int n = 0;

	if (r->handle == wp_handle_resource_history) {
		filters = wp_object_history_params;
	} else if (r->handle != wp_handle_resource_list) {
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
			if (!strcmp(r->method, lists[i].method) &&
			    !strcmp(r->pattern, lists[i].pattern))
				filters = lists[i].params;
		if (!filters) {
			out[0] = NULL;
			return 0;
		}
	}
	out[n++] = "limit";
	out[n++] = "offset";
	if (filters) {
		for (; *filters && n < max - 1; filters++)
			out[n++] = *filters;
	} else {
		/* A resource's list (resource.c): its filter fields and q. */
		const struct wp_resource *res = r->data;

		for (const struct wp_field *f = res->fields; f->name && n < max - 2; f++)
			if (f->flags & FF_FILTER)
				out[n++] = f->name;
		out[n++] = "q";
	}
	out[n] = NULL;
	return n;
}

int wp_route_check_query(const struct wp_request *req, struct wp_err *err)
{
	const char *params[64];

	if (wp_route_query(req->route, params, 64))
		return 0;	/* a list: it parses its own query */
	if (req->nquery)
		return wp_fail(err, 400, "unknown_field", req->query[0].key,
			       "unknown query parameter '%s': %s %s takes none",
			       req->query[0].key, req->route->method, req->route->pattern);
	return 0;
}

/* "METHOD PATTERN param..." for every route that takes query parameters. */
int wp_routes_print_query(FILE *out)
{
	const char *params[64];
	int ret = 0;

	if (wp_router_init())
		return -1;
	for (size_t i = 0;; i++) {
		const struct wp_route *r = wp_route_at(i);

		if (!r)
			break;
		if (!wp_route_query(r, params, 64))
			continue;
		fprintf(out, "%s %s", r->method, r->pattern);
		for (int j = 0; params[j]; j++)
			fprintf(out, " %s", params[j]);
		fprintf(out, "\n");
	}
	wp_router_free();
	return ret;
}

int wp_routes_print(FILE *out)
{
	static const struct {
		const char *method, *suffix;
		enum wp_auth_need auth;
		unsigned refused_if;	/* resource flag that makes it 405 */
	} ops[] = {
		{ "GET", "", AUTH_READ, 0 }, { "POST", "", AUTH_ADMIN, RES_NO_CREATE },
		{ "GET", "/{}", AUTH_READ, 0 }, { "PATCH", "/{}", AUTH_ADMIN, 0 },
		{ "DELETE", "/{}", AUTH_ADMIN, RES_NO_DELETE },
		{ "GET", "/{}/history", AUTH_READ, 0 },
	};
	int ret = 0;

	if (wp_router_init())
		return -1;
	for (const struct wp_route *r = wp_admin_routes; r->method; r++)
		ret |= emit(out, r->method, r->pattern, r->auth, "");
	for (const struct wp_route *r = wp_device_routes; r->method; r++)
		ret |= emit(out, r->method, r->pattern, r->auth, "");
	for (const struct wp_resource *const *res = wp_resources; *res; res++)
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			char pattern[160];

			snprintf(pattern, sizeof(pattern), "/api/v1/%s%s", (*res)->path,
				 ops[i].suffix);
			ret |= emit(out, ops[i].method, pattern, ops[i].auth,
				    (*res)->flags & ops[i].refused_if ? "refused" : "");
		}
	for (const struct wp_route *r = wp_static_routes; r->method; r++)
		ret |= emit(out, r->method, r->pattern, r->auth, "static");
	wp_router_free();
	return ret ? -1 : 0;
}
