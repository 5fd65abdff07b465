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
 * content, never a mix.  The file gets exactly mode (not masked by the
 * umask).  The temporary file has a random name and is created with
 * O_EXCL|O_NOFOLLOW, so nothing planted in the directory is ever opened;
 * whatever was at path (a symbolic link, a FIFO) is replaced, not followed.
 * 0 or -errno.
 */
int wp_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode);

/*
 * Read a whole file of at most max bytes; *data is malloc()ed (NUL added).
 * Only a regular file is read (see wp_open_regular()): -ELOOP for a
 * symbolic link, -EISDIR for a directory, -EINVAL for anything else.
 */
/* Write all of data to fd, again after EINTR and short writes; 0 or -errno. */
int wp_write_all(int fd, const void *data, size_t len);

int wp_read_file(const char *path, size_t max, uint8_t **data, size_t *len);

/*
 * As wp_read_file(), following a symbolic link: for a user's own files
 * (wpadmin's @FILE arguments and configuration), never for a directory
 * someone else can write.  Still only a regular file is read.
 */
int wp_read_file_follow(const char *path, size_t max, uint8_t **data, size_t *len);

/* Standard base64 with padding.  Returns malloc()ed text or NULL. */
char *wp_base64_encode(const void *data, size_t len);
/* Strict decode; -EINVAL for malformed input.  *out is malloc()ed. */
int wp_base64_decode(const char *text, uint8_t **out, size_t *len);

/*
 * SHA-256 of a file as 64 lowercase hex digits.  Only a regular file,
 * opened as by wp_open_regular(), so neither a FIFO nor a symbolic link to
 * a device or to another file is hashed.  0 or -errno.
 */
int wp_sha256_file(const char *path, char hex[65]);

/*
 * SHA-256 of the regular file open at fd, from its start whatever the
 * file offset (pread(), the offset is not moved): hash exactly the file
 * you then use.  -EINVAL if fd is not a regular file.  0 or -errno.
 */
int wp_sha256_fd(int fd, char hex[65]);

/*
 * Open path (relative to dirfd, or AT_FDCWD) only if it is a regular file:
 * O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC are added to flags (O_NONBLOCK
 * is cleared again after the check unless flags has it), and the opened
 * file is checked with fstat().  For files in a directory someone else can
 * write: a FIFO cannot block the caller, a device is not opened, a symbolic
 * link is not followed.  flags must not hold O_CREAT, O_TMPFILE, O_PATH or
 * O_DIRECTORY (-EINVAL).  The fd, or -ELOOP (symbolic link), -EISDIR
 * (directory), -EINVAL (FIFO, socket, device) or another -errno.
 */
int wp_open_regular(int dirfd, const char *path, int flags);

/*
 * Open path for appending to resume a download into it, in a directory
 * someone else may write.  An existing file is resumed (*size set to its
 * length) only if it is a regular file with one link owned by the
 * effective uid; anything else (a symbolic link, a hard link to another
 * file, a FIFO, someone else's file) is unlinked and a new empty file is
 * created with O_EXCL|O_NOFOLLOW, mode 0600 (*size 0).  The fd (O_WRONLY|
 * O_APPEND|O_CLOEXEC), or -errno (-EISDIR if path is a directory).
 */
int wp_open_resumable(const char *path, off_t *size);

/* How deep wp_remove_tree() goes before it gives up with -ELOOP. */
#define WP_REMOVE_TREE_MAX_DEPTH 128

/*
 * rm -rf path; 0 if path does not exist, or -errno (the first error; what
 * can be removed still is).  Walks with directory fds and O_NOFOLLOW
 * (openat(), unlinkat()), so swapping a component for a symbolic link
 * during the walk cannot make it remove anything outside the tree.  A
 * symbolic link is removed, never followed, also at the top: path itself a
 * link or a file is just unlinked.  Does not cross into other filesystems:
 * a mount point inside is left alone (-EXDEV).
 */
int wp_remove_tree(const char *path);

#endif /* WP_LIB_FILEIO_H */
