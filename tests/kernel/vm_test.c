// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMs brokered by the enabler: an unprivileged VMM gets working KVM fds
 * without /dev/kvm, only allowlisted ioctls pass, a lock stops guest code
 * at once and refuses re-entry until it is lifted, and a VM lives exactly
 * as long as its fds.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <poll.h>
#include <pthread.h>

#include "kselftest_harness.h"
#include "lib/wp_daemon.h"
#include "lib/wp_kvm.h"
#include "lib/wp_lease.h"
#include "lib/wp_test.h"

static int drop_to_nobody(void)
{
	return setresgid(WP_NOBODY, WP_NOBODY, WP_NOBODY) ||
	       setresuid(WP_NOBODY, WP_NOBODY, WP_NOBODY);
}

FIXTURE(vm) {
	int sys;
	struct wp_guest g;
};

FIXTURE_SETUP(vm)
{
	ASSERT_EQ(0, wp_ensure_active());
	ASSERT_EQ(0, wp_reset_daemon_lost());
	self->sys = wp_open_bound();
	ASSERT_LE(0, self->sys);
	memset(&self->g, 0, sizeof(self->g));
	ASSERT_EQ(0, wp_guest_create_vm(&self->g, self->sys));
}

FIXTURE_TEARDOWN(vm)
{
	close(self->g.vcpu);
	close(self->g.vm);
	close(self->sys);
}

TEST(unprivileged_vmm_runs_a_guest_without_dev_kvm)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, wp_ensure_active());
	ASSERT_EQ(0, wp_reset_daemon_lost());
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct wp_guest g = { 0 };
		int sys;

		if (drop_to_nobody())
			_exit(100);
		if (open("/dev/kvm", O_RDWR) >= 0 || errno != EACCES)
			_exit(101);	/* the premise: no access to /dev/kvm */
		sys = wp_open_bound();
		if (sys < 0)
			_exit(102);
		if (wp_guest_create_vm(&g, sys))
			_exit(103);
		if (wp_guest_setup(&g, NULL, wp_guest_out42, sizeof(wp_guest_out42)))
			_exit(104);
		if (wp_guest_run(&g) || g.run->exit_reason != KVM_EXIT_IO ||
		    g.run->io.port != 0x10 ||
		    *((unsigned char *)g.run + g.run->io.data_offset) != 42)
			_exit(105);
		if (wp_guest_run(&g) || g.run->exit_reason != KVM_EXIT_HLT)
			_exit(106);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(vm, system_ioctls_answer_through_the_enabler)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };

	EXPECT_EQ(KVM_API_VERSION, ioctl(self->sys, KVM_GET_API_VERSION, 0));
	EXPECT_LT(0, ioctl(self->sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY));
	EXPECT_LT(0, ioctl(self->sys, KVM_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_EQ(0, ioctl(self->sys, KVM_GET_SUPPORTED_CPUID, &cpuid));
	EXPECT_LT(0, cpuid.c.nent);
	/* The VM itself only comes from WORKPHONE_IOC_CREATE_VM. */
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->sys, KVM_CREATE_VM, NULL));
}

TEST_F(vm, ioctls_outside_the_allowlist_are_enotty)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_dirty_log log = { 0 };
	struct kvm_guest_debug dbg = { 0 };
	struct kvm_signal_mask mask = { 0 };

	ASSERT_EQ(0, wp_guest_setup(&self->g, NULL, wp_guest_out42,
				    sizeof(wp_guest_out42)));
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->g.vm, KVM_GET_DIRTY_LOG, &log));
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->g.vm, KVM_CREATE_DEVICE, &dev));
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->g.vcpu, KVM_SET_SIGNAL_MASK, &mask));
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->g.vcpu, KVM_SET_GUEST_DEBUG, &dbg));
	EXPECT_EQ(-ENOTTY, wp_ioctl(self->g.vm, _IO(0x42, 0x42), NULL));
	/* The guest still works afterwards. */
	EXPECT_EQ(0, wp_guest_run(&self->g));
	EXPECT_EQ(KVM_EXIT_IO, self->g.run->exit_reason);
}

TEST_F(vm, create_vm_arguments_are_validated)
{
	struct workphone_create_vm cv = { .size = sizeof(cv), .flags = 1 };
	int fd = wp_open();

	EXPECT_EQ(-EINVAL, wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, &cv));
	cv.flags = 0;
	cv.vm_fd = 3;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, &cv));
	cv.vm_fd = 0;
	cv.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, &cv));
	cv.reserved[1] = 0;
	cv.size = 16;
	EXPECT_EQ(-EINVAL, wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, &cv));
	EXPECT_EQ(-EFAULT, wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, NULL));
	ASSERT_LE(0, fd);
	cv.size = sizeof(cv);
	EXPECT_EQ(-EACCES, wp_ioctl(fd, WORKPHONE_IOC_CREATE_VM, &cv));
	close(fd);
}

TEST_F(vm, create_vm_result_unwritable_is_efault_and_leaks_nothing)
{
	struct workphone_create_vm *cv;
	int before = wp_nr_vms();

	cv = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cv);
	cv->size = sizeof(*cv);
	ASSERT_EQ(0, mprotect(cv, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, cv));
	EXPECT_EQ(before, wp_nr_vms());
	munmap(cv, 4096);
}

static void *wait_thread(void *arg)
{
	char c;

	/* Alive, and sharing the file table, until the pipe closes. */
	while (read(*(int *)arg, &c, 1) > 0)
		;
	return NULL;
}

TEST_F(vm, vcpu_creation_with_a_shared_file_table_is_ebusy)
{
	int hold[2];
	pthread_t t;

	ASSERT_EQ(0, pipe(hold));
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &hold[0]));
	EXPECT_EQ(-EBUSY, wp_ioctl(self->g.vm, KVM_CREATE_VCPU, (void *)0));
	close(hold[1]);
	ASSERT_EQ(0, pthread_join(t, NULL));
	close(hold[0]);
	/* Once the thread is gone the table is ours again. */
	ASSERT_EQ(0, wp_guest_setup(&self->g, NULL, wp_guest_out42,
				    sizeof(wp_guest_out42)));
}

TEST_F(vm, vm_limit_is_enospc)
{
	struct wp_guest more[4];
	int i, n = 0, ret = 0;

	for (i = 0; i < 4 && !ret; i++) {
		ret = wp_guest_create_vm(&more[i], self->sys);
		if (!ret)
			n++;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(4, wp_nr_vms());
	while (n--)
		close(more[n].vm);
}

TEST_F(vm, vm_from_another_process_is_eperm)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct workphone_create_vm cv = { .size = sizeof(cv) };

		_exit(-wp_ioctl(self->sys, WORKPHONE_IOC_CREATE_VM, &cv));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
}

TEST(killing_the_vmm_leaves_no_vm_accounted)
{
	int ready[2], status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, wp_ensure_active());
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct wp_guest g = { 0 };
		int sys = wp_open_bound();

		if (sys < 0 || wp_guest_create_vm(&g, sys) ||
		    wp_guest_setup(&g, NULL, wp_guest_count, sizeof(wp_guest_count)))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			wp_guest_run(&g);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(1, wp_nr_vms());
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, wp_nr_vms());
	close(ready[0]);
	close(ready[1]);
}

/*
 * The heart of the gate: a vCPU thread spinning in guest code is thrown
 * out when the work phone locks, cannot re-enter while it is locked, and
 * runs again once it is unlocked.
 */
TEST(lock_kicks_running_vcpus_and_unlock_resumes_them)
{
	struct wp_daemon_child d;
	unsigned char *mem;
	uint32_t a, b;
	int report[2], status, i;
	char verdict;
	pid_t vmm;

	ASSERT_EQ(0, wp_ensure_active());
	ASSERT_EQ(0, wp_reset_daemon_lost());
	mem = mmap(NULL, WP_GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, pipe(report));
	vmm = fork();
	ASSERT_LE(0, vmm);
	if (!vmm) {
		struct wp_guest g = { 0 };
		struct pollfd pfd;
		int sys = wp_open_bound(), r;

		if (sys < 0 || wp_guest_create_vm(&g, sys) ||
		    wp_guest_setup(&g, mem, wp_guest_count, sizeof(wp_guest_count)))
			_exit(1);
		for (;;) {
			r = wp_guest_run(&g);
			if (r != -EPERM)
				continue;
			/* Locked: report, check re-entry is refused, wait. */
			verdict = wp_guest_run(&g) == -EPERM ? 'L' : 'X';
			if (write(report[1], &verdict, 1) != 1)
				_exit(3);
			pfd = (struct pollfd){ .fd = g.vm, .events = POLLIN };
			if (poll(&pfd, 1, -1) != 1)
				_exit(4);
		}
	}
	/* The guest counts. */
	for (i = 0, a = 0; i < 100 && !(a = wp_guest_counter(mem)); i++)
		usleep(50000);
	ASSERT_NE(0, a);

	/* Lock: the daemon dies. */
	ASSERT_EQ(0, wp_daemon_start(&d, 0, -1));
	ASSERT_EQ(-1, wp_daemon_cmd(&d, WP_DAEMON_CRASH));
	wp_daemon_stop(&d);
	ASSERT_EQ(WORKPHONE_LOCK_DAEMON_LOST, wp_lock_reasons());
	ASSERT_EQ(1, read(report[0], &verdict, 1));
	EXPECT_EQ('L', verdict);
	a = wp_guest_counter(mem);
	usleep(300000);
	b = wp_guest_counter(mem);
	EXPECT_EQ(a, b) TH_LOG("guest ran while locked");

	/* Unlock: it counts again. */
	ASSERT_EQ(0, wp_reset_daemon_lost());
	for (i = 0; i < 100 && wp_guest_counter(mem) == b; i++)
		usleep(50000);
	EXPECT_NE(b, wp_guest_counter(mem));

	kill(vmm, SIGKILL);
	ASSERT_EQ(vmm, waitpid(vmm, &status, 0));
	EXPECT_EQ(0, wp_nr_vms());
}

TEST_HARNESS_MAIN
