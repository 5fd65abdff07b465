/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workphone enabler: definitions shared by the module's source files.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef _WORKPHONE_INTERNAL_H
#define _WORKPHONE_INTERNAL_H

#include <linux/types.h>
#include <linux/compiler.h>

#define WORKPHONE_MODULE_VERSION "0.1.0"

/* Largest extensible argument structure the enabler accepts from userspace. */
#define WP_ARG_SIZE_MAX	PAGE_SIZE

int wp_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
			  const void __user *uarg);
int wp_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize);
bool wp_mem_is_zero(const void *buf, size_t len);

#endif /* _WORKPHONE_INTERNAL_H */
