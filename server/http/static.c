// SPDX-License-Identifier: GPL-2.0-only
/*
 * The web dashboard (patent FIG. 3A-3E): index.html at "/" and the other
 * files of the web directory (--web) by name, at "/NAME".  The dashboard
 * is plain HTML, CSS and JavaScript that talks to the public REST API
 * only, so serving it is all the server does for it.
 *
 * Only one path segment is ever looked up, and only a name made of
 * [A-Za-z0-9_-] with one known extension: no "..", no "/", no hidden
 * files, so nothing outside the web directory can be reached; symbolic
 * links are not followed.  Every answer carries a strict
 * Content-Security-Policy (scripts, styles and requests from this origin
 * only, no inline script or style), a validator (ETag) and
 * Cache-Control: no-cache, so browsers revalidate cheaply with 304.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

#define NAME_MAX_LEN 64

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "ico", "image/x-icon" },
	{ "txt", "text/plain; charset=utf-8" },
};

static const char *const headers[] = {
	"Content-Security-Policy",
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
	" connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	"Cache-Control", "no-cache",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	NULL,
};

/* The Content-Type of a safe file name, or NULL for any other name. */
static const char *safe_type(const char *name)
{
	const char *dot = strchr(name, '.');
	size_t len = strlen(name);

	if (!dot || dot == name || len > NAME_MAX_LEN)
		return NULL;
	for (const char *p = name; p < dot; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-')
			return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot + 1, types[i].ext))
			return types[i].type;
	return NULL;
}

static int handle_static(struct wp_request *req, struct wp_reply *rep)
{
	const char *name = req->path_params[0] ? req->path_params[0] : "index.html";
	const char *dir = req->app->cfg->web_dir;
	const char *type = safe_type(name);
	char path[sizeof(req->app->cfg->web_dir) + NAME_MAX_LEN + 2], tag[64];
	struct stat st;
	int fd = -1;

	if (type && dir[0] &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path))
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		wp_fail(&req->err, 404, "not_found", NULL, "no such file: /%.100s", name);
		wp_reply_error(rep, &req->err);
		return 0;
	}
	snprintf(tag, sizeof(tag), "%llx-%llx-%llx", (unsigned long long)st.st_ino,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
		 (unsigned long long)st.st_mtim.tv_nsec, (unsigned long long)st.st_size);
	wp_reply_file(req, rep, fd, (uint64_t)st.st_size, tag, type);
	rep->headers = headers;
	return 0;
}

const struct wp_route wp_static_routes[] = {
	{ "GET", "/", AUTH_NONE, handle_static, NULL, NULL, NULL, NULL },
	{ "HEAD", "/", AUTH_NONE, handle_static, NULL, NULL, NULL, NULL },
	{ "GET", "/{}", AUTH_NONE, handle_static, NULL, NULL, NULL, NULL },
	{ "HEAD", "/{}", AUTH_NONE, handle_static, NULL, NULL, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
};
