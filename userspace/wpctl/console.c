// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl console: attach to the work phone's serial console through
 * wpvmm's control socket.  Raw bytes both ways (the terminal in raw mode)
 * until Ctrl-] or the end of standard input.  Typing counts as activity
 * for the password's inactivity lock: a second connection sends
 * {"cmd":"activity"} at most once a second while input flows.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "wpctl.h"

#define DETACH_CHAR		0x1d	/* Ctrl-] */
#define ACTIVITY_EVERY_MS	1000

static struct termios saved;
static bool raw_mode;

static void restore_terminal(void)
{
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	raw_mode = false;
}

static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Tell wpvmm the user is typing; give up on the first failure. */
static void report_activity(struct wp_vmm *act, long long *last)
{
	json_object *req, *reply = NULL;
	char err[256];

	if (act->fd < 0 || wp_vmm_now_ms() - *last < ACTIVITY_EVERY_MS)
		return;
	*last = wp_vmm_now_ms();
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("activity"));
	if (wp_vmm_call(act, req, 2000, &reply, err, sizeof(err)))
		wp_vmm_close(act);
	json_object_put(req);
	json_object_put(reply);
}

/* Shuttle bytes until Ctrl-], end of input or the VM closing the console. */
static const char *shuttle(struct wp_vmm *con, struct wp_vmm *act)
{
	long long last_activity = 0;
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = con->fd, .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return strerror(errno);
		}
		if (p[1].revents) {
			n = recv(con->fd, buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return "the VM closed the console";
			if (wp_vmm_send_all(STDOUT_FILENO, buf, (size_t)n))
				return "cannot write to standard output";
		}
		if (p[0].revents) {
			char *stop;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return "end of input";
			stop = memchr(buf, DETACH_CHAR, (size_t)n);
			if (stop)
				n = stop - buf;
			if (n > 0) {
				report_activity(act, &last_activity);
				if (wp_vmm_send_all(con->fd, buf, (size_t)n))
					return "the VM closed the console";
			}
			if (stop)
				return NULL;
		}
	}
}

int wpctl_vm_console(const struct wpctl_opts *o, int argc, char **argv)
{
	struct wp_vmm con, act = { .fd = -1 };
	json_object *req, *reply;
	struct vm_args a;
	const char *why;
	struct termios t;
	char err[512];
	int ret;

	ret = wpctl_vm_parse("console", 0, "",
			     "Attach to the work phone's serial console (its history first).  Bytes\n"
			     "go both ways until Ctrl-] or the end of standard input.  Refused while\n"
			     "the work phone is locked by its password.",
			     o, argc, argv, &a);
	if (ret)
		return ret;
	ret = wpctl_vmm_connect(&con, wpctl_vmm_socket(&a.o), err, sizeof(err));
	if (ret)
		return wpctl_vm_fail(&a, "console", ret, wpctl_exit_word(ret), err);
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("console"));
	ret = wp_vmm_call(&con, req, a.timeout_ms, &reply, err, sizeof(err));
	json_object_put(req);
	if (ret) {
		wp_vmm_close(&con);
		return wpctl_vm_fail(&a, "console", ret, wpctl_exit_word(ret), err);
	}
	ret = wpctl_vmm_reply_exit(reply);
	if (ret) {
		json_object *v;

		wp_vmm_close(&con);
		snprintf(err, sizeof(err), "%s", json_object_object_get_ex(reply, "error", &v) ?
			 json_object_get_string(v) : "refused");
		json_object_put(reply);
		return wpctl_vm_fail(&a, "console", ret, "refused", err);
	}
	json_object_put(reply);
	/* A second connection for activity reports; without it, none are sent. */
	if (wpctl_vmm_connect(&act, con.path, err, sizeof(err)))
		act.fd = -1;

	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		t = saved;
		cfmakeraw(&t);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		raw_mode = !tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	}
	fprintf(stderr, "Connected to the work phone's console; Ctrl-] detaches.\r\n");
	/* Console bytes that came with the reply. */
	if (con.len)
		wp_vmm_send_all(STDOUT_FILENO, con.buf, con.len);
	why = shuttle(&con, &act);
	restore_terminal();
	wp_vmm_close(&act);
	wp_vmm_close(&con);
	fprintf(stderr, "\nDetached%s%s.\n", why ? ": " : "", why ? why : "");
	return WPCTL_OK;
}
