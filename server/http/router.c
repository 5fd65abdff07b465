// SPDX-License-Identifier: GPL-2.0-only
/*
 * The route table: the fixed admin and device routes, plus six routes per
 * declarative resource (list, create, get, patch, delete, history), and
 * last the web dashboard's files (static.c).
 * Patterns match segment by segment; "{}" matches one non-empty segment
 * and is passed to the handler.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "../service/resource.h"

int wp_handle_resource_list(struct wp_request *req, struct wp_reply *rep);
int wp_handle_resource_create(struct wp_request *req, struct wp_reply *rep);
int wp_handle_resource_get(struct wp_request *req, struct wp_reply *rep);
int wp_handle_resource_update(struct wp_request *req, struct wp_reply *rep);
int wp_handle_resource_delete(struct wp_request *req, struct wp_reply *rep);
int wp_handle_resource_history(struct wp_request *req, struct wp_reply *rep);

static struct wp_route *routes;
static size_t nroutes;
static char *patterns[64];

static void add(const struct wp_route *r)
{
	routes[nroutes++] = *r;
}

int wp_router_init(void)
{
	size_t n = 0, np = 0;

	for (const struct wp_route *r = wp_admin_routes; r->method; r++)
		n++;
	for (const struct wp_route *r = wp_device_routes; r->method; r++)
		n++;
	for (const struct wp_resource *const *res = wp_resources; *res; res++)
		n += 6;
	for (const struct wp_route *r = wp_static_routes; r->method; r++)
		n++;
	routes = calloc(n + 1, sizeof(*routes));
	if (!routes)
		return -1;
	for (const struct wp_route *r = wp_admin_routes; r->method; r++)
		add(r);
	for (const struct wp_route *r = wp_device_routes; r->method; r++)
		add(r);
	for (const struct wp_resource *const *res = wp_resources; *res; res++) {
		char *coll = malloc(80), *item = malloc(80), *hist = malloc(90);

		if (!coll || !item || !hist || np + 3 > sizeof(patterns) / sizeof(patterns[0])) {
			free(coll);
			free(item);
			free(hist);
			return -1;
		}
		snprintf(coll, 80, "/api/v1/%s", (*res)->path);
		snprintf(item, 80, "/api/v1/%s/{}", (*res)->path);
		snprintf(hist, 90, "/api/v1/%s/{}/history", (*res)->path);
		patterns[np++] = coll;
		patterns[np++] = item;
		patterns[np++] = hist;
		add(&(struct wp_route){ "GET", coll, AUTH_READ, wp_handle_resource_list, *res,
					NULL, NULL, NULL });
		add(&(struct wp_route){ "POST", coll, AUTH_ADMIN, wp_handle_resource_create, *res,
					NULL, NULL, NULL });
		add(&(struct wp_route){ "GET", item, AUTH_READ, wp_handle_resource_get, *res,
					NULL, NULL, NULL });
		add(&(struct wp_route){ "PATCH", item, AUTH_ADMIN, wp_handle_resource_update, *res,
					NULL, NULL, NULL });
		add(&(struct wp_route){ "DELETE", item, AUTH_ADMIN, wp_handle_resource_delete, *res,
					NULL, NULL, NULL });
		add(&(struct wp_route){ "GET", hist, AUTH_READ, wp_handle_resource_history, *res,
					NULL, NULL, NULL });
	}
	for (const struct wp_route *r = wp_static_routes; r->method; r++)
		add(r);
	return 0;
}

void wp_router_free(void)
{
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		free(patterns[i]);
		patterns[i] = NULL;
	}
	free(routes);
	routes = NULL;
	nroutes = 0;
}

/* The @i-th route of the table, NULL past its end. */
const struct wp_route *wp_route_at(size_t i)
{
	return i < nroutes ? &routes[i] : NULL;
}

/* Match @path against @pattern; on success fill @params (malloc()ed). */
static bool match(const char *pattern, const char *path, char *params[MAX_PATH_PARAMS])
{
	int np = 0;

	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);

			if (!len || np == MAX_PATH_PARAMS)
				goto fail;
			params[np++] = strndup(path, len);
			pattern += 2;
			path += len;
			continue;
		}
		if (*pattern != *path)
			goto fail;
		pattern++;
		path++;
	}
	if (!*pattern && !*path)
		return true;
fail:
	while (np)
		free(params[--np]);
	return false;
}

const struct wp_route *wp_route_match(const char *method, const char *path,
				      char *params[MAX_PATH_PARAMS], struct wp_err *err)
{
	char *scratch[MAX_PATH_PARAMS] = { 0 };
	bool path_known = false;

	for (size_t i = 0; i < nroutes; i++) {
		if (!match(routes[i].pattern, path, scratch))
			continue;
		if (!strcmp(routes[i].method, method)) {
			memcpy(params, scratch, sizeof(scratch));
			return &routes[i];
		}
		path_known = true;
		for (int j = 0; j < MAX_PATH_PARAMS; j++) {
			free(scratch[j]);
			scratch[j] = NULL;
		}
	}
	if (path_known)
		wp_fail(err, 405, "method_not_allowed", NULL, "%s is not allowed on %s",
			method, path);
	else
		wp_fail(err, 404, "not_found", NULL, "no such endpoint: %s", path);
	return NULL;
}
