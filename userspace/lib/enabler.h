/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Client side of /dev/workphone for the device tools: one function per
 * ioctl, each returning 0 or -errno, and the words to explain the answers.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_ENABLER_H
#define WP_LIB_ENABLER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/workphone.h>

#define WP_ENABLER_DEV "/dev/workphone"

/* A signed document as the enabler takes it. */
struct wp_enabler_doc {
	const struct workphone_doc *doc;
	const void *sig;
	size_t sig_len;
	const void *cert;		/* PROVISION, RESTORE, REPIN; else NULL */
	size_t cert_len;
	const uint8_t *device_id;	/* PROVISION, RESTORE; else NULL */
};

int wp_enabler_open(void);
int wp_enabler_bind(int fd);
int wp_enabler_version(int fd, struct workphone_version *v);
int wp_enabler_status(int fd, struct workphone_status *st);
int wp_enabler_daemon_register(int fd);
int wp_enabler_daemon_unregister(int fd);
int wp_enabler_nonce(int fd, uint8_t nonce[32]);
int wp_enabler_provision(int fd, const struct wp_enabler_doc *d);
int wp_enabler_submit(int fd, const struct wp_enabler_doc *d);
int wp_enabler_restore(int fd, const struct wp_enabler_doc *d);
int wp_enabler_create_vm(int fd, int *vm_fd);

/* "ACTIVE", "LOCKED", ... */
const char *wp_state_name(uint32_t state);
/* "lease,admin" or "none"; buf of at least 64 bytes. */
const char *wp_lock_reasons_str(uint32_t reasons, char *buf, size_t len);
/* "bind-failed", ... for enum workphone_event. */
const char *wp_event_name(uint32_t event);
/* Why an enabler call failed, in words a user can act on. */
const char *wp_enabler_explain(int err);

#endif /* WP_LIB_ENABLER_H */
