// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpserver configuration: defaults, then the config file (--config), then
 * command-line flags; see Documentation/api.rst "Running the server".
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_CONFIG_H
#define WP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct wp_config {
	char data_dir[512];
	char listen[128];		/* host:port */
	char db_url[1024];		/* sqlite:PATH or postgres://... */
	char tls_cert[512];
	char tls_key[512];
	char ready_file[512];		/* write the bound port here when up */
	char web_dir[512];		/* the dashboard's files (server/web) */
	char log_level[16];
	int threads;			/* HTTP worker threads */
	long long max_body;		/* JSON request bodies, bytes */
	long long max_upload;		/* image and app uploads, bytes */
	int partial_upload_ttl_s;	/* interrupted uploads are kept this long */
	int session_ttl_s;		/* admin login tokens */
	int lease_valid_s;		/* valid_for_s of signed documents */
	int grace_s;			/* inactive after interval + grace (0: one interval) */
	int wipe_hold_count;		/* more than this many wipes (-1: off) ... */
	int wipe_hold_window_s;		/* ... within this window need approval */
	int key_bits;			/* keygen */
	int shutdown_timeout_s;		/* drain requests in flight on SIGTERM */
};

void wp_config_defaults(struct wp_config *cfg);
/* "key = value" lines, '#' comments; keys are the long flag names. */
int wp_config_load_file(struct wp_config *cfg, const char *path, struct wp_err *err);
int wp_config_set(struct wp_config *cfg, const char *key, const char *value,
		  struct wp_err *err);
/* Fill paths derived from data_dir and check consistency. */
int wp_config_finish(struct wp_config *cfg, struct wp_err *err);

#endif /* WP_CONFIG_H */
