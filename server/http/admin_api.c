// SPDX-License-Identifier: GPL-2.0-only
/*
 * Admin REST API handlers (/api/v1/...).  Each one parses the request,
 * calls one service function and turns its result into a reply; the
 * required role is declared in the route table below.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdio.h>
#include <stdlib.h>
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

/* SHA-256 of a signer's DER certificate, or null without one. */
static json_object *cert_fingerprint(const struct wpdoc_signer *signer)
{
	char hex[WP_SHA256_HEX];
	const uint8_t *der;
	size_t len;

	if (!signer || !(der = wpdoc_signer_cert_der(signer, &len)))
		return NULL;
	wp_sha256_hex(der, len, hex);
	return json_object_new_string(hex);
}

/* The server's settings that matter to administrators; nothing secret. */
static int handle_settings(struct wp_request *req, struct wp_reply *rep)
{
	const struct wp_config *cfg = req->app->cfg;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "backend", json_object_new_string(db_backend(req->app->db)));
	json_object_object_add(o, "tls", json_object_new_boolean(cfg->tls_cert[0] != '\0'));
	json_object_object_add(o, "session_ttl_s", json_object_new_int(cfg->session_ttl_s));
	json_object_object_add(o, "wipe_hold_count", json_object_new_int(cfg->wipe_hold_count));
	json_object_object_add(o, "wipe_hold_window_s",
			       json_object_new_int(cfg->wipe_hold_window_s));
	json_object_object_add(o, "max_upload", json_object_new_int64(cfg->max_upload));
	json_object_object_add(o, "max_body", json_object_new_int64(cfg->max_body));
	json_object_object_add(o, "lease_valid_s", json_object_new_int(cfg->lease_valid_s));
	json_object_object_add(o, "grace_s", json_object_new_int(cfg->grace_s));
	json_object_object_add(o, "cert_sha256", cert_fingerprint(req->app->signer));
	json_object_object_add(o, "next_cert_sha256", cert_fingerprint(req->app->next_signer));
	wp_reply_json(rep, 200, o);
	return 0;
}

/* --- image and application content: streamed upload, ranged download --- */

/*
 * An upload's state for the request: the upload, its partial's key,
 * whether it has a Content-Range, and the Upload-Offset header of a 409
 * upload_offset_mismatch or a 202 answer.
 */
struct upload_req {
	struct wp_upload *up;
	bool ranged;
	char key[96];
	char offset[24];
	const char *headers[3];
};

/* "image-<id>": the name of the object's partial upload. */
static int upload_key(struct wp_request *req, char *key, size_t size)
{
	const char *id = ID(req);

	if (!*id || strspn(id, "0123456789abcdefABCDEF-") != strlen(id) || strlen(id) > 64)
		return wp_fail(&req->err, 404, "not_found", NULL, "no such %s", RES(req)->type);
	snprintf(key, size, "%s-%s", RES(req)->type, id);
	return 0;
}

static void set_offset(struct upload_req *u, struct wp_reply *rep, uint64_t offset)
{
	snprintf(u->offset, sizeof(u->offset), "%llu", (unsigned long long)offset);
	u->headers[0] = "Upload-Offset";
	u->headers[1] = u->offset;
	u->headers[2] = NULL;
	rep->headers = u->headers;
}

static int parse_u64(const char **p, uint64_t *out)
{
	uint64_t v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(**p - '0');
	}
	*out = v;
	return 0;
}

/*
 * Content-Range: bytes START-END/TOTAL (RFC 9110 14.4) of a resumed
 * upload, checked against the body's Content-Length and max-upload.
 */
static int parse_content_range(struct wp_request *req, const char *h,
			       struct wp_upload_spec *spec)
{
	const char *cl = wp_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *p = h;

	while (*p == ' ')
		p++;
	if (strncmp(p, "bytes ", 6))
		goto malformed;
	p += 6;
	while (*p == ' ')
		p++;
	if (parse_u64(&p, &spec->start) || *p++ != '-' || parse_u64(&p, &spec->end) ||
	    *p++ != '/' || parse_u64(&p, &spec->total))
		goto malformed;
	while (*p == ' ')
		p++;
	if (*p)
		goto malformed;
	if (spec->end < spec->start || spec->end >= spec->total)
		return wp_fail(&req->err, 416, "range_not_satisfiable", "Content-Range",
			       "Content-Range '%.100s': the first byte must not be after the"
			       " last, and the last must be before the total size", h);
	if (spec->total > (uint64_t)req->app->cfg->max_upload)
		return wp_fail(&req->err, 413, "payload_too_large", "Content-Range",
			       "Content-Range: a file of %llu bytes is larger than the limit of"
			       " %lld bytes", (unsigned long long)spec->total,
			       req->app->cfg->max_upload);
	if (cl && strtoull(cl, NULL, 10) != spec->end - spec->start + 1)
		return wp_fail(&req->err, 400, "invalid_field", "Content-Range",
			       "Content-Range '%.100s' is %llu bytes but the body"
			       " (Content-Length) is %.30s", h,
			       (unsigned long long)(spec->end - spec->start + 1), cl);
	if (!spec->sha256)
		return wp_fail(&req->err, 400, "invalid_field", "X-Content-SHA256",
			       "an upload with Content-Range needs X-Content-SHA256, the SHA-256"
			       " of the whole file");
	spec->ranged = true;
	return 0;
malformed:
	return wp_fail(&req->err, 400, "invalid_field", "Content-Range",
		       "Content-Range must be 'bytes START-END/TOTAL' (e.g. bytes"
		       " 1048576-4194303/4194304), not '%.100s'", h);
}

static int upload_begin(struct wp_request *req, struct wp_reply *rep)
{
	const char *range = wp_req_header(req, MHD_HTTP_HEADER_CONTENT_RANGE);
	const char *cl = wp_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct wp_upload_spec spec = { .total_hint = -1 };
	json_object *obj = NULL;
	struct upload_req *u;

	if (wp_resource_get(req->app, RES(req), ID(req), &obj, &req->err))
		return -1;
	json_object_put(obj);
	spec.sha256 = wp_req_header(req, "X-Content-SHA256");
	if (spec.sha256 && !wp_sha256_hex_valid(spec.sha256))
		return WP_BAD(&req->err, "X-Content-SHA256",
			      "X-Content-SHA256 must be 64 lower-case hex digits");
	if (range && parse_content_range(req, range, &spec))
		return -1;
	if (!range && cl)
		spec.total_hint = strtoll(cl, NULL, 10);
	u = calloc(1, sizeof(*u));
	if (!u)
		return WP_INTERNAL(&req->err, "out of memory");
	req->stream = u;
	if (upload_key(req, u->key, sizeof(u->key)))
		return -1;
	spec.key = u->key;
	u->ranged = spec.ranged;
	if (wp_upload_begin(req->app, &spec, &u->up, &req->err)) {
		if (req->err.code && !strcmp(req->err.code, "upload_offset_mismatch"))
			set_offset(u, rep, spec.received);
		return -1;
	}
	return 0;
}

static int upload_data(struct wp_request *req, const char *data, size_t len,
		       struct wp_reply *rep)
{
	struct upload_req *u = req->stream;

	(void)rep;
	/*
	 * A ranged upload's total was checked against max-upload at its
	 * start, and the body may not go past its range: wp_upload_write()
	 * refuses that, keeping the partial for a resume.
	 */
	if (!u->ranged &&
	    wp_upload_size(u->up) + len > (uint64_t)req->app->cfg->max_upload) {
		/* It can never be completed: nothing to resume. */
		wp_upload_discard(u->up);
		return wp_fail(&req->err, 413, "payload_too_large", "body",
			       "upload is larger than the limit of %lld bytes",
			       req->app->cfg->max_upload);
	}
	return wp_upload_write(u->up, data, len, &req->err);
}

static void upload_free(struct wp_request *req)
{
	struct upload_req *u = req->stream;

	if (u)
		wp_upload_free(u->up);
	free(u);
	req->stream = NULL;
}

static int handle_upload(struct wp_request *req, struct wp_reply *rep)
{
	struct upload_req *u = req->stream;
	json_object *out = NULL;
	int ret = wp_upload_end(u->up, &req->err);

	if (ret > 0) {
		/* A part of the file: the rest is to come with Content-Range. */
		ret = wp_upload_status(req->app, u->key, &out, &req->err);
		if (!ret)
			set_offset(u, rep, wp_upload_size(u->up));
		return wp_reply_result(req, rep, ret, 202, out);
	}
	if (!ret)
		ret = wp_content_attach(req->app, RES(req), &req->who, ID(req), u->up,
					wp_req_header(req, "X-Content-SHA256"), &out, &req->err);
	return wp_reply_result(req, rep, ret, 200, out);
}

static int handle_upload_status(struct wp_request *req, struct wp_reply *rep)
{
	json_object *obj = NULL, *out = NULL;
	char key[96];
	int ret = wp_resource_get(req->app, RES(req), ID(req), &obj, &req->err);

	json_object_put(obj);
	if (!ret)
		ret = upload_key(req, key, sizeof(key));
	if (!ret)
		ret = wp_upload_status(req->app, key, &out, &req->err);
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
	{ "POST", "/api/v1/api-tokens", AUTH_READ, handle_api_token_create, NULL, NULL, NULL, NULL },
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
	{ "GET", "/api/v1/settings", AUTH_READ, handle_settings, NULL, NULL, NULL, NULL },
	{ "PUT", "/api/v1/images/{}/content", AUTH_ADMIN, handle_upload, &wp_res_images,
	  upload_begin, upload_data, upload_free },
	{ "GET", "/api/v1/images/{}/upload", AUTH_ADMIN, handle_upload_status, &wp_res_images,
	  NULL, NULL, NULL },
	{ "GET", "/api/v1/images/{}/content", AUTH_READ, handle_download, &wp_res_images, NULL,
	  NULL, NULL },
	{ "PUT", "/api/v1/apps/{}/content", AUTH_ADMIN, handle_upload, &wp_res_apps,
	  upload_begin, upload_data, upload_free },
	{ "GET", "/api/v1/apps/{}/upload", AUTH_ADMIN, handle_upload_status, &wp_res_apps,
	  NULL, NULL, NULL },
	{ "GET", "/api/v1/apps/{}/content", AUTH_READ, handle_download, &wp_res_apps, NULL,
	  NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
};
