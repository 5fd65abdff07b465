/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workphone enabler: definitions shared by the module's source files.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef _WORKPHONE_INTERNAL_H
#define _WORKPHONE_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workphone.h>

#define WORKPHONE_MODULE_VERSION "0.2.0"

/* Largest extensible argument structure the enabler accepts from userspace. */
#define WP_ARG_SIZE_MAX	PAGE_SIZE

struct file;
struct mm_struct;
struct pid;

/* uarg.c: extensible ioctl arguments */
int wp_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
			  const void __user *uarg);
int wp_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize);
bool wp_mem_is_zero(const void *buf, size_t len);

/**
 * struct wp_session - one open file of /dev/workphone
 * @lock:	protects the fields below
 * @owner_tgid:	thread group that bound the file, NULL while unbound
 * @owner_mm:	address space of that thread group (grabbed, not pinned)
 * @is_daemon:	this session registered the management daemon
 */
struct wp_session {
	/* protects the fields below */
	struct mutex lock;
	struct pid *owner_tgid;
	struct mm_struct *owner_mm;
	bool is_daemon;
};

/* session.c: binding and ownership of a session */
struct wp_session *wp_session_alloc(void);
void wp_session_free(struct wp_session *sess);
long wp_session_bind(struct wp_session *sess, void __user *uarg);
int wp_session_check_owner(struct wp_session *sess);
bool wp_session_is_owner(struct wp_session *sess);

/* auth.c: code identity of the calling process */
int wp_auth_current(void);

/* cert.S: the certificate built in with WORKPHONE_TRUSTED_CERT */
extern const u8 wp_builtin_cert[];
extern const u8 wp_builtin_cert_end[];

/* keyring.c: keys trusted for code signatures */
int wp_keyring_init(void);
void wp_keyring_exit(void);
int wp_verify_signed_blob(const void *data, size_t len);
struct key;
int wp_verify_detached(struct key *keys, const void *data, size_t len,
		       const void *sig, size_t sig_len);

/* guard.c: the protected management daemon */
int wp_guard_init(void);
void wp_guard_exit(void);
long wp_guard_register(struct wp_session *sess, void __user *uarg);
long wp_guard_unregister(struct wp_session *sess, void __user *uarg);
void wp_guard_session_closed(struct wp_session *sess);
pid_t wp_guard_daemon_pid(void);
bool wp_guard_ptrace_protected(void);

/**
 * struct wp_phone - the work phone this device hosts
 * @lock:	serialises state changes; never taken in atomic context
 * @lock_reasons: &enum workphone_lock_reason bits; read locklessly on the
 *	KVM_RUN fast path
 * @vms:	live VMs (&struct wp_vm.node)
 * @nr_vms:	length of @vms
 * @next_vm_id:	id for the next VM
 * @state_wq:	woken whenever @lock_reasons changes (VM fds poll on it)
 */
struct wp_phone {
	/* serialises state changes */
	struct mutex lock;
	u32 lock_reasons;
	struct list_head vms;
	u32 nr_vms;
	u32 next_vm_id;
	wait_queue_head_t state_wq;
};

extern struct wp_phone wp_phone;

/* phone.c: lock state of the work phone */
void wp_phone_init(void);
void wp_phone_set_lock(u32 reasons, bool set);
void wp_phone_update_lock_locked(u32 set, u32 clear);
u32 wp_phone_lock_reasons(void);

/* vm.c: KVM VMs brokered for bound sessions */
int wp_vm_init(void);
void wp_vm_exit(void);
bool wp_vm_available(void);
long wp_vm_create(struct wp_session *sess, void __user *uarg);
long wp_vm_system_ioctl(unsigned int cmd, unsigned long arg);
bool wp_vm_is_system_ioctl(unsigned int cmd);
void wp_vm_kick_all(void);
void wp_vm_kill_all_locked(void);

/* lease.c: signed leases, deadlines, admin commands */
void wp_lease_init(void);
void wp_lease_exit(void);
long wp_lease_get_nonce(struct wp_session *sess, void __user *uarg);
long wp_lease_provision(struct wp_session *sess, void __user *uarg);
long wp_lease_restore(struct wp_session *sess, void __user *uarg);
long wp_lease_submit(struct wp_session *sess, void __user *uarg);
void wp_lease_fill_status(struct workphone_status *st);

/* netlink.c: events */
int wp_netlink_init(void);
void wp_netlink_exit(void);
void wp_event(u32 event, pid_t pid, u32 err, u32 lock_reasons, u32 vm_id,
	      const char *comm);
void wp_event_doc(u32 event, u32 err, u32 doc_kind);

#endif /* _WORKPHONE_INTERNAL_H */
