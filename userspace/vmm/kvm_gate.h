/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: where KVM file descriptors come from.  This is the only file that
 * opens /dev/workphone or /dev/kvm.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_KVM_GATE_H
#define WPVMM_KVM_GATE_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct kvm_gate - the KVM system descriptor and how it was obtained
 * @sys_fd:	answers the KVM system ioctls (KVM_GET_SUPPORTED_CPUID, ...):
 *		the bound /dev/workphone file, or /dev/kvm on the raw path
 * @raw:	true for --raw-kvm (benchmark baseline, development only)
 */
struct kvm_gate {
	int sys_fd;
	bool raw;
};

/*
 * Open the gate.  Enabler path: open /dev/workphone and bind (this binary
 * must be signed).  Raw path: open /dev/kvm.  Prints why on failure.
 * Returns 0 or -errno.
 */
int kvm_gate_open(struct kvm_gate *gate, bool raw);

/* Create a VM; returns its descriptor or -errno (printed). */
int kvm_gate_create_vm(struct kvm_gate *gate);

/*
 * A descriptor that polls readable (EPOLLIN) while guest code may run, to
 * wait on after KVM_RUN failed with KVM_RUN_LOCKED_ERRNO; -1 if the gate
 * has none (the caller then retries on a timer).
 */
int kvm_gate_unlock_fd(const struct kvm_gate *gate, int vm_fd);

/*
 * Why guest code may not run, as a comma-separated list of the enabler's
 * lock reasons ("admin,lease-expired"), or "" if none or unknown.
 */
void kvm_gate_lock_reasons(const struct kvm_gate *gate, char *buf, size_t len);

/* Work-phone VMs the enabler accounts for, or -errno. */
int kvm_gate_nr_vms(const struct kvm_gate *gate);

void kvm_gate_close(struct kvm_gate *gate);

/* KVM_RUN fails with this errno while the enabler keeps the phone locked. */
#define KVM_RUN_LOCKED_ERRNO	EPERM

#endif /* WPVMM_KVM_GATE_H */
