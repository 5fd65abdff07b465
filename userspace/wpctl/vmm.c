// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl: what is wpctl's own about talking to wpvmm: where its control
 * socket is, and which exit code a reply means.  The connection itself is
 * lib/vmmctl.c, shared with wpd.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpctl.h"

/* vmmctl.c's results are returned as wpctl's exit codes. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(WP_VMM_OK, WPCTL_OK) && SAME(WP_VMM_FAILED, WPCTL_FAILED) &&
	       SAME(WP_VMM_USAGE, WPCTL_USAGE) && SAME(WP_VMM_REFUSED, WPCTL_REFUSED) &&
	       SAME(WP_VMM_TIMEOUT, WPCTL_TIMEOUT) && SAME(WP_VMM_NOT_RUNNING, WPCTL_NO_VMM),
	       "lib/vmmctl.h results must be wpctl's exit codes");

const char *wpctl_vmm_socket(const struct wpctl_opts *o)
{
	const char *env = getenv("WP_VMM_SOCKET");

	if (o->socket)
		return o->socket;
	return env && *env ? env : WPCTL_VMM_SOCKET;
}

int wpctl_vmm_connect(struct wp_vmm *c, const char *path, char *err, size_t len)
{
	int ret = wp_vmm_connect(c, path, err, len);
	size_t n;

	if (ret == WP_VMM_NOT_RUNNING && (c->connect_errno == ENOENT || c->connect_errno == ENOTDIR)) {
		n = strlen(err);
		snprintf(err + n, len - n, " (give --socket or WP_VMM_SOCKET if it listens elsewhere)");
	}
	return ret;
}

int wpctl_vmm_reply_exit(json_object *reply)
{
	static const char *const refused[] = {
		"wrong-password", "locked-out", "password-expired", "weak-password",
		"same-password", "password-locked", "forbidden", "no-password-set",
	};
	const char *code;

	if (wp_vmm_reply_ok(reply, &code, NULL))
		return WPCTL_OK;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(code, refused[i]))
			return WPCTL_REFUSED;
	if (!strcmp(code, "bad-request") || !strcmp(code, "unknown-command"))
		return WPCTL_USAGE;
	if (!strcmp(code, "timeout"))
		return WPCTL_TIMEOUT;
	return WPCTL_FAILED;
}
