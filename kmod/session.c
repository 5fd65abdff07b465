// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: sessions.
 *
 * Each open file of /dev/workphone is a session.  A session starts
 * unbound; WORKPHONE_IOC_BIND authenticates the calling process (auth.c)
 * and ties the session to its thread group and address space.  From then
 * on only that process may use the session's privileged ioctls: a file
 * passed to another process, or inherited across fork(), carries no rights.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "workphone.h"

struct wp_session *wp_session_alloc(void)
{
	struct wp_session *sess = kzalloc(sizeof(*sess), GFP_KERNEL);

	if (!sess)
		return NULL;
	mutex_init(&sess->lock);
	return sess;
}

void wp_session_free(struct wp_session *sess)
{
	if (sess->owner_mm)
		mmdrop(sess->owner_mm);
	put_pid(sess->owner_tgid);
	mutex_destroy(&sess->lock);
	kfree(sess);
}

long wp_session_bind(struct wp_session *sess, void __user *uarg)
{
	struct workphone_bind bind;
	int ret;

	ret = wp_copy_arg_from_user(&bind, sizeof(bind),
				    WORKPHONE_BIND_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (bind.flags || !wp_mem_is_zero(bind.reserved, sizeof(bind.reserved)))
		return -EINVAL;
	if (!current->mm)
		return -EPERM;

	mutex_lock(&sess->lock);
	if (sess->owner_tgid) {
		ret = -EALREADY;
		goto out;
	}
	ret = wp_auth_current();
	if (ret) {
		pr_notice_ratelimited("bind refused for %s[%d]: %d\n",
				      current->comm, task_tgid_nr(current), ret);
		wp_event(WORKPHONE_EVENT_BIND_FAILED, task_tgid_nr(current),
			 -ret, 0, 0, current->comm);
		goto out;
	}
	sess->owner_tgid = get_task_pid(current, PIDTYPE_TGID);
	mmgrab(current->mm);
	sess->owner_mm = current->mm;
	wp_event(WORKPHONE_EVENT_BIND_OK, task_tgid_nr(current), 0, 0, 0,
		 current->comm);
out:
	mutex_unlock(&sess->lock);
	return ret;
}

static int wp_session_owner_errno(struct wp_session *sess)
{
	lockdep_assert_held(&sess->lock);
	if (!sess->owner_tgid)
		return -EACCES;
	if (sess->owner_tgid != task_tgid(current) ||
	    sess->owner_mm != current->mm)
		return -EPERM;
	return 0;
}

/**
 * wp_session_check_owner() - may the caller use this session's rights?
 * @sess: the session
 *
 * Return: 0, -EACCES if the session is not bound, -EPERM if it is bound
 * to another process (or to this process before an exec).
 */
int wp_session_check_owner(struct wp_session *sess)
{
	int ret;

	mutex_lock(&sess->lock);
	ret = wp_session_owner_errno(sess);
	mutex_unlock(&sess->lock);
	return ret;
}

bool wp_session_is_owner(struct wp_session *sess)
{
	return !wp_session_check_owner(sess);
}
