// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's state directory, shared by wp-provision and wpd.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include <linux/workphone.h>

#include "fileio.h"
#include "state.h"

static void lease_path(const char *state_dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/lease/%s", state_dir, name);
}

int wp_state_save_lease(const char *state_dir, const uint8_t device_id[16],
			const void *doc, const void *sig, size_t sig_len,
			const void *cert, size_t cert_len)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	if (mkdir(state_dir, 0700) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/lease", state_dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	/* Written into only if it is a directory, not a link to one. */
	if (lstat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* A lease is never on disk without its signer's certificate. */
	if (cert) {
		lease_path(state_dir, "server.der", path, sizeof(path));
		ret = wp_write_file_atomic(path, cert, cert_len, 0600);
		if (ret)
			return ret;
	}
	lease_path(state_dir, "device.id", path, sizeof(path));
	ret = wp_write_file_atomic(path, device_id, 16, 0600);
	if (ret)
		return ret;
	lease_path(state_dir, "lease.sig", path, sizeof(path));
	ret = wp_write_file_atomic(path, sig, sig_len, 0600);
	if (ret)
		return ret;
	lease_path(state_dir, "lease.doc", path, sizeof(path));
	return wp_write_file_atomic(path, doc, sizeof(struct workphone_doc), 0600);
}

int wp_state_read(const char *state_dir, const char *name, uint8_t **data,
		  size_t *len)
{
	char path[PATH_MAX];

	lease_path(state_dir, name, path, sizeof(path));
	return wp_read_file(path, 65536, data, len);
}
