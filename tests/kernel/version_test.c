// SPDX-License-Identifier: GPL-2.0-only
/*
 * WORKPHONE_IOC_GET_VERSION and the rules every extensible argument obeys:
 * size smaller or larger than the kernel's, non-zero tails, reserved
 * fields, bad pointers, unknown commands.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "lib/wp_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(WP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", WP_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version_reports_abi_and_features)
{
	struct workphone_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &v));
	EXPECT_EQ(WORKPHONE_ABI_VERSION, v.abi_version);
	EXPECT_TRUE(v.features & WORKPHONE_FEATURE_VERSION);
	EXPECT_NE(0, v.module_version[0]);
	EXPECT_EQ(0, v.module_version[sizeof(v.module_version) - 1]);
	EXPECT_EQ(sizeof(v), v.size);
}

TEST_F(dev, version_size_below_ver0_is_einval)
{
	struct workphone_version v = { .size = WORKPHONE_VERSION_SIZE_VER0 - 1 };

	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &v));
	v.size = 0;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &v));
}

TEST_F(dev, version_larger_struct_with_zero_tail_is_accepted)
{
	struct {
		struct workphone_version v;
		uint8_t future[64];
	} big = { .v.size = sizeof(big) };

	ASSERT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &big));
	EXPECT_EQ(WORKPHONE_ABI_VERSION, big.v.abi_version);
	/* The kernel must not write past the structure it knows. */
	for (size_t i = 0; i < sizeof(big.future); i++)
		ASSERT_EQ(0, big.future[i]);
}

TEST_F(dev, version_nonzero_tail_is_e2big)
{
	struct {
		struct workphone_version v;
		uint8_t future[64];
	} big = { .v.size = sizeof(big) };

	big.future[63] = 1;
	EXPECT_EQ(-E2BIG, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &big));
}

TEST_F(dev, version_size_above_a_page_is_e2big)
{
	struct workphone_version v = { .size = 1 << 20 };

	EXPECT_EQ(-E2BIG, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &v));
}

TEST_F(dev, version_reserved_nonzero_is_einval)
{
	struct workphone_version v = { .size = sizeof(v) };

	v.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, &v));
}

TEST_F(dev, version_bad_pointer_is_efault)
{
	struct workphone_version *v;

	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, NULL));
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION,
				    (void *)-4096L));
	/* Size claims more than is mapped: the tail check must fault. */
	v = wp_guarded_alloc(sizeof(*v));
	ASSERT_NE(NULL, v);
	v->size = sizeof(*v) + 8;
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, v));
	v->size = sizeof(*v);
	EXPECT_EQ(0, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, v));
}

TEST_F(dev, version_read_only_buffer_is_efault)
{
	struct workphone_version *v;

	v = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, v);
	v->size = sizeof(*v);
	ASSERT_EQ(0, mprotect(v, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, WORKPHONE_IOC_GET_VERSION, v));
	munmap(v, 4096);
}

TEST_F(dev, unknown_commands_are_enotty)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-ENOTTY, wp_ioctl(self->fd, _IO(WORKPHONE_IOCTL_TYPE, 0xff), buf));
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->fd, _IO('x', 0x00), buf));
	/* Same number with a size baked in is a different command. */
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->fd,
				    _IOWR(WORKPHONE_IOCTL_TYPE, 0x00, struct workphone_version),
				    buf));
}

TEST_HARNESS_MAIN
