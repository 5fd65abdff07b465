// SPDX-License-Identifier: GPL-2.0-only
/*
 * The protected management daemon: registration rules, what the device
 * owner (root included) can no longer do to it, what it can still do
 * itself, and fail-closed when it dies.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "lib/wp_daemon.h"
#include "events.h"
#include "lib/wp_lease.h"
#include "lib/wp_test.h"

FIXTURE(daemon) {
	struct wp_daemon_child d;
};

FIXTURE_SETUP(daemon)
{
	ASSERT_EQ(0, wp_ensure_active());
	ASSERT_EQ(0, wp_reset_daemon_lost());
	ASSERT_EQ(0, wp_lock_reasons());
	ASSERT_EQ(0, wp_daemon_start(&self->d, 0, -1));
}

FIXTURE_TEARDOWN(daemon)
{
	wp_daemon_stop(&self->d);
	wp_reset_daemon_lost();
}

TEST_F(daemon, registration_is_visible_in_status)
{
	struct workphone_status st;
	int fd = wp_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wp_status(fd, &st));
	EXPECT_EQ(self->d.pid, st.daemon_pid);
	EXPECT_EQ(0, st.lock_reasons);
	close(fd);
}

TEST_F(daemon, second_registration_is_ebusy)
{
	int fd = wp_open_bound();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, wp_daemon_register(fd));
	close(fd);
}

TEST_F(daemon, unregister_by_another_session_is_eperm)
{
	int fd = wp_open_bound();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, wp_daemon_unregister(fd));
	close(fd);
	EXPECT_EQ('k', wp_daemon_cmd(&self->d, WP_DAEMON_PING));
}

TEST_F(daemon, daemon_file_in_another_process_is_eperm)
{
	int sv[2], fd;

	/* Restart the daemon with a socket to hand us its bound file. */
	wp_daemon_stop(&self->d);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, wp_daemon_start(&self->d, 0, sv[1]));
	ASSERT_EQ(0, wp_daemon_cmd(&self->d, WP_DAEMON_SEND_FD));
	fd = wp_recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, wp_daemon_unregister(fd));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(daemon, register_arguments_are_validated)
{
	struct workphone_daemon arg = { .size = sizeof(arg), .flags = 1 };
	int fd = wp_open_bound();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, &arg));
	arg.flags = 0;
	arg.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, &arg));
	arg.reserved[0] = 0;
	arg.size = 8;
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, &arg));
	EXPECT_EQ(-EFAULT, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, NULL));
	EXPECT_EQ(-EFAULT, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_UNREGISTER, NULL));
	arg.size = 8;
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_UNREGISTER, &arg));
	close(fd);
}

static const int owner_signals[] = { SIGKILL, SIGTERM, SIGSTOP, SIGINT };

TEST_F(daemon, signals_from_root_are_ignored)
{
	for (size_t i = 0; i < ARRAY_SIZE(owner_signals); i++) {
		EXPECT_EQ(0, kill(self->d.pid, owner_signals[i]));
		usleep(50000);
		EXPECT_EQ('k', wp_daemon_cmd(&self->d, WP_DAEMON_PING))
			TH_LOG("signal %d", owner_signals[i]);
		EXPECT_NE('T', wp_proc_state(self->d.pid));
	}
	EXPECT_EQ(0, waitpid(self->d.pid, NULL, WNOHANG));
}

TEST_F(daemon, signals_from_the_same_uid_are_ignored)
{
	int status;
	pid_t sender;

	wp_daemon_stop(&self->d);
	ASSERT_EQ(0, wp_daemon_start(&self->d, WP_NOBODY, -1));
	sender = fork();
	ASSERT_LE(0, sender);
	if (!sender) {
		if (setresgid(WP_NOBODY, WP_NOBODY, WP_NOBODY) ||
		    setresuid(WP_NOBODY, WP_NOBODY, WP_NOBODY))
			_exit(200);
		for (size_t i = 0; i < ARRAY_SIZE(owner_signals); i++)
			if (kill(self->d.pid, owner_signals[i]))
				_exit(201);
		_exit(0);
	}
	ASSERT_EQ(sender, waitpid(sender, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	usleep(50000);
	EXPECT_EQ('k', wp_daemon_cmd(&self->d, WP_DAEMON_PING));
	EXPECT_NE('T', wp_proc_state(self->d.pid));
}

TEST_F(daemon, ptrace_attach_and_proc_mem_are_refused)
{
	struct workphone_version v = { .size = sizeof(v) };
	char path[64], byte = 0;
	struct iovec local = { .iov_base = &byte, .iov_len = 1 };
	struct iovec remote = { .iov_base = (void *)0x400000, .iov_len = 1 };
	int fd = wp_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wp_ioctl(fd, WORKPHONE_IOC_GET_VERSION, &v));
	close(fd);
	if (!(v.features & WORKPHONE_FEATURE_PTRACE_GUARD))
		SKIP(return, "enabler built without the ptrace guard");

	errno = 0;
	EXPECT_EQ(-1, ptrace(PTRACE_ATTACH, self->d.pid, NULL, NULL));
	EXPECT_EQ(EPERM, errno);
	errno = 0;
	EXPECT_EQ(-1, ptrace(PTRACE_SEIZE, self->d.pid, NULL, NULL));
	EXPECT_EQ(EPERM, errno);

	snprintf(path, sizeof(path), "/proc/%d/mem", self->d.pid);
	EXPECT_EQ(-1, open(path, O_RDWR | O_CLOEXEC));
	EXPECT_TRUE(errno == EACCES || errno == EPERM) TH_LOG("errno %d", errno);

	EXPECT_EQ(-1, process_vm_writev(self->d.pid, &local, 1, &remote, 1, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ('k', wp_daemon_cmd(&self->d, WP_DAEMON_PING));
}

static int read_oom_score_adj(pid_t pid)
{
	char path[64], buf[16] = { 0 };
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return INT_MIN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : INT_MIN;
}

TEST_F(daemon, oom_killer_exemption_is_visible_and_undone)
{
	EXPECT_EQ(-1000, read_oom_score_adj(self->d.pid));
	ASSERT_EQ(0, wp_daemon_cmd(&self->d, WP_DAEMON_UNREGISTER));
	EXPECT_EQ(0, read_oom_score_adj(self->d.pid));
	/* Unregistered: killable again, and no lock for leaving properly. */
	EXPECT_EQ(0, kill(self->d.pid, SIGKILL));
	EXPECT_EQ(self->d.pid, waitpid(self->d.pid, NULL, 0));
	self->d.pid = 0;
	EXPECT_EQ(0, wp_lock_reasons());
}

TEST_F(daemon, daemon_crash_locks_at_once_and_is_reported)
{
	struct wp_event_msg ev;
	struct nl_sock *sk = wp_events_open();
	pid_t pid = self->d.pid;
	int status;

	ASSERT_NE(NULL, sk);
	ASSERT_EQ(-1, wp_daemon_cmd(&self->d, WP_DAEMON_CRASH));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	self->d.pid = 0;
	/* The kernel's own SIGSEGV still kills a protected daemon. */
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	/* Locked before its parent could even reap it. */
	EXPECT_EQ(WORKPHONE_LOCK_DAEMON_LOST, wp_lock_reasons());
	ASSERT_EQ(1, wp_events_wait(sk, WORKPHONE_EVENT_DAEMON_LOST, 2000, &ev));
	EXPECT_EQ(pid, ev.pid);

	/* A daemon registering again lifts the lock, and says so. */
	ASSERT_EQ(0, wp_reset_daemon_lost());
	ASSERT_EQ(1, wp_events_wait(sk, WORKPHONE_EVENT_LOCK_CHANGED, 2000, &ev));
	EXPECT_EQ(0, wp_lock_reasons());
	wp_events_close(sk);
}

TEST_F(daemon, daemon_may_exit_on_its_own_which_locks)
{
	int status;

	ASSERT_EQ(-1, wp_daemon_cmd(&self->d, WP_DAEMON_EXIT));
	ASSERT_EQ(self->d.pid, waitpid(self->d.pid, &status, 0));
	self->d.pid = 0;
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(WORKPHONE_LOCK_DAEMON_LOST, wp_lock_reasons());
}

TEST_F(daemon, registration_events_name_the_daemon)
{
	struct wp_event_msg ev;
	struct nl_sock *sk = wp_events_open();

	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, wp_daemon_cmd(&self->d, WP_DAEMON_UNREGISTER));
	ASSERT_EQ(1, wp_events_wait(sk, WORKPHONE_EVENT_DAEMON_UNREGISTERED,
				    2000, &ev));
	EXPECT_EQ(self->d.pid, ev.pid);
	wp_daemon_stop(&self->d);
	ASSERT_EQ(0, wp_daemon_start(&self->d, 0, -1));
	ASSERT_EQ(1, wp_events_wait(sk, WORKPHONE_EVENT_DAEMON_REGISTERED,
				    2000, &ev));
	EXPECT_EQ(self->d.pid, ev.pid);
	EXPECT_STREQ("daemon_test", ev.comm);
	wp_events_close(sk);
}

TEST_HARNESS_MAIN
