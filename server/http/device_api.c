// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device API handlers: enrolment, manifest, downloads, installation
 * report and check-in (Documentation/lease-protocol.rst).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "http.h"
#include "../service/services.h"

static int handle_enroll(struct wp_request *req, struct wp_reply *rep)
{
	json_object *body = wp_req_json(req), *out = NULL;
	int ret;

	if (!body) {
		wp_reply_error(rep, &req->err);
		return 0;
	}
	ret = wp_enroll(req->app, body, &out, &req->err);
	json_object_put(body);
	return wp_reply_result(req, rep, ret, 201, out);
}

static int handle_manifest(struct wp_request *req, struct wp_reply *rep)
{
	json_object *out = NULL;
	int ret = wp_manifest(req->app, &req->who, &out, &req->err);

	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_installed(struct wp_request *req, struct wp_reply *rep)
{
	json_object *body = wp_req_json(req), *out = NULL;
	int ret;

	if (!body) {
		wp_reply_error(rep, &req->err);
		return 0;
	}
	ret = wp_device_installed(req->app, &req->who, body, &out, &req->err);
	json_object_put(body);
	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_checkin(struct wp_request *req, struct wp_reply *rep)
{
	json_object *body = wp_req_json(req), *out = NULL;
	int ret;

	if (!body) {
		wp_reply_error(rep, &req->err);
		return 0;
	}
	ret = wp_checkin(req->app, &req->who, body, &out, &req->err);
	json_object_put(body);
	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_blob(struct wp_request *req, struct wp_reply *rep)
{
	const char *sha256 = req->path_params[0];
	uint64_t size;
	int fd;

	if (wp_content_device_allowed(req->app, sha256, &req->err) ||
	    wp_repo_open(req->app, sha256, &fd, &size, &req->err))
		return wp_reply_result(req, rep, -1, 0, NULL);
	wp_reply_file(req, rep, fd, size, sha256, "application/octet-stream");
	return 0;
}

const struct wp_route wp_device_routes[] = {
	{ "POST", "/api/v1/enroll", AUTH_NONE, handle_enroll, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/device/manifest", AUTH_DEVICE, handle_manifest, NULL, NULL, NULL,
	  NULL },
	{ "GET", "/api/v1/device/images/{}", AUTH_DEVICE, handle_blob, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/device/apps/{}", AUTH_DEVICE, handle_blob, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/device/installed", AUTH_DEVICE, handle_installed, NULL, NULL, NULL,
	  NULL },
	{ "POST", "/api/v1/device/checkin", AUTH_DEVICE, handle_checkin, NULL, NULL, NULL,
	  NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
};
