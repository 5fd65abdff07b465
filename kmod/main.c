// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: the /dev/workphone misc device and ioctl dispatch.
 *
 * This file owns module init/exit, the character device and the mapping
 * from ioctl numbers to their handlers.  Handlers live with the concern
 * they implement.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/workphone.h>

#include "workphone.h"

static long wp_ioctl_get_version(void __user *uarg)
{
	struct workphone_version ver;
	int ret;

	ret = wp_copy_arg_from_user(&ver, sizeof(ver),
				    WORKPHONE_VERSION_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (!wp_mem_is_zero(ver.reserved, sizeof(ver.reserved)))
		return -EINVAL;

	ver.abi_version = WORKPHONE_ABI_VERSION;
	ver.features = WORKPHONE_FEATURE_VERSION;
	strscpy(ver.module_version, WORKPHONE_MODULE_VERSION,
		sizeof(ver.module_version));
	return wp_copy_arg_to_user(uarg, &ver, sizeof(ver));
}

static long wp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case WORKPHONE_IOC_GET_VERSION:
		return wp_ioctl_get_version(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wp_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= wp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice wp_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "workphone",
	.fops	= &wp_fops,
	.mode	= 0666,
};

static int __init wp_init(void)
{
	int ret;

	ret = misc_register(&wp_miscdev);
	if (ret) {
		pr_err("cannot register /dev/workphone: %d\n", ret);
		return ret;
	}
	pr_info("enabler %s loaded (ABI %d)\n", WORKPHONE_MODULE_VERSION,
		WORKPHONE_ABI_VERSION);
	return 0;
}

static void __exit wp_exit(void)
{
	misc_deregister(&wp_miscdev);
}

module_init(wp_init);
module_exit(wp_exit);

MODULE_DESCRIPTION("Workphone enabler: brokered KVM and lease enforcement");
MODULE_AUTHOR("The Workphone Authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(WORKPHONE_MODULE_VERSION);
