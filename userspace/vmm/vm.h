/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the virtual machine, its vCPUs and their run state.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_VM_H
#define WPVMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "config.h"
#include "iobus.h"
#include "kvm_gate.h"
#include "memory.h"

struct evloop;
struct console;
struct pci_bus;
struct channel;
struct bzimage;
struct ev_timer;

/* Exit codes of wpvmm; see main.c's --help. */
enum vmm_exit_code {
	VMM_EXIT_OK = 0,		/* guest powered off, or stopped */
	VMM_EXIT_ERROR = 1,		/* host-side failure while running */
	VMM_EXIT_USAGE = 2,		/* bad command line, manifest or image */
	VMM_EXIT_NO_KVM = 3,		/* no KVM: enabler missing or refusing */
	VMM_EXIT_GUEST_CRASH = 4,	/* triple fault, KVM internal error */
	VMM_EXIT_REBOOT = 5,		/* guest rebooted (--on-reboot=exit) */
};

/* Why the VM stopped; the first reason recorded wins. */
enum vm_stop_reason {
	VM_STOP_NONE,
	VM_STOP_POWEROFF,	/* the guest powered off */
	VM_STOP_REBOOT,		/* the guest asked for a reset */
	VM_STOP_REQUESTED,	/* control socket "stop", SIGTERM, SIGINT */
	VM_STOP_TRIPLE_FAULT,	/* KVM_EXIT_SHUTDOWN */
	VM_STOP_GUEST_ERROR,	/* KVM internal error, failed entry, ... */
	VM_STOP_HOST_ERROR,	/* a KVM ioctl failed */
};

enum vcpu_state {
	VCPU_CREATED,		/* thread not started */
	VCPU_RUNNING,		/* in or around KVM_RUN */
	VCPU_PARKED,		/* out of KVM_RUN, waiting on vm->cond */
	VCPU_EXITED,		/* thread finished */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	enum vcpu_state state;		/* under vm->lock */
	/* Exits by kind, for status and benchmarks. */
	atomic_uint_fast64_t exits_io;
	atomic_uint_fast64_t exits_mmio;
	atomic_uint_fast64_t exits_other;
};

/* Something a device set up, undone when the VM is destroyed. */
struct vm_cleanup {
	void (*fn)(void *arg);
	void *arg;
	struct vm_cleanup *next;
};

struct vm {
	const struct vmm_config *cfg;
	struct kvm_gate gate;
	int fd;
	int run_mmap_size;
	struct guest_memory mem;
	struct io_bus pio;
	struct io_bus mmio;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;
	struct kvm_cpuid2 *supported_cpuid;
	struct vm_cleanup *cleanups;	/* newest first */
	bool host_tcg;		/* nested under QEMU TCG: XSAVE quirk */
	bool tsc_deadline;	/* KVM emulates the TSC-deadline LAPIC timer */

	struct evloop *loop;
	struct console *console;
	struct pci_bus *pci;
	struct channel *channel;
	/* Next free IOAPIC pin for PCI INTx (16..23). */
	unsigned int next_pci_gsi;

	/*
	 * Run control.  vCPU threads park on @cond while the VM is not
	 * started, paused, locked or stopping; the control plane waits on
	 * @cond for them to park.  All under @lock.
	 */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started;
	bool paused;
	bool locked;		/* the enabler refused KVM_RUN */
	bool stopping;
	unsigned int nr_parked;
	unsigned int nr_exited;
	uint64_t started_ns;
	uint64_t pause_requested_ns;
	uint64_t paused_ns;		/* all vCPUs out, paused */
	uint64_t locked_ns;		/* first KVM_RUN refusal */
	uint64_t locked_all_out_ns;	/* every vCPU out while locked */
	char pause_reason[64];
	enum vm_stop_reason stop_reason;
	char stop_detail[256];
	/* Raised by any thread when the main loop must look at run state. */
	int wake_fd;
	/* Nonzero while vCPUs must leave KVM_RUN and look at run state. */
	atomic_int request;
	/* Lock-state watch of the main loop. */
	bool unlock_watch_armed;
	struct ev_timer *unlock_retry;
};

/* Build the machine from cfg; every vCPU is created here; 0 or -errno. */
int vm_create(struct vm *vm, const struct vmm_config *cfg,
	      const struct bzimage *bz);
/* Start the vCPU threads (parked unless started); 0 or -errno. */
int vm_start_threads(struct vm *vm);
/* Main loop until the VM stops; returns the stop reason. */
enum vm_stop_reason vm_run(struct vm *vm);
/*
 * Have fn(arg) called when the VM is destroyed, after its vCPU threads
 * are gone, newest first.  0 or -ENOMEM (then fn(arg) is called now).
 */
int vm_on_destroy(struct vm *vm, void (*fn)(void *arg), void *arg);
void vm_destroy(struct vm *vm);

/* Control plane (main thread). 0 or -errno. */
int vm_start(struct vm *vm);
int vm_pause(struct vm *vm, const char *reason, uint64_t timeout_ns,
	     uint64_t *latency_ns);
int vm_resume(struct vm *vm);
/* Ask the VM to stop for reason; first reason wins; any thread. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "running", "paused", "locked", "created", "stopping". Under vm->lock. */
const char *vm_state_name_locked(const struct vm *vm);
const char *vm_stop_reason_name(enum vm_stop_reason reason);

/* Set an interrupt line of the in-kernel irqchip (GSI). */
void vm_irq_line(struct vm *vm, unsigned int gsi, int level);

/* Wake the main loop (any thread). */
void vm_wake_main(struct vm *vm);

/* vcpu.c */
int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id);
int vcpu_start_thread(struct vcpu *vcpu);
/* Force the vCPU out of KVM_RUN soon: immediate_exit + signal. */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);
/* Process-wide setup of the kick signal; call once, before threads. */
int vcpu_kick_signal_init(void);

#endif /* WPVMM_VM_H */
