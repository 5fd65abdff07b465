/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the enabler's kselftests, so that each test reads as
 * the behaviour it checks.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_TEST_H
#define WP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/workphone.h>

#define WP_DEV "/dev/workphone"
#define WP_NOBODY 65534

/* ioctl() returning -errno instead of -1, so ASSERT_EQ(-EINVAL, ...) reads. */
static inline int wp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline int wp_open(void)
{
	return open(WP_DEV, O_RDWR | O_CLOEXEC);
}

static inline int wp_bind(int fd)
{
	struct workphone_bind b = { .size = sizeof(b) };

	return wp_ioctl(fd, WORKPHONE_IOC_BIND, &b);
}

/* An open, bound file, or -errno. */
static inline int wp_open_bound(void)
{
	int fd = wp_open(), ret;

	if (fd < 0)
		return -errno;
	ret = wp_bind(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int wp_daemon_register(int fd)
{
	struct workphone_daemon d = { .size = sizeof(d) };

	return wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, &d);
}

static inline int wp_daemon_unregister(int fd)
{
	struct workphone_daemon d = { .size = sizeof(d) };

	return wp_ioctl(fd, WORKPHONE_IOC_DAEMON_UNREGISTER, &d);
}

static inline int wp_status(int fd, struct workphone_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return wp_ioctl(fd, WORKPHONE_IOC_GET_STATUS, st);
}

/* The status as seen through a fresh unbound file; 0 or -errno. */
static inline int wp_status_now(struct workphone_status *st)
{
	int fd = wp_open(), ret;

	if (fd < 0)
		return -errno;
	ret = wp_status(fd, st);
	close(fd);
	return ret;
}

static inline int wp_lock_reasons(void)
{
	struct workphone_status st;
	int ret = wp_status_now(&st);

	return ret ? ret : (int)st.lock_reasons;
}

static inline int wp_nr_vms(void)
{
	struct workphone_status st;
	int ret = wp_status_now(&st);

	return ret ? ret : (int)st.nr_vms;
}

/*
 * Clear WORKPHONE_LOCK_DAEMON_LOST left by an earlier test: register and
 * unregister a daemon.  Returns 0 or -errno.
 */
static inline int wp_reset_daemon_lost(void)
{
	int fd = wp_open_bound(), ret;

	if (fd < 0)
		return fd;
	ret = wp_daemon_register(fd);
	if (!ret)
		ret = wp_daemon_unregister(fd);
	close(fd);
	return ret;
}

/* Path of a test helper binary built next to the tests. */
static inline const char *wp_helper(const char *name)
{
	static char path[PATH_MAX];
	const char *build = getenv("WP_BUILD");

	snprintf(path, sizeof(path), "%s/tests/kernel/helpers/%s",
		 build ? build : "build", name);
	return path;
}

/* Copy a file to dst with the given mode; 0 or -errno. */
static inline int wp_copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	if (n < 0)
		ret = -errno;
	close(in);
	if (close(out) && !ret)
		ret = -errno;
	if (!ret && chmod(dst, mode))
		ret = -errno;
	return ret;
}

/*
 * Run argv with envp (NULL: empty environment); return its exit status,
 * or -1 if it did not exit normally.
 */
static inline int wp_run(char *const argv[], char *const envp[])
{
	static char *const empty[] = { NULL };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execve(argv[0], argv, envp ? envp : empty);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The bind probe's exit status is the errno of its bind (0: bound). */
static inline int wp_probe(const char *exe, char *const envp[])
{
	char *const argv[] = { (char *)exe, NULL };

	return wp_run(argv, envp);
}

/*
 * A buffer whose last byte is followed by an unmapped page: an argument
 * placed at its end tells EFAULT from success exactly at the boundary.
 */
static inline void *wp_guarded_alloc(size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t span = (len + page - 1) / page * page;
	char *base;

	base = mmap(NULL, span + page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base + span, page, PROT_NONE)) {
		munmap(base, span + page);
		return NULL;
	}
	memset(base, 0, span);
	return base + span - len;
}

/* Send / receive one descriptor over a unix socket. */
static inline int wp_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static inline int wp_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

#endif /* WP_TEST_H */
