/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The client side of wpvmm's JSON control socket (one AF_UNIX stream
 * socket; a JSON object per line both ways; protocol in
 * Documentation/image-format.rst and device-tools.rst), shared by wpctl
 * and wpd.  After "console" the connection carries raw bytes, so whatever
 * follows a reply line is kept in buf.
 *
 * The results are the numbers of wpctl's exit codes, so that wpctl can
 * return them as they are.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_VMMCTL_H
#define WP_VMMCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Where wpvmm listens on a device unless told otherwise. */
#define WP_VMM_SOCKET_DEFAULT	"/run/workphone/vmm.sock"

enum wp_vmm_result {
	WP_VMM_OK = 0,
	WP_VMM_FAILED = 1,	/* the call ran and failed */
	WP_VMM_USAGE = 2,	/* a path that cannot be a socket */
	WP_VMM_REFUSED = 4,	/* wpvmm does not serve this user */
	WP_VMM_TIMEOUT = 5,	/* no answer in time */
	WP_VMM_NOT_RUNNING = 6,	/* no socket, or nothing listening on it */
};

struct wp_vmm {
	int fd;
	int connect_errno;	/* why wp_vmm_connect() failed, or 0 */
	const char *path;
	size_t len;		/* bytes in buf after the last reply line */
	char buf[65536];
};

/* Connect to path; 0 or a wp_vmm_result with err set. */
int wp_vmm_connect(struct wp_vmm *c, const char *path, char *err, size_t len);
/*
 * Send req and wait up to timeout_ms for the reply line (a JSON object);
 * bytes after it stay in c->buf.  json-c's text of req is wiped once
 * sent (it may hold a password).  0 or a wp_vmm_result with err set.
 */
int wp_vmm_call(struct wp_vmm *c, json_object *req, int timeout_ms,
		json_object **reply, char *err, size_t len);
void wp_vmm_close(struct wp_vmm *c);
/* connect, call, close: one request on its own connection. */
int wp_vmm_request(const char *path, json_object *req, int timeout_ms,
		   json_object **reply, char *err, size_t len);
/*
 * Did wpvmm say "ok"?  If not, *code and *error (may be NULL) point into
 * reply: its "code" and "error", or "" when absent.
 */
bool wp_vmm_reply_ok(json_object *reply, const char **code, const char **error);

/* Write all n bytes to fd, a socket (no SIGPIPE) or not; 0 or -errno. */
int wp_vmm_send_all(int fd, const char *p, size_t n);
/* CLOCK_MONOTONIC in milliseconds. */
long long wp_vmm_now_ms(void);

#endif /* WP_VMMCTL_H */
