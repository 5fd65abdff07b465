// SPDX-License-Identifier: GPL-2.0-only
/*
 * Admin REST API handlers (/api/v1/...).  Each one parses the request,
 * calls one service function and turns its result into a reply; the
 * required role is declared in the route table below.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "../service/services.h"
#include "../util/json.h"

#define RES(req) ((const struct wp_resource *)(req)->route->data)
#define ID(req) ((req)->path_params[0])

/* Parse the JSON body, call @call with it, reply @status or the error. */
#define WITH_BODY(req, rep, status, call)                                   \
	do {                                                                \
		json_object *body = wp_req_json(req), *out = NULL;          \
		int ret_;                                                   \
		if (!body) {                                                \
			wp_reply_error(rep, &(req)->err);                   \
			return 0;                                           \
		}                                                           \
		ret_ = (call);                                              \
		json_object_put(body);                                      \
		return wp_reply_result(req, rep, ret_, status, out);        \
	} while (0)

/* --- health --- */

static int handle_healthz(struct wp_request *req, struct wp_reply *rep)
{
	json_object *o = json_object_new_object();
	int version;

	if (db_schema_version(req->app->db, &version, &req->err)) {
		json_object_put(o);
		req->err.status = 503;
		req->err.code = "unhealthy";
		wp_reply_error(rep, &req->err);
		return 0;
	}
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "backend", json_object_new_string(db_backend(req->app->db)));
	json_object_object_add(o, "schema_version", json_object_new_int(version));
	wp_reply_json(rep, 200, o);
	return 0;
}

/* --- sessions and tokens --- */

static int handle_login(struct wp_request *req, struct wp_reply *rep)
{
	WITH_BODY(req, rep, 200, wp_auth_login(req->app, body, &out, &req->err));
}

static int handle_logout(struct wp_request *req, struct wp_reply *rep)
{
	return wp_reply_result(req, rep, wp_auth_logout(req->app, &req->who, &req->err), 204,
			       NULL);
}

static int handle_me(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_auth_me(req->app, &req->who, &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_api_token_create(struct wp_request *req, struct wp_reply *rep)
{
	WITH_BODY(req, rep, 201,
		  wp_api_token_create(req->app, &req->who, body, &out, &req->err));
}

static int handle_api_token_list(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_api_token_list(req->app, &req->who, req->query, req->nquery, &out,
				    &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_api_token_delete(struct wp_request *req, struct wp_reply *rep)
{
	return wp_reply_result(req, rep,
			       wp_api_token_delete(req->app, &req->who, ID(req), &req->err),
			       204, NULL);
}

static int handle_enroll_token_create(struct wp_request *req, struct wp_reply *rep)
{
	WITH_BODY(req, rep, 201,
		  wp_enroll_token_create(req->app, &req->who, body, &out, &req->err));
}

/* --- declarative resources (routes generated in router.c) --- */

int wp_handle_resource_list(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_resource_list(req->app, RES(req), req->query, req->nquery, &out,
				   &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

int wp_handle_resource_create(struct wp_request *req, struct wp_reply *rep)
{
	WITH_BODY(req, rep, 201,
		  wp_resource_create(req->app, RES(req), &req->who, body, &out, &req->err));
}

int wp_handle_resource_get(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_resource_get(req->app, RES(req), ID(req), &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

int wp_handle_resource_update(struct wp_request *req, struct wp_reply *rep)
{
	WITH_BODY(req, rep, 200, wp_resource_update(req->app, RES(req), &req->who, ID(req),
						    body, &out, &req->err));
}

int wp_handle_resource_delete(struct wp_request *req, struct wp_reply *rep)
{
	return wp_reply_result(req, rep, wp_resource_delete(req->app, RES(req), &req->who,
							    ID(req), &req->err), 204, NULL);
}

int wp_handle_resource_history(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL, *obj = NULL;
	int ret;

	/* 404 for an unknown object, even a deleted one has history. */
	ret = wp_history_list(req->app, RES(req)->type, ID(req), req->query, req->nquery,
			      &out, &req->err);
	if (!ret && !json_object_get_int64(json_object_object_get(out, "total")) &&
	    wp_resource_get(req->app, RES(req), ID(req), &obj, &req->err)) {
		json_object_put(out);
		return wp_reply_result(req, rep, -1, 0, NULL);
	}
	json_object_put(obj);
	return wp_reply_result(req, rep, ret, 200, out);
}

/* --- commands --- */

static int handle_command_create(struct wp_request *req, struct wp_reply *rep)
{
	json_object *body = wp_req_json(req), *out = NULL;
	bool created = false;
	int ret;

	if (!body) {
		wp_reply_error(rep, &req->err);
		return 0;
	}
	ret = wp_command_create(req->app, &req->who, body, &out, &created, &req->err);
	json_object_put(body);
	return wp_reply_result(req, rep, ret, created ? 201 : 200, out);
}

static int handle_command_list(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_command_list(req->app, req->query, req->nquery, &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_command_get(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_command_get(req->app, ID(req), &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_command_approve(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_command_approve(req->app, &req->who, ID(req), &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_command_cancel(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_command_cancel(req->app, &req->who, ID(req), &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

/* --- feeds and dashboard --- */

static int handle_activity(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_activity_list(req->app, req->query, req->nquery, &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_history(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_history_list(req->app, NULL, NULL, req->query, req->nquery, &out,
				  &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_stats(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_stats(req->app, &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

/* --- image and application content: streamed upload, ranged download --- */

static int upload_begin(struct wp_request *req, struct wp_reply *rep)
{
	json_object *obj = NULL;
	struct wp_upload *up;

	(void)rep;
	if (wp_resource_get(req->app, RES(req), ID(req), &obj, &req->err))
		return -1;
	json_object_put(obj);
	if (wp_upload_begin(req->app, &up, &req->err))
		return -1;
	req->stream = up;
	return 0;
}

static int upload_data(struct wp_request *req, const char *data, size_t len,
		       struct wp_reply *rep)
{
	(void)rep;
	if (wp_upload_size(req->stream) + len > (uint64_t)req->app->cfg->max_upload)
		return wp_fail(&req->err, 413, "payload_too_large", "body",
			       "upload is larger than the limit of %lld bytes",
			       req->app->cfg->max_upload);
	return wp_upload_write(req->stream, data, len, &req->err);
}

static void upload_free(struct wp_request *req)
{
	wp_upload_free(req->stream);
	req->stream = NULL;
}

static int handle_upload(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_content_attach(req->app, RES(req), &req->who, ID(req), req->stream,
				    wp_req_header(req, "X-Content-SHA256"), &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_download(struct wp_request *req, struct wp_reply *rep)
{
	char sha256[WP_SHA256_HEX];
	uint64_t size;
	int fd;

	if (wp_content_sha256(req->app, RES(req), ID(req), sha256, &req->err) ||
	    wp_repo_open(req->app, sha256, &fd, &size, &req->err))
		return wp_reply_result(req, rep, -1, 0, NULL);
	wp_reply_file(req, rep, fd, size, sha256, "application/octet-stream");
	return 0;
}

const struct wp_route wp_admin_routes[] = {
	{ "GET", "/healthz", AUTH_NONE, handle_healthz, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/login", AUTH_NONE, handle_login, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/logout", AUTH_READ, handle_logout, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/me", AUTH_READ, handle_me, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/api-tokens", AUTH_READ, handle_api_token_list, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/api-tokens", AUTH_ADMIN, handle_api_token_create, NULL, NULL, NULL, NULL },
	{ "DELETE", "/api/v1/api-tokens/{}", AUTH_READ, handle_api_token_delete, NULL, NULL, NULL,
	  NULL },
	{ "POST", "/api/v1/enrollment-tokens", AUTH_HELPDESK, handle_enroll_token_create, NULL,
	  NULL, NULL, NULL },
	{ "GET", "/api/v1/commands", AUTH_READ, handle_command_list, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/commands", AUTH_HELPDESK, handle_command_create, NULL, NULL, NULL,
	  NULL },
	{ "GET", "/api/v1/commands/{}", AUTH_READ, handle_command_get, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/commands/{}/approve", AUTH_ADMIN, handle_command_approve, NULL, NULL,
	  NULL, NULL },
	{ "POST", "/api/v1/commands/{}/cancel", AUTH_HELPDESK, handle_command_cancel, NULL, NULL,
	  NULL, NULL },
	{ "GET", "/api/v1/activity", AUTH_READ, handle_activity, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/history", AUTH_READ, handle_history, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/stats", AUTH_READ, handle_stats, NULL, NULL, NULL, NULL },
	{ "PUT", "/api/v1/images/{}/content", AUTH_ADMIN, handle_upload, &wp_res_images,
	  upload_begin, upload_data, upload_free },
	{ "GET", "/api/v1/images/{}/content", AUTH_READ, handle_download, &wp_res_images, NULL,
	  NULL, NULL },
	{ "PUT", "/api/v1/apps/{}/content", AUTH_ADMIN, handle_upload, &wp_res_apps,
	  upload_begin, upload_data, upload_free },
	{ "GET", "/api/v1/apps/{}/content", AUTH_READ, handle_download, &wp_res_apps, NULL,
	  NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
};
