// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: code identity of the calling process.
 *
 * A process may bind only if the executable it runs carries a PKCS#7
 * signature, appended in the kernel's module-signature layout, that
 * verifies against the enabler keyring (keyring.c), and if nothing can
 * have changed what it runs: it is not being traced, its dynamic loader
 * was not told to load extra code, and its executable cannot be written.
 * Running the dynamic loader directly on a signed program makes the loader
 * the executable, which is not signed, so that is refused too.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "workphone.h"

/* Executables larger than this are not hashed (-EFBIG). */
#define WP_EXE_SIZE_MAX		(256 * 1024 * 1024)
/* Environments larger than this are not inspected; binding is refused. */
#define WP_ENV_SIZE_MAX		(256 * 1024)

static const char * const wp_loader_env_denied[] = {
	"LD_PRELOAD=",
	"LD_LIBRARY_PATH=",
	"LD_AUDIT=",
};

static bool wp_env_string_denied(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(wp_loader_env_denied); i++)
		if (str_has_prefix(s, wp_loader_env_denied[i]))
			return true;
	return false;
}

/* Refuse a process whose environment asks the dynamic loader for more code. */
static int wp_auth_check_environment(void)
{
	struct mm_struct *mm = current->mm;
	unsigned long start, end, len;
	char *env, *s;
	int ret = 0;

	spin_lock(&mm->arg_lock);
	start = mm->env_start;
	end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	if (end <= start)
		return 0;
	len = end - start;
	if (len > WP_ENV_SIZE_MAX)
		return -EPERM;

	env = kvmalloc(len + 1, GFP_KERNEL);
	if (!env)
		return -ENOMEM;
	if (copy_from_user(env, (const void __user *)start, len)) {
		ret = -EPERM;
		goto out;
	}
	env[len] = '\0';
	for (s = env; s < env + len; s += strlen(s) + 1) {
		if (wp_env_string_denied(s)) {
			ret = -EPERM;
			break;
		}
	}
out:
	kvfree(env);
	return ret;
}

static struct file *wp_current_exe_file(void)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;

	rcu_read_lock();
#ifdef get_file_rcu
	/* Before 6.7, get_file_rcu() was a macro taking the file. */
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
#else
	exe = get_file_rcu(&mm->exe_file);
#endif
	rcu_read_unlock();
	return exe;
}

/*
 * The executable must not be open for writing, nor writable by anyone but
 * root: otherwise what runs could differ from what was verified.
 */
static int wp_auth_check_not_writable(struct file *exe)
{
	struct inode *inode = file_inode(exe);

	if (atomic_read(&inode->i_writecount) > 0)
		return -ETXTBSY;
	if (inode->i_mode & (0020 | 0002))
		return -ETXTBSY;
	if ((inode->i_mode & 0200) && !uid_eq(inode->i_uid, GLOBAL_ROOT_UID))
		return -ETXTBSY;
	return 0;
}

/*
 * Read the executable the caller is already running.  kernel_read_file()
 * is meant for firmware, modules and policies and asks the LSMs about
 * those purposes; this read is none of them.
 */
static ssize_t wp_read_whole_file(struct file *file, void **bufp)
{
	loff_t size = i_size_read(file_inode(file)), pos = 0;
	ssize_t n;
	void *buf;

	if (size <= 0)
		return -ENODATA;
	if (size > WP_EXE_SIZE_MAX)
		return -EFBIG;
	buf = vmalloc(size);
	if (!buf)
		return -ENOMEM;
	while (pos < size) {
		n = kernel_read(file, buf + pos, size - pos, &pos);
		if (n < 0) {
			vfree(buf);
			return n;
		}
		if (!n)
			break;
	}
	*bufp = buf;
	return pos;
}

/**
 * wp_auth_current() - authenticate the calling process by code identity
 *
 * Return: 0 if the caller runs trusted, unmodified, untraced code;
 * -EPERM, -ETXTBSY, -ENODATA, -EBADMSG, -EKEYREJECTED, -EFBIG or -ENOMEM
 * otherwise (see WORKPHONE_IOC_BIND in the UAPI header).
 */
int wp_auth_current(void)
{
	struct file *exe;
	void *image = NULL;
	ssize_t len;
	int ret;

	if (READ_ONCE(current->ptrace))
		return -EPERM;
	ret = wp_auth_check_environment();
	if (ret)
		return ret;

	exe = wp_current_exe_file();
	if (!exe)
		return -EPERM;
	ret = wp_auth_check_not_writable(exe);
	if (ret)
		goto out_put;

	len = wp_read_whole_file(exe, &image);
	if (len < 0) {
		ret = len;
		goto out_put;
	}
	ret = wp_verify_signed_blob(image, len);
	vfree(image);
	/* A writer may have opened the file while we were reading. */
	if (!ret)
		ret = wp_auth_check_not_writable(exe);
	/* A tracer may have attached while we were reading. */
	if (!ret && READ_ONCE(current->ptrace))
		ret = -EPERM;
out_put:
	fput(exe);
	return ret;
}
