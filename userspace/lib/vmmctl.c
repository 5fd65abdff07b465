// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client side of wpvmm's JSON control socket, for wpctl and wpd.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "vmmctl.h"

int wp_vmm_connect(struct wp_vmm *c, const char *path, char *err, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int e;

	c->fd = -1;
	c->connect_errno = 0;
	c->len = 0;
	c->path = path;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, len, "control socket path %s is too long", path);
		return WP_VMM_USAGE;
	}
	strcpy(addr.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return WP_VMM_FAILED;
	}
	if (!connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)))
		return 0;
	e = errno;
	c->connect_errno = e;
	close(c->fd);
	c->fd = -1;
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		snprintf(err, len, "wpvmm is not running: no control socket at %s", path);
		return WP_VMM_NOT_RUNNING;
	case ECONNREFUSED:
		snprintf(err, len, "wpvmm is not running: nothing listens on %s (a stale socket?)",
			 path);
		return WP_VMM_NOT_RUNNING;
	case EACCES:
	case EPERM:
		snprintf(err, len, "%s: permission denied: wpvmm serves only root and its own user",
			 path);
		return WP_VMM_REFUSED;
	default:
		snprintf(err, len, "cannot connect to %s: %s", path, strerror(e));
		return WP_VMM_FAILED;
	}
}

int wp_vmm_send_all(int fd, const char *p, size_t n)
{
	bool sock = true;

	while (n) {
		/* send() keeps a closed peer from raising SIGPIPE; write() for
		 * what is not a socket (a terminal, a pipe). */
		ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);

		if (w < 0 && errno == ENOTSOCK && sock) {
			sock = false;
			continue;
		}

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

long long wp_vmm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wp_vmm_call(struct wp_vmm *c, json_object *req, int timeout_ms,
		json_object **reply, char *err, size_t len)
{
	long long deadline = wp_vmm_now_ms() + timeout_ms;
	const char *text;
	size_t text_len;
	char *nl;
	int ret;

	*reply = NULL;
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	text_len = strlen(text);
	ret = wp_vmm_send_all(c->fd, text, text_len);
	if (!ret)
		ret = wp_vmm_send_all(c->fd, "\n", 1);
	/* The serialised request may hold a password: wipe json-c's copy. */
	OPENSSL_cleanse((char *)text, text_len);
	if (ret) {
		snprintf(err, len, "wpvmm closed the connection (%s): it serves only root and its own user",
			 strerror(-ret));
		return ret == -EPIPE || ret == -ECONNRESET ? WP_VMM_REFUSED : WP_VMM_FAILED;
	}
	c->len = 0;
	while (!(nl = memchr(c->buf, '\n', c->len))) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left = deadline - wp_vmm_now_ms();
		ssize_t n;

		if (c->len == sizeof(c->buf)) {
			snprintf(err, len, "wpvmm's reply is longer than %zu bytes", sizeof(c->buf));
			return WP_VMM_FAILED;
		}
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, len, "wpvmm did not answer within %d s", timeout_ms / 1000);
			return WP_VMM_TIMEOUT;
		}
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (c->len || n < 0) {
				snprintf(err, len, "wpvmm closed the connection in the middle of a reply");
				return WP_VMM_FAILED;
			}
			snprintf(err, len, "wpvmm closed the connection without answering: it serves only root and its own user (or it just stopped)");
			return WP_VMM_REFUSED;
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
		return WP_VMM_FAILED;
	}
	return 0;
}

void wp_vmm_close(struct wp_vmm *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	OPENSSL_cleanse(c->buf, c->len);
	c->len = 0;
}

int wp_vmm_request(const char *path, json_object *req, int timeout_ms,
		   json_object **reply, char *err, size_t len)
{
	struct wp_vmm *c = malloc(sizeof(*c));
	int ret;

	*reply = NULL;
	if (!c) {
		snprintf(err, len, "out of memory");
		return WP_VMM_FAILED;
	}
	ret = wp_vmm_connect(c, path, err, len);
	if (!ret)
		ret = wp_vmm_call(c, req, timeout_ms, reply, err, len);
	wp_vmm_close(c);
	free(c);
	return ret;
}

bool wp_vmm_reply_ok(json_object *reply, const char **code, const char **error)
{
	json_object *v;

	if (code)
		*code = "";
	if (error)
		*error = "";
	if (json_object_object_get_ex(reply, "ok", &v) && json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v))
		return true;
	if (code && json_object_object_get_ex(reply, "code", &v) &&
	    json_object_is_type(v, json_type_string))
		*code = json_object_get_string(v);
	if (error && json_object_object_get_ex(reply, "error", &v) &&
	    json_object_is_type(v, json_type_string))
		*error = json_object_get_string(v);
	return false;
}
