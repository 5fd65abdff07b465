// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: building the machine and driving its run state.
 *
 * Order matters for the enabler: the VM and every vCPU are created here,
 * in the main thread, before any other thread exists (the enabler refuses
 * KVM_CREATE_VCPU once the file table is shared).  Threads start only in
 * vm_start_threads().
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "arch/x86/arch.h"
#include "channel.h"
#include "console.h"
#include "device.h"
#include "evloop.h"
#include "loader/bzimage.h"
#include "util.h"
#include "vm.h"

/* Retry KVM_RUN this often while locked if the gate cannot wake us. */
#define LOCK_RETRY_NS	(100 * NSEC_PER_MSEC)

static void recompute_request(struct vm *vm)
{
	atomic_store(&vm->request,
		     !vm->started || vm->paused || vm->locked || vm->stopping);
}

static void kick_all(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

void vm_wake_main(struct vm *vm)
{
	uint64_t one = 1;

	if (write(vm->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vmm_debug("wake: %s", strerror(errno));
}

void vm_irq_line(struct vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	if (ioctl(vm->fd, KVM_IRQ_LINE, &irq) < 0)
		vmm_debug("KVM_IRQ_LINE %u: %s", gsi, strerror(errno));
}

static int check_caps(struct vm *vm, const struct vmm_config *cfg)
{
	static const struct { long cap; const char *name; } needed[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	};
	int max;

	for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
		if (ioctl(vm->gate.sys_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
			vmm_err("KVM lacks %s, which wpvmm needs", needed[i].name);
			return -ENOTSUP;
		}
	}
	max = ioctl(vm->gate.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->gate.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && cfg->vcpus > (unsigned int)max)
		return vmm_input_error("vcpus", "%u is more than the %d this host's KVM supports",
				       cfg->vcpus, max);
	return 0;
}

static void wake_ready(void *opaque, uint32_t events);

int vm_create(struct vm *vm, const struct vmm_config *cfg, const struct bzimage *bz)
{
	struct x86_boot boot;
	pthread_condattr_t attr;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->fd = -1;
	vm->wake_fd = -1;
	vm->nr_vcpus = cfg->vcpus;
	vm->started = !cfg->start_paused;
	recompute_request(vm);
	pthread_mutex_init(&vm->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &attr);
	pthread_condattr_destroy(&attr);
	io_bus_init(&vm->pio, "pio");
	io_bus_init(&vm->mmio, "mmio");

	vm->loop = evloop_new();
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!vm->loop || vm->wake_fd < 0 ||
	    evloop_add(vm->loop, vm->wake_fd, EPOLLIN, wake_ready, vm))
		return -ENOMEM;
	ret = vcpu_kick_signal_init();
	if (ret)
		return ret;

	ret = kvm_gate_open(&vm->gate, cfg->raw_kvm);
	if (ret)
		return -ENODEV;
	ret = check_caps(vm, cfg);
	if (ret)
		return ret;
	vm->fd = kvm_gate_create_vm(&vm->gate);
	if (vm->fd < 0)
		return -ENODEV;
	vm->run_mmap_size = ioctl(vm->gate.sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_mmap_size < (int)sizeof(struct kvm_run)) {
		vmm_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -EIO;
	}
	ret = x86_cpuid_init(vm);
	if (ret)
		return ret;

	ret = guest_memory_alloc(&vm->mem, MIB(cfg->mem_mib));
	if (ret) {
		vmm_err("cannot reserve %llu MiB of guest memory: %s",
			(unsigned long long)cfg->mem_mib, strerror(-ret));
		return ret;
	}
	ret = guest_memory_register(&vm->mem, vm->fd);
	if (ret) {
		vmm_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
		return ret;
	}
	ret = x86_vm_init(vm);
	if (ret)
		return ret;
	vm->console = console_new(vm, cfg);
	if (!vm->console)
		return -EIO;
	vm->channel = channel_new(vm);
	if (!vm->channel)
		return -ENOMEM;
	ret = vmm_devices_init(vm);
	if (ret)
		return ret;
	ret = x86_load_kernel(vm, bz, cfg->initrd, cfg->cmdline, &boot);
	if (ret)
		return ret;

	/* Every vCPU now, while this process has one thread. */
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_create(vm, &vm->vcpus[i], i);
		if (ret)
			return ret;
		ret = x86_vcpu_init(vm, &vm->vcpus[i], &boot);
		if (ret)
			return ret;
	}
	return 0;
}

int vm_start_threads(struct vm *vm)
{
	if (vm->started)
		vm->started_ns = vmm_now_ns();
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		int ret = vcpu_start_thread(&vm->vcpus[i]);

		if (ret) {
			vm_request_stop(vm, VM_STOP_HOST_ERROR, "cannot start vCPU threads");
			return ret;
		}
	}
	return 0;
}

/* --- run state, driven by the control plane ------------------------------ */

int vm_start(struct vm *vm)
{
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (vm->stopping)
		ret = -ESHUTDOWN;
	else if (vm->started)
		ret = -EALREADY;
	else {
		vm->started = true;
		vm->started_ns = vmm_now_ns();
		recompute_request(vm);
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

int vm_pause(struct vm *vm, const char *reason, uint64_t timeout_ns,
	     uint64_t *latency_ns)
{
	uint64_t deadline = vmm_now_ns() + timeout_ns;
	struct timespec ts = {
		.tv_sec = deadline / NSEC_PER_SEC, .tv_nsec = deadline % NSEC_PER_SEC,
	};
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (vm->stopping) {
		ret = -ESHUTDOWN;
		goto out;
	}
	if (vm->paused) {
		ret = -EALREADY;
		goto out;
	}
	vm->paused = true;
	vm->paused_ns = 0;
	vm->pause_requested_ns = vmm_now_ns();
	snprintf(vm->pause_reason, sizeof(vm->pause_reason), "%s", reason);
	recompute_request(vm);
	kick_all(vm);
	while (!vm->paused_ns && !vm->stopping) {
		if (vm->nr_parked + vm->nr_exited == vm->nr_vcpus) {
			vm->paused_ns = vmm_now_ns();
			break;
		}
		if (pthread_cond_timedwait(&vm->cond, &vm->lock, &ts) == ETIMEDOUT) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	if (!ret && vm->paused_ns && latency_ns)
		*latency_ns = vm->paused_ns - vm->pause_requested_ns;
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

int vm_resume(struct vm *vm)
{
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (vm->stopping) {
		ret = -ESHUTDOWN;
	} else if (!vm->paused) {
		ret = -EALREADY;
	} else {
		vm->paused = false;
		vm->paused_ns = 0;
		vm->pause_reason[0] = '\0';
		recompute_request(vm);
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->stop_reason == VM_STOP_NONE) {
		vm->stop_reason = reason;
		va_start(ap, fmt);
		vsnprintf(vm->stop_detail, sizeof(vm->stop_detail), fmt, ap);
		va_end(ap);
	}
	vm->stopping = true;
	recompute_request(vm);
	kick_all(vm);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	vm_wake_main(vm);
}

const char *vm_state_name_locked(const struct vm *vm)
{
	if (vm->stopping)
		return "stopping";
	if (!vm->started)
		return "created";
	if (vm->locked)
		return "locked";
	if (vm->paused)
		return "paused";
	return "running";
}

const char *vm_stop_reason_name(enum vm_stop_reason reason)
{
	switch (reason) {
	case VM_STOP_NONE: return "none";
	case VM_STOP_POWEROFF: return "poweroff";
	case VM_STOP_REBOOT: return "reboot";
	case VM_STOP_REQUESTED: return "stopped";
	case VM_STOP_TRIPLE_FAULT: return "triple-fault";
	case VM_STOP_GUEST_ERROR: return "guest-error";
	case VM_STOP_HOST_ERROR: return "host-error";
	}
	return "unknown";
}

/* --- the enabler's lock, seen from the main loop ------------------------- */

static void lift_lock(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->locked = false;
	vm->locked_ns = 0;
	vm->locked_all_out_ns = 0;
	recompute_request(vm);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

static void unlock_ready(void *opaque, uint32_t events)
{
	struct vm *vm = opaque;

	(void)events;
	/* Guest code may run: let the vCPUs try; a refusal locks again. */
	evloop_del(vm->loop, kvm_gate_unlock_fd(&vm->gate, vm->fd));
	vm->unlock_watch_armed = false;
	lift_lock(vm);
}

static void unlock_retry(void *opaque, uint32_t events)
{
	struct vm *vm = opaque;

	(void)events;
	vm->unlock_watch_armed = false;
	lift_lock(vm);
}

static void arm_unlock_watch(struct vm *vm)
{
	int fd = kvm_gate_unlock_fd(&vm->gate, vm->fd);

	if (vm->unlock_watch_armed)
		return;
	if (fd >= 0 && !evloop_add(vm->loop, fd, EPOLLIN, unlock_ready, vm)) {
		vm->unlock_watch_armed = true;
		return;
	}
	/* No wake-up from the gate: poll on a timer. */
	if (!vm->unlock_retry)
		vm->unlock_retry = ev_timer_new(vm->loop, unlock_retry, vm);
	if (vm->unlock_retry) {
		ev_timer_arm(vm->unlock_retry, LOCK_RETRY_NS, 0);
		vm->unlock_watch_armed = true;
	}
}

static void wake_ready(void *opaque, uint32_t events)
{
	struct vm *vm = opaque;
	uint64_t n;
	bool locked;

	(void)events;
	if (read(vm->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&vm->lock);
	locked = vm->locked && !vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	if (locked)
		arm_unlock_watch(vm);
}

enum vm_stop_reason vm_run(struct vm *vm)
{
	enum vm_stop_reason reason;

	for (;;) {
		bool stopping;

		pthread_mutex_lock(&vm->lock);
		stopping = vm->stopping;
		pthread_mutex_unlock(&vm->lock);
		if (stopping)
			break;
		if (evloop_run_once(vm->loop, -1)) {
			vm_request_stop(vm, VM_STOP_HOST_ERROR, "event loop failed");
			break;
		}
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		bool started;

		pthread_mutex_lock(&vm->lock);
		started = vcpu->state != VCPU_CREATED;
		pthread_mutex_unlock(&vm->lock);
		if (started)
			pthread_join(vcpu->thread, NULL);
	}
	pthread_mutex_lock(&vm->lock);
	reason = vm->stop_reason;
	pthread_mutex_unlock(&vm->lock);
	return reason;
}

int vm_on_destroy(struct vm *vm, void (*fn)(void *arg), void *arg)
{
	struct vm_cleanup *c = malloc(sizeof(*c));

	if (!c) {
		fn(arg);
		return -ENOMEM;
	}
	*c = (struct vm_cleanup){ .fn = fn, .arg = arg, .next = vm->cleanups };
	vm->cleanups = c;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->vcpus)
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	while (vm->cleanups) {
		struct vm_cleanup *c = vm->cleanups;

		vm->cleanups = c->next;
		c->fn(c->arg);
		free(c);
	}
	io_bus_destroy(&vm->pio);
	io_bus_destroy(&vm->mmio);
	channel_free(vm->channel);
	vm->channel = NULL;
	console_free(vm->console);
	vm->console = NULL;
	ev_timer_free(vm->unlock_retry);
	vm->unlock_retry = NULL;
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	kvm_gate_close(&vm->gate);
	guest_memory_free(&vm->mem);
	free(vm->supported_cpuid);
	vm->supported_cpuid = NULL;
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	evloop_free(vm->loop);
	vm->loop = NULL;
}
