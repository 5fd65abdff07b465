// SPDX-License-Identifier: GPL-2.0-only
/*
 * The work-phone image on a device: unpack a verified blob and install it
 * as IMAGE_DIR/image, keeping the phone's disk and password files.  The
 * new image is built next to the current one and swapped in only once it
 * is complete; the files it keeps are hard links, so the current image is
 * untouched until the swap and a running wpvmm keeps its disk.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fileio.h"
#include "image.h"
#include "wpmanifest.h"
#include "jsontype.h"

extern char **environ;

#define MANIFEST	"manifest.json"
#define MANIFEST_MAX	(256 * 1024)	/* image-format.rst */
#define BARE_DISK	"disk.img"
#define CUR		"image"
#define NEXT		"image.new"
#define OLD		"image.old"
#define MARKER		"image.unpacked"
#define WALK_DEPTH	32	/* directories in an image, at most */

/*
 * Everything here runs as root in a directory the device owner (or the
 * unprivileged wpvmm user) may be able to write: IMAGE_DIR is opened once
 * per operation (its last component must not be a symbolic link) and
 * every name in it is used relative to that descriptor, files are opened
 * with O_NOFOLLOW | O_NONBLOCK and must be regular files, and tar reads
 * the very descriptor that was hashed and writes into the very directory
 * that was created (threat-model.rst).
 */

/* A path of a descriptor, for a child or a path-based call. */
static void fd_path(char *out, size_t len, int fd, const char *name)
{
	if (name)
		snprintf(out, len, "/proc/self/fd/%d/%s", fd, name);
	else
		snprintf(out, len, "/proc/self/fd/%d", fd);
}

/* dirfd/name read-only, only if a regular file (wp_open_regular()). */
static int open_regular_at(int dirfd, const char *name)
{
	return wp_open_regular(dirfd, name, O_RDONLY);
}

/*
 * A file or directory root may trust in a directory someone else can
 * write: made by us (no one else could have kept a descriptor to write
 * it), writable by no one else, and (a file) with no other name.
 */
static bool ours(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 022) &&
	       (S_ISDIR(st->st_mode) || st->st_nlink == 1);
}

/* Why open_regular_at failed, for a message. */
static const char *regular_error(int ret)
{
	if (ret == -ELOOP)
		return "a symbolic link: refused";
	if (ret == -EISDIR)
		return "a directory, not a regular file: refused";
	if (ret == -EINVAL)
		return "not a regular file (a FIFO, a device or a socket): refused";
	return strerror(-ret);
}

/* Remove dirfd/name, whatever it is; a symbolic link is removed, not followed. */
static int remove_at(int dirfd, const char *name)
{
	char path[64];
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) && errno != ENOENT ? -errno : 0;
	fd_path(path, sizeof(path), dirfd, name);
	return wp_remove_tree(path);
}

int wp_image_dir_open(const char *image_dir, bool create, char *err, size_t err_len)
{
	struct stat st;
	int fd;

	if (image_dir[0] != '/') {
		snprintf(err, err_len, "%s: the image directory must be an absolute path",
			 image_dir);
		return -EINVAL;
	}
	if (create && mkdir(image_dir, 0700) && errno != EEXIST) {
		int e = errno;

		snprintf(err, err_len, "%s: %s", image_dir, strerror(e));
		return -e;
	}
	fd = open(image_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	fd = -errno;
	if ((fd == -ELOOP || fd == -ENOTDIR) && !lstat(image_dir, &st) && S_ISLNK(st.st_mode))
		snprintf(err, err_len,
			 "%s: the image directory is a symbolic link: refused (give the directory itself)",
			 image_dir);
	else
		snprintf(err, err_len, "%s: %s", image_dir, strerror(-fd));
	return fd;
}

int wp_image_subdir_open(int dir_fd, const char *dir, const char *name, bool create,
			 char *err, size_t err_len)
{
	struct stat st;
	int fd;

	if (create && mkdirat(dir_fd, name, 0700) && errno != EEXIST) {
		int e = errno;

		snprintf(err, err_len, "%s/%s: %s", dir, name, strerror(e));
		return -e;
	}
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (!fstat(fd, &st) && ours(&st))
			return fd;
		close(fd);
		snprintf(err, err_len, "%s/%s: not made by this program (owner or mode): refused",
			 dir, name);
		return -EPERM;
	}
	fd = -errno;
	if (!fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		snprintf(err, err_len, "%s/%s: a symbolic link: refused", dir, name);
	else
		snprintf(err, err_len, "%s/%s: %s", dir, name, strerror(-fd));
	return fd;
}

int wp_image_open_verified(int dir_fd, const char *dir, const char *name, const char *sha256,
			   int *fd_out, char *err, size_t err_len)
{
	char got[65] = "";
	int fd, ret;
	struct stat st;

	fd = open_regular_at(dir_fd, name);
	if (fd < 0) {
		snprintf(err, err_len, "%s/%s: %s", dir, name, regular_error(fd));
		return fd;
	}
	if (fstat(fd, &st) || !ours(&st)) {
		snprintf(err, err_len, "%s/%s: not made by this program (owner, mode or links):"
			 " not trusted", dir, name);
		close(fd);
		return -EPERM;
	}
	ret = wp_sha256_fd(fd, got);
	if (ret) {
		snprintf(err, err_len, "%s/%s: %s", dir, name, strerror(-ret));
		close(fd);
		return ret;
	}
	if (strcmp(got, sha256)) {
		snprintf(err, err_len, "%s/%s: sha256 mismatch (expected %s, got %s)", dir, name,
			 sha256, got);
		close(fd);
		return -EBADMSG;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return 0;
}

int wp_image_take_download(int dir_fd, const char *dir, const char *part, const char *name,
			   const char *sha256, int *fd_out, char *err, size_t err_len)
{
	struct stat a, b;
	int fd, ret;

	ret = wp_image_open_verified(dir_fd, dir, part, sha256, &fd, err, err_len);
	if (ret) {
		if (ret == -EBADMSG)
			unlinkat(dir_fd, part, 0);
		return ret;
	}
	/* The name moves, the inode must be the one just verified. */
	if (renameat(dir_fd, part, dir_fd, name)) {
		ret = -errno;
		snprintf(err, err_len, "%s/%s -> %s: %s", dir, part, name, strerror(-ret));
		goto fail;
	}
	if (fstat(fd, &a) || fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		snprintf(err, err_len, "%s/%s: replaced while it was verified: refused", dir, name);
		unlinkat(dir_fd, name, 0);
		ret = -EBADMSG;
		goto fail;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return 0;
fail:
	close(fd);
	return ret;
}

/*
 * Run tar with its standard error captured: the first line it printed
 * goes to msg (its first complaint is the useful one).  The descriptors
 * in keep[] (nkeep of them) reach tar without close-on-exec, as the paths
 * written to paths[i] (which argv points to).
 * 0 with the wait status, or -1 with the reason in msg.
 */
static int run_tar(char **argv, const int *keep, char (*paths)[64], int nkeep, int *status,
		   char *msg, size_t msg_len)
{
	posix_spawn_file_actions_t fa;
	char buf[4096], sink[4096];
	size_t used = 0;
	int pipefd[2], ret, top;
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(msg, msg_len, "%s", strerror(errno));
		return -1;
	}
	/* Above every descriptor a file action reads from: no clobbering. */
	top = pipefd[0] > pipefd[1] ? pipefd[0] : pipefd[1];
	for (int i = 0; i < nkeep; i++)
		top = keep[i] > top ? keep[i] : top;
	/*
	 * The copies tar reads first (dup2 clears close-on-exec on them), then
	 * stderr and stdout: with 1 or 2 closed in the caller, a descriptor to
	 * keep may be 1 or 2 and must be copied before it is replaced.
	 */
	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < nkeep; i++) {
		fd_path(paths[i], sizeof(paths[i]), top + 1 + i, NULL);
		posix_spawn_file_actions_adddup2(&fa, keep[i], top + 1 + i);
	}
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret) {
		close(pipefd[0]);
		snprintf(msg, msg_len, "%s", strerror(ret));
		return -1;
	}
	/* Read to the end (tar must never block on a full pipe); keep the start. */
	for (;;) {
		bool more = used < sizeof(buf) - 1;
		char *to = more ? buf + used : sink;

		n = read(pipefd[0], to, more ? sizeof(buf) - 1 - used : sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (more)
			used += (size_t)n;
	}
	close(pipefd[0]);
	buf[used] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(msg, msg_len, "%s", buf);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, msg_len, "waitpid: %s", strerror(errno));
			return -1;
		}
	return 0;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "of an unknown type";
}

/*
 * What tar made in the new image, walked by descriptor: only regular
 * files, directories and symbolic links; no setuid/setgid bit and no
 * group or world write permission survive.  0, or -1 with err naming the
 * member (rel: its path inside the image).
 */
static int check_tree(int dfd, const char *blob, const char *rel, int depth,
		      char *err, size_t err_len)
{
	const mode_t strip = S_ISUID | S_ISGID | S_IWGRP | S_IWOTH;
	struct dirent *e;
	struct stat st;
	int ret = 0;
	DIR *d;

	if (depth > WALK_DEPTH) {
		snprintf(err, err_len, "%s: %s: directories nested deeper than %d: refused",
			 blob, rel, WALK_DEPTH);
		return -1;
	}
	d = fdopendir(dfd);
	if (!d) {
		snprintf(err, err_len, "%s: %s: %s", blob, rel, strerror(errno));
		close(dfd);
		return -1;
	}
	while (!ret && (errno = 0, e = readdir(d))) {
		const char *n = e->d_name;
		char sub[PATH_MAX];
		int fd;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", rel, n);
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW)) {
			snprintf(err, err_len, "%s: %s: %s", blob, sub, strerror(errno));
			ret = -1;
		} else if (S_ISLNK(st.st_mode)) {
			continue;
		} else if (S_ISREG(st.st_mode)) {
			if (!(st.st_mode & strip))
				continue;
			fd = open_regular_at(dirfd(d), n);
			if (fd < 0 || fchmod(fd, st.st_mode & 07777 & ~strip)) {
				snprintf(err, err_len, "%s: %s: clearing setuid/setgid/write bits: %s",
					 blob, sub, fd < 0 ? regular_error(fd) : strerror(errno));
				ret = -1;
			}
			if (fd >= 0)
				close(fd);
		} else if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				snprintf(err, err_len, "%s: %s: %s", blob, sub, strerror(errno));
				ret = -1;
			} else if ((st.st_mode & strip) && fchmod(fd, st.st_mode & 07777 & ~strip)) {
				snprintf(err, err_len, "%s: %s: %s", blob, sub, strerror(errno));
				close(fd);
				ret = -1;
			} else {
				ret = check_tree(fd, blob, sub, depth + 1, err, err_len);
			}
		} else {
			snprintf(err, err_len,
				 "%s: member %s is %s, not a regular file, directory or symbolic link: refused",
				 blob, sub + 2, file_kind(st.st_mode));
			ret = -1;
		}
	}
	if (!ret && errno) {
		snprintf(err, err_len, "%s: %s: %s", blob, rel, strerror(errno));
		ret = -1;
	}
	closedir(d);
	return ret;
}

/*
 * Unpack the blob behind blob_fd (named blob in messages) into the new,
 * empty directory new_fd.
 */
static int unpack_fd(int blob_fd, const char *blob, int new_fd, const char *dest,
		     char *err, size_t err_len)
{
	char paths[2][64], msg[256];
	char *argv[] = { "tar", "-x", "-f", paths[0], "-C", paths[1],
			 "--no-same-owner", "--no-same-permissions", "--no-overwrite-dir",
			 NULL };
	unsigned char magic[262] = { 0 };
	int keep[2] = { blob_fd, new_fd }, status, is_tar, fd, ret;
	mode_t old_mask;
	ssize_t n;

	n = pread(blob_fd, magic, sizeof(magic), 0);
	if (n < 0) {
		snprintf(err, err_len, "%s: %s", blob, strerror(errno));
		return -1;
	}
	if (n < 2)
		magic[0] = 0;
	is_tar = (n >= 262 && !memcmp(magic + 257, "ustar", 5)) ||
		 (magic[0] == 0x1f && magic[1] == 0x8b);
	if (!is_tar) {
		/* A bare disk image: the image is that disk (the same inode). */
		fd_path(paths[0], sizeof(paths[0]), blob_fd, NULL);
		if (linkat(AT_FDCWD, paths[0], new_fd, BARE_DISK, AT_SYMLINK_FOLLOW)) {
			snprintf(err, err_len, "%s/%s: %s", dest, BARE_DISK, strerror(errno));
			return -1;
		}
		return 0;
	}
	/*
	 * --no-same-permissions applies tar's umask: 022 whatever the caller's
	 * (a umask of 077 would leave the kernel unreadable to the VMM).
	 */
	old_mask = umask(022);
	ret = run_tar(argv, keep, paths, 2, &status, msg, sizeof(msg));
	umask(old_mask);
	if (ret) {
		snprintf(err, err_len, "unpacking %s: cannot run tar: %s", blob, msg);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, err_len, "unpacking %s failed (tar %s %d%s%s): a damaged archive",
			 blob, WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			 msg[0] ? ": " : "", msg);
		return -1;
	}
	fd = openat(new_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", dest, strerror(errno));
		return -1;
	}
	return check_tree(fd, blob, ".", 0, err, err_len);
}

/* image-format.rst, "File names". */
static bool plain_file_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '.')
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ' ' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A file the manifest names: a regular file directly in dir (dfd). */
static int named_file(int dfd, const char *dir, const char *path, json_object *m,
		      const char *field, bool required, bool must_exist, const char **name,
		      char *err, size_t err_len)
{
	json_object *v;
	struct stat st;

	*name = NULL;
	if (!json_object_object_get_ex(m, field, &v)) {
		if (!required)
			return 0;
		snprintf(err, err_len, "%s: \"%s\": missing (a file name is required)", path, field);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, err_len, "%s: \"%s\": must be a string, not %s", path, field,
			 wp_json_type_name(v));
		return -EINVAL;
	}
	*name = json_object_get_string(v);
	if (!plain_file_name(*name)) {
		snprintf(err, err_len,
			 "%s: \"%s\": \"%.64s\" is not a plain file name inside the image directory",
			 path, field, *name);
		return -EINVAL;
	}
	if (!must_exist)
		return 0;
	if (fstatat(dfd, *name, &st, AT_SYMLINK_NOFOLLOW)) {
		snprintf(err, err_len, "%s: \"%s\": %s/%s: %s", path, field, dir, *name,
			 strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s: \"%s\": %s/%s is not a regular file", path, field, dir,
			 *name);
		return -EINVAL;
	}
	return 0;
}

/* Read all of fd (a regular file) up to max bytes, NUL-terminated. */
static int read_fd(int fd, size_t max, uint8_t **data, size_t *len)
{
	uint8_t *buf = malloc(max + 2);
	size_t used = 0;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while (used <= max) {
		n = read(fd, buf + used, max + 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (!n)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		return -EFBIG;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
}

static void copy_str(char *out, size_t len, json_object *o, const char *a, const char *b)
{
	json_object *v;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, a, &v))
		return;
	if (b && !json_object_object_get_ex(v, b, &v))
		return;
	if (json_object_is_type(v, json_type_string))
		snprintf(out, len, "%s", json_object_get_string(v));
}

static int check_manifest(int dfd, const char *dir, bool files, char disk[68],
			  struct wp_image_info *info, char *err, size_t err_len)
{
	char path[PATH_MAX];
	struct json_tokener *tok;
	json_object *m = NULL;
	const char *name;
	uint8_t *text = NULL;
	size_t len = 0;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, MANIFEST);
	fd = open_regular_at(dfd, MANIFEST);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, regular_error(fd));
		return fd == -ENOENT ? fd : -EINVAL;
	}
	ret = read_fd(fd, MANIFEST_MAX, &text, &len);
	close(fd);
	if (ret == -EFBIG) {
		snprintf(err, err_len, "%s: larger than %d bytes", path, MANIFEST_MAX);
		return -EINVAL;
	}
	if (ret) {
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	tok = json_tokener_new();
	if (!tok) {
		free(text);
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	m = strlen((char *)text) == len ? json_tokener_parse_ex(tok, (char *)text, (int)len) : NULL;
	if (!m || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, err_len, "%s: not valid JSON: %s", path,
			 strlen((char *)text) != len ? "contains a NUL byte" :
			 json_tokener_get_error(tok) == json_tokener_continue ?
			 "unexpected end of file" :
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		ret = -EINVAL;
		goto out;
	}
	if (!json_object_is_type(m, json_type_object)) {
		snprintf(err, err_len, "%s: must be a JSON object, not %s", path,
			 wp_json_type_name(m));
		ret = -EINVAL;
		goto out;
	}
	ret = named_file(dfd, dir, path, m, "kernel", true, files, &name, err, err_len);
	if (!ret)
		ret = named_file(dfd, dir, path, m, "initrd", false, files, &name, err, err_len);
	if (!ret)
		ret = named_file(dfd, dir, path, m, "disk", true, false, &name, err, err_len);
	if (!ret)
		snprintf(disk, 68, "%s", name);
	if (!ret && info) {
		copy_str(info->name, sizeof(info->name), m, "name", NULL);
		copy_str(info->os_version, sizeof(info->os_version), m, "guest_os", "version");
	}
out:
	json_object_put(m);
	json_tokener_free(tok);
	free(text);
	return ret;
}

int wp_image_check_manifest(const char *dir, char disk[68], char *err, size_t err_len)
{
	int dfd, ret;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	ret = check_manifest(dfd, dir, true, disk, NULL, err, err_len);
	close(dfd);
	return ret;
}

int wp_image_is_current_at(int dir_fd, const char *sha256)
{
	char done[129];
	struct stat st;
	ssize_t n;
	int fd;

	/* Not a regular file (a FIFO, a symbolic link), or not ours: not current. */
	fd = open_regular_at(dir_fd, MARKER);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !ours(&st)) {
		close(fd);
		return 0;
	}
	n = read(fd, done, sizeof(done) - 1);
	close(fd);
	if (n < 0 || (size_t)n != strlen(sha256) || memcmp(done, sha256, (size_t)n))
		return 0;
	return !fstatat(dir_fd, CUR, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

int wp_image_is_current(const char *image_dir, const char *sha256)
{
	int dfd = open(image_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), same;

	if (dfd < 0)
		return 0;
	same = wp_image_is_current_at(dfd, sha256);
	close(dfd);
	return same;
}

/* Replace to/name2 (in the new image) with a hard link to from/name. */
static int keep(int from, const char *name, int to, const char *name2, const char *new_dir,
		char *err, size_t err_len)
{
	struct stat st;

	if (!fstatat(to, name2, &st, AT_SYMLINK_NOFOLLOW)) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, err_len, "%s/%s: a directory where the current image has a file",
				 new_dir, name2);
			return -1;
		}
		if (unlinkat(to, name2, 0)) {
			snprintf(err, err_len, "%s/%s: %s", new_dir, name2, strerror(errno));
			return -1;
		}
	}
	if (linkat(from, name, to, name2, 0)) {
		snprintf(err, err_len, "keeping %s as %s/%s: %s", name, new_dir, name2,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static bool is_password_file(const char *name)
{
	return !strcmp(name, WP_PASSWORD_STATE_FILE) || !strcmp(name, WP_PASSWORD_POLICY_FILE);
}

/*
 * Carry over what is the phone's from the current image (from, cur_dir)
 * into the new one (to, new_dir) (see image.h): cur_disk (if there) as
 * new_disk, the password files, and the regular files and symbolic links
 * the new image lacks.  Nothing in the current image changes.
 */
static int carry_over(int from, const char *cur_dir, const char *cur_disk, int to,
		      const char *new_dir, const char *new_disk, struct wp_image_info *info,
		      char *err, size_t err_len)
{
	struct dirent *e;
	struct stat st;
	int ret = -1, fd;
	DIR *d;

	fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		snprintf(err, err_len, "%s: %s", cur_dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* The disk first: it is the phone. */
	if (!fstatat(from, cur_disk, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, err_len, "%s/%s: the current disk is not a regular file",
				 cur_dir, cur_disk);
			goto out;
		}
		if (keep(from, cur_disk, to, new_disk, new_dir, err, err_len))
			goto out;
		info->disk_kept = true;
	} else if (errno != ENOENT) {
		snprintf(err, err_len, "%s/%s: %s", cur_dir, cur_disk, strerror(errno));
		goto out;
	}
	while ((errno = 0, e = readdir(d))) {
		const char *n = e->d_name;

		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, cur_disk) ||
		    !strcmp(n, MANIFEST))
			continue;
		if (fstatat(from, n, &st, AT_SYMLINK_NOFOLLOW) ||
		    !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		/* The new image's own files win, except over the password files. */
		if (!is_password_file(n) && (!fstatat(to, n, &st, AT_SYMLINK_NOFOLLOW) ||
					     errno != ENOENT))
			continue;
		if (keep(from, n, to, n, new_dir, err, err_len))
			goto out;
		info->carried++;
	}
	if (errno) {
		snprintf(err, err_len, "%s: %s", cur_dir, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	closedir(d);
	return ret;
}

/* Is dir_fd/name still the directory behind fd? */
static bool same_dir(int dir_fd, const char *name, int fd)
{
	struct stat a, b;

	return !fstat(fd, &a) && !fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) &&
	       S_ISDIR(b.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Put the new image in place of the current one; 0 or -1 with err. */
static int swap_in(int dir_fd, const char *image_dir, bool have_cur, char *err, size_t err_len)
{
	if (!have_cur) {
		if (renameat(dir_fd, NEXT, dir_fd, CUR)) {
			snprintf(err, err_len, "%s/%s -> %s: %s", image_dir, NEXT, CUR,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!renameat2(dir_fd, NEXT, dir_fd, CUR, RENAME_EXCHANGE)) {
		/* image.new now holds the previous image. */
		if (renameat(dir_fd, NEXT, dir_fd, OLD))
			remove_at(dir_fd, NEXT);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
		snprintf(err, err_len, "swapping %s/%s and %s: %s", image_dir, NEXT, CUR,
			 strerror(errno));
		return -1;
	}
	if (renameat(dir_fd, CUR, dir_fd, OLD)) {
		snprintf(err, err_len, "%s/%s -> %s: %s", image_dir, CUR, OLD, strerror(errno));
		return -1;
	}
	if (renameat(dir_fd, NEXT, dir_fd, CUR)) {
		snprintf(err, err_len, "%s/%s -> %s: %s", image_dir, NEXT, CUR, strerror(errno));
		renameat(dir_fd, OLD, dir_fd, CUR);
		return -1;
	}
	return 0;
}

static bool dir_empty(int fd)
{
	struct dirent *e;
	bool empty = true;
	/* A new open file description: its own directory offset. */
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return false;
	}
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * A new, empty image.new/ made by us, held open.  0755: the image is the
 * server-verified one, and the unprivileged wpvmm reads its kernel.
 */
static int make_next(int dir_fd, const char *next, char *err, size_t err_len)
{
	struct stat st;
	int fd;

	if (mkdirat(dir_fd, NEXT, 0700)) {
		snprintf(err, err_len, "%s: %s", next, strerror(errno));
		return -1;
	}
	fd = openat(dir_fd, NEXT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", next,
			 errno == ELOOP || errno == ENOTDIR ?
			 "replaced by something else while it was created: refused" :
			 strerror(errno));
		return -1;
	}
	/* Swapped for another directory right after mkdirat: not ours. */
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 077) || !dir_empty(fd)) {
		snprintf(err, err_len, "%s: replaced by another directory while it was created: refused",
			 next);
		close(fd);
		return -1;
	}
	return fd;
}

int wp_image_update_at(int dir_fd, const char *image_dir, int blob_fd, const char *blob,
		       const char *sha256, unsigned int flags, struct wp_image_info *info,
		       char *err, size_t err_len)
{
	char cur[PATH_MAX], next[PATH_MAX];
	char cur_disk[68] = BARE_DISK, new_disk[68] = BARE_DISK;
	struct wp_image_info dummy;
	bool have_cur, have_manifest;
	int ret, cur_fd = -1, new_fd = -1;
	struct stat st;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	snprintf(cur, sizeof(cur), "%s/%s", image_dir, CUR);
	snprintf(next, sizeof(next), "%s/%s", image_dir, NEXT);

	/* An interrupted swap: the previous image is image.old. */
	if (fstatat(dir_fd, CUR, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT &&
	    !fstatat(dir_fd, OLD, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode))
		renameat(dir_fd, OLD, dir_fd, CUR);
	if (wp_image_is_current_at(dir_fd, sha256)) {
		info->unchanged = true;
		/* Only to describe it: this image was checked when installed. */
		cur_fd = openat(dir_fd, CUR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cur_fd < 0 || check_manifest(cur_fd, cur, false, info->disk, info, err, err_len))
			err[0] = '\0';
		if (cur_fd >= 0)
			close(cur_fd);
		return 0;
	}
	ret = remove_at(dir_fd, NEXT);
	if (ret) {
		snprintf(err, err_len, "removing a leftover %s: %s", next, strerror(-ret));
		return -1;
	}
	/*
	 * image/ first: while it is not a directory, image.old (which may
	 * hold the only link to the phone's disk) stays where it is.
	 */
	cur_fd = openat(dir_fd, CUR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	have_cur = cur_fd >= 0;
	if (!have_cur && errno != ENOENT) {
		snprintf(err, err_len, "%s: %s", cur,
			 errno == ELOOP || errno == ENOTDIR ? "not a directory" : strerror(errno));
		return -1;
	}
	ret = remove_at(dir_fd, OLD);
	if (ret) {
		snprintf(err, err_len, "removing a leftover %s/%s: %s", image_dir, OLD,
			 strerror(-ret));
		if (cur_fd >= 0)
			close(cur_fd);
		return -1;
	}

	/* The current image's disk: which file is the phone. */
	if (have_cur) {
		ret = check_manifest(cur_fd, cur, false, cur_disk, NULL, err, err_len);
		if (ret == -ENOENT) {
			snprintf(cur_disk, sizeof(cur_disk), "%s", BARE_DISK);
		} else if (ret) {
			size_t n = strlen(err);

			snprintf(err + n, err_len - n,
				 " (the current image: cannot tell which file is the phone's disk)");
			close(cur_fd);
			return -1;
		}
	}

	new_fd = make_next(dir_fd, next, err, err_len);
	if (new_fd < 0) {
		/* Not ours to remove: whatever took its place stays. */
		if (cur_fd >= 0)
			close(cur_fd);
		return -1;
	}
	if (unpack_fd(blob_fd, blob, new_fd, next, err, err_len))
		goto fail;
	/* Checked: now the VMM's user may read it (it was root's alone). */
	if (fchmod(new_fd, 0755)) {
		snprintf(err, err_len, "%s: %s", next, strerror(errno));
		goto fail;
	}
	ret = check_manifest(new_fd, next, true, new_disk, info, err, err_len);
	have_manifest = !ret;
	if (ret == -ENOENT && !(flags & WP_IMAGE_NEED_MANIFEST)) {
		snprintf(new_disk, sizeof(new_disk), "%s", BARE_DISK);
	} else if (ret) {
		if (ret == -ENOENT)
			snprintf(err, err_len, "%s: no %s: not an image directory", blob, MANIFEST);
		else {
			/* Name the file as it came in the blob, not image.new/. */
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, err_len, "the new image: %s", tmp);
		}
		goto fail;
	}
	snprintf(info->disk, sizeof(info->disk), "%s", new_disk);
	if (have_cur && carry_over(cur_fd, cur, cur_disk, new_fd, next, new_disk, info,
				   err, err_len))
		goto fail;
	if ((have_manifest || have_cur) &&
	    (fstatat(new_fd, new_disk, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))) {
		snprintf(err, err_len, "the new image has no disk \"%s\" and the current one none to keep",
			 new_disk);
		goto fail;
	}
	/* The new files are on disk before they become the image. */
	syncfs(new_fd);
	if (!same_dir(dir_fd, NEXT, new_fd)) {
		snprintf(err, err_len, "%s: replaced while the image was prepared: refused", next);
		goto fail_keep;
	}
	if (swap_in(dir_fd, image_dir, have_cur, err, err_len))
		goto fail;
	close(new_fd);
	if (cur_fd >= 0)
		close(cur_fd);
	remove_at(dir_fd, OLD);
	fsync(dir_fd);
	{
		char marker[64];

		fd_path(marker, sizeof(marker), dir_fd, MARKER);
		ret = wp_write_file_atomic(marker, sha256, strlen(sha256), 0600);
	}
	if (ret) {
		snprintf(err, err_len, "the new image is installed but %s/%s: %s", image_dir,
			 MARKER, strerror(-ret));
		return -1;
	}
	return 0;
fail:
	/* Only the directory we made and filled, never what took its name. */
	if (same_dir(dir_fd, NEXT, new_fd))
		remove_at(dir_fd, NEXT);
fail_keep:
	close(new_fd);
	if (cur_fd >= 0)
		close(cur_fd);
	return -1;
}

int wp_image_update(const char *image_dir, const char *blob, const char *sha256,
		    unsigned int flags, struct wp_image_info *info,
		    char *err, size_t err_len)
{
	int dir_fd, blob_fd = -1, ret;
	struct wp_image_info dummy;
	char got[65] = "";

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	dir_fd = wp_image_dir_open(image_dir, false, err, err_len);
	if (dir_fd < 0)
		return -1;
	if (wp_image_is_current_at(dir_fd, sha256)) {
		ret = wp_image_update_at(dir_fd, image_dir, -1, blob, sha256, flags, info,
					 err, err_len);
		goto out;
	}
	ret = open_regular_at(AT_FDCWD, blob);
	if (ret < 0) {
		snprintf(err, err_len, "%s: %s", blob, regular_error(ret));
		goto out;
	}
	blob_fd = ret;
	ret = wp_sha256_fd(blob_fd, got);
	if (ret) {
		snprintf(err, err_len, "%s: %s", blob, strerror(-ret));
		goto out;
	}
	if (strcmp(got, sha256)) {
		snprintf(err, err_len, "%s: sha256 mismatch (expected %s, got %s)", blob, sha256,
			 got);
		ret = -1;
		goto out;
	}
	ret = wp_image_update_at(dir_fd, image_dir, blob_fd, blob, sha256, flags, info,
				 err, err_len);
out:
	if (blob_fd >= 0)
		close(blob_fd);
	close(dir_fd);
	return ret ? -1 : 0;
}
