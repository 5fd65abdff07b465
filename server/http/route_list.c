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
