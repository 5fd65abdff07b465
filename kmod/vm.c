// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workphone enabler: KVM VMs brokered for bound sessions.
 *
 * The enabler opens /dev/kvm once, when it loads, with the loader's
 * credentials.  A bound session then gets KVM without access to /dev/kvm:
 *
 *  - the bound /dev/workphone file answers the allowlisted KVM *system*
 *    ioctls (wp_vm_system_ioctl());
 *  - WORKPHONE_IOC_CREATE_VM returns a "workphone-vm" file wrapping a KVM
 *    VM; it forwards the allowlisted VM ioctls, and KVM_CREATE_VCPU on it
 *    returns "workphone-vcpu" files wrapping KVM vCPUs, which forward the
 *    allowlisted vCPU ioctls and mmap().
 *
 * KVM_RUN is the gate: it refuses to enter the guest while the work phone
 * is locked (-EPERM), and wp_vm_kick_all() forces every vCPU that is in
 * KVM_RUN back out: it raises TIF_NOTIFY_SIGNAL on the vCPU's thread, which
 * KVM treats as a pending signal, and kvm_vcpu_kick()s the vCPU out of
 * guest mode or halt.  The flag clears itself on the way back to userspace.
 *
 * KVM installs the descriptors it creates in the caller's file table.  The
 * enabler takes them out again before any other thread could use them,
 * which it can only promise while that table is not shared: VMs and vCPUs
 * must be created before the VMM starts threads (else -EBUSY).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/kvm_host.h>
#include <linux/major.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "workphone.h"

/* VMs one work phone may have at once. */
#define WP_VMS_MAX	4

static struct file *wp_kvm_dev;

/**
 * struct wp_vm - a brokered KVM VM
 * @node:	entry in wp_phone.vms (under wp_phone.lock)
 * @kvm_file:	KVM's own VM file
 * @file:	our wrapper file
 * @gate:	held for reading around every use of KVM's files, for writing
 *		to kill the VM
 * @dead:	the VM was killed (wipe): its KVM files are gone
 * @lock:	protects @vcpus and each vCPU's @running
 * @vcpus:	vCPUs created through this VM
 * @id:		number reported in events
 */
struct wp_vm {
	struct list_head node;
	struct file *kvm_file;
	struct file *file;
	struct rw_semaphore gate;
	bool dead;
	/* protects @vcpus and each vCPU's @running */
	spinlock_t lock;
	struct list_head vcpus;
	u32 id;
};

/**
 * struct wp_vcpu - a brokered KVM vCPU
 * @node:	entry in the VM's @vcpus
 * @vm:		its VM; the vCPU holds a reference on the VM's wrapper file
 * @kvm_file:	KVM's own vCPU file
 * @running:	thread inside KVM_RUN, or NULL (under the VM's @lock)
 */
struct wp_vcpu {
	struct list_head node;
	struct wp_vm *vm;
	struct file *kvm_file;
	struct task_struct *running;
};

/* --- allowlists ------------------------------------------------------------ */

static const unsigned int wp_kvm_system_allowed[] = {
	KVM_GET_API_VERSION,		/* protocol handshake */
	KVM_CHECK_EXTENSION,		/* feature discovery */
	KVM_GET_VCPU_MMAP_SIZE,		/* size of the kvm_run mapping */
#ifdef CONFIG_X86
	KVM_GET_SUPPORTED_CPUID,	/* CPUID the guest may see */
	KVM_GET_EMULATED_CPUID,
	KVM_GET_MSR_INDEX_LIST,		/* MSRs to save/restore */
	KVM_GET_MSR_FEATURE_INDEX_LIST,
	KVM_GET_MSRS,			/* feature MSR values */
#endif
};

static const unsigned int wp_kvm_vm_allowed[] = {
	KVM_CHECK_EXTENSION,
	KVM_SET_USER_MEMORY_REGION,	/* guest RAM */
	KVM_IRQFD,			/* virtio interrupts */
	KVM_IOEVENTFD,			/* virtio notifications */
	KVM_SET_GSI_ROUTING,
	KVM_SIGNAL_MSI,
	KVM_IRQ_LINE,			/* legacy interrupts (UART) */
	KVM_IRQ_LINE_STATUS,
	KVM_CREATE_IRQCHIP,		/* in-kernel PIC/IOAPIC/LAPIC */
	KVM_ENABLE_CAP,
#ifdef CONFIG_X86
	KVM_GET_IRQCHIP,
	KVM_SET_IRQCHIP,
	KVM_CREATE_PIT2,		/* in-kernel PIT */
	KVM_GET_PIT2,
	KVM_SET_PIT2,
	KVM_SET_TSS_ADDR,		/* required on x86 before running */
	KVM_SET_IDENTITY_MAP_ADDR,
	KVM_SET_CLOCK,			/* kvmclock across pause/resume */
	KVM_GET_CLOCK,
	KVM_SET_BOOT_CPU_ID,
#endif
#ifdef CONFIG_ARM64
	KVM_ARM_PREFERRED_TARGET,
#endif
};

static const unsigned int wp_kvm_vcpu_allowed[] = {
	KVM_GET_REGS,
	KVM_SET_REGS,
	KVM_GET_MP_STATE,
	KVM_SET_MP_STATE,
#ifdef CONFIG_X86
	KVM_GET_SREGS,
	KVM_SET_SREGS,
	KVM_GET_FPU,
	KVM_SET_FPU,
	KVM_GET_MSRS,
	KVM_SET_MSRS,
	KVM_GET_CPUID2,
	KVM_SET_CPUID2,
	KVM_GET_LAPIC,
	KVM_SET_LAPIC,
	KVM_GET_VCPU_EVENTS,
	KVM_SET_VCPU_EVENTS,
	KVM_GET_XSAVE,
	KVM_GET_XSAVE2,
	KVM_SET_XSAVE,
	KVM_GET_XCRS,
	KVM_SET_XCRS,
	KVM_GET_DEBUGREGS,
	KVM_SET_DEBUGREGS,
	KVM_INTERRUPT,
	KVM_NMI,
	KVM_GET_TSC_KHZ,
	KVM_SET_TSC_KHZ,
	KVM_KVMCLOCK_CTRL,
#endif
#ifdef CONFIG_ARM64
	KVM_ARM_VCPU_INIT,
	KVM_GET_ONE_REG,
	KVM_SET_ONE_REG,
	KVM_GET_REG_LIST,
#endif
};

static bool wp_ioctl_allowed(const unsigned int *list, size_t n,
			     unsigned int cmd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == cmd)
			return true;
	return false;
}

bool wp_vm_is_system_ioctl(unsigned int cmd)
{
	return wp_ioctl_allowed(wp_kvm_system_allowed,
				ARRAY_SIZE(wp_kvm_system_allowed), cmd);
}

bool wp_vm_available(void)
{
	return wp_kvm_dev;
}

long wp_vm_system_ioctl(unsigned int cmd, unsigned long arg)
{
	if (!wp_kvm_dev)
		return -ENODEV;
	return wp_kvm_dev->f_op->unlocked_ioctl(wp_kvm_dev, cmd, arg);
}

/*
 * Run a KVM ioctl that installs a new descriptor in the caller's table, and
 * take the file back out of the table.  Returns the file or an ERR_PTR.
 */
static struct file *wp_kvm_create_file(struct file *kvm_parent,
				       unsigned int cmd, unsigned long arg)
{
	struct file *file;
	long fd;

	if (atomic_read(&current->files->count) != 1)
		return ERR_PTR(-EBUSY);
	fd = kvm_parent->f_op->unlocked_ioctl(kvm_parent, cmd, arg);
	if (fd < 0)
		return ERR_PTR(fd);
	file = fget(fd);
	close_fd(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	return file;
}

/* Install @file as a new O_CLOEXEC descriptor: the last, infallible step. */
static int wp_install(const char *name, const struct file_operations *fops,
		      void *priv, struct file **filep)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile(name, fops, priv, O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

/* Pass an allowlisted ioctl to KVM's own file. */
static long wp_kvm_forward(struct file *kvm_file, unsigned int cmd,
			   unsigned long arg, bool compat)
{
	if (!compat)
		return kvm_file->f_op->unlocked_ioctl(kvm_file, cmd, arg);
	if (kvm_file->f_op->compat_ioctl)
		return kvm_file->f_op->compat_ioctl(kvm_file, cmd, arg);
	return -ENOTTY;
}

/* --- vCPU ------------------------------------------------------------------ */

static long wp_vcpu_run(struct wp_vcpu *vcpu, unsigned long arg)
{
	struct wp_vm *vm = vcpu->vm;
	long ret;

	spin_lock(&vm->lock);
	if (wp_phone_lock_reasons()) {
		spin_unlock(&vm->lock);
		return -EPERM;
	}
	if (vcpu->running) {
		spin_unlock(&vm->lock);
		return -EBUSY;
	}
	vcpu->running = current;
	spin_unlock(&vm->lock);

	ret = vcpu->kvm_file->f_op->unlocked_ioctl(vcpu->kvm_file, KVM_RUN, arg);

	spin_lock(&vm->lock);
	vcpu->running = NULL;
	spin_unlock(&vm->lock);
	/* Kicked out because the phone locked: say so, not "interrupted". */
	if (ret == -EINTR && wp_phone_lock_reasons())
		ret = -EPERM;
	return ret;
}

static long wp_vcpu_ioctl_gated(struct wp_vcpu *vcpu, unsigned int cmd,
				unsigned long arg, bool compat)
{
	long ret;

	if (cmd != KVM_RUN &&
	    !wp_ioctl_allowed(wp_kvm_vcpu_allowed,
			      ARRAY_SIZE(wp_kvm_vcpu_allowed), cmd))
		return -ENOTTY;
	down_read(&vcpu->vm->gate);
	if (vcpu->vm->dead)
		ret = -ENODEV;
	else if (cmd == KVM_RUN)
		ret = wp_vcpu_run(vcpu, arg);
	else
		ret = wp_kvm_forward(vcpu->kvm_file, cmd, arg, compat);
	up_read(&vcpu->vm->gate);
	return ret;
}

static long wp_vcpu_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return wp_vcpu_ioctl_gated(file->private_data, cmd, arg, false);
}

#ifdef CONFIG_COMPAT
static long wp_vcpu_compat_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	return wp_vcpu_ioctl_gated(file->private_data, cmd, arg, true);
}
#endif

static int wp_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct wp_vcpu *vcpu = file->private_data;
	struct file *kvm_file;
	int ret = -ENODEV;

	down_read(&vcpu->vm->gate);
	kvm_file = vcpu->kvm_file;
	if (!vcpu->vm->dead && kvm_file->f_op->mmap) {
		/* KVM's fault handler finds the vCPU through vma->vm_file. */
		vma_set_file(vma, kvm_file);
		ret = kvm_file->f_op->mmap(kvm_file, vma);
	}
	up_read(&vcpu->vm->gate);
	return ret;
}

static int wp_vcpu_release(struct inode *inode, struct file *file)
{
	struct wp_vcpu *vcpu = file->private_data;
	struct wp_vm *vm = vcpu->vm;

	spin_lock(&vm->lock);
	list_del(&vcpu->node);
	spin_unlock(&vm->lock);
	if (vcpu->kvm_file)
		fput(vcpu->kvm_file);
	fput(vm->file);
	kfree(vcpu);
	return 0;
}

static const struct file_operations wp_vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= wp_vcpu_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= wp_vcpu_compat_ioctl,
#endif
	.mmap		= wp_vcpu_mmap,
	.release	= wp_vcpu_release,
	.llseek		= noop_llseek,
};

static long wp_vm_create_vcpu(struct wp_vm *vm, unsigned long id)
{
	struct wp_vcpu *vcpu;
	struct file *file;
	int fd;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->kvm_file = wp_kvm_create_file(vm->kvm_file, KVM_CREATE_VCPU, id);
	if (IS_ERR(vcpu->kvm_file)) {
		fd = PTR_ERR(vcpu->kvm_file);
		goto err_free;
	}
	fd = wp_install("workphone-vcpu", &wp_vcpu_fops, vcpu, &file);
	if (fd < 0)
		goto err_put;
	get_file(vm->file);
	spin_lock(&vm->lock);
	list_add_tail(&vcpu->node, &vm->vcpus);
	spin_unlock(&vm->lock);
	fd_install(fd, file);
	return fd;

err_put:
	fput(vcpu->kvm_file);
err_free:
	kfree(vcpu);
	return fd;
}

/* --- VM -------------------------------------------------------------------- */

static long wp_vm_ioctl_gated(struct wp_vm *vm, unsigned int cmd,
			      unsigned long arg, bool compat)
{
	long ret;

	if (cmd != KVM_CREATE_VCPU &&
	    !wp_ioctl_allowed(wp_kvm_vm_allowed, ARRAY_SIZE(wp_kvm_vm_allowed),
			      cmd))
		return -ENOTTY;
	down_read(&vm->gate);
	if (vm->dead)
		ret = -ENODEV;
	else if (cmd == KVM_CREATE_VCPU)
		ret = wp_vm_create_vcpu(vm, arg);
	else
		ret = wp_kvm_forward(vm->kvm_file, cmd, arg, compat);
	up_read(&vm->gate);
	return ret;
}

static long wp_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return wp_vm_ioctl_gated(file->private_data, cmd, arg, false);
}

#ifdef CONFIG_COMPAT
static long wp_vm_compat_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return wp_vm_ioctl_gated(file->private_data, cmd, arg, true);
}
#endif

/* Readable (EPOLLIN) while guest code may run; waits for lock changes. */
static __poll_t wp_vm_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &wp_phone.state_wq, wait);
	return wp_phone_lock_reasons() ? 0 : EPOLLIN | EPOLLRDNORM;
}

static int wp_vm_release(struct inode *inode, struct file *file)
{
	struct wp_vm *vm = file->private_data;

	mutex_lock(&wp_phone.lock);
	list_del(&vm->node);
	wp_phone.nr_vms--;
	mutex_unlock(&wp_phone.lock);
	if (vm->kvm_file)
		fput(vm->kvm_file);
	wp_event(WORKPHONE_EVENT_VM_DESTROYED, 0, 0, 0, vm->id, NULL);
	kfree(vm);
	return 0;
}

static const struct file_operations wp_vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= wp_vm_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= wp_vm_compat_ioctl,
#endif
	.poll		= wp_vm_poll,
	.release	= wp_vm_release,
	.llseek		= noop_llseek,
};

long wp_vm_create(struct wp_session *sess, void __user *uarg)
{
	struct workphone_create_vm args;
	struct wp_vm *vm;
	struct file *file;
	int ret, fd;

	ret = wp_copy_arg_from_user(&args, sizeof(args),
				    WORKPHONE_CREATE_VM_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (args.flags || args.vm_fd || args.reserved0 ||
	    !wp_mem_is_zero(args.reserved, sizeof(args.reserved)))
		return -EINVAL;
	ret = wp_session_check_owner(sess);
	if (ret)
		return ret;
	if (!wp_kvm_dev)
		return -ENODEV;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	spin_lock_init(&vm->lock);
	init_rwsem(&vm->gate);
	INIT_LIST_HEAD(&vm->vcpus);
	INIT_LIST_HEAD(&vm->node);

	mutex_lock(&wp_phone.lock);
	if (wp_phone.nr_vms >= WP_VMS_MAX) {
		mutex_unlock(&wp_phone.lock);
		ret = -ENOSPC;
		goto err_free;
	}
	/* Reserve the slot; the VM joins the list once it is complete. */
	wp_phone.nr_vms++;
	vm->id = ++wp_phone.next_vm_id;
	mutex_unlock(&wp_phone.lock);

	vm->kvm_file = wp_kvm_create_file(wp_kvm_dev, KVM_CREATE_VM,
					  args.kvm_type);
	if (IS_ERR(vm->kvm_file)) {
		ret = PTR_ERR(vm->kvm_file);
		goto err_unreserve;
	}
	fd = wp_install("workphone-vm", &wp_vm_fops, vm, &file);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	vm->file = file;
	args.vm_fd = fd;
	ret = wp_copy_arg_to_user(uarg, &args, sizeof(args));
	if (ret) {
		/* Not installed yet: releasing the file undoes everything. */
		put_unused_fd(fd);
		fput(file);
		return ret;
	}
	mutex_lock(&wp_phone.lock);
	list_add_tail(&vm->node, &wp_phone.vms);
	mutex_unlock(&wp_phone.lock);
	fd_install(fd, file);
	wp_event(WORKPHONE_EVENT_VM_CREATED, task_tgid_nr(current), 0, 0,
		 vm->id, NULL);
	return 0;

err_put:
	fput(vm->kvm_file);
err_unreserve:
	mutex_lock(&wp_phone.lock);
	wp_phone.nr_vms--;
	mutex_unlock(&wp_phone.lock);
err_free:
	kfree(vm);
	return ret;
}

/**
 * wp_vm_kick_all() - force every vCPU in KVM_RUN out of the guest
 *
 * Context: wp_phone.lock held, lock reasons already published.
 */
void wp_vm_kick_all(void)
{
	struct wp_vcpu *vcpu;
	struct wp_vm *vm;

	lockdep_assert_held(&wp_phone.lock);
	list_for_each_entry(vm, &wp_phone.vms, node) {
		spin_lock(&vm->lock);
		list_for_each_entry(vcpu, &vm->vcpus, node) {
			if (!vcpu->running)
				continue;
			/* Seen by KVM as a pending signal: exit with -EINTR. */
			set_tsk_thread_flag(vcpu->running, TIF_NOTIFY_SIGNAL);
			kvm_vcpu_kick(vcpu->kvm_file->private_data);
		}
		spin_unlock(&vm->lock);
	}
}

/**
 * wp_vm_kill_all_locked() - destroy every VM's KVM objects (wipe)
 *
 * Our files stay open until the VMM closes them, but answer -ENODEV; KVM's
 * VM goes away once nothing else (a vCPU's kvm_run mapping) holds it.
 * Running vCPUs must have been kicked out already (a lock reason set), so
 * taking each gate for writing does not wait long.
 *
 * Context: wp_phone.lock held.
 */
void wp_vm_kill_all_locked(void)
{
	struct wp_vcpu *vcpu;
	struct wp_vm *vm;

	lockdep_assert_held(&wp_phone.lock);
	list_for_each_entry(vm, &wp_phone.vms, node) {
		down_write(&vm->gate);
		if (!vm->dead) {
			vm->dead = true;
			/* vCPUs join the list only under the gate: stable. */
			list_for_each_entry(vcpu, &vm->vcpus, node) {
				fput(vcpu->kvm_file);
				vcpu->kvm_file = NULL;
			}
			fput(vm->kvm_file);
			vm->kvm_file = NULL;
		}
		up_write(&vm->gate);
	}
}

static bool wp_is_kvm_device(struct file *file)
{
	struct inode *inode = file_inode(file);

	return S_ISCHR(inode->i_mode) && imajor(inode) == MISC_MAJOR &&
	       iminor(inode) == KVM_MINOR && file->f_op->unlocked_ioctl;
}

int wp_vm_init(void)
{
	struct file *kvm = filp_open("/dev/kvm", O_RDWR | O_CLOEXEC, 0);

	if (IS_ERR(kvm)) {
		pr_info("no /dev/kvm (%ld): VM brokering disabled\n",
			PTR_ERR(kvm));
		return 0;
	}
	if (!wp_is_kvm_device(kvm)) {
		pr_warn("/dev/kvm is not KVM's device: VM brokering disabled\n");
		fput(kvm);
		return 0;
	}
	wp_kvm_dev = kvm;
	return 0;
}

void wp_vm_exit(void)
{
	/* Every VM holds a module reference through its file: none is left. */
	if (wp_kvm_dev)
		fput(wp_kvm_dev);
	wp_kvm_dev = NULL;
}
