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
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/workphone.h>

#define WP_DEV "/dev/workphone"

/* ioctl() returning -errno instead of -1, so ASSERT_EQ(-EINVAL, ...) reads. */
static inline int wp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
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

#endif /* WP_TEST_H */
