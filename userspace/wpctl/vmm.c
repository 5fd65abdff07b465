// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl: one connection to wpvmm's control socket.  Requests and replies
 * are JSON objects, one per line (json-c both ways); after "console" the
 * connection carries raw bytes, so whatever follows a reply line is kept.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "wpctl.h"

const char *wpctl_vmm_socket(const struct wpctl_opts *o)
{
	const char *env = getenv("WP_VMM_SOCKET");

	if (o->socket)
		return o->socket;
	return env && *env ? env : WPCTL_VMM_SOCKET;
}

int wpctl_vmm_connect(struct wpctl_vmm *c, const char *path, char *err, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int e;

	c->fd = -1;
	c->len = 0;
	c->path = path;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, len, "control socket path %s is too long", path);
		return WPCTL_USAGE;
	}
	strcpy(addr.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return WPCTL_FAILED;
	}
	if (!connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)))
		return 0;
	e = errno;
	close(c->fd);
	c->fd = -1;
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		snprintf(err, len, "wpvmm is not running: no control socket at %s (give --socket or WP_VMM_SOCKET if it listens elsewhere)",
			 path);
		return WPCTL_NO_VMM;
	case ECONNREFUSED:
		snprintf(err, len, "wpvmm is not running: nothing listens on %s (a stale socket?)",
			 path);
		return WPCTL_NO_VMM;
	case EACCES:
	case EPERM:
		snprintf(err, len, "%s: permission denied: wpvmm serves only root and its own user",
			 path);
		return WPCTL_REFUSED;
	default:
		snprintf(err, len, "cannot connect to %s: %s", path, strerror(e));
		return WPCTL_FAILED;
	}
}

int wpctl_send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

long long wpctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wpctl_vmm_call(struct wpctl_vmm *c, json_object *req, int timeout_ms,
		   json_object **reply, char *err, size_t len)
{
	long long deadline = wpctl_now_ms() + timeout_ms;
	const char *text;
	size_t text_len;
	char *nl;
	int ret;

	*reply = NULL;
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	text_len = strlen(text);
	ret = wpctl_send_all(c->fd, text, text_len);
	if (!ret)
		ret = wpctl_send_all(c->fd, "\n", 1);
	/* The serialised request may hold a password: wipe json-c's copy. */
	OPENSSL_cleanse((char *)text, text_len);
	if (ret) {
		snprintf(err, len, "wpvmm closed the connection (%s): it serves only root and its own user",
			 strerror(-ret));
		return ret == -EPIPE || ret == -ECONNRESET ? WPCTL_REFUSED : WPCTL_FAILED;
	}
	c->len = 0;
	while (!(nl = memchr(c->buf, '\n', c->len))) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left = deadline - wpctl_now_ms();
		ssize_t n;

		if (c->len == sizeof(c->buf)) {
			snprintf(err, len, "wpvmm's reply is longer than %zu bytes", sizeof(c->buf));
			return WPCTL_FAILED;
		}
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, len, "wpvmm did not answer within %d s", timeout_ms / 1000);
			return WPCTL_TIMEOUT;
		}
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (c->len || n < 0) {
				snprintf(err, len, "wpvmm closed the connection in the middle of a reply");
				return WPCTL_FAILED;
			}
			snprintf(err, len, "wpvmm closed the connection without answering: it serves only root and its own user (or it just stopped)");
			return WPCTL_REFUSED;
		}
		c->len += (size_t)n;
	}
	*nl = '\0';
	*reply = json_tokener_parse(c->buf);
	c->len -= (size_t)(nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
	if (!*reply || !json_object_is_type(*reply, json_type_object)) {
		json_object_put(*reply);
		*reply = NULL;
		snprintf(err, len, "wpvmm's reply is not a JSON object");
		return WPCTL_FAILED;
	}
	return 0;
}

void wpctl_vmm_close(struct wpctl_vmm *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int wpctl_vmm_reply_exit(json_object *reply)
{
	static const char *const refused[] = {
		"wrong-password", "locked-out", "password-expired", "weak-password",
		"same-password", "password-locked", "forbidden", "no-password-set",
	};
	json_object *v;
	const char *code;

	if (json_object_object_get_ex(reply, "ok", &v) && json_object_get_boolean(v))
		return WPCTL_OK;
	code = json_object_object_get_ex(reply, "code", &v) ? json_object_get_string(v) : "";
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(code, refused[i]))
			return WPCTL_REFUSED;
	if (!strcmp(code, "bad-request") || !strcmp(code, "unknown-command"))
		return WPCTL_USAGE;
	if (!strcmp(code, "timeout"))
		return WPCTL_TIMEOUT;
	return WPCTL_FAILED;
}
