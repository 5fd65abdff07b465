// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: the protected management daemon.
 *
 * One bound process may register as the management daemon.  While it is
 * registered:
 *
 *  - its signal_struct carries SIGNAL_UNKILLABLE, the flag that protects
 *    init: a signal from userspace whose action is the default one (SIGKILL
 *    and SIGSTOP always are) is dropped on the floor.  A fatal signal the
 *    kernel forces on it for its own fault clears the flag on delivery
 *    (force_sig_info_to_task()), so a crashing daemon still dies;
 *  - its oom_score_adj is OOM_SCORE_ADJ_MIN and may not be lowered back by
 *    an unprivileged writer;
 *  - a kretprobe on security_ptrace_access_check() refuses PTRACE_MODE_ATTACH
 *    access from other processes, which covers ptrace attach,
 *    /proc/PID/mem, process_vm_writev() and pidfd_getfd();
 *  - the module holds a reference on itself, so it cannot be unloaded.
 *
 * The daemon's death is noticed twice, whichever comes first: when its
 * session file is released, and when its struct pid's pidfd wait queue is
 * woken at exit.  Either way every work-phone VM is locked
 * (WORKPHONE_LOCK_DAEMON_LOST) until a daemon registers again.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/oom.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "workphone.h"

/**
 * struct wp_daemon - the registered management daemon
 * @lock:	serialises registration, unregistration and loss
 * @sess:	its session, NULL when no daemon is registered
 * @tgid:	its thread group
 * @protected_tgid: @tgid while protections apply; read locklessly by the
 *	ptrace probe, which only compares it
 * @saved_oom_score_adj: value to restore on unregistration
 * @saved_oom_score_adj_min: likewise
 * @exit_wait:	entry on @tgid's pidfd wait queue
 * @lost_work:	handles a wake-up of @exit_wait in process context
 */
struct wp_daemon {
	/* serialises registration, unregistration and loss */
	struct mutex lock;
	struct wp_session *sess;
	struct pid *tgid;
	struct pid *protected_tgid;
	short saved_oom_score_adj;
	short saved_oom_score_adj_min;
	struct wait_queue_entry exit_wait;
	struct work_struct lost_work;
};

static struct wp_daemon wp_daemon;
static bool wp_ptrace_probe_registered;

/*
 * lock_task_sighand() is not exported; this is its documented pattern
 * (sighand_struct is SLAB_TYPESAFE_BY_RCU).
 */
static void wp_task_signal_flags(struct task_struct *task, unsigned int set,
				 unsigned int clear)
{
	struct sighand_struct *sighand;
	unsigned long flags;

	for (;;) {
		rcu_read_lock();
		sighand = rcu_dereference(task->sighand);
		if (!sighand) {
			rcu_read_unlock();
			return;
		}
		spin_lock_irqsave(&sighand->siglock, flags);
		if (likely(sighand == rcu_access_pointer(task->sighand))) {
			rcu_read_unlock();
			task->signal->flags = (task->signal->flags | set) & ~clear;
			spin_unlock_irqrestore(&sighand->siglock, flags);
			return;
		}
		spin_unlock_irqrestore(&sighand->siglock, flags);
		rcu_read_unlock();
	}
}

static void wp_protect(struct task_struct *task)
{
	struct signal_struct *sig = task->signal;

	wp_daemon.saved_oom_score_adj = READ_ONCE(sig->oom_score_adj);
	wp_daemon.saved_oom_score_adj_min = READ_ONCE(sig->oom_score_adj_min);
	WRITE_ONCE(sig->oom_score_adj_min, OOM_SCORE_ADJ_MIN);
	WRITE_ONCE(sig->oom_score_adj, OOM_SCORE_ADJ_MIN);
	wp_task_signal_flags(task, SIGNAL_UNKILLABLE, 0);
	WRITE_ONCE(wp_daemon.protected_tgid, wp_daemon.tgid);
}

static void wp_unprotect(void)
{
	struct task_struct *task;

	WRITE_ONCE(wp_daemon.protected_tgid, NULL);
	task = get_pid_task(wp_daemon.tgid, PIDTYPE_TGID);
	if (!task)
		return;
	wp_task_signal_flags(task, 0, SIGNAL_UNKILLABLE);
	WRITE_ONCE(task->signal->oom_score_adj_min,
		   wp_daemon.saved_oom_score_adj_min);
	WRITE_ONCE(task->signal->oom_score_adj, wp_daemon.saved_oom_score_adj);
	put_task_struct(task);
}

/* Drop the registration; the caller decides whether that locks the phone. */
static void wp_daemon_release(void)
{
	lockdep_assert_held(&wp_daemon.lock);
	remove_wait_queue(&wp_daemon.tgid->wait_pidfd, &wp_daemon.exit_wait);
	wp_unprotect();
	wp_daemon.sess->is_daemon = false;
	wp_daemon.sess = NULL;
	put_pid(wp_daemon.tgid);
	wp_daemon.tgid = NULL;
	module_put(THIS_MODULE);
}

static void wp_daemon_lost(void)
{
	pid_t pid;

	lockdep_assert_held(&wp_daemon.lock);
	pid = pid_nr(wp_daemon.tgid);
	wp_daemon_release();
	pr_notice("management daemon %d lost: work phone locked\n", pid);
	wp_phone_set_lock(WORKPHONE_LOCK_DAEMON_LOST, true);
	wp_event(WORKPHONE_EVENT_DAEMON_LOST, pid, 0, 0, 0, NULL);
}

static void wp_daemon_lost_work(struct work_struct *work)
{
	struct task_struct *task;

	mutex_lock(&wp_daemon.lock);
	if (!wp_daemon.sess)
		goto out;
	task = get_pid_task(wp_daemon.tgid, PIDTYPE_TGID);
	if (task) {
		bool alive = !task->exit_state;

		put_task_struct(task);
		if (alive)
			goto out;	/* woken for another reason */
	}
	wp_daemon_lost();
out:
	mutex_unlock(&wp_daemon.lock);
}

/* Called with the pidfd wait queue's lock held: defer to process context. */
static int wp_daemon_exit_wake(struct wait_queue_entry *wait, unsigned int mode,
			       int sync, void *key)
{
	schedule_work(&wp_daemon.lost_work);
	return 0;
}

/* The argument of REGISTER and UNREGISTER, and the caller's right to it. */
static int wp_guard_check_arg(struct wp_session *sess, void __user *uarg)
{
	struct workphone_daemon arg;
	int ret;

	ret = wp_copy_arg_from_user(&arg, sizeof(arg),
				    WORKPHONE_DAEMON_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (arg.flags || !wp_mem_is_zero(arg.reserved, sizeof(arg.reserved)))
		return -EINVAL;
	return wp_session_check_owner(sess);
}

long wp_guard_register(struct wp_session *sess, void __user *uarg)
{
	int ret = wp_guard_check_arg(sess, uarg);

	if (ret)
		return ret;

	mutex_lock(&wp_daemon.lock);
	if (wp_daemon.sess) {
		ret = -EBUSY;
		goto out;
	}
	__module_get(THIS_MODULE);
	wp_daemon.sess = sess;
	sess->is_daemon = true;
	wp_daemon.tgid = get_task_pid(current, PIDTYPE_TGID);
	add_wait_queue(&wp_daemon.tgid->wait_pidfd, &wp_daemon.exit_wait);
	wp_protect(current);
	pr_info("management daemon %s[%d] registered\n", current->comm,
		task_tgid_nr(current));
	wp_event(WORKPHONE_EVENT_DAEMON_REGISTERED, task_tgid_nr(current), 0, 0,
		 0, current->comm);
	wp_phone_set_lock(WORKPHONE_LOCK_DAEMON_LOST, false);
out:
	mutex_unlock(&wp_daemon.lock);
	return ret;
}

long wp_guard_unregister(struct wp_session *sess, void __user *uarg)
{
	int ret = wp_guard_check_arg(sess, uarg);

	if (ret)
		return ret;

	mutex_lock(&wp_daemon.lock);
	if (wp_daemon.sess != sess) {
		ret = -EPERM;
		goto out;
	}
	wp_daemon_release();
	pr_info("management daemon %d unregistered\n", task_tgid_nr(current));
	wp_event(WORKPHONE_EVENT_DAEMON_UNREGISTERED, task_tgid_nr(current), 0,
		 0, 0, NULL);
out:
	mutex_unlock(&wp_daemon.lock);
	return ret;
}

/* A session is going away: if it was the daemon's, the daemon is lost. */
void wp_guard_session_closed(struct wp_session *sess)
{
	mutex_lock(&wp_daemon.lock);
	if (wp_daemon.sess == sess)
		wp_daemon_lost();
	mutex_unlock(&wp_daemon.lock);
}

pid_t wp_guard_daemon_pid(void)
{
	pid_t nr = 0;

	mutex_lock(&wp_daemon.lock);
	if (wp_daemon.tgid)
		nr = pid_vnr(wp_daemon.tgid);
	mutex_unlock(&wp_daemon.lock);
	return nr;
}

bool wp_guard_ptrace_protected(void)
{
	return wp_ptrace_probe_registered;
}

/* --- ptrace guard --------------------------------------------------------- */

struct wp_ptrace_probe_data {
	bool deny;
};

static int wp_ptrace_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct wp_ptrace_probe_data *data = (void *)ri->data;
	struct task_struct *child;
	unsigned int mode;
	struct pid *protected;

	child = (struct task_struct *)regs_get_kernel_argument(regs, 0);
	mode = regs_get_kernel_argument(regs, 1);
	protected = READ_ONCE(wp_daemon.protected_tgid);
	data->deny = protected && (mode & PTRACE_MODE_ATTACH) &&
		     task_tgid(child) == protected &&
		     task_tgid(current) != protected;
	return 0;
}

static int wp_ptrace_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct wp_ptrace_probe_data *data = (void *)ri->data;

	if (data->deny && !regs_return_value(regs))
		regs_set_return_value(regs, -EPERM);
	return 0;
}

static struct kretprobe wp_ptrace_probe = {
	.kp.symbol_name	= "security_ptrace_access_check",
	.entry_handler	= wp_ptrace_entry,
	.handler	= wp_ptrace_return,
	.data_size	= sizeof(struct wp_ptrace_probe_data),
	.maxactive	= 128,
};

int wp_guard_init(void)
{
	int ret;

	mutex_init(&wp_daemon.lock);
	init_waitqueue_func_entry(&wp_daemon.exit_wait, wp_daemon_exit_wake);
	INIT_WORK(&wp_daemon.lost_work, wp_daemon_lost_work);

	ret = register_kretprobe(&wp_ptrace_probe);
	if (ret)
		pr_warn("ptrace guard unavailable (%d): daemon relies on uid separation\n",
			ret);
	else
		wp_ptrace_probe_registered = true;
	return 0;
}

void wp_guard_exit(void)
{
	if (wp_ptrace_probe_registered)
		unregister_kretprobe(&wp_ptrace_probe);
	/* No daemon can be registered: it holds a module reference. */
	cancel_work_sync(&wp_daemon.lost_work);
	mutex_destroy(&wp_daemon.lock);
}
