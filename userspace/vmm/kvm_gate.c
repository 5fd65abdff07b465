// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: where KVM file descriptors come from.
 *
 * Production path: the enabler.  wpvmm never opens /dev/kvm; it binds to
 * /dev/workphone (the enabler checks this binary's signature), uses the
 * bound file as the KVM system descriptor and gets its VM from
 * WORKPHONE_IOC_CREATE_VM.  The VM descriptor answers the usual KVM VM
 * ioctls from the enabler's allowlist, and its vCPUs the vCPU ioctls; while
 * the work phone is locked KVM_RUN fails with EPERM, and poll() on the VM
 * descriptor turns readable when guest code may run again.  The enabler
 * requires the VM and every vCPU to be created while the process has a
 * single thread (vm.c does so).
 *
 * Raw path (--raw-kvm): /dev/kvm directly, nothing enforced.  It exists as
 * the baseline of scripts/bench-vmm and for development; it is not for
 * production, where /dev/kvm is not accessible to wpvmm anyway.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "enabler.h"
#include "kvm_gate.h"
#include "util.h"

static int gate_open_raw(struct kvm_gate *gate)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		vmm_err("--raw-kvm: cannot open /dev/kvm: %s", strerror(err));
		return -err;
	}
	gate->sys_fd = fd;
	return 0;
}

static int gate_open_enabler(struct kvm_gate *gate)
{
	struct workphone_version v;
	int fd, ret;

	fd = wp_enabler_open();
	if (fd < 0) {
		vmm_err("cannot open %s: %s", WP_ENABLER_DEV, wp_enabler_explain(fd));
		return fd;
	}
	ret = wp_enabler_version(fd, &v);
	if (!ret && !(v.features & WORKPHONE_FEATURE_KVM)) {
		vmm_err("the enabler brokers no KVM VMs on this machine (no usable /dev/kvm when it loaded)");
		close(fd);
		return -ENODEV;
	}
	ret = wp_enabler_bind(fd);
	if (ret) {
		vmm_err("cannot bind to the enabler: %s", wp_enabler_explain(ret));
		close(fd);
		return ret;
	}
	gate->sys_fd = fd;
	return 0;
}

int kvm_gate_open(struct kvm_gate *gate, bool raw)
{
	int ret, api;

	gate->raw = raw;
	gate->sys_fd = -1;
	ret = raw ? gate_open_raw(gate) : gate_open_enabler(gate);
	if (ret)
		return ret;
	api = ioctl(gate->sys_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		vmm_err("KVM API version %d, expected %d", api, KVM_API_VERSION);
		kvm_gate_close(gate);
		return -ENOTSUP;
	}
	return 0;
}

int kvm_gate_create_vm(struct kvm_gate *gate)
{
	int fd, ret;

	if (gate->raw) {
		fd = ioctl(gate->sys_fd, KVM_CREATE_VM, 0);
		if (fd < 0) {
			ret = -errno;
			vmm_err("KVM_CREATE_VM: %s", strerror(-ret));
			return ret;
		}
		return fd;
	}
	ret = wp_enabler_create_vm(gate->sys_fd, &fd);
	if (ret) {
		if (ret == -ENOSPC)
			vmm_err("the enabler refused a new VM: the work phone already has its maximum of VMs");
		else
			vmm_err("the enabler refused a new VM: %s", wp_enabler_explain(ret));
		return ret;
	}
	return fd;
}

int kvm_gate_unlock_fd(const struct kvm_gate *gate, int vm_fd)
{
	return gate->raw ? -1 : vm_fd;
}

void kvm_gate_lock_reasons(const struct kvm_gate *gate, char *buf, size_t len)
{
	struct workphone_status st;

	buf[0] = '\0';
	if (gate->raw || wp_enabler_status(gate->sys_fd, &st) || !st.lock_reasons)
		return;
	wp_lock_reasons_str(st.lock_reasons, buf, len);
}

int kvm_gate_nr_vms(const struct kvm_gate *gate)
{
	struct workphone_status st;
	int ret;

	if (gate->raw)
		return -ENOTSUP;
	ret = wp_enabler_status(gate->sys_fd, &st);
	return ret ? ret : (int)st.nr_vms;
}

void kvm_gate_close(struct kvm_gate *gate)
{
	if (gate->sys_fd >= 0)
		close(gate->sys_fd);
	gate->sys_fd = -1;
}
