// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: vCPU threads.  One host thread per vCPU runs KVM_RUN and handles
 * port-I/O and MMIO exits itself; everything else (pause, stop, the
 * enabler's lock) goes through the run state in struct vm.
 *
 * Kicking a vCPU out of the guest follows Firecracker: set immediate_exit
 * in its kvm_run, then send the thread a signal whose handler does nothing.
 * A vCPU inside KVM_RUN returns with EINTR; one about to enter returns at
 * once because of immediate_exit.  (KVM_SET_SIGNAL_MASK is not needed, and
 * the enabler does not pass it through.)
 *
 * While the enabler keeps the work phone locked, KVM_RUN fails with
 * KVM_RUN_LOCKED_ERRNO: the thread records the lock and parks on the VM's
 * condition variable; the main loop lets it retry once the enabler says
 * guest code may run again.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "util.h"
#include "vm.h"

static int kick_signal;

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpu_kick_signal_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	kick_signal = SIGRTMIN;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: KVM_RUN must come back with EINTR. */
	if (sigaction(kick_signal, &sa, NULL))
		return -errno;
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	int err;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->state = VCPU_CREATED;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		err = errno;
		if (err == EBUSY && !vm->gate.raw)
			vmm_err("vCPU %u: the enabler refused KVM_CREATE_VCPU: the file table is shared (a thread was started too early)", id);
		else
			vmm_err("vCPU %u: KVM_CREATE_VCPU: %s", id, strerror(err));
		return -err;
	}
	vcpu->run = mmap(NULL, (size_t)vm->run_mmap_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		err = errno;
		vcpu->run = NULL;
		vmm_err("vCPU %u: mmap of kvm_run: %s", id, strerror(err));
		return -err;
	}
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, (size_t)vcpu->vm->run_mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

/* Under vm->lock. */
void vcpu_kick(struct vcpu *vcpu)
{
	if (vcpu->state == VCPU_CREATED || vcpu->state == VCPU_EXITED)
		return;
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, kick_signal);
}

/* Under vm->lock: the last vCPU to park completes a pause or a lock. */
static void note_parked(struct vm *vm)
{
	uint64_t now;

	if (vm->nr_parked + vm->nr_exited < vm->nr_vcpus)
		return;
	now = vmm_now_ns();
	if (vm->paused && !vm->paused_ns)
		vm->paused_ns = now;
	if (vm->locked && !vm->locked_all_out_ns)
		vm->locked_all_out_ns = now;
	pthread_cond_broadcast(&vm->cond);
}

/* Wait while the VM may not run; false when the thread must exit. */
static bool vcpu_wait_runnable(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool stopping;

	pthread_mutex_lock(&vm->lock);
	/* Seen under the lock, so a kick after this cannot be lost. */
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	while (!vm->stopping && (!vm->started || vm->paused || vm->locked)) {
		if (vcpu->state != VCPU_PARKED) {
			vcpu->state = VCPU_PARKED;
			vm->nr_parked++;
			note_parked(vm);
		}
		pthread_cond_wait(&vm->cond, &vm->lock);
	}
	if (vcpu->state == VCPU_PARKED)
		vm->nr_parked--;
	vcpu->state = VCPU_RUNNING;
	stopping = vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	return !stopping;
}

/* The enabler refused KVM_RUN: the work phone is locked. */
static void vcpu_note_locked(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	pthread_mutex_lock(&vm->lock);
	if (!vm->locked) {
		vm->locked = true;
		vm->locked_ns = vmm_now_ns();
		vm->locked_all_out_ns = 0;
		atomic_store(&vm->request, 1);
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			if (&vm->vcpus[i] != vcpu)
				vcpu_kick(&vm->vcpus[i]);
		vm_wake_main(vm);
	}
	pthread_mutex_unlock(&vm->lock);
}

static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t end = run->io.data_offset + (uint64_t)size * count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	if (end > (uint64_t)vcpu->vm->run_mmap_size || (size != 1 && size != 2 && size != 4))
		return;
	atomic_fetch_add_explicit(&vcpu->exits_io, 1, memory_order_relaxed);
	for (uint32_t i = 0; i < count; i++, data += size) {
		if (!io_bus_access(&vcpu->vm->pio, run->io.port, data, size, out))
			vmm_debug("vCPU %u: unclaimed port %s 0x%x", vcpu->id,
				  out ? "write" : "read", run->io.port);
	}
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	atomic_fetch_add_explicit(&vcpu->exits_mmio, 1, memory_order_relaxed);
	if (run->mmio.len > sizeof(run->mmio.data))
		return;
	if (!io_bus_access(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			   run->mmio.len, run->mmio.is_write))
		vmm_debug("vCPU %u: unclaimed MMIO %s 0x%llx", vcpu->id,
			  run->mmio.is_write ? "write" : "read",
			  (unsigned long long)run->mmio.phys_addr);
}

static unsigned long long vcpu_rip(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		return 0;
	return regs.rip;
}

/* Handle one exit; false when the thread must stop running the guest. */
static bool handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	case KVM_EXIT_SHUTDOWN:
		vm_request_stop(vm, VM_STOP_TRIPLE_FAULT,
				"vCPU %u: triple fault (KVM_EXIT_SHUTDOWN) at rip 0x%llx",
				vcpu->id, vcpu_rip(vcpu));
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			vm_request_stop(vm, VM_STOP_REBOOT, "vCPU %u: reset", vcpu->id);
		else if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			vm_request_stop(vm, VM_STOP_POWEROFF, "vCPU %u: power off", vcpu->id);
		else
			vm_request_stop(vm, VM_STOP_GUEST_ERROR, "vCPU %u: system event %u",
					vcpu->id, run->system_event.type);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_request_stop(vm, VM_STOP_GUEST_ERROR,
				"vCPU %u: KVM internal error, suberror %u, at rip 0x%llx",
				vcpu->id, run->internal.suberror, vcpu_rip(vcpu));
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_request_stop(vm, VM_STOP_GUEST_ERROR,
				"vCPU %u: entry failed, hardware reason 0x%llx", vcpu->id,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	default:
		atomic_fetch_add_explicit(&vcpu->exits_other, 1, memory_order_relaxed);
		vm_request_stop(vm, VM_STOP_GUEST_ERROR, "vCPU %u: unexpected exit reason %u at rip 0x%llx",
				vcpu->id, run->exit_reason, vcpu_rip(vcpu));
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	sigset_t kick;
	char name[16];

	snprintf(name, sizeof(name), "wpvmm-vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&kick);
	sigaddset(&kick, kick_signal);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	for (;;) {
		if ((atomic_load_explicit(&vm->request, memory_order_acquire) ||
		     __atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_ACQUIRE)) &&
		    !vcpu_wait_runnable(vcpu))
			break;
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			int err = errno;

			if (err == EINTR || err == EAGAIN) {
				/* Kicked: look at the run state before re-entering. */
				__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
				continue;
			}
			if (err == KVM_RUN_LOCKED_ERRNO && !vm->gate.raw) {
				vcpu_note_locked(vcpu);
				continue;
			}
			vm_request_stop(vm, VM_STOP_HOST_ERROR, "vCPU %u: KVM_RUN: %s",
					vcpu->id, strerror(err));
			break;
		}
		if (!handle_exit(vcpu))
			break;
	}

	pthread_mutex_lock(&vm->lock);
	if (vcpu->state == VCPU_PARKED)
		vm->nr_parked--;
	vcpu->state = VCPU_EXITED;
	vm->nr_exited++;
	note_parked(vm);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	vm_wake_main(vm);
	return NULL;
}

int vcpu_start_thread(struct vcpu *vcpu)
{
	int ret;

	pthread_mutex_lock(&vcpu->vm->lock);
	vcpu->state = VCPU_RUNNING;
	ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (ret)
		vcpu->state = VCPU_CREATED;
	pthread_mutex_unlock(&vcpu->vm->lock);
	if (ret)
		vmm_err("vCPU %u: cannot start its thread: %s", vcpu->id, strerror(ret));
	return -ret;
}
