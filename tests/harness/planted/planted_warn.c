// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module that does nothing but WARN_ON() when loaded.  Only the harness
 * self-test loads it, to prove that a kernel warning fails a test run.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init planted_warn_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit planted_warn_exit(void)
{
}

module_init(planted_warn_init);
module_exit(planted_warn_exit);
MODULE_DESCRIPTION("Workphone harness self-test: planted WARN_ON");
MODULE_LICENSE("GPL");
