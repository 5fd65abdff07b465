/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device's state directory (default /var/lib/workphone), shared by
 * wp-provision, which creates it, and wpd, which keeps it current:
 *
 *   config.json        server URL, device id and token, image directory
 *   lease/lease.doc    the last lease the enabler accepted (128 bytes)
 *   lease/lease.sig    its signature
 *   lease/server.der   the pinned server certificate
 *   lease/device.id    the device id (16 bytes)
 *   policy.json        the policy settings of the last manifest/command
 *
 * See Documentation/lease-protocol.rst, "Persistence across reboots".
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_STATE_H
#define WP_LIB_STATE_H

#include <stddef.h>
#include <stdint.h>

#define WP_STATE_DIR_DEFAULT "/var/lib/workphone"

/*
 * Save a lease the enabler accepted: certificate (if given) and device id
 * first, then signature and document, each atomically.  0 or -errno.
 */
int wp_state_save_lease(const char *state_dir, const uint8_t device_id[16],
			const void *doc, const void *sig, size_t sig_len,
			const void *cert, size_t cert_len);

/* Read one file of lease/ ("lease.doc", ...); 0 or -errno. */
int wp_state_read(const char *state_dir, const char *name, uint8_t **data,
		  size_t *len);

#endif /* WP_LIB_STATE_H */
