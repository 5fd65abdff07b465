// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file repository for images and applications: content-addressed by
 * SHA-256 under DATA/repo/sha256/ab/abcdef...  Uploads stream to a
 * partial file while hashing, are fsync()ed and renamed into place, so
 * the repository holds only complete, verified files, and a file's name is
 * its checksum.  Nothing is ever held in memory.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_REPO_H
#define WP_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "app.h"
#include "../util/crypto.h"

struct wp_upload;

/*
 * What a PUT announces.  Every upload of an object goes to its partial
 * file, DATA/repo/incoming/@key.part, locked (flock) while it runs, with
 * @key.json beside it: the expected SHA-256 and the whole file's size if
 * known.  A full upload (not @ranged) starts it over; a ranged one appends
 * bytes @start..@end of @total to it and must start at its end.  An upload
 * cut off with an expected SHA-256 keeps its partial for resuming; one
 * without is discarded.
 */
struct wp_upload_spec {
	const char *key;		/* "image-<id>" */
	const char *sha256;		/* X-Content-SHA256, or NULL */
	bool ranged;			/* Content-Range: bytes start-end/total */
	uint64_t start, end, total;
	int64_t total_hint;		/* full upload: Content-Length, or -1 */
	uint64_t received;		/* out: bytes held when refused with 409 */
};

int wp_repo_init(struct wp_app *app, struct wp_err *err);
int wp_upload_begin(struct wp_app *app, struct wp_upload_spec *spec,
		    struct wp_upload **out, struct wp_err *err);
int wp_upload_write(struct wp_upload *up, const void *data, size_t len,
		    struct wp_err *err);
/*
 * The body has ended: 0 when the whole file is there (finish it), 1 when
 * a ranged upload ended before the file's end (the partial is kept and
 * unlocked), -1 on an error (the partial is kept and unlocked).
 */
int wp_upload_end(struct wp_upload *up, struct wp_err *err);
/*
 * Completes the file into the repository; checks @expected_sha256 if not
 * NULL (422 on a mismatch, and the partial is discarded).
 */
int wp_upload_finish(struct wp_upload *up, const char *expected_sha256,
		     char sha256[WP_SHA256_HEX], uint64_t *size, struct wp_err *err);
/* Give the upload up now: remove its partial file and unlock it. */
void wp_upload_discard(struct wp_upload *up);
/*
 * Frees the upload: a partial cut off is kept (when its SHA-256 is known)
 * or removed, and unlocked.
 */
void wp_upload_free(struct wp_upload *up);
/* Bytes of the whole file so far, the resumed prefix included. */
uint64_t wp_upload_size(const struct wp_upload *up);
/* {"received", "sha256", "size", "updated_at", "in_progress"}; 404 if none. */
int wp_upload_status(struct wp_app *app, const char *key, json_object **out,
		     struct wp_err *err);
/* Remove partial uploads older than partial-upload-ttl (not locked ones). */
void wp_upload_expire(struct wp_app *app);

/* Open a repository file for reading; 404 if absent. */
int wp_repo_open(struct wp_app *app, const char *sha256, int *fd, uint64_t *size,
		 struct wp_err *err);

#endif /* WP_REPO_H */
