/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wp-provision: the provisioning tool (FIG. 5 of the patents).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_PROVISION_H
#define WP_PROVISION_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

enum wpp_exit {
	WPP_OK = 0,
	WPP_FAILED = 1,		/* network, disk, server error */
	WPP_USAGE = 2,
	WPP_NO_ENABLER = 3,	/* enabler missing or refused this program */
	WPP_DENIED = 4,		/* the server refused the identity */
	WPP_TAMPERED = 5,	/* a signature or checksum did not verify */
};

struct wpp_opts {
	const char *server;
	const char *user;
	const char *password_file;
	const char *token;
	const char *device_name;
	const char *device_model;
	const char *state_dir;
	const char *image_dir;
	const char *ca_file;
	const char *vmm_socket;	/* NULL: wpd's default */
	bool json;
	bool quiet;
};

/* progress.c: a progress bar with bytes, rate and ETA on stderr. */
void wpp_progress(void *ctx, long long done, long long total);
void wpp_progress_done(void);

/*
 * download.c: fetch and verify one blob of the manifest as dir_fd/name
 * (dir: dir_fd's path, for messages).  With fd_out, the descriptor of the
 * verified file (the one that was hashed) is returned there.
 */
int wpp_fetch_blob(struct wp_http *h, json_object *entry, int dir_fd, const char *dir,
		   const char *name, bool quiet, int *fd_out, char *err, size_t err_len);

#endif /* WP_PROVISION_H */
