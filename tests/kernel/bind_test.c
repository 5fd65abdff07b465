// SPDX-License-Identifier: GPL-2.0-only
/*
 * WORKPHONE_IOC_BIND: code identity.  A signed, unmodified, untraced
 * program binds; every way of running other code under a signed name is
 * refused with the errno the UAPI header documents; a bound file carries
 * no rights into another process.  Each refusal is also an audit event.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "events.h"
#include "lib/wp_test.h"

TEST(signed_binary_binds)
{
	struct workphone_status st;
	int fd = wp_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wp_status(fd, &st));
	EXPECT_EQ(0, st.flags & WORKPHONE_STATUS_BOUND);
	ASSERT_EQ(0, wp_bind(fd));
	ASSERT_EQ(0, wp_status(fd, &st));
	EXPECT_EQ(WORKPHONE_STATUS_BOUND | WORKPHONE_STATUS_OWNER, st.flags);
	close(fd);
	EXPECT_EQ(0, wp_probe(wp_helper("bind_probe"), NULL));
}

TEST(second_bind_is_ealready)
{
	int fd = wp_open_bound();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EALREADY, wp_bind(fd));
	close(fd);
}

TEST(bind_flags_and_reserved_must_be_zero)
{
	struct workphone_bind b = { .size = sizeof(b), .flags = 1 };
	int fd = wp_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_BIND, &b));
	b.flags = 0;
	b.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_BIND, &b));
	b.reserved[1] = 0;
	b.size = WORKPHONE_BIND_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(fd, WORKPHONE_IOC_BIND, &b));
	EXPECT_EQ(-EFAULT, wp_ioctl(fd, WORKPHONE_IOC_BIND, NULL));
	close(fd);
}

TEST(bind_nonzero_tail_is_e2big)
{
	struct {
		struct workphone_bind b;
		uint64_t future;
	} big = { .b.size = sizeof(big), .future = 1 };
	int fd = wp_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-E2BIG, wp_ioctl(fd, WORKPHONE_IOC_BIND, &big));
	big.future = 0;
	EXPECT_EQ(0, wp_ioctl(fd, WORKPHONE_IOC_BIND, &big));
	close(fd);
}

TEST(unsigned_binary_is_enodata)
{
	EXPECT_EQ(ENODATA, wp_probe(wp_helper("bind_probe.unsigned"), NULL));
}

TEST(untrusted_key_is_ekeyrejected)
{
	EXPECT_EQ(EKEYREJECTED, wp_probe(wp_helper("bind_probe.untrusted"), NULL));
}

TEST(modified_binary_is_ekeyrejected)
{
	EXPECT_EQ(EKEYREJECTED, wp_probe(wp_helper("bind_probe.modified"), NULL));
}

TEST(garbled_signature_is_ebadmsg)
{
	EXPECT_EQ(EBADMSG, wp_probe(wp_helper("bind_probe.badsig"), NULL));
}

TEST(writable_binary_is_etxtbsy)
{
	const char *copy = "/tmp/wp_probe_writable";

	ASSERT_EQ(0, wp_copy_file(wp_helper("bind_probe"), copy, 0755));
	EXPECT_EQ(0, wp_probe(copy, NULL));
	ASSERT_EQ(0, chmod(copy, 0777));
	EXPECT_EQ(ETXTBSY, wp_probe(copy, NULL));
	ASSERT_EQ(0, chmod(copy, 0775));
	EXPECT_EQ(ETXTBSY, wp_probe(copy, NULL));
	/* Writable by its non-root owner. */
	ASSERT_EQ(0, chmod(copy, 0755));
	ASSERT_EQ(0, chown(copy, WP_NOBODY, WP_NOBODY));
	EXPECT_EQ(ETXTBSY, wp_probe(copy, NULL));
	unlink(copy);
}

/*
 * The executable cannot be changed under a running binder: either the
 * kernel refuses the writer (ETXTBSY on open) or the bind is refused.
 */
TEST(binary_open_for_write_is_refused)
{
	const char *copy = "/tmp/wp_probe_openwrite";
	int go[2], status, wfd;
	pid_t pid;

	ASSERT_EQ(0, wp_copy_file(wp_helper("bind_probe"), copy, 0755));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(go[0], 0);
		execl(copy, copy, "--wait", NULL);
		_exit(127);
	}
	close(go[0]);
	usleep(200000);
	wfd = open(copy, O_WRONLY | O_CLOEXEC);
	if (wfd < 0)
		EXPECT_EQ(ETXTBSY, errno);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (wfd >= 0) {
		EXPECT_EQ(ETXTBSY, WEXITSTATUS(status));
		close(wfd);
	} else {
		TH_LOG("this kernel refuses writers of running programs");
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	close(go[1]);
	unlink(copy);
}

TEST(loader_environment_is_eperm)
{
	char *preload[] = { "LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6", NULL };
	char *libpath[] = { "HOME=/", "LD_LIBRARY_PATH=/tmp", NULL };
	char *audit[] = { "LD_AUDIT=/nonexistent.so", NULL };
	char *harmless[] = { "LD_BIND_NOW=1", "XLD_PRELOAD=x", NULL };
	const char *probe = wp_helper("bind_probe");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", probe);
	EXPECT_EQ(EPERM, wp_probe(path, preload));
	EXPECT_EQ(EPERM, wp_probe(path, libpath));
	EXPECT_EQ(EPERM, wp_probe(path, audit));
	EXPECT_EQ(0, wp_probe(path, harmless));
}

TEST(dynamic_loader_run_directly_is_refused)
{
	char probe[PATH_MAX];
	char *argv[] = { "/lib64/ld-linux-x86-64.so.2", probe, NULL };

	snprintf(probe, sizeof(probe), "%s", wp_helper("bind_probe"));
	if (access(argv[0], X_OK))
		SKIP(return, "no %s on this machine", argv[0]);
	EXPECT_EQ(ENODATA, wp_run(argv, NULL));
}

TEST(ptraced_binder_is_eperm)
{
	char probe[PATH_MAX];
	int status;
	pid_t pid;

	snprintf(probe, sizeof(probe), "%s", wp_helper("bind_probe"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl(probe, probe, NULL);
		_exit(127);
	}
	/* Stopped at exec; let it run traced to the end. */
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, NULL, NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
}

static int privileged_ioctl(int fd)
{
	struct workphone_create_vm cv = { .size = sizeof(cv) };

	return wp_ioctl(fd, WORKPHONE_IOC_CREATE_VM, &cv);
}

TEST(unbound_file_may_only_query)
{
	struct workphone_version v = { .size = sizeof(v) };
	struct workphone_daemon d = { .size = sizeof(d) };
	struct workphone_status st;
	int fd = wp_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, wp_ioctl(fd, WORKPHONE_IOC_GET_VERSION, &v));
	EXPECT_EQ(0, wp_status(fd, &st));
	EXPECT_EQ(-EACCES, privileged_ioctl(fd));
	EXPECT_EQ(-EACCES, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, &d));
	EXPECT_EQ(-EACCES, wp_ioctl(fd, WORKPHONE_IOC_DAEMON_UNREGISTER, &d));
	/* KVM system ioctls through the enabler need a bound file too. */
	EXPECT_EQ(-EACCES, wp_ioctl(fd, _IO(0xAE, 0x00), NULL));
	close(fd);
}

TEST(forked_child_inherits_no_rights)
{
	int fd = wp_open_bound(), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(-privileged_ioctl(fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	close(fd);
}

TEST(fd_passed_over_unix_socket_carries_no_rights)
{
	int sv[2], fd, status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A different process (new mm) receives the bound file. */
		int got = wp_recv_fd(sv[1]);

		if (got < 0)
			_exit(200);
		_exit(-privileged_ioctl(got));
	}
	fd = wp_open_bound();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wp_send_fd(sv[0], fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

static void *bind_in_thread(void *arg)
{
	/* This thread is alive, so the file table is shared. */
	return (void *)(long)privileged_ioctl(*(int *)arg);
}

TEST(another_thread_of_the_binder_shares_its_rights)
{
	struct workphone_status st;
	pthread_t thread;
	void *ret;
	int fd = wp_open_bound();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_create(&thread, NULL, bind_in_thread, &fd));
	ASSERT_EQ(0, pthread_join(thread, &ret));
	/* Past the ownership check: the shared file table is what refuses. */
	EXPECT_EQ(-EBUSY, (long)ret);
	ASSERT_EQ(0, wp_status(fd, &st));
	EXPECT_TRUE(st.flags & WORKPHONE_STATUS_OWNER);
	close(fd);
}

TEST(bind_success_and_refusal_are_audit_events)
{
	struct wp_event_msg ev;
	struct nl_sock *sk = wp_events_open();
	char probe[PATH_MAX];
	int fd;

	ASSERT_NE(NULL, sk) TH_LOG("subscribe: %s", strerror(errno));
	fd = wp_open_bound();
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, wp_events_wait(sk, WORKPHONE_EVENT_BIND_OK, 2000, &ev));
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_NE(0, ev.time_ns);
	close(fd);

	snprintf(probe, sizeof(probe), "%s", wp_helper("bind_probe.untrusted"));
	ASSERT_EQ(EKEYREJECTED, wp_probe(probe, NULL));
	ASSERT_EQ(1, wp_events_wait(sk, WORKPHONE_EVENT_BIND_FAILED, 2000, &ev));
	EXPECT_EQ(EKEYREJECTED, ev.err);
	EXPECT_STREQ("bind_probe.untr", ev.comm);
	wp_events_close(sk);
}

TEST(unprivileged_processes_cannot_subscribe_to_events)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct nl_sock *sk;

		if (setresgid(WP_NOBODY, WP_NOBODY, WP_NOBODY) ||
		    setresuid(WP_NOBODY, WP_NOBODY, WP_NOBODY))
			_exit(200);
		sk = wp_events_open();
		_exit(sk ? 0 : errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
