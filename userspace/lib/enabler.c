// SPDX-License-Identifier: GPL-2.0-only
/*
 * Client side of /dev/workphone for the device tools.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "enabler.h"

static int wp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int wp_enabler_open(void)
{
	int fd = open(WP_ENABLER_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int wp_enabler_bind(int fd)
{
	struct workphone_bind b = { .size = sizeof(b) };

	return wp_ioctl(fd, WORKPHONE_IOC_BIND, &b);
}

int wp_enabler_version(int fd, struct workphone_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return wp_ioctl(fd, WORKPHONE_IOC_GET_VERSION, v);
}

int wp_enabler_status(int fd, struct workphone_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return wp_ioctl(fd, WORKPHONE_IOC_GET_STATUS, st);
}

int wp_enabler_daemon_register(int fd)
{
	struct workphone_daemon d = { .size = sizeof(d) };

	return wp_ioctl(fd, WORKPHONE_IOC_DAEMON_REGISTER, &d);
}

int wp_enabler_daemon_unregister(int fd)
{
	struct workphone_daemon d = { .size = sizeof(d) };

	return wp_ioctl(fd, WORKPHONE_IOC_DAEMON_UNREGISTER, &d);
}

int wp_enabler_nonce(int fd, uint8_t nonce[32])
{
	struct workphone_nonce n = { .size = sizeof(n) };
	int ret = wp_ioctl(fd, WORKPHONE_IOC_GET_NONCE, &n);

	if (!ret)
		memcpy(nonce, n.nonce, sizeof(n.nonce));
	return ret;
}

static int wp_enabler_doc_ioctl(int fd, unsigned long cmd,
				const struct wp_enabler_doc *d)
{
	struct workphone_doc_arg arg = {
		.size = sizeof(arg),
		.doc_ptr = (uintptr_t)d->doc,
		.sig_ptr = (uintptr_t)d->sig,
		.sig_len = (uint32_t)d->sig_len,
		.cert_ptr = (uintptr_t)d->cert,
		.cert_len = (uint32_t)d->cert_len,
	};

	if (d->device_id)
		memcpy(arg.device_id, d->device_id, sizeof(arg.device_id));
	return wp_ioctl(fd, cmd, &arg);
}

int wp_enabler_provision(int fd, const struct wp_enabler_doc *d)
{
	return wp_enabler_doc_ioctl(fd, WORKPHONE_IOC_PROVISION, d);
}

int wp_enabler_submit(int fd, const struct wp_enabler_doc *d)
{
	return wp_enabler_doc_ioctl(fd, WORKPHONE_IOC_SUBMIT_DOC, d);
}

int wp_enabler_restore(int fd, const struct wp_enabler_doc *d)
{
	return wp_enabler_doc_ioctl(fd, WORKPHONE_IOC_RESTORE, d);
}

int wp_enabler_create_vm(int fd, int *vm_fd)
{
	struct workphone_create_vm cv = { .size = sizeof(cv) };
	int ret = wp_ioctl(fd, WORKPHONE_IOC_CREATE_VM, &cv);

	if (!ret)
		*vm_fd = cv.vm_fd;
	return ret;
}

const char *wp_state_name(uint32_t state)
{
	switch (state) {
	case WORKPHONE_STATE_UNPROVISIONED: return "UNPROVISIONED";
	case WORKPHONE_STATE_ACTIVE: return "ACTIVE";
	case WORKPHONE_STATE_LOCKED: return "LOCKED";
	case WORKPHONE_STATE_WIPED: return "WIPED";
	default: return "UNKNOWN";
	}
}

const char *wp_lock_reasons_str(uint32_t reasons, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ WORKPHONE_LOCK_DAEMON_LOST, "daemon-lost" },
		{ WORKPHONE_LOCK_LEASE, "lease-expired" },
		{ WORKPHONE_LOCK_ADMIN, "admin" },
		{ WORKPHONE_LOCK_WIPED, "wiped" },
		{ WORKPHONE_LOCK_UNPROVISIONED, "unprovisioned" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(reasons & names[i].bit))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? "," : "", names[i].name);
	}
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

const char *wp_event_name(uint32_t event)
{
	static const char *const names[] = {
		[WORKPHONE_EVENT_BIND_OK] = "bind-ok",
		[WORKPHONE_EVENT_BIND_FAILED] = "bind-failed",
		[WORKPHONE_EVENT_DAEMON_REGISTERED] = "daemon-registered",
		[WORKPHONE_EVENT_DAEMON_UNREGISTERED] = "daemon-unregistered",
		[WORKPHONE_EVENT_DAEMON_LOST] = "daemon-lost",
		[WORKPHONE_EVENT_LOCK_CHANGED] = "lock-changed",
		[WORKPHONE_EVENT_VM_CREATED] = "vm-created",
		[WORKPHONE_EVENT_VM_DESTROYED] = "vm-destroyed",
		[WORKPHONE_EVENT_PROVISIONED] = "provisioned",
		[WORKPHONE_EVENT_DOC_ACCEPTED] = "doc-accepted",
		[WORKPHONE_EVENT_DOC_REFUSED] = "doc-refused",
		[WORKPHONE_EVENT_WIPED] = "wiped",
	};

	if (event < sizeof(names) / sizeof(names[0]) && names[event])
		return names[event];
	return "unknown";
}

const char *wp_enabler_explain(int err)
{
	switch (-err) {
	case ENOENT:
		return "the enabler is not loaded (no /dev/workphone): load workphone.ko";
	case EACCES:
		return "this program has not authenticated to the enabler";
	case EPERM:
		return "refused by the enabler (traced, preloaded, not the owner, or locked)";
	case ENODATA:
		return "this program is not signed: install the vendor-signed build";
	case EKEYREJECTED:
		return "this program's signature or the document's is not trusted";
	case ETXTBSY:
		return "this program's file is writable: reinstall it read-only";
	case EBUSY:
		return "already in place (provisioned, daemon registered, or busy)";
	case ENOKEY:
		return "the work phone is not provisioned: run wp-provision";
	case EIDRM:
		return "the work phone was wiped: provision it again";
	case ESTALE:
		return "the document is stale (old nonce, replayed or older policy)";
	case ETIME:
		return "the document arrived too late: check in again";
	case EXDEV:
		return "the document is for another device";
	case ERANGE:
		return "the lease periods in the document are out of range";
	case EBADMSG:
		return "the document or its signature is malformed";
	default:
		return strerror(-err);
	}
}
