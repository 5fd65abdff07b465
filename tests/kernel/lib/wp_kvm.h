/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal real-mode KVM guest driven through the enabler's brokered
 * fds, for tests that need guest code to run (or to stop running).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_KVM_H
#define WP_KVM_H

#include <linux/kvm.h>

#include "wp_test.h"

#define WP_GUEST_MEM_SIZE	0x10000
#define WP_GUEST_CODE_GPA	0x1000
#define WP_GUEST_COUNTER_GPA	0x2000

/* mov $42, %al; out %al, $0x10; hlt */
static const unsigned char wp_guest_out42[] = { 0xb0, 42, 0xe6, 0x10, 0xf4 };
/* 1: incl (0x2000); jmp 1b   -- counts for ever */
static const unsigned char wp_guest_count[] = {
	0x66, 0xff, 0x06, 0x00, 0x20, 0xeb, 0xf9,
};

struct wp_guest {
	int sys;		/* bound /dev/workphone: the KVM system fd */
	int vm;
	int vcpu;
	struct kvm_run *run;
	int run_size;
	unsigned char *mem;	/* WP_GUEST_MEM_SIZE bytes */
};

/* Create a VM (not its vCPU) through bound file sys.  0 or -errno. */
static inline int wp_guest_create_vm(struct wp_guest *g, int sys)
{
	struct workphone_create_vm cv = { .size = sizeof(cv) };
	int ret;

	g->sys = sys;
	ret = wp_ioctl(sys, WORKPHONE_IOC_CREATE_VM, &cv);
	if (ret)
		return ret;
	g->vm = cv.vm_fd;
	return 0;
}

/*
 * Set up memory (mem: WP_GUEST_MEM_SIZE bytes, or NULL to allocate), the
 * code, one vCPU in real mode at the code.  0 or -errno.
 */
static inline int wp_guest_setup(struct wp_guest *g, unsigned char *mem,
				 const unsigned char *code, size_t len)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_regs regs = { 0 };
	struct kvm_sregs sregs;

	if (!mem) {
		mem = mmap(NULL, WP_GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -errno;
	}
	g->mem = mem;
	memcpy(mem + WP_GUEST_CODE_GPA, code, len);
	region.memory_size = WP_GUEST_MEM_SIZE;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		return -errno;
	g->run_size = ioctl(g->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->run_size <= 0)
		return -errno;
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu, 0);
	if (g->run == MAP_FAILED)
		return -errno;
	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs))
		return -errno;
	regs.rip = WP_GUEST_CODE_GPA;
	regs.rflags = 0x2;
	if (ioctl(g->vcpu, KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

static inline int wp_guest_run(struct wp_guest *g)
{
	return ioctl(g->vcpu, KVM_RUN, 0) ? -errno : 0;
}

static inline uint32_t wp_guest_counter(const unsigned char *mem)
{
	return __atomic_load_n((const uint32_t *)(mem + WP_GUEST_COUNTER_GPA),
			       __ATOMIC_RELAXED);
}

#endif /* WP_KVM_H */
