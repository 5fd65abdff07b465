/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Workphone enabler: userspace API of /dev/workphone.
 *
 * Copyright (C) 2026 The Workphone Authors
 *
 * Every ioctl takes a pointer to an extensible structure whose first member
 * is a __u32 @size that userspace sets to sizeof() the structure it was
 * compiled with.  The kernel accepts any size from the first published
 * version of the structure up to one page: a smaller caller gets the
 * fields it knows about, a larger caller must leave every byte the kernel
 * does not know about zero (otherwise %E2BIG).  Reserved fields and
 * unknown flag bits must be zero (otherwise %EINVAL).
 *
 * The ioctl numbers carry no size (_IO), as in iommufd: the structure's own
 * @size field versions it, so a grown structure keeps its ioctl number.
 * Every structure is made of fixed-width fields with explicit padding and
 * no pointers, so 32-bit callers use the same layout (compat_ptr_ioctl).
 *
 * Documentation/ioctl.rst carries the same errno tables as the kernel-doc
 * blocks below; tests/kernel/ exercises every entry.
 */
#ifndef _UAPI_LINUX_WORKPHONE_H
#define _UAPI_LINUX_WORKPHONE_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* The ioctl type byte; see Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define WORKPHONE_IOCTL_TYPE	0xBA

/* ABI version; bumped only for incompatible changes (never, so far). */
#define WORKPHONE_ABI_VERSION	1

/**
 * struct workphone_version - ABI version and feature bits of the enabler
 * @size:	In: sizeof(struct workphone_version) as known to userspace.
 *		Must be at least %WORKPHONE_VERSION_SIZE_VER0.
 * @abi_version: Out: %WORKPHONE_ABI_VERSION.
 * @features:	Out: bitmask of WORKPHONE_FEATURE_* supported by this enabler.
 * @module_version: Out: NUL-terminated module version string.
 * @reserved:	In: must be zero.
 */
struct workphone_version {
	__u32 size;
	__u32 abi_version;
	__u64 features;
	char module_version[32];
	__u64 reserved[4];
};

#define WORKPHONE_VERSION_SIZE_VER0	80

/* The enabler implements GET_VERSION (always set). */
#define WORKPHONE_FEATURE_VERSION	_BITULL(0)
/* BIND verifies code identity against the enabler keyring. */
#define WORKPHONE_FEATURE_BIND		_BITULL(1)
/* The management daemon can be registered and is protected from signals. */
#define WORKPHONE_FEATURE_DAEMON	_BITULL(2)
/* ptrace and /proc/PID/mem access to the daemon are refused (kprobes). */
#define WORKPHONE_FEATURE_PTRACE_GUARD	_BITULL(3)
/* KVM VMs are brokered (a usable /dev/kvm was found at load time). */
#define WORKPHONE_FEATURE_KVM		_BITULL(4)
/* Events are sent on the "workphone" generic-netlink family. */
#define WORKPHONE_FEATURE_EVENTS	_BITULL(5)
/* Signed leases and admin commands are enforced (GET_NONCE ... RESTORE). */
#define WORKPHONE_FEATURE_LEASE		_BITULL(6)

/**
 * WORKPHONE_IOC_GET_VERSION - report the ABI version and features
 *
 * Context: any open file descriptor of /dev/workphone, bound or not.
 * Argument: pointer to &struct workphone_version; @size in, the rest out.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT - the argument pointer is not readable or not writable.
 * * %EINVAL - @size is smaller than %WORKPHONE_VERSION_SIZE_VER0, or
 *   @reserved is not zero.
 * * %E2BIG - @size is larger than the kernel's structure and the extra
 *   bytes are not all zero, or @size is larger than a page.
 */
#define WORKPHONE_IOC_GET_VERSION	_IO(WORKPHONE_IOCTL_TYPE, 0x00)

/**
 * struct workphone_bind - bind this open file to the calling process
 * @size:	In: sizeof(struct workphone_bind).
 * @flags:	In: must be zero.
 * @reserved:	In: must be zero.
 */
struct workphone_bind {
	__u32 size;
	__u32 flags;
	__u64 reserved[2];
};

#define WORKPHONE_BIND_SIZE_VER0	24

/**
 * WORKPHONE_IOC_BIND - authenticate the caller and bind the file to it
 *
 * The enabler reads the executable of the calling process and verifies its
 * appended PKCS#7 signature (module-signature layout) against the enabler
 * keyring.  On success the file becomes a bound session owned by the
 * calling process (its mm and thread group); only that process may use the
 * privileged ioctls on it.
 *
 * Context: an unbound file of /dev/workphone.
 * Argument: pointer to &struct workphone_bind.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT - the argument is not readable.
 * * %EINVAL - @size too small, @flags or @reserved not zero.
 * * %E2BIG - @size larger than known with non-zero extra bytes.
 * * %EALREADY - this file is already bound.
 * * %EPERM - the caller is being ptraced, or was started with
 *   LD_PRELOAD, LD_LIBRARY_PATH or LD_AUDIT in its environment.
 * * %ETXTBSY - the executable is open for writing or writable by the caller.
 * * %ENODATA - the executable carries no signature.
 * * %EBADMSG - the signature block is malformed.
 * * %EKEYREJECTED - the signature does not verify against a trusted key.
 * * %EFBIG - the executable is larger than the enabler will hash (256 MiB).
 * * %ENOMEM - out of memory.
 */
#define WORKPHONE_IOC_BIND		_IO(WORKPHONE_IOCTL_TYPE, 0x01)

/**
 * enum workphone_lock_reason - why guest code of the work phone may not run
 * @WORKPHONE_LOCK_DAEMON_LOST: the registered management daemon died;
 *	cleared when a daemon binds and registers again.
 * @WORKPHONE_LOCK_LEASE: the lease passed its auto-disable deadline, or the
 *	clock was found set before the last lease at restore; cleared by a
 *	valid renewal.
 * @WORKPHONE_LOCK_ADMIN: an administrator locked the work phone (signed
 *	%WORKPHONE_DOC_LOCK); cleared by a signed %WORKPHONE_DOC_UNLOCK.
 * @WORKPHONE_LOCK_WIPED: the work phone was wiped; cleared only by a new
 *	provisioning.
 * @WORKPHONE_LOCK_UNPROVISIONED: no server is pinned yet (every boot
 *	starts here); cleared by %WORKPHONE_IOC_PROVISION or
 *	%WORKPHONE_IOC_RESTORE.
 *
 * Reasons are bits of &struct workphone_status.lock_reasons; guest code
 * runs only while no bit is set.
 */
enum workphone_lock_reason {
	WORKPHONE_LOCK_DAEMON_LOST = 1 << 0,
	WORKPHONE_LOCK_LEASE = 1 << 1,
	WORKPHONE_LOCK_ADMIN = 1 << 2,
	WORKPHONE_LOCK_WIPED = 1 << 3,
	WORKPHONE_LOCK_UNPROVISIONED = 1 << 4,
};

/**
 * enum workphone_state - the lease state of the work phone
 * @WORKPHONE_STATE_UNPROVISIONED: no server pinned; guest code may not run.
 * @WORKPHONE_STATE_ACTIVE: provisioned and no lock reason set.
 * @WORKPHONE_STATE_LOCKED: provisioned, some lock reason set.
 * @WORKPHONE_STATE_WIPED: erased; the daemon must delete the image.  Sticky
 *	until a new provisioning.
 */
enum workphone_state {
	WORKPHONE_STATE_UNPROVISIONED = 0,
	WORKPHONE_STATE_ACTIVE = 1,
	WORKPHONE_STATE_LOCKED = 2,
	WORKPHONE_STATE_WIPED = 3,
};

/**
 * struct workphone_status - state of the enabler and of this file
 * @size:	In: sizeof(struct workphone_status).
 * @flags:	Out: WORKPHONE_STATUS_* bits.
 * @lock_reasons: Out: &enum workphone_lock_reason bits; 0 means guest code
 *	may run.
 * @daemon_pid:	Out: thread-group id of the registered daemon in the
 *	caller's pid namespace, 0 if none (or not visible).
 * @nr_vms:	Out: work-phone VMs alive.
 * @state:	Out: &enum workphone_state.
 * @policy_version: Out: policy version of the last accepted lease.
 * @lease_interval_s: Out: check-in interval of the last accepted lease.
 * @disable_in_ns: Out: time left until auto-disable on the boot-time clock,
 *	0 if passed or not provisioned.
 * @wipe_in_ns:	Out: time left until auto-wipe, likewise.
 * @last_renewal_ns: Out: CLOCK_BOOTTIME of the last accepted lease, 0 if
 *	none since boot.
 * @device_id:	Out: the provisioned device id (zero if none).
 * @reserved:	In: must be zero.
 */
struct workphone_status {
	__u32 size;
	__u32 flags;
	__u32 lock_reasons;
	__s32 daemon_pid;
	__u32 nr_vms;
	__u32 state;
	__u32 policy_version;
	__u32 lease_interval_s;
	__u64 disable_in_ns;
	__u64 wipe_in_ns;
	__u64 last_renewal_ns;
	__u8 device_id[16];
	__u64 reserved[2];
};

#define WORKPHONE_STATUS_SIZE_VER0	88

/* This file is bound (to some process). */
#define WORKPHONE_STATUS_BOUND		_BITUL(0)
/* This file is bound to the calling process. */
#define WORKPHONE_STATUS_OWNER		_BITUL(1)
/* This file belongs to the registered management daemon. */
#define WORKPHONE_STATUS_DAEMON		_BITUL(2)

/**
 * WORKPHONE_IOC_GET_STATUS - report the enabler's state
 *
 * Context: any open file descriptor of /dev/workphone, bound or not.
 * Argument: pointer to &struct workphone_status.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT - the argument pointer is not readable or not writable.
 * * %EINVAL - @size is smaller than %WORKPHONE_STATUS_SIZE_VER0, or an
 *   output or reserved field is not zero.
 * * %E2BIG - @size is larger than known with non-zero extra bytes.
 */
#define WORKPHONE_IOC_GET_STATUS	_IO(WORKPHONE_IOCTL_TYPE, 0x02)

/**
 * struct workphone_daemon - register or unregister the management daemon
 * @size:	In: sizeof(struct workphone_daemon).
 * @flags:	In: must be zero.
 * @reserved:	In: must be zero.
 */
struct workphone_daemon {
	__u32 size;
	__u32 flags;
	__u64 reserved[2];
};

#define WORKPHONE_DAEMON_SIZE_VER0	24

/**
 * WORKPHONE_IOC_DAEMON_REGISTER - make the caller the protected daemon
 *
 * From then on signals from userspace (SIGKILL, SIGSTOP and every signal
 * whose handler is the default, e.g. SIGTERM and SIGINT) are ignored, the
 * process is exempt from the OOM killer, ptrace attach and /proc/PID/mem
 * access by other processes are refused (if %WORKPHONE_FEATURE_PTRACE_GUARD)
 * and the module cannot be unloaded.  Signals the kernel raises for the
 * daemon's own faults still kill it.  If the daemon dies, every work-phone
 * VM is locked (%WORKPHONE_LOCK_DAEMON_LOST) until a daemon registers again.
 *
 * Context: a bound session, called by its owner.
 * Argument: pointer to &struct workphone_daemon.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file.
 * * %EBUSY - a daemon is already registered.
 */
#define WORKPHONE_IOC_DAEMON_REGISTER	_IO(WORKPHONE_IOCTL_TYPE, 0x03)

/**
 * WORKPHONE_IOC_DAEMON_UNREGISTER - give up the daemon role
 *
 * Lifts the protections of %WORKPHONE_IOC_DAEMON_REGISTER without locking
 * the work phone (an authorised unenrolment).
 *
 * Context: the session of the registered daemon, called by its owner.
 * Argument: pointer to &struct workphone_daemon.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file, or this
 *   session is not the registered daemon.
 */
#define WORKPHONE_IOC_DAEMON_UNREGISTER	_IO(WORKPHONE_IOCTL_TYPE, 0x04)

/**
 * struct workphone_create_vm - create a work-phone VM
 * @size:	In: sizeof(struct workphone_create_vm).
 * @flags:	In: must be zero.
 * @kvm_type:	In: machine type passed to KVM_CREATE_VM (0 on x86).
 * @vm_fd:	Out: the new VM file descriptor (O_CLOEXEC).
 * @reserved0:	In: must be zero.
 * @reserved:	In: must be zero.
 */
struct workphone_create_vm {
	__u32 size;
	__u32 flags;
	__u64 kvm_type;
	__s32 vm_fd;
	__u32 reserved0;
	__u64 reserved[2];
};

#define WORKPHONE_CREATE_VM_SIZE_VER0	40

/**
 * WORKPHONE_IOC_CREATE_VM - create a KVM VM on behalf of the bound caller
 *
 * The returned descriptor accepts the allowlisted KVM VM ioctls (see
 * Documentation/ioctl.rst); KVM_CREATE_VCPU on it returns vCPU descriptors
 * that accept the allowlisted vCPU ioctls and can be mmap()ed like KVM's.
 * While the work phone is locked, KVM_RUN fails with %EPERM and vCPUs that
 * are running are kicked out of the guest.  Ioctls outside the allowlists
 * fail with %ENOTTY on VM and vCPU descriptors; KVM_CREATE_VCPU fails with
 * %EBUSY when the file table is shared; KVM_RUN fails with %EBUSY while
 * another thread runs the same vCPU.  poll() on a VM descriptor reports
 * %EPOLLIN while guest code may run.  The VM is destroyed when its
 * descriptor and all its vCPU descriptors are closed.
 *
 * Context: a bound session, called by its owner, whose file table is not
 * shared with another thread or process (create the VM and all vCPUs
 * before starting threads).
 * Argument: pointer to &struct workphone_create_vm.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file.
 * * %EBUSY - the caller's file table is shared.
 * * %ENOSPC - the per-work-phone VM limit is reached.
 * * %ENODEV - KVM is not available on this machine.
 * * %EMFILE, %ENOMEM - out of descriptors or memory.
 */
#define WORKPHONE_IOC_CREATE_VM		_IO(WORKPHONE_IOCTL_TYPE, 0x10)

/**
 * struct workphone_nonce - a fresh check-in nonce
 * @size:	In: sizeof(struct workphone_nonce).
 * @flags:	In: must be zero.
 * @nonce:	Out: 32 random bytes; the server must echo them in the
 *	documents of this check-in.
 * @reserved:	In: must be zero.
 */
struct workphone_nonce {
	__u32 size;
	__u32 flags;
	__u8 nonce[32];
	__u64 reserved[2];
};

#define WORKPHONE_NONCE_SIZE_VER0	56

/**
 * WORKPHONE_IOC_GET_NONCE - start a check-in
 *
 * Issues a new nonce and forgets the previous one: documents carrying an
 * older nonce are refused from now on.  The nonce is valid for the
 * @valid_for_s of the documents that use it, counted from now on the
 * boot-time clock.
 *
 * Context: a bound session, called by its owner.
 * Argument: pointer to &struct workphone_nonce.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file.
 */
#define WORKPHONE_IOC_GET_NONCE		_IO(WORKPHONE_IOCTL_TYPE, 0x20)

/**
 * struct workphone_doc_arg - a signed document handed to the enabler
 * @size:	In: sizeof(struct workphone_doc_arg).
 * @flags:	In: must be zero.
 * @doc_ptr:	In: user pointer to the 128-byte &struct workphone_doc.
 * @sig_ptr:	In: user pointer to the detached PKCS#7 signature (DER).
 * @sig_len:	In: its length, 1..65536.
 * @cert_len:	In: length of the certificate at @cert_ptr, 0..16384.
 * @cert_ptr:	In: a DER X.509 certificate: the server certificate to pin
 *	(PROVISION, RESTORE) or the new one (a %WORKPHONE_DOC_REPIN document,
 *	whose signature then covers the document followed by this
 *	certificate); must be 0 with @cert_len 0 otherwise.
 * @device_id:	In: the device id to provision (PROVISION, RESTORE); zero
 *	otherwise.
 * @reserved:	In: must be zero.
 */
struct workphone_doc_arg {
	__u32 size;
	__u32 flags;
	__u64 doc_ptr;
	__u64 sig_ptr;
	__u32 sig_len;
	__u32 cert_len;
	__u64 cert_ptr;
	__u8 device_id[16];
	__u64 reserved[2];
};

#define WORKPHONE_DOC_ARG_SIZE_VER0	72

/**
 * WORKPHONE_IOC_PROVISION - pin the server and start the first lease
 *
 * Pins the server certificate and device id and applies the first lease
 * (a %WORKPHONE_DOC_LEASE document for the outstanding nonce, signed by
 * that certificate's key).  The work phone becomes ACTIVE.  Allowed when
 * unprovisioned or wiped; a new provisioning after a wipe starts afresh.
 *
 * Context: a bound session, called by its owner.
 * Argument: pointer to &struct workphone_doc_arg.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument; %EINVAL
 *   also for lengths out of range or a missing certificate.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file.
 * * %EBUSY - already provisioned (re-pin with %WORKPHONE_DOC_REPIN).
 * * %EBADMSG - the certificate, document or signature is malformed.
 * * %EKEYREJECTED - the signature does not verify against the certificate.
 * * %EXDEV - the document is for another device.
 * * %ESTALE - no outstanding nonce, a different nonce, or one already used.
 * * %ETIME - the document arrived after its @valid_for_s.
 * * %ERANGE - the periods are out of range (see lease-protocol.rst).
 * * %ENOMEM - out of memory.
 */
#define WORKPHONE_IOC_PROVISION		_IO(WORKPHONE_IOCTL_TYPE, 0x21)

/**
 * WORKPHONE_IOC_SUBMIT_DOC - apply a signed lease or admin command
 *
 * A %WORKPHONE_DOC_LEASE renews the lease from now: lock after
 * @auto_disable_s, wipe after @auto_wipe_s, and lifts a lease lock.
 * %WORKPHONE_DOC_LOCK and %WORKPHONE_DOC_UNLOCK set and clear the admin
 * lock; %WORKPHONE_DOC_WIPE wipes; %WORKPHONE_DOC_REPIN replaces the pinned
 * certificate.  Each document is accepted once per nonce (a lease once,
 * each command id once).
 *
 * Context: a bound session, called by its owner.
 * Argument: pointer to &struct workphone_doc_arg.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument; %EINVAL
 *   also for lengths out of range, a certificate with another kind than
 *   REPIN, or a non-zero @device_id.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file.
 * * %ENOKEY - not provisioned.
 * * %EIDRM - the work phone was wiped.
 * * %EBADMSG - the document or signature (or REPIN certificate) is
 *   malformed, or its kind is unknown.
 * * %EKEYREJECTED - the signature does not verify against the pinned key.
 * * %EXDEV - the document is for another device.
 * * %ESTALE - wrong, old or already used nonce, a replayed command, or a
 *   lower policy version than the last lease.
 * * %ETIME - the document arrived after its @valid_for_s.
 * * %ERANGE - the periods are out of range.
 * * %ENOMEM - out of memory.
 */
#define WORKPHONE_IOC_SUBMIT_DOC	_IO(WORKPHONE_IOCTL_TYPE, 0x22)

/**
 * WORKPHONE_IOC_RESTORE - restore the lease after a reboot
 *
 * Pins the certificate and device id again and applies the last lease the
 * daemon persisted, without a nonce (it was issued before the reboot).
 * Deadlines are derived conservatively from the document's server time and
 * the wall clock: the time since @server_time_ns counts as elapsed; a wall
 * clock earlier than @server_time_ns is tampering and locks
 * (%WORKPHONE_LOCK_LEASE); past the wipe deadline the work phone is wiped.
 * Allowed only while unprovisioned, i.e. once per boot.
 *
 * Context: a bound session, called by its owner.
 * Argument: pointer to &struct workphone_doc_arg.
 * Return: 0 on success, or a negative errno:
 *
 * * %EFAULT, %EINVAL, %E2BIG - as for every extensible argument; %EINVAL
 *   also for lengths out of range, a missing certificate or a document of
 *   another kind than LEASE.
 * * %EACCES - the file is not bound.
 * * %EPERM - the caller is not the process that bound the file.
 * * %EBUSY - already provisioned or restored since boot.
 * * %EBADMSG - the certificate, document or signature is malformed.
 * * %EKEYREJECTED - the signature does not verify against the certificate.
 * * %EXDEV - the document is for another device.
 * * %ERANGE - the periods are out of range.
 * * %ENOMEM - out of memory.
 */
#define WORKPHONE_IOC_RESTORE		_IO(WORKPHONE_IOCTL_TYPE, 0x23)

/*
 * Events: generic netlink family %WORKPHONE_GENL_NAME, multicast group
 * %WORKPHONE_GENL_MCGRP.  Subscribing needs CAP_SYS_ADMIN in the initial
 * user namespace (events include authentication failures for audit).
 * Every message is %WORKPHONE_CMD_EVENT with %WORKPHONE_ATTR_EVENT and the
 * attributes that event defines.
 */
#define WORKPHONE_GENL_NAME	"workphone"
#define WORKPHONE_GENL_VERSION	1
#define WORKPHONE_GENL_MCGRP	"events"

/**
 * enum workphone_genl_cmd - generic netlink commands
 * @WORKPHONE_CMD_UNSPEC: unused.
 * @WORKPHONE_CMD_EVENT: an event notification (multicast only).
 * @__WORKPHONE_CMD_MAX: internal.
 */
enum workphone_genl_cmd {
	WORKPHONE_CMD_UNSPEC,
	WORKPHONE_CMD_EVENT,
	__WORKPHONE_CMD_MAX,
};

/**
 * enum workphone_genl_attr - attributes of an event message
 * @WORKPHONE_ATTR_UNSPEC: unused.
 * @WORKPHONE_ATTR_EVENT: u32, &enum workphone_event.
 * @WORKPHONE_ATTR_PID: u32, thread-group id (initial pid namespace).
 * @WORKPHONE_ATTR_ERRNO: u32, positive errno of a refusal.
 * @WORKPHONE_ATTR_LOCK_REASONS: u32, &enum workphone_lock_reason bits.
 * @WORKPHONE_ATTR_VM_ID: u32, enabler-assigned VM number.
 * @WORKPHONE_ATTR_TIME_NS: u64, CLOCK_BOOTTIME of the event.
 * @WORKPHONE_ATTR_COMM: string, command name of the process.
 * @WORKPHONE_ATTR_PAD: padding for 64-bit attributes.
 * @WORKPHONE_ATTR_DOC_KIND: u32, &enum workphone_doc_kind.
 * @__WORKPHONE_ATTR_MAX: internal.
 */
enum workphone_genl_attr {
	WORKPHONE_ATTR_UNSPEC,
	WORKPHONE_ATTR_EVENT,
	WORKPHONE_ATTR_PID,
	WORKPHONE_ATTR_ERRNO,
	WORKPHONE_ATTR_LOCK_REASONS,
	WORKPHONE_ATTR_VM_ID,
	WORKPHONE_ATTR_TIME_NS,
	WORKPHONE_ATTR_COMM,
	WORKPHONE_ATTR_PAD,
	WORKPHONE_ATTR_DOC_KIND,
	__WORKPHONE_ATTR_MAX,
};

#define WORKPHONE_ATTR_MAX	(__WORKPHONE_ATTR_MAX - 1)

/**
 * enum workphone_event - what happened
 * @WORKPHONE_EVENT_BIND_OK: a process bound (PID, COMM).
 * @WORKPHONE_EVENT_BIND_FAILED: a bind was refused (PID, COMM, ERRNO).
 * @WORKPHONE_EVENT_DAEMON_REGISTERED: the daemon registered (PID, COMM).
 * @WORKPHONE_EVENT_DAEMON_UNREGISTERED: the daemon unregistered (PID).
 * @WORKPHONE_EVENT_DAEMON_LOST: the daemon died (PID).
 * @WORKPHONE_EVENT_LOCK_CHANGED: lock reasons changed (LOCK_REASONS).
 * @WORKPHONE_EVENT_VM_CREATED: a VM was created (VM_ID, PID).
 * @WORKPHONE_EVENT_VM_DESTROYED: a VM was destroyed (VM_ID).
 * @WORKPHONE_EVENT_PROVISIONED: a server was pinned (PID).
 * @WORKPHONE_EVENT_DOC_ACCEPTED: a signed document was applied (DOC_KIND).
 * @WORKPHONE_EVENT_DOC_REFUSED: a signed document was refused (DOC_KIND if
 *	known, ERRNO, PID) - an audit record.
 * @WORKPHONE_EVENT_WIPED: the work phone was wiped: delete the image.
 */
enum workphone_event {
	WORKPHONE_EVENT_BIND_OK = 1,
	WORKPHONE_EVENT_BIND_FAILED = 2,
	WORKPHONE_EVENT_DAEMON_REGISTERED = 3,
	WORKPHONE_EVENT_DAEMON_UNREGISTERED = 4,
	WORKPHONE_EVENT_DAEMON_LOST = 5,
	WORKPHONE_EVENT_LOCK_CHANGED = 6,
	WORKPHONE_EVENT_VM_CREATED = 7,
	WORKPHONE_EVENT_VM_DESTROYED = 8,
	WORKPHONE_EVENT_PROVISIONED = 9,
	WORKPHONE_EVENT_DOC_ACCEPTED = 10,
	WORKPHONE_EVENT_DOC_REFUSED = 11,
	WORKPHONE_EVENT_WIPED = 12,
};

/*
 * Signed documents (leases and admin commands).
 *
 * The management server signs a struct workphone_doc with its key; the
 * enabler verifies it against the certificate pinned at provisioning.  All
 * integers are little-endian on the wire, whatever the host.  The signature
 * is a detached PKCS#7 (CMS) SignedData in DER, RSA with SHA-256, over
 * exactly the sizeof(struct workphone_doc) bytes of the document, as
 * produced by "openssl cms -sign -binary -noattr -md sha256 -outform DER".
 * Documentation/lease-protocol.rst is the normative description.
 */
#define WORKPHONE_DOC_MAGIC	0x44505057	/* "WPPD" in little-endian */
#define WORKPHONE_DOC_VERSION	1

/**
 * enum workphone_doc_kind - what a signed document asks the enabler to do
 * @WORKPHONE_DOC_LEASE: renew the lease with the periods in the document.
 * @WORKPHONE_DOC_LOCK: admin lock: lock the work phone until an unlock or
 *	a later lease.
 * @WORKPHONE_DOC_UNLOCK: admin unlock: lift an admin or password lock.
 * @WORKPHONE_DOC_WIPE: admin wipe: erase the work phone now.
 * @WORKPHONE_DOC_REPIN: replace the pinned server certificate by the DER
 *	certificate that follows the document (signed by the current key).
 */
enum workphone_doc_kind {
	WORKPHONE_DOC_LEASE = 1,
	WORKPHONE_DOC_LOCK = 2,
	WORKPHONE_DOC_UNLOCK = 3,
	WORKPHONE_DOC_WIPE = 4,
	WORKPHONE_DOC_REPIN = 5,
};

/**
 * struct workphone_doc - a lease or command document signed by the server
 * @magic:	%WORKPHONE_DOC_MAGIC.
 * @version:	%WORKPHONE_DOC_VERSION.
 * @kind:	one of &enum workphone_doc_kind.
 * @size:	sizeof(struct workphone_doc), 128.
 * @flags:	must be zero.
 * @device_id:	the device's 16-byte UUID as issued at enrolment.
 * @nonce:	the 32-byte nonce the enabler issued for this check-in.
 * @server_time_ns: the server's wall clock when signing, ns since the
 *	Unix epoch (CLOCK_REALTIME).
 * @valid_for_s: the document must reach the enabler at most this many
 *	seconds after the nonce was issued (1..3600).
 * @lease_interval_s: how often the daemon checks in.
 * @auto_disable_s: lock this many seconds after this renewal unless renewed.
 * @auto_wipe_s: wipe this many seconds after this renewal unless renewed;
 *	strictly greater than @auto_disable_s.
 * @policy_version: monotonically increasing policy version of the server.
 * @command_id:	UUID of the admin command (zero for a plain lease).
 * @reserved:	must be zero.
 */
struct workphone_doc {
	__u32 magic;
	__u16 version;
	__u16 kind;
	__u32 size;
	__u32 flags;
	__u8 device_id[16];
	__u8 nonce[32];
	__u64 server_time_ns;
	__u32 valid_for_s;
	__u32 lease_interval_s;
	__u32 auto_disable_s;
	__u32 auto_wipe_s;
	__u32 policy_version;
	__u32 reserved0;
	__u8 command_id[16];
	__u64 reserved[2];
};

#endif /* _UAPI_LINUX_WORKPHONE_H */
