// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: extensible ioctl arguments.
 *
 * Every ioctl argument starts with a __u32 size chosen by userspace.  These
 * helpers are the only place that copies such structures across the user
 * boundary, so the size rules of the UAPI header are enforced once.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <linux/uaccess.h>
#include <linux/string.h>

#include "workphone.h"

bool wp_mem_is_zero(const void *buf, size_t len)
{
	return !memchr_inv(buf, 0, len);
}

/**
 * wp_copy_arg_from_user() - copy an extensible ioctl argument in
 * @karg:	kernel copy, @ksize bytes
 * @ksize:	size of the kernel's structure
 * @ver0_size:	size of the first published version of the structure
 * @uarg:	user pointer to the structure; its first __u32 is its size
 *
 * Return: 0, -EFAULT, -EINVAL (size below @ver0_size) or -E2BIG (size above
 * a page, or unknown trailing bytes that are not zero).
 */
int wp_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
			  const void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < ver0_size)
		return -EINVAL;
	if (usize > WP_ARG_SIZE_MAX)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret)
		return ret;
	/* Userspace may know a smaller structure: report the size we use. */
	*(u32 *)karg = min_t(u32, usize, ksize);
	return 0;
}

/**
 * wp_copy_arg_to_user() - copy an extensible ioctl argument back out
 * @uarg:	user pointer the argument came from
 * @karg:	kernel copy; its first __u32 is the size agreed on copy-in
 * @ksize:	size of the kernel's structure
 *
 * Only the bytes both sides know are written; the size field keeps the
 * caller's own value so a retried call behaves the same.
 *
 * Return: 0 or -EFAULT.
 */
int wp_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize)
{
	u32 len = min_t(u32, *(const u32 *)karg, ksize);

	if (len <= sizeof(u32))
		return 0;
	if (copy_to_user((u8 __user *)uarg + sizeof(u32),
			 (const u8 *)karg + sizeof(u32), len - sizeof(u32)))
		return -EFAULT;
	return 0;
}
