/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A child process that binds and registers as the management daemon, then
 * obeys one-byte commands on a pipe.  Since a registered daemon ignores
 * SIGKILL, tests stop it through the pipe: closing it makes the child
 * unregister and exit, so a failing test never leaves an unkillable
 * process behind.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_DAEMON_H
#define WP_DAEMON_H

#include "wp_test.h"

struct wp_daemon_child {
	pid_t pid;
	int cmd;	/* write end: commands */
	int reply;	/* read end: one byte per command */
};

enum {
	WP_DAEMON_PING = 'p',		/* reply 'k' */
	WP_DAEMON_UNREGISTER = 'u',	/* reply with the errno, stay alive */
	WP_DAEMON_EXIT = 'x',		/* exit(0) without unregistering */
	WP_DAEMON_CRASH = 'c',		/* dereference NULL */
	WP_DAEMON_SEND_FD = 's',	/* send its bound fd on fd 3 */
};

static inline void wp_daemon_child_main(int cmd, int reply, uid_t uid)
{
	char c, r;
	int fd, ret;

	if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
		_exit(200);
	fd = wp_open_bound();
	ret = fd < 0 ? fd : wp_daemon_register(fd);
	r = (char)-ret;
	if (write(reply, &r, 1) != 1 || ret)
		_exit(201);
	while (read(cmd, &c, 1) == 1) {
		switch (c) {
		case WP_DAEMON_PING:
			r = 'k';
			break;
		case WP_DAEMON_UNREGISTER:
			r = (char)-wp_daemon_unregister(fd);
			break;
		case WP_DAEMON_EXIT:
			_exit(0);
		case WP_DAEMON_CRASH:
			*(volatile int *)NULL = 0;
			_exit(202);
		case WP_DAEMON_SEND_FD:
			r = (char)-wp_send_fd(3, fd);
			break;
		default:
			r = '?';
		}
		if (write(reply, &r, 1) != 1)
			break;
	}
	wp_daemon_unregister(fd);
	_exit(0);
}

/*
 * Start a daemon child running as uid (0: stay root).  Returns 0, or the
 * positive errno of its registration, or -1.  sock >= 0 becomes its fd 3.
 */
static inline int wp_daemon_start(struct wp_daemon_child *d, uid_t uid,
				   int sock)
{
	int cmd[2], reply[2];
	char r;

	if (pipe2(cmd, O_CLOEXEC) || pipe2(reply, O_CLOEXEC))
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (!d->pid) {
		if (sock >= 0)
			dup2(sock, 3);
		close(cmd[1]);
		close(reply[0]);
		wp_daemon_child_main(cmd[0], reply[1], uid);
	}
	close(cmd[0]);
	close(reply[1]);
	d->cmd = cmd[1];
	d->reply = reply[0];
	if (read(d->reply, &r, 1) != 1)
		return -1;
	return r;
}

/* Send a command; return the reply byte, or -1 if the child is gone. */
static inline int wp_daemon_cmd(struct wp_daemon_child *d, char c)
{
	char r;

	if (write(d->cmd, &c, 1) != 1 || read(d->reply, &r, 1) != 1)
		return -1;
	return (unsigned char)r;
}

/* Stop the child (unregisters if still registered) and reap it. */
static inline int wp_daemon_stop(struct wp_daemon_child *d)
{
	int status = 0;

	if (d->cmd >= 0)
		close(d->cmd);
	if (d->reply >= 0)
		close(d->reply);
	d->cmd = d->reply = -1;
	if (d->pid > 0 && waitpid(d->pid, &status, 0) != d->pid)
		return -1;
	d->pid = 0;
	return status;
}

/* 'R', 'S', 'T', 'Z', ... from /proc/PID/stat, or 0. */
static inline char wp_proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

#endif /* WP_DAEMON_H */
