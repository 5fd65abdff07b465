/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The work-phone image on a device: unpacking a verified image blob (a
 * tar of an image directory, image-format.rst) and installing it as
 * IMAGE_DIR/image while keeping the phone's data.  Shared by
 * wp-provision (the first install, and reruns) and wpd (image_update).
 *
 *   IMAGE_DIR/image.blob      the verified download (the caller's)
 *   IMAGE_DIR/image/          the image wpvmm boots
 *   IMAGE_DIR/image.new/      the next image, while it is prepared
 *   IMAGE_DIR/image.old/      the previous one, while it is removed
 *   IMAGE_DIR/image.unpacked  the SHA-256 of the blob image/ came from
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_IMAGE_H
#define WP_LIB_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* The files of the hypervisor's password lock (device-tools.rst). */
#define WP_PASSWORD_STATE_FILE	"password-state.json"

/* wp_image_update flags */
#define WP_IMAGE_NEED_MANIFEST	0x1u	/* a blob without manifest.json is refused */

struct wp_image_info {
	bool unchanged;		/* image/ already came from this blob: nothing done */
	bool disk_kept;		/* the current disk was carried over */
	char disk[68];		/* the disk's name in the installed image */
	char name[68];		/* the new manifest's "name" (may be empty) */
	char os_version[68];	/* ... and its "guest_os.version" (may be empty) */
	unsigned int carried;	/* other files carried over from the current image */
};

/*
 * IMAGE_DIR may be writable by the device owner or the unprivileged VMM
 * user while root works in it (threat-model.rst), so everything below
 * works on descriptors: IMAGE_DIR is opened once per operation and every
 * name in it is used relative to that descriptor, never followed if it is
 * a symbolic link, and files are used only if regular.
 */

/*
 * Open the image directory image_dir (an absolute path; with create, made
 * 0700 if missing) as O_DIRECTORY | O_NOFOLLOW: a symbolic link as its
 * last component is refused.  A descriptor, or -errno with a message
 * naming the path in err.
 */
int wp_image_dir_open(const char *image_dir, bool create, char *err, size_t err_len);

/*
 * Open dir_fd/name (dir: dir_fd's path, for messages) as a directory,
 * refusing a symbolic link; with create, made 0700 first if missing (the
 * apps/ directory).  A descriptor, or -errno with a message in err.
 */
int wp_image_subdir_open(int dir_fd, const char *dir, const char *name, bool create,
			 char *err, size_t err_len);

/*
 * Open dir_fd/name read-only without following a symbolic link or
 * blocking on a FIFO, refuse anything but a regular file and check that
 * its content has the SHA-256 sha256.  0 with the descriptor in *fd_out
 * (closed if fd_out is NULL), -EBADMSG on a mismatch, else -errno; err
 * names the file.
 */
int wp_image_open_verified(int dir_fd, const char *dir, const char *name, const char *sha256,
			   int *fd_out, char *err, size_t err_len);

/*
 * A finished download dir_fd/part: verified as above (removed on a
 * mismatch), then renamed to name; the descriptor (*fd_out, or closed)
 * is the file that was hashed, and name is checked to still be that
 * inode after the rename.  0, -EBADMSG (mismatch, or replaced), -errno.
 */
int wp_image_take_download(int dir_fd, const char *dir, const char *part, const char *name,
			   const char *sha256, int *fd_out, char *err, size_t err_len);

/*
 * Check dir/manifest.json as far as installing it needs: a JSON object
 * whose "kernel" and "disk" (and "initrd", if present) are plain file
 * names inside the directory (image-format.rst), the kernel and initrd
 * present as regular files.  The disk's name goes to disk (68 bytes).
 * 0; -ENOENT when there is no manifest.json; -EINVAL (or another -errno)
 * with a message naming the file and field in err.
 */
int wp_image_check_manifest(const char *dir, char disk[68], char *err, size_t err_len);

/*
 * 1 when IMAGE_DIR/image exists and came from the blob with this SHA-256
 * (image.unpacked, a regular file, says so).
 */
int wp_image_is_current(const char *image_dir, const char *sha256);
int wp_image_is_current_at(int dir_fd, const char *sha256);

/*
 * Install the verified blob (SHA-256 sha256) as image_dir/image:
 *
 *  1. nothing to do if image/ already came from this blob (re-running is
 *     harmless);
 *  2. unpack it into image.new/ and check its manifest (required with
 *     WP_IMAGE_NEED_MANIFEST): image.new/ is made with mkdirat() and held
 *     open, tar reads the verified blob's descriptor and writes into that
 *     directory (/proc/self/fd/N), and what it made is walked: a member
 *     that is not a regular file, directory or symbolic link (a device
 *     node, a FIFO) fails the update, setuid/setgid bits and group/world
 *     write permission are cleared; image.new/ is 0755, since the
 *     unprivileged wpvmm reads the kernel from it;
 *  3. carry over from the current image/, as hard links (same inode: a
 *     running wpvmm keeps its open disk and its lock): the disk named by
 *     the current manifest (disk.img without one), under the new
 *     manifest's disk name, replacing the new image's own disk; the
 *     password files; and any other regular file or symbolic link the
 *     new image does not have;
 *  4. swap image.new/ and image/ (one atomic RENAME_EXCHANGE where the
 *     filesystem has it; else image -> image.old, image.new -> image),
 *     remove the previous image and record sha256 in image.unpacked.
 *
 * Until step 4 nothing of the current image has changed: on failure
 * image.new/ is removed and -1 returned with a message in err naming what
 * failed.  A leftover of an interrupted run is cleaned up first.  info
 * may be NULL.
 *
 * wp_image_update_at works in the held dir_fd (image_dir: its path, for
 * messages) with blob_fd, the caller's verified blob (SHA-256 sha256, blob
 * its name in messages); it is not hashed again.  wp_image_update opens
 * image_dir and blob itself (regular files only, no symbolic links) and
 * refuses a blob whose SHA-256 is not sha256.
 */
int wp_image_update_at(int dir_fd, const char *image_dir, int blob_fd, const char *blob,
		       const char *sha256, unsigned int flags, struct wp_image_info *info,
		       char *err, size_t err_len);
int wp_image_update(const char *image_dir, const char *blob, const char *sha256,
		    unsigned int flags, struct wp_image_info *info,
		    char *err, size_t err_len);

#endif /* WP_LIB_IMAGE_H */
