/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small file and encoding helpers of the device tools: crash-safe writes,
 * bounded reads, base64 and SHA-256 (OpenSSL).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_FILEIO_H
#define WP_LIB_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Write data to path atomically: a temporary file in the same directory,
 * fsync, rename, fsync of the directory.  A crash leaves the old or the new
 * content, never a mix.  0 or -errno.
 */
int wp_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode);

/* Read a whole file of at most max bytes; *data is malloc()ed (NUL added). */
int wp_read_file(const char *path, size_t max, uint8_t **data, size_t *len);

/* Standard base64 with padding.  Returns malloc()ed text or NULL. */
char *wp_base64_encode(const void *data, size_t len);
/* Strict decode; -EINVAL for malformed input.  *out is malloc()ed. */
int wp_base64_decode(const char *text, uint8_t **out, size_t *len);

/* SHA-256 of a file as 64 lowercase hex digits.  0 or -errno. */
int wp_sha256_file(const char *path, char hex[65]);

/* rm -rf path (does not cross into other filesystems).  0 or -errno. */
int wp_remove_tree(const char *path);

#endif /* WP_LIB_FILEIO_H */
