// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested KVM works inside the test kernel: a real-mode guest writes a byte
 * to an I/O port and halts.  Everything the enabler brokers rests on this.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"

#define GUEST_CODE_GPA	0x1000
#define GUEST_MEM_SIZE	0x10000
#define TEST_PORT	0x10

TEST(nested_kvm_runs_a_real_mode_guest)
{
	/* mov $42, %al; out %al, $0x10; hlt */
	static const unsigned char code[] = { 0xb0, 42, 0xe6, TEST_PORT, 0xf4 };
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	int kvm, vm, vcpu, run_size;
	unsigned char *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kvm) TH_LOG("/dev/kvm: %s", strerror(errno));
	ASSERT_EQ(KVM_API_VERSION, ioctl(kvm, KVM_GET_API_VERSION, 0));

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));

	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memcpy(mem + GUEST_CODE_GPA, code, sizeof(code));
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (unsigned long)mem;
	ASSERT_EQ(0, ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region));

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, run_size);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);

	ASSERT_EQ(0, ioctl(vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_SREGS, &sregs));
	regs.rip = GUEST_CODE_GPA;
	regs.rflags = 0x2;
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_REGS, &regs));

	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_IO, run->exit_reason);
	EXPECT_EQ(KVM_EXIT_IO_OUT, run->io.direction);
	EXPECT_EQ(TEST_PORT, run->io.port);
	EXPECT_EQ(1, run->io.size);
	EXPECT_EQ(42, *((unsigned char *)run + run->io.data_offset));

	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, run->exit_reason);

	munmap(run, run_size);
	munmap(mem, GUEST_MEM_SIZE);
	close(vcpu);
	close(vm);
	close(kvm);
}

TEST_HARNESS_MAIN
