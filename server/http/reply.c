// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replies: JSON bodies, JSON errors, and repository files with byte
 * ranges.  Files are sent from their descriptor (sendfile on plain HTTP),
 * never read into memory.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "../util/json.h"

const char *wp_req_header(struct wp_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

json_object *wp_req_json(struct wp_request *req)
{
	return wpj_parse_object(req->body, req->body_len, &req->err);
}

void wp_reply_json(struct wp_reply *rep, unsigned status, json_object *body)
{
	json_object_put(rep->body);
	rep->status = status;
	rep->body = body;
}

void wp_reply_error(struct wp_reply *rep, const struct wp_err *err)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(err->code ? err->code : "internal"));
	json_object_object_add(e, "message", json_object_new_string(err->message));
	if (err->field[0])
		json_object_object_add(e, "field", json_object_new_string(err->field));
	json_object_object_add(o, "error", e);
	wp_reply_json(rep, err->status ? (unsigned)err->status : 500, o);
}

int wp_reply_result(struct wp_request *req, struct wp_reply *rep, int ret,
		    unsigned status, json_object *body)
{
	if (ret) {
		json_object_put(body);
		if (!req->err.status)
			WP_INTERNAL(&req->err, "request failed");
		wp_reply_error(rep, &req->err);
		return 0;
	}
	wp_reply_json(rep, status, body);
	return 0;
}

static int parse_u64(const char **p, uint64_t *out)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;	/* absurdly large: unsatisfiable */
		v = v * 10 + (uint64_t)(**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

/*
 * One "bytes=" range (RFC 9110 14.1.2): "a-b", "a-" or "-n".  Several
 * ranges, malformed or unsatisfiable ones are refused with 416: a client
 * resuming a download sends exactly one.
 */
static int parse_range(const char *h, uint64_t size, uint64_t *start, uint64_t *len)
{
	const char *p = h;
	uint64_t a, b;

	while (*p == ' ')
		p++;
	if (strncmp(p, "bytes=", 6))
		return -1;
	p += 6;
	if (*p == '-') {
		p++;
		if (parse_u64(&p, &b) || *p || b == 0 || size == 0)
			return -1;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return 0;
	}
	if (parse_u64(&p, &a) || *p != '-' || a >= size)
		return -1;
	p++;
	if (!*p) {
		b = size - 1;
	} else if (parse_u64(&p, &b) || *p || b < a) {
		return -1;
	}
	if (b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return 0;
}

static bool etag_matches(const char *header, const char *etag)
{
	return header && (strstr(header, etag) || !strcmp(header, "*"));
}

void wp_reply_file(struct wp_request *req, struct wp_reply *rep, int fd,
		   uint64_t size, const char *sha256, const char *content_type)
{
	const char *range = wp_req_header(req, MHD_HTTP_HEADER_RANGE);
	const char *if_range = wp_req_header(req, MHD_HTTP_HEADER_IF_RANGE);
	uint64_t start = 0, len = size;

	snprintf(rep->etag, sizeof(rep->etag), "\"%s\"", sha256);
	rep->content_type = content_type;
	rep->total = size;
	if (etag_matches(wp_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), rep->etag)) {
		close(fd);
		rep->status = MHD_HTTP_NOT_MODIFIED;
		rep->not_modified = true;
		return;
	}
	/* If-Range with another validator: the whole (new) file. */
	if (range && (!if_range || !strcmp(if_range, rep->etag))) {
		if (parse_range(range, size, &start, &len)) {
			close(fd);
			wp_fail(&req->err, 416, "range_not_satisfiable", "Range",
				"Range '%.100s' is not one satisfiable range of this %" PRIu64
				"-byte file", range, size);
			wp_reply_error(rep, &req->err);
			return;
		}
		rep->partial = true;
	}
	rep->fd = fd;
	rep->offset = start;
	rep->length = len;
	rep->status = rep->partial ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK;
}

static struct MHD_Response *build(struct wp_reply *rep)
{
	struct MHD_Response *r;
	char buf[128];

	if (rep->fd >= 0) {
		r = MHD_create_response_from_fd_at_offset64(rep->length, rep->fd,
							    rep->offset);
		if (!r)
			return NULL;
		rep->fd = -1;	/* MHD closes it */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rep->etag);
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
		if (rep->partial) {
			snprintf(buf, sizeof(buf), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
				 rep->offset, rep->offset + rep->length - 1, rep->total);
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, buf);
		}
		return r;
	}
	if (rep->not_modified) {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (r)
			MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rep->etag);
		return r;
	}
	if (!rep->body) {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len;
		const char *text = json_object_to_json_string_length(
			rep->body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

		r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
		if (r)
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
						"application/json");
	}
	if (r && rep->status == 416 && rep->total) {
		snprintf(buf, sizeof(buf), "bytes */%" PRIu64, rep->total);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, buf);
	}
	if (r && rep->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	return r;
}

struct MHD_Response *wp_reply_build(struct wp_reply *rep)
{
	struct MHD_Response *r = build(rep);

	for (const char *const *h = rep->headers; r && h && h[0]; h += 2)
		MHD_add_response_header(r, h[0], h[1]);
	return r;
}
