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
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

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
	ver.features = WORKPHONE_FEATURE_VERSION | WORKPHONE_FEATURE_BIND |
		       WORKPHONE_FEATURE_DAEMON | WORKPHONE_FEATURE_EVENTS |
		       WORKPHONE_FEATURE_LEASE;
	if (wp_guard_ptrace_protected())
		ver.features |= WORKPHONE_FEATURE_PTRACE_GUARD;
	if (wp_vm_available())
		ver.features |= WORKPHONE_FEATURE_KVM;
	strscpy(ver.module_version, WORKPHONE_MODULE_VERSION,
		sizeof(ver.module_version));
	return wp_copy_arg_to_user(uarg, &ver, sizeof(ver));
}

static long wp_ioctl_get_status(struct wp_session *sess, void __user *uarg)
{
	struct workphone_status st;
	int ret;

	ret = wp_copy_arg_from_user(&st, sizeof(st),
				    WORKPHONE_STATUS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	/* Everything after @size is output or reserved: must come in zero. */
	if (!wp_mem_is_zero((u8 *)&st + sizeof(st.size),
			    sizeof(st) - sizeof(st.size)))
		return -EINVAL;

	mutex_lock(&sess->lock);
	if (sess->owner_tgid)
		st.flags |= WORKPHONE_STATUS_BOUND;
	if (sess->is_daemon)
		st.flags |= WORKPHONE_STATUS_DAEMON;
	mutex_unlock(&sess->lock);
	if (wp_session_is_owner(sess))
		st.flags |= WORKPHONE_STATUS_OWNER;
	st.daemon_pid = wp_guard_daemon_pid();
	mutex_lock(&wp_phone.lock);
	st.lock_reasons = wp_phone.lock_reasons;
	st.nr_vms = wp_phone.nr_vms;
	wp_lease_fill_status(&st);
	mutex_unlock(&wp_phone.lock);
	return wp_copy_arg_to_user(uarg, &st, sizeof(st));
}

static long wp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wp_session *sess = file->private_data;
	void __user *uarg = (void __user *)arg;
	int ret;

	switch (cmd) {
	case WORKPHONE_IOC_GET_VERSION:
		return wp_ioctl_get_version(uarg);
	case WORKPHONE_IOC_GET_STATUS:
		return wp_ioctl_get_status(sess, uarg);
	case WORKPHONE_IOC_BIND:
		return wp_session_bind(sess, uarg);
	case WORKPHONE_IOC_DAEMON_REGISTER:
		return wp_guard_register(sess, uarg);
	case WORKPHONE_IOC_DAEMON_UNREGISTER:
		return wp_guard_unregister(sess, uarg);
	case WORKPHONE_IOC_CREATE_VM:
		return wp_vm_create(sess, uarg);
	case WORKPHONE_IOC_GET_NONCE:
		return wp_lease_get_nonce(sess, uarg);
	case WORKPHONE_IOC_PROVISION:
		return wp_lease_provision(sess, uarg);
	case WORKPHONE_IOC_SUBMIT_DOC:
		return wp_lease_submit(sess, uarg);
	case WORKPHONE_IOC_RESTORE:
		return wp_lease_restore(sess, uarg);
	}
	if (wp_vm_is_system_ioctl(cmd)) {
		ret = wp_session_check_owner(sess);
		if (ret)
			return ret;
		return wp_vm_system_ioctl(cmd, arg);
	}
	return -ENOTTY;
}

static int wp_open(struct inode *inode, struct file *file)
{
	struct wp_session *sess = wp_session_alloc();

	if (!sess)
		return -ENOMEM;
	file->private_data = sess;
	return 0;
}

static int wp_release(struct inode *inode, struct file *file)
{
	struct wp_session *sess = file->private_data;

	wp_guard_session_closed(sess);
	wp_session_free(sess);
	return 0;
}

static const struct file_operations wp_fops = {
	.owner		= THIS_MODULE,
	.open		= wp_open,
	.release	= wp_release,
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

	wp_phone_init();
	wp_lease_init();
	ret = wp_keyring_init();
	if (ret)
		return ret;
	ret = wp_netlink_init();
	if (ret)
		goto err_keyring;
	ret = wp_guard_init();
	if (ret)
		goto err_netlink;
	ret = wp_vm_init();
	if (ret)
		goto err_guard;
	/* Last: once the device exists, userspace can call in. */
	ret = misc_register(&wp_miscdev);
	if (ret) {
		pr_err("cannot register /dev/workphone: %d\n", ret);
		goto err_vm;
	}
	pr_info("enabler %s loaded (ABI %d)\n", WORKPHONE_MODULE_VERSION,
		WORKPHONE_ABI_VERSION);
	return 0;

err_vm:
	wp_vm_exit();
err_guard:
	wp_guard_exit();
err_netlink:
	wp_netlink_exit();
err_keyring:
	wp_keyring_exit();
	wp_lease_exit();
	return ret;
}

static void __exit wp_exit(void)
{
	misc_deregister(&wp_miscdev);
	wp_vm_exit();
	wp_guard_exit();
	wp_netlink_exit();
	wp_keyring_exit();
	wp_lease_exit();
}

module_init(wp_init);
module_exit(wp_exit);

MODULE_SOFTDEP("pre: kvm");
MODULE_DESCRIPTION("Workphone enabler: brokered KVM and lease enforcement");
MODULE_AUTHOR("The Workphone Authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(WORKPHONE_MODULE_VERSION);
