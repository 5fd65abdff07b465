/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one HTTP client of the device and admin tools (libcurl): JSON
 * requests with a bearer token, and resumable, verified downloads.
 *
 * TLS is always verified.  Plain http:// is accepted only for loopback
 * addresses (tests on this machine); anything else is refused before a
 * connection is made.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_HTTP_H
#define WP_LIB_HTTP_H

#include <stddef.h>

#include <json-c/json.h>

struct wp_http;

struct wp_http_response {
	long status;		/* HTTP status, 0 if no answer */
	char *body;		/* NUL-terminated, may be empty */
	size_t len;
	json_object *json;	/* parsed body if it was JSON, else NULL */
};

/*
 * base_url: "https://host:port" (no trailing path); ca_file: PEM bundle
 * to trust instead of the system's, or NULL.  NULL on error, with a
 * message in err.
 */
struct wp_http *wp_http_new(const char *base_url, const char *ca_file,
			    char *err, size_t err_len);
void wp_http_free(struct wp_http *h);
void wp_http_set_token(struct wp_http *h, const char *token);
void wp_http_set_timeout(struct wp_http *h, long seconds);

/*
 * method path with an optional JSON body.  Returns 0 when the server
 * answered (whatever the status), or -1 with a message in err when it
 * could not be reached.
 */
int wp_http_json(struct wp_http *h, const char *method, const char *path,
		 json_object *body, struct wp_http_response *resp,
		 char *err, size_t err_len);
void wp_http_response_free(struct wp_http_response *resp);

/* The "error.message" (or the status line) of a failed JSON answer. */
const char *wp_http_error_text(const struct wp_http_response *resp);

typedef void (*wp_http_progress_fn)(void *ctx, long long done, long long total);

/*
 * Download path into dest, resuming from dest's current size with a Range
 * request (the server must answer 206 or, from zero, 200; a 200 to a Range
 * is refused before anything is appended).  dest is opened with
 * wp_open_resumable(): only a regular file of the effective uid with one
 * link is resumed, anything else at dest (a symbolic link, a hard link)
 * is replaced by a new file, never followed.  Returns 0, or -1 with a
 * message.
 */
int wp_http_download(struct wp_http *h, const char *path, const char *dest,
		     wp_http_progress_fn progress, void *ctx,
		     char *err, size_t err_len);

#endif /* WP_LIB_HTTP_H */
