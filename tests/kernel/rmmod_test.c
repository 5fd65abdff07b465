// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enabler cannot be unloaded while a management daemon is registered,
 * and can once it has unregistered and every file is closed.  The test
 * loads the module again afterwards ($WP_MODULE).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "lib/wp_daemon.h"
#include "lib/wp_test.h"

static int delete_module(void)
{
	return syscall(SYS_delete_module, "workphone", O_NONBLOCK) ? -errno : 0;
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

TEST(rmmod_refused_while_daemon_registered_then_allowed)
{
	const char *module = getenv("WP_MODULE");
	struct wp_daemon_child d;
	struct workphone_status st;
	int ret, fd, i;

	ASSERT_NE(NULL, module) TH_LOG("WP_MODULE is not set");
	ASSERT_EQ(0, wp_reset_daemon_lost());
	ASSERT_EQ(0, wp_daemon_start(&d, 0, -1));

	ret = delete_module();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY) TH_LOG("ret %d", ret);
	EXPECT_EQ('k', wp_daemon_cmd(&d, WP_DAEMON_PING));

	/* Unregistered and gone: now it may go. */
	ASSERT_EQ(0, wp_daemon_cmd(&d, WP_DAEMON_UNREGISTER));
	wp_daemon_stop(&d);
	EXPECT_EQ(0, delete_module());

	ASSERT_EQ(0, load_module(module));
	for (i = 0; i < 50 && (fd = wp_open()) < 0; i++)
		usleep(20000);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wp_status(fd, &st));
	EXPECT_EQ(0, st.daemon_pid);
	close(fd);
}

TEST_HARNESS_MAIN
