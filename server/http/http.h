// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTP layer: libmicrohttpd underneath, one request and one reply
 * type, a route table, and thin handlers that turn requests into service
 * calls and service results into replies.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_HTTP_H
#define WP_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "../service/app.h"

#define MAX_PATH_PARAMS 3
#define MAX_QUERY 32

/* What a route requires of the caller. */
enum wp_auth_need {
	AUTH_NONE,		/* public */
	AUTH_DEVICE,		/* a device token */
	AUTH_READ,		/* any administrator */
	AUTH_HELPDESK,		/* helpdesk or admin */
	AUTH_ADMIN,		/* admin */
};

struct wp_request;
struct wp_reply;

struct wp_route {
	const char *method;
	const char *pattern;	/* "/api/v1/users/{}" */
	enum wp_auth_need auth;
	int (*handle)(struct wp_request *req, struct wp_reply *rep);
	const void *data;	/* e.g. the struct wp_resource */
	/* Set for routes whose body is streamed (uploads), not buffered. */
	int (*stream_begin)(struct wp_request *req, struct wp_reply *rep);
	int (*stream_data)(struct wp_request *req, const char *data, size_t len,
			   struct wp_reply *rep);
	void (*stream_free)(struct wp_request *req);
};

struct wp_request {
	struct wp_app *app;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	const struct wp_route *route;
	char *path_params[MAX_PATH_PARAMS];
	struct wp_kv query[MAX_QUERY];
	int nquery;
	char *body;
	size_t body_len, body_cap;
	bool body_too_large;
	struct wp_principal who;
	void *stream;		/* route-specific upload state */
	struct wp_err err;	/* for handlers' convenience */
};

struct wp_reply {
	unsigned status;
	json_object *body;	/* owned */
	int fd;			/* file reply when >= 0 (owned) */
	uint64_t offset, length, total;
	bool partial;
	char etag[80];
	const char *content_type;
	bool not_modified;
	const char *const *headers;	/* extra name, value pairs; NULL-terminated */
};

/* Header of the request, or NULL. */
const char *wp_req_header(struct wp_request *req, const char *name);
/* Parse the buffered body as a JSON object (400 with the reason). */
json_object *wp_req_json(struct wp_request *req);

void wp_reply_json(struct wp_reply *rep, unsigned status, json_object *body);
void wp_reply_error(struct wp_reply *rep, const struct wp_err *err);
/* Service result: 0 -> @status with @body, else the error in req->err. */
int wp_reply_result(struct wp_request *req, struct wp_reply *rep, int ret,
		    unsigned status, json_object *body);
/*
 * A repository file with Range, If-Range and If-None-Match handling
 * (ETag = "sha256"); takes ownership of @fd.
 */
void wp_reply_file(struct wp_request *req, struct wp_reply *rep, int fd,
		   uint64_t size, const char *sha256, const char *content_type);
struct MHD_Response *wp_reply_build(struct wp_reply *rep);

/* Route tables (admin_api.c, device_api.c). */
extern const struct wp_route wp_admin_routes[];
extern const struct wp_route wp_device_routes[];
/* The web dashboard's files at "/" (static.c); matched last. */
extern const struct wp_route wp_static_routes[];
/* Routes generated for each admin resource (router.c). */
int wp_router_init(void);
void wp_router_free(void);
/* Find the route; 404/405 in @err otherwise. */
const struct wp_route *wp_route_match(const char *method, const char *path,
				      char *params[MAX_PATH_PARAMS], struct wp_err *err);
/* "METHOD PATTERN AUTH" per route, checked against the router (route_list.c). */
int wp_routes_print(FILE *out);
/* "METHOD PATTERN PARAM..." per route taking query parameters (route_list.c). */
int wp_routes_print_query(FILE *out);
const struct wp_route *wp_route_at(size_t i);
/* The query parameters of a route, NULL-terminated into @out; their count. */
int wp_route_query(const struct wp_route *r, const char **out, int max);
/* 400 for a query given to a GET route that takes none. */
int wp_route_check_query(const struct wp_request *req, struct wp_err *err);

/* The server (server.c). */
struct wp_http;
int wp_http_start(struct wp_app *app, struct wp_http **out, struct wp_err *err);
uint16_t wp_http_port(struct wp_http *http);
void wp_http_stop(struct wp_http *http);

#endif /* WP_HTTP_H */
