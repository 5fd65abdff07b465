// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpd: the work phone's VM.  wpd does not start wpvmm (the hypervisor's
 * launcher does); it tells it what the server decided, through wpvmm's
 * control socket (lib/vmmctl.c; config.json "vmm_socket"):
 *
 *   unlock (signed, accepted by the enabler)  -> "admin-unlock"
 *   wipe (before the image directory goes)    -> "stop", then wpvmm gone
 *   policy_change (password-policy.json new)  -> "policy-reload"
 *
 * A wpvmm that is not running is logged, not an error: the next wpvmm
 * reads the files as they are then.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vmmctl.h"
#include "wpd.h"

#define CALL_TIMEOUT_MS		10000
/* The guest's time to power off cleanly; wpvmm stops it after that. */
#define STOP_GRACE_MS		5000
#define STOP_TIMEOUT_MS		(STOP_GRACE_MS + 15000)
#define EXIT_TIMEOUT_MS		10000

/*
 * One request on its own connection.  1 if wpvmm is not running (logged),
 * 0 with *reply, or -1 with err set.  If pidfd is not NULL it gets a
 * pidfd of the peer (SO_PEERCRED, opened while the connection holds the
 * peer alive, so a recycled process id cannot be mistaken for it), or -1.
 */
static int vmm_call(struct wpd *d, const char *what, json_object *req, int timeout_ms,
		    json_object **reply, int *pidfd, char *err, size_t err_len)
{
	struct wp_vmm *c = malloc(sizeof(*c));
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char why[512];
	int ret;

	*reply = NULL;
	if (pidfd)
		*pidfd = -1;
	if (!c) {
		snprintf(err, err_len, "wpvmm: out of memory");
		return -1;
	}
	ret = wp_vmm_connect(c, d->cfg.vmm_socket, why, sizeof(why));
	if (ret == WP_VMM_NOT_RUNNING) {
		wpd_log(d, "%s: %s: nothing to tell it", what, why);
		free(c);
		return 1;
	}
	if (!ret && pidfd && !getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	    cred.pid > 0)
		*pidfd = pidfd_open(cred.pid, 0);
	if (!ret)
		ret = wp_vmm_call(c, req, timeout_ms, reply, why, sizeof(why));
	wp_vmm_close(c);
	free(c);
	if (ret) {
		snprintf(err, err_len, "wpvmm: %s", why);
		return -1;
	}
	return 0;
}

/* A request without arguments; the reply's failure code "no-password"
 * (a VM without a password policy) is not an error either. */
static int vmm_simple(struct wpd *d, const char *what, const char *cmd,
		      char *err, size_t err_len)
{
	json_object *req = json_object_new_object(), *reply;
	const char *code, *error;
	int ret;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	ret = vmm_call(d, what, req, CALL_TIMEOUT_MS, &reply, NULL, err, err_len);
	json_object_put(req);
	if (ret)
		return ret > 0 ? 0 : -1;
	if (wp_vmm_reply_ok(reply, &code, &error)) {
		wpd_log(d, "%s: wpvmm: %s done", what, cmd);
		ret = 0;
	} else if (!strcmp(code, "no-password")) {
		wpd_log(d, "%s: wpvmm has no password lock: nothing to do", what);
		ret = 0;
	} else {
		snprintf(err, err_len, "wpvmm refused %s: %s (%s)", cmd, error, code);
		ret = -1;
	}
	json_object_put(reply);
	return ret;
}

int wpd_vmm_admin_unlock(struct wpd *d, char *err, size_t err_len)
{
	return vmm_simple(d, "unlock", "admin-unlock", err, err_len);
}

int wpd_vmm_policy_reload(struct wpd *d, char *err, size_t err_len)
{
	return vmm_simple(d, "policy_change", "policy-reload", err, err_len);
}

/* Has the process behind pidfd exited (a zombie counts) within timeout_ms? */
static bool wait_gone(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	long long end = wp_vmm_now_ms() + timeout_ms, left;
	int n;

	do {
		left = end - wp_vmm_now_ms();
		n = poll(&p, 1, left > 0 ? (int)left : 0);
	} while (n < 0 && errno == EINTR);
	return n > 0;
}

int wpd_vmm_stop(struct wpd *d, char *err, size_t err_len)
{
	json_object *req = json_object_new_object(), *reply, *v;
	const char *code, *error;
	int pidfd, ret;

	json_object_object_add(req, "cmd", json_object_new_string("stop"));
	json_object_object_add(req, "timeout_ms", json_object_new_int(STOP_GRACE_MS));
	ret = vmm_call(d, "wipe", req, STOP_TIMEOUT_MS, &reply, &pidfd, err, err_len);
	json_object_put(req);
	if (ret > 0)
		return 0;
	if (!ret && !wp_vmm_reply_ok(reply, &code, &error))
		wpd_log(d, "wipe: wpvmm answered stop with %s (%s)", error, code);
	else if (!ret)
		wpd_log(d, "wipe: wpvmm stopped the VM (%s)",
			json_object_object_get_ex(reply, "reason", &v) ?
			json_object_get_string(v) : "no reason given");
	else
		wpd_log(d, "wipe: %s", err);
	json_object_put(reply);
	if (pidfd < 0) {
		snprintf(err, err_len, "wpvmm: cannot watch its process: cannot make sure it stopped");
		return -1;
	}
	ret = 0;
	if (wait_gone(pidfd, EXIT_TIMEOUT_MS)) {
		wpd_log(d, "wipe: wpvmm has exited");
		goto out;
	}
	/* The work phone is being wiped: nothing of it is worth waiting for. */
	wpd_log(d, "wipe: wpvmm did not exit: killing it");
	if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) && errno != ESRCH) {
		snprintf(err, err_len, "wpvmm: kill: %s", strerror(errno));
		ret = -1;
	} else if (!wait_gone(pidfd, EXIT_TIMEOUT_MS)) {
		snprintf(err, err_len, "wpvmm is still running after SIGKILL");
		ret = -1;
	} else {
		wpd_log(d, "wipe: wpvmm is gone");
	}
out:
	close(pidfd);
	return ret;
}
