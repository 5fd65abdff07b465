// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file repository for images and applications: content-addressed by
 * SHA-256 under DATA/repo/sha256/ab/abcdef...  Uploads stream to a
 * temporary file while hashing, are fsync()ed and renamed into place, so
 * the repository holds only complete, verified files, and a file's name is
 * its checksum.  Nothing is ever held in memory.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_REPO_H
#define WP_REPO_H

#include <stdint.h>

#include "app.h"
#include "../util/crypto.h"

struct wp_upload;

int wp_repo_init(struct wp_app *app, struct wp_err *err);
int wp_upload_begin(struct wp_app *app, struct wp_upload **out, struct wp_err *err);
int wp_upload_write(struct wp_upload *up, const void *data, size_t len,
		    struct wp_err *err);
/* Completes the file; checks @expected_sha256 if not NULL. */
int wp_upload_finish(struct wp_upload *up, const char *expected_sha256,
		     char sha256[WP_SHA256_HEX], uint64_t *size, struct wp_err *err);
/* Frees the upload, removing its temporary file if not finished. */
void wp_upload_free(struct wp_upload *up);
uint64_t wp_upload_size(const struct wp_upload *up);

/* Open a repository file for reading; 404 if absent. */
int wp_repo_open(struct wp_app *app, const char *sha256, int *fd, uint64_t *size,
		 struct wp_err *err);

#endif /* WP_REPO_H */
