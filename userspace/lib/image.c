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

extern char **environ;

#define MANIFEST	"manifest.json"
#define MANIFEST_MAX	(256 * 1024)	/* image-format.rst */
#define BARE_DISK	"disk.img"

/*
 * Run tar with its standard error captured: the first line it printed
 * goes to msg (its first complaint is the useful one).  0 with the wait
 * status, or -1 with the reason in msg.
 */
static int run_tar(char **argv, int *status, char *msg, size_t msg_len)
{
	posix_spawn_file_actions_t fa;
	char buf[4096], sink[4096];
	size_t used = 0;
	int pipefd[2], ret;
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(msg, msg_len, "%s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
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
		bool keep = used < sizeof(buf) - 1;
		char *to = keep ? buf + used : sink;

		n = read(pipefd[0], to, keep ? sizeof(buf) - 1 - used : sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keep)
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

int wp_image_unpack(const char *blob, const char *dest, char *err, size_t err_len)
{
	char *argv[] = { "tar", "-xf", (char *)blob, "-C", (char *)dest,
			 "--no-same-owner", "--no-same-permissions", NULL };
	unsigned char magic[262] = { 0 };
	char disk[PATH_MAX], msg[256];
	int status, is_tar;
	FILE *f;

	f = fopen(blob, "rb");
	if (!f) {
		snprintf(err, err_len, "%s: %s", blob, strerror(errno));
		return -1;
	}
	if (fread(magic, 1, sizeof(magic), f) < 2)
		magic[0] = 0;
	fclose(f);
	is_tar = !memcmp(magic + 257, "ustar", 5) || (magic[0] == 0x1f && magic[1] == 0x8b);
	if (mkdir(dest, 0700)) {
		snprintf(err, err_len, "%s: %s", dest, strerror(errno));
		return -1;
	}
	if (!is_tar) {
		/* A bare disk image: the image is that disk. */
		snprintf(disk, sizeof(disk), "%s/%s", dest, BARE_DISK);
		if (link(blob, disk)) {
			snprintf(err, err_len, "%s: %s", disk, strerror(errno));
			wp_remove_tree(dest);
			return -1;
		}
		return 0;
	}
	if (run_tar(argv, &status, msg, sizeof(msg))) {
		snprintf(err, err_len, "unpacking %s: cannot run tar: %s", blob, msg);
		wp_remove_tree(dest);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, err_len, "unpacking %s failed (tar %s %d%s%s): a damaged archive",
			 blob, WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			 msg[0] ? ": " : "", msg);
		wp_remove_tree(dest);
		return -1;
	}
	return 0;
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

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_int: return "an integer";
	case json_type_double: return "a number with a fraction";
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	}
	return "?";
}

/* A file the manifest names: a regular file directly in dir. */
static int named_file(const char *dir, const char *path, json_object *m, const char *field,
		      bool required, bool must_exist, const char **name,
		      char *err, size_t err_len)
{
	char file[PATH_MAX];
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
			 type_name(v));
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
	snprintf(file, sizeof(file), "%s/%s", dir, *name);
	if (lstat(file, &st)) {
		snprintf(err, err_len, "%s: \"%s\": %s: %s", path, field, file, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s: \"%s\": %s is not a regular file", path, field, file);
		return -EINVAL;
	}
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

static int check_manifest(const char *dir, bool files, char disk[68], struct wp_image_info *info,
			  char *err, size_t err_len)
{
	char path[PATH_MAX];
	struct json_tokener *tok;
	json_object *m = NULL;
	const char *name;
	uint8_t *text = NULL;
	struct stat st;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, MANIFEST);
	if (lstat(path, &st)) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s: not a regular file", path);
		return -EINVAL;
	}
	ret = wp_read_file(path, MANIFEST_MAX, &text, &len);
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
		snprintf(err, err_len, "%s: must be a JSON object, not %s", path, type_name(m));
		ret = -EINVAL;
		goto out;
	}
	ret = named_file(dir, path, m, "kernel", true, files, &name, err, err_len);
	if (!ret)
		ret = named_file(dir, path, m, "initrd", false, files, &name, err, err_len);
	if (!ret)
		ret = named_file(dir, path, m, "disk", true, false, &name, err, err_len);
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
	return check_manifest(dir, true, disk, NULL, err, err_len);
}

int wp_image_is_current(const char *image_dir, const char *sha256)
{
	char marker[PATH_MAX], dir[PATH_MAX];
	uint8_t *done = NULL;
	size_t len = 0;
	struct stat st;
	int same;

	snprintf(marker, sizeof(marker), "%s/image.unpacked", image_dir);
	snprintf(dir, sizeof(dir), "%s/image", image_dir);
	if (wp_read_file(marker, 128, &done, &len))
		return 0;
	same = len == strlen(sha256) && !memcmp(done, sha256, len);
	free(done);
	return same && !lstat(dir, &st) && S_ISDIR(st.st_mode);
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
 * Carry over what is the phone's from cur_dir into new_dir (see image.h):
 * cur_disk (if there) as new_disk, the password files, and the regular
 * files and symbolic links new_dir lacks.  Nothing in cur_dir changes.
 */
static int carry_over(const char *cur_dir, const char *cur_disk, const char *new_dir,
		      const char *new_disk, struct wp_image_info *info, char *err, size_t err_len)
{
	int from, to, ret = -1;
	struct dirent *e;
	struct stat st;
	DIR *d;

	from = open(cur_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (from < 0) {
		snprintf(err, err_len, "%s: %s", cur_dir, strerror(errno));
		return -1;
	}
	to = open(new_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = to < 0 ? NULL : fdopendir(dup(from));
	if (!d) {
		snprintf(err, err_len, "%s: %s", to < 0 ? new_dir : cur_dir, strerror(errno));
		goto out;
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
	if (d)
		closedir(d);
	if (to >= 0)
		close(to);
	close(from);
	return ret;
}

static void sync_dir(const char *path, bool fs)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fs)
		syncfs(fd);
	else
		fsync(fd);
	close(fd);
}

/* Put the new image in place of the current one; 0 or -1 with err. */
static int swap_in(const char *cur, const char *next, const char *old, bool have_cur,
		   char *err, size_t err_len)
{
	if (!have_cur) {
		if (rename(next, cur)) {
			snprintf(err, err_len, "%s -> %s: %s", next, cur, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!renameat2(AT_FDCWD, next, AT_FDCWD, cur, RENAME_EXCHANGE)) {
		/* next now holds the previous image. */
		if (rename(next, old))
			wp_remove_tree(next);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
		snprintf(err, err_len, "swapping %s and %s: %s", next, cur, strerror(errno));
		return -1;
	}
	if (rename(cur, old)) {
		snprintf(err, err_len, "%s -> %s: %s", cur, old, strerror(errno));
		return -1;
	}
	if (rename(next, cur)) {
		snprintf(err, err_len, "%s -> %s: %s", next, cur, strerror(errno));
		rename(old, cur);
		return -1;
	}
	return 0;
}

int wp_image_update(const char *image_dir, const char *blob, const char *sha256,
		    unsigned int flags, struct wp_image_info *info,
		    char *err, size_t err_len)
{
	char cur[PATH_MAX], next[PATH_MAX], old[PATH_MAX], marker[PATH_MAX];
	char cur_disk[68] = BARE_DISK, new_disk[68] = BARE_DISK;
	struct wp_image_info dummy;
	bool have_cur, have_manifest;
	struct stat st;
	int ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	snprintf(cur, sizeof(cur), "%s/image", image_dir);
	snprintf(next, sizeof(next), "%s/image.new", image_dir);
	snprintf(old, sizeof(old), "%s/image.old", image_dir);
	snprintf(marker, sizeof(marker), "%s/image.unpacked", image_dir);

	/* An interrupted swap: the previous image is image.old. */
	if (lstat(cur, &st) && errno == ENOENT && !lstat(old, &st) && S_ISDIR(st.st_mode))
		rename(old, cur);
	if (wp_image_is_current(image_dir, sha256)) {
		info->unchanged = true;
		/* Only to describe it: this image was checked when installed. */
		if (check_manifest(cur, false, info->disk, info, err, err_len))
			err[0] = '\0';
		return 0;
	}
	ret = wp_remove_tree(next);
	if (!ret)
		ret = wp_remove_tree(old);
	if (ret) {
		snprintf(err, err_len, "removing a leftover %s: %s", next, strerror(-ret));
		return -1;
	}
	have_cur = !lstat(cur, &st);
	if (have_cur && !S_ISDIR(st.st_mode)) {
		snprintf(err, err_len, "%s: not a directory", cur);
		return -1;
	}

	/* The current image's disk: which file is the phone. */
	if (have_cur) {
		ret = check_manifest(cur, false, cur_disk, NULL, err, err_len);
		if (ret == -ENOENT) {
			snprintf(cur_disk, sizeof(cur_disk), "%s", BARE_DISK);
		} else if (ret) {
			size_t n = strlen(err);

			snprintf(err + n, err_len - n,
				 " (the current image: cannot tell which file is the phone's disk)");
			return -1;
		}
	}

	if (wp_image_unpack(blob, next, err, err_len))
		return -1;
	ret = check_manifest(next, true, new_disk, info, err, err_len);
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
	if (have_cur && carry_over(cur, cur_disk, next, new_disk, info, err, err_len))
		goto fail;
	if (have_manifest || have_cur) {
		char disk[PATH_MAX];

		snprintf(disk, sizeof(disk), "%s/%s", next, new_disk);
		if (lstat(disk, &st) || !S_ISREG(st.st_mode)) {
			snprintf(err, err_len, "the new image has no disk \"%s\" and the current one none to keep",
				 new_disk);
			goto fail;
		}
	}
	/* The new files are on disk before they become the image. */
	sync_dir(next, true);
	if (swap_in(cur, next, old, have_cur, err, err_len))
		goto fail;
	wp_remove_tree(old);
	sync_dir(image_dir, false);
	ret = wp_write_file_atomic(marker, sha256, strlen(sha256), 0600);
	if (ret) {
		snprintf(err, err_len, "the new image is installed but %s: %s", marker,
			 strerror(-ret));
		return -1;
	}
	return 0;
fail:
	wp_remove_tree(next);
	return -1;
}
