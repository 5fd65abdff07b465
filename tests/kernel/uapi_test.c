// SPDX-License-Identifier: GPL-2.0-only
/*
 * The argument rules every ioctl of the UAPI header shares, checked on
 * each of them: a size below the first version is EINVAL, above a page or
 * with a non-zero unknown tail E2BIG, an unreadable argument EFAULT, and
 * non-zero flags EINVAL.  Argument checks come before any other check, so
 * a bound file sees exactly these errors.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include "kselftest_harness.h"
#include "lib/wp_test.h"

FIXTURE(uapi) {
	int fd;
	unsigned char *buf;
};

FIXTURE_VARIANT(uapi) {
	unsigned long cmd;
	uint32_t ver0;
	uint32_t size;
	bool flags_at_4;	/* the __u32 after size is flags */
};

FIXTURE_VARIANT_ADD(uapi, get_version) {
	.cmd = WORKPHONE_IOC_GET_VERSION, .ver0 = WORKPHONE_VERSION_SIZE_VER0,
	.size = sizeof(struct workphone_version), .flags_at_4 = false,
};
FIXTURE_VARIANT_ADD(uapi, get_status) {
	.cmd = WORKPHONE_IOC_GET_STATUS, .ver0 = WORKPHONE_STATUS_SIZE_VER0,
	.size = sizeof(struct workphone_status), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, bind) {
	.cmd = WORKPHONE_IOC_BIND, .ver0 = WORKPHONE_BIND_SIZE_VER0,
	.size = sizeof(struct workphone_bind), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, daemon_register) {
	.cmd = WORKPHONE_IOC_DAEMON_REGISTER, .ver0 = WORKPHONE_DAEMON_SIZE_VER0,
	.size = sizeof(struct workphone_daemon), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, daemon_unregister) {
	.cmd = WORKPHONE_IOC_DAEMON_UNREGISTER, .ver0 = WORKPHONE_DAEMON_SIZE_VER0,
	.size = sizeof(struct workphone_daemon), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, create_vm) {
	.cmd = WORKPHONE_IOC_CREATE_VM, .ver0 = WORKPHONE_CREATE_VM_SIZE_VER0,
	.size = sizeof(struct workphone_create_vm), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, get_nonce) {
	.cmd = WORKPHONE_IOC_GET_NONCE, .ver0 = WORKPHONE_NONCE_SIZE_VER0,
	.size = sizeof(struct workphone_nonce), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, provision) {
	.cmd = WORKPHONE_IOC_PROVISION, .ver0 = WORKPHONE_DOC_ARG_SIZE_VER0,
	.size = sizeof(struct workphone_doc_arg), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, submit_doc) {
	.cmd = WORKPHONE_IOC_SUBMIT_DOC, .ver0 = WORKPHONE_DOC_ARG_SIZE_VER0,
	.size = sizeof(struct workphone_doc_arg), .flags_at_4 = true,
};
FIXTURE_VARIANT_ADD(uapi, restore) {
	.cmd = WORKPHONE_IOC_RESTORE, .ver0 = WORKPHONE_DOC_ARG_SIZE_VER0,
	.size = sizeof(struct workphone_doc_arg), .flags_at_4 = true,
};

FIXTURE_SETUP(uapi)
{
	self->fd = wp_open_bound();
	ASSERT_LE(0, self->fd);
	self->buf = wp_guarded_alloc(8192);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(uapi)
{
	close(self->fd);
}

static uint32_t *size_field(unsigned char *buf)
{
	return (uint32_t *)buf;
}

TEST_F(uapi, size_below_first_version_is_einval)
{
	*size_field(self->buf) = variant->ver0 - 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, variant->cmd, self->buf));
	*size_field(self->buf) = 0;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, variant->cmd, self->buf));
}

TEST_F(uapi, size_above_a_page_is_e2big)
{
	*size_field(self->buf) = 4097;
	EXPECT_EQ(-E2BIG, wp_ioctl(self->fd, variant->cmd, self->buf));
	*size_field(self->buf) = UINT32_MAX;
	EXPECT_EQ(-E2BIG, wp_ioctl(self->fd, variant->cmd, self->buf));
}

TEST_F(uapi, nonzero_unknown_tail_is_e2big)
{
	*size_field(self->buf) = variant->size + 16;
	self->buf[variant->size + 9] = 0x5a;
	EXPECT_EQ(-E2BIG, wp_ioctl(self->fd, variant->cmd, self->buf));
}

TEST_F(uapi, unreadable_argument_is_efault)
{
	unsigned char *edge = wp_guarded_alloc(4);

	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, variant->cmd, NULL));
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, variant->cmd, (void *)-4096L));
	/* The size field is readable, the rest is not. */
	ASSERT_NE(NULL, edge);
	*size_field(edge) = variant->size;
	EXPECT_EQ(-EFAULT, wp_ioctl(self->fd, variant->cmd, edge));
}

TEST_F(uapi, nonzero_flags_are_einval)
{
	if (!variant->flags_at_4)
		SKIP(return, "no flags field");
	*size_field(self->buf) = variant->size;
	((uint32_t *)self->buf)[1] = 0x80000000;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, variant->cmd, self->buf));
}

TEST_F(uapi, nonzero_last_reserved_word_is_einval)
{
	*size_field(self->buf) = variant->size;
	/* Every structure ends with a reserved __u64 array. */
	self->buf[variant->size - 1] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->fd, variant->cmd, self->buf));
}

TEST_HARNESS_MAIN
