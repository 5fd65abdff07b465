// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests (cmocka) of userspace/lib/image.c: installing an image blob
 * as IMAGE_DIR/image (wp-provision) and updating it (wpd's image_update)
 * while the phone's disk and password files are kept, and every refusal
 * leaving the current image as it was.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "image.h"

struct t {
	char root[200];		/* scratch directory */
	char dir[256];		/* IMAGE_DIR */
	char err[1024];
};

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The content of dir/name, or "" (static buffer). */
static const char *get(const char *dir, const char *name)
{
	static char buf[4096];
	char path[PATH_MAX];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !lstat(path, &st);
}

static ino_t inode(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

#define MANIFEST(os, disk) \
	"{\"format\": \"workphone-image\", \"name\": \"work-phone\", " \
	"\"guest_os\": {\"name\": \"Linux\", \"version\": \"" os "\"}, " \
	"\"kernel\": \"bzImage\", \"initrd\": \"initrd.img\", \"disk\": \"" disk "\"}"

/*
 * A blob: a tar of an image directory with manifest (NULL: none), kernel,
 * initrd and a fresh disk.  Its SHA-256 goes to sha.
 */
static void blob(struct t *t, const char *name, const char *manifest, const char *disk,
		 char out[PATH_MAX], char sha[65])
{
	char stage[PATH_MAX + 16], cmd[3 * PATH_MAX];

	snprintf(stage, sizeof(stage), "%s/stage-%s", t->root, name);
	assert_int_equal(mkdir(stage, 0700), 0);
	if (manifest)
		put(stage, "manifest.json", manifest);
	put(stage, "bzImage", "kernel");
	put(stage, "initrd.img", "initrd");
	put(stage, "password-policy.json", "{\"from\": \"the image\"}");
	if (disk)
		put(stage, disk, "EMPTY DISK");
	snprintf(out, PATH_MAX, "%s/%s.tar", t->root, name);
	snprintf(cmd, sizeof(cmd), "tar -cf '%s' -C '%s' .", out, stage);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wp_sha256_file(out, sha), 0);
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	snprintf(t->root, sizeof(t->root), "/tmp/wp-image-test.XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/workphone", t->root);
	if (mkdir(t->dir, 0700))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	wp_remove_tree(t->root);
	free(t);
	return 0;
}

/* A provisioned phone: image 1 installed, used (disk, password files). */
static void provisioned(struct t *t, char img[PATH_MAX])
{
	char tar[PATH_MAX], sha[65];
	struct wp_image_info info;

	blob(t, "v1", MANIFEST("1", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_false(info.unchanged);
	assert_false(info.disk_kept);
	assert_string_equal(info.disk, "disk.img");
	snprintf(img, PATH_MAX, "%s/image", t->dir);
	assert_string_equal(get(img, "disk.img"), "EMPTY DISK");
	assert_string_equal(get(t->dir, "image.unpacked"), sha);
	put(img, "disk.img", "the phone's data");
	put(img, "password-state.json", "{\"hash\": \"user\"}");
	put(img, "password-policy.json", "{\"max_retries\": 3}");
	put(img, "notes.txt", "kept");
}

static void first_install_then_update_keeps_the_phone(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65];
	struct wp_image_info info;
	ino_t disk;

	provisioned(t, img);
	disk = inode(img, "disk.img");
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
	/* The new image brings password rules of its own: the phone's win. */
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_true(info.disk_kept);
	assert_string_equal(info.os_version, "2");
	assert_string_equal(info.name, "work-phone");
	assert_true(strstr(get(img, "manifest.json"), "\"version\": \"2\"") != NULL);
	assert_int_equal(inode(img, "disk.img"), disk);
	assert_string_equal(get(img, "disk.img"), "the phone's data");
	assert_string_equal(get(img, "password-state.json"), "{\"hash\": \"user\"}");
	assert_string_equal(get(img, "password-policy.json"), "{\"max_retries\": 3}");
	assert_string_equal(get(img, "notes.txt"), "kept");
	assert_string_equal(get(t->dir, "image.unpacked"), sha);
	assert_false(exists(t->dir, "image.new"));
	assert_false(exists(t->dir, "image.old"));

	/* The same update again: nothing happens. */
	put(img, "disk.img", "more data");
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_true(info.unchanged);
	assert_int_equal(wp_image_is_current(t->dir, sha), 1);
	assert_int_equal(inode(img, "disk.img"), disk);
	assert_string_equal(get(img, "disk.img"), "more data");
}

static void the_disk_follows_the_new_manifest(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65];
	struct wp_image_info info;
	ino_t disk;

	provisioned(t, img);
	disk = inode(img, "disk.img");
	/* The new image calls its disk data.img and brings none. */
	blob(t, "v2", MANIFEST("2", "data.img"), NULL, tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_true(info.disk_kept);
	assert_string_equal(info.disk, "data.img");
	assert_int_equal(inode(img, "data.img"), disk);
	assert_false(exists(img, "disk.img"));
}

/* Each refusal names what failed and leaves image/ as it was. */
static void refuse(struct t *t, const char *img, const char *tar, const char *sha,
		   unsigned int flags, const char *why)
{
	ino_t disk = inode(img, "disk.img");
	char manifest[4096], marker[128];

	snprintf(manifest, sizeof(manifest), "%s", get(img, "manifest.json"));
	snprintf(marker, sizeof(marker), "%s", get(t->dir, "image.unpacked"));
	t->err[0] = '\0';
	assert_int_equal(wp_image_update(t->dir, tar, sha, flags, NULL, t->err,
					 sizeof(t->err)), -1);
	if (!strstr(t->err, why))
		fail_msg("error \"%s\" does not say \"%s\"", t->err, why);
	assert_string_equal(get(img, "manifest.json"), manifest);
	assert_int_equal(inode(img, "disk.img"), disk);
	assert_string_equal(get(img, "disk.img"), "the phone's data");
	assert_string_equal(get(img, "password-state.json"), "{\"hash\": \"user\"}");
	assert_string_equal(get(t->dir, "image.unpacked"), marker);
	assert_false(exists(t->dir, "image.new"));
	assert_false(exists(t->dir, "image.old"));
}

static void bad_updates_change_nothing(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65], path[PATH_MAX + 16];

	provisioned(t, img);
	blob(t, "notjson", "{\"kernel\": \"bzImage\", ", "disk.img", tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "manifest.json: not valid JSON");
	blob(t, "array", "[1, 2]", "disk.img", tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "must be a JSON object, not an array");
	blob(t, "nokernel", "{\"disk\": \"disk.img\"}", "disk.img", tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "\"kernel\": missing");
	blob(t, "nodisk", "{\"kernel\": \"bzImage\"}", "disk.img", tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "\"disk\": missing");
	blob(t, "escape", "{\"kernel\": \"bzImage\", \"disk\": \"../disk.img\"}", "disk.img",
	     tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST,
	       "\"disk\": \"../disk.img\" is not a plain file name");
	blob(t, "wrongkernel", "{\"kernel\": \"vmlinuz\", \"disk\": \"disk.img\"}", "disk.img",
	     tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "\"kernel\": ");
	assert_true(strstr(t->err, "vmlinuz: No such file or directory") != NULL);
	blob(t, "nomanifest", NULL, "disk.img", tar, sha);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "no manifest.json: not an image directory");
	/* A damaged archive (gzip magic, then garbage). */
	snprintf(path, sizeof(path), "%s/damaged.tar.gz", t->root);
	put(t->root, "damaged.tar.gz", "\x1f\x8b\x08 not really gzip");
	assert_int_equal(wp_sha256_file(path, sha), 0);
	refuse(t, img, path, sha, WP_IMAGE_NEED_MANIFEST, "failed (tar exit status 2: gzip: ");
	/* A blob that is not there. */
	refuse(t, img, "/nonexistent/image.blob", "00", 0, "/nonexistent/image.blob: No such file");
}

static void a_current_image_without_a_readable_manifest_is_not_guessed(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65];

	provisioned(t, img);
	put(img, "manifest.json", "garbage");
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, NULL,
					 t->err, sizeof(t->err)), -1);
	assert_true(strstr(t->err, "cannot tell which file is the phone's disk") != NULL);
	assert_string_equal(get(img, "disk.img"), "the phone's data");
	assert_false(exists(t->dir, "image.new"));
}

static void a_bare_disk_is_an_image_only_for_wp_provision(void **state)
{
	struct t *t = *state;
	char raw[PATH_MAX + 16], sha[65], img[PATH_MAX];

	snprintf(raw, sizeof(raw), "%s/raw.img", t->root);
	put(t->root, "raw.img", "a bare disk");
	assert_int_equal(wp_sha256_file(raw, sha), 0);
	assert_int_equal(wp_image_update(t->dir, raw, sha, WP_IMAGE_NEED_MANIFEST, NULL,
					 t->err, sizeof(t->err)), -1);
	assert_true(strstr(t->err, "no manifest.json") != NULL);
	assert_false(exists(t->dir, "image"));
	assert_int_equal(wp_image_update(t->dir, raw, sha, 0, NULL, t->err, sizeof(t->err)), 0);
	snprintf(img, sizeof(img), "%s/image", t->dir);
	assert_string_equal(get(img, "disk.img"), "a bare disk");
}

/*
 * A provisioned phone whose image/ was moved to image.old (an update cut
 * off mid-swap), and the v2 blob to update it with.
 */
static void swap_interrupted(struct t *t, char img[PATH_MAX], char old[PATH_MAX + 8],
			     char tar[PATH_MAX], char sha[65])
{
	provisioned(t, img);
	snprintf(old, PATH_MAX + 8, "%s.old", img);
	assert_int_equal(rename(img, old), 0);
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
}

static void an_interrupted_swap_is_recovered(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], old[PATH_MAX + 8], tar[PATH_MAX], sha[65];
	struct wp_image_info info;

	/* A crash between image -> image.old and image.new -> image. */
	swap_interrupted(t, img, old, tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_true(info.disk_kept);
	assert_string_equal(get(img, "disk.img"), "the phone's data");
	assert_false(exists(t->dir, "image.old"));
}

/*
 * The image directory is writable by someone else (threat-model.rst):
 * nothing planted in it makes root follow a link, block on a FIFO or
 * install what the blob did not hold.
 */

/* An outside directory with one file, to check it stays untouched. */
static void outside(struct t *t, char out[PATH_MAX])
{
	snprintf(out, PATH_MAX, "%s/outside", t->root);
	assert_int_equal(mkdir(out, 0755), 0);
	put(out, "precious", "untouched");
}

static void assert_outside_untouched(const char *out)
{
	char cmd[PATH_MAX + 64];

	assert_string_equal(get(out, "precious"), "untouched");
	/* Nothing else appeared in it: one entry besides . and .. */
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = precious", out);
	assert_int_equal(system(cmd), 0);
}

static void planted_image_new_and_old_links_are_not_followed(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65], out[PATH_MAX], link[PATH_MAX + 16];
	struct wp_image_info info;

	provisioned(t, img);
	outside(t, out);
	snprintf(link, sizeof(link), "%s/image.new", t->dir);
	assert_int_equal(symlink(out, link), 0);
	snprintf(link, sizeof(link), "%s/image.old", t->dir);
	assert_int_equal(symlink(out, link), 0);
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_true(info.disk_kept);
	assert_string_equal(get(img, "disk.img"), "the phone's data");
	assert_true(strstr(get(img, "manifest.json"), "\"version\": \"2\"") != NULL);
	assert_outside_untouched(out);
	assert_false(exists(t->dir, "image.new"));
	assert_false(exists(t->dir, "image.old"));
}

static void an_image_dir_that_is_a_symlink_is_refused(void **state)
{
	struct t *t = *state;
	char tar[PATH_MAX], sha[65], link[PATH_MAX], rel[] = "workphone";
	int fd;

	snprintf(link, sizeof(link), "%s/link", t->root);
	assert_int_equal(symlink(t->dir, link), 0);
	blob(t, "v1", MANIFEST("1", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_update(link, tar, sha, 0, NULL, t->err, sizeof(t->err)), -1);
	if (!strstr(t->err, "link: the image directory is a symbolic link: refused"))
		fail_msg("unexpected error \"%s\"", t->err);
	fd = wp_image_dir_open(link, true, t->err, sizeof(t->err));
	assert_true(fd < 0);
	assert_false(exists(t->dir, "image"));
	assert_false(exists(t->dir, "image.new"));
	/* A relative path is refused too: it depends on the working directory. */
	assert_true(wp_image_dir_open(rel, false, t->err, sizeof(t->err)) < 0);
	assert_true(strstr(t->err, "must be an absolute path") != NULL);
}

static void special_files_in_the_blob_are_refused(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[400], sha[65], stage[400], cmd[4096];

	provisioned(t, img);
	snprintf(stage, sizeof(stage), "%s/stage-fifo", t->root);
	assert_int_equal(mkdir(stage, 0700), 0);
	put(stage, "manifest.json", MANIFEST("2", "disk.img"));
	put(stage, "bzImage", "kernel");
	put(stage, "initrd.img", "initrd");
	snprintf(cmd, sizeof(cmd), "mkdir '%s/sub' && mkfifo '%s/sub/pipe'", stage, stage);
	assert_int_equal(system(cmd), 0);
	snprintf(tar, sizeof(tar), "%s/fifo.tar", t->root);
	snprintf(cmd, sizeof(cmd), "tar -cf '%s' -C '%s' .", tar, stage);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wp_sha256_file(tar, sha), 0);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST,
	       "member sub/pipe is a FIFO, not a regular file, directory or symbolic link");

	if (geteuid())
		return;		/* a device node needs root to make (and to unpack) */
	snprintf(cmd, sizeof(cmd), "rm -r '%s/sub' && mknod '%s/null' c 1 3 && "
		 "tar -cf '%s' -C '%s' .", stage, stage, tar, stage);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wp_sha256_file(tar, sha), 0);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "member null is a character device");
}

static mode_t mode_of(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void setuid_bits_are_cleared_and_the_image_is_readable(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[400], sha[65], stage[400], cmd[4096];
	char sub[PATH_MAX + 8];
	mode_t mask = umask(0);	/* nothing masked: only the walk clears the bits */

	provisioned(t, img);
	snprintf(stage, sizeof(stage), "%s/stage-suid", t->root);
	assert_int_equal(mkdir(stage, 0700), 0);
	put(stage, "manifest.json", MANIFEST("2", "disk.img"));
	put(stage, "bzImage", "kernel");
	put(stage, "initrd.img", "initrd");
	put(stage, "tool", "#!/bin/sh\n");
	snprintf(tar, sizeof(tar), "%s/suid.tar", t->root);
	snprintf(cmd, sizeof(cmd), "chmod 6777 '%s/tool' && mkdir -m 2777 '%s/shared' && "
		 "echo x > '%s/shared/f' && chmod 4755 '%s/shared/f' && "
		 "tar -cf '%s' -C '%s' .", stage, stage, stage, stage, tar, stage);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wp_sha256_file(tar, sha), 0);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, NULL,
					 t->err, sizeof(t->err)), 0);
	umask(mask);
	assert_int_equal(mode_of(img, "tool") & (S_ISUID | S_ISGID | S_IWGRP | S_IWOTH), 0);
	snprintf(sub, sizeof(sub), "%s/shared", img);
	assert_int_equal(mode_of(img, "shared") & (S_ISGID | S_IWGRP | S_IWOTH), 0);
	assert_int_equal(mode_of(sub, "f") & (S_ISUID | S_ISGID), 0);
	/* The unprivileged wpvmm can still reach the kernel in image/. */
	assert_int_equal(mode_of(t->dir, "image"), 0755);
	/* The phone's disk keeps its own mode. */
	assert_string_equal(get(img, "disk.img"), "the phone's data");
}

static void alarm_fail(int sig)
{
	(void)sig;
	fail_msg("blocked (on a FIFO?)");
}

static void fifos_do_not_block(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65], path[PATH_MAX + 32];

	signal(SIGALRM, alarm_fail);
	alarm(20);
	provisioned(t, img);
	/* image.unpacked a FIFO: not current, and the update replaces it. */
	snprintf(path, sizeof(path), "%s/image.unpacked", t->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0666), 0);
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_is_current(t->dir, sha), 0);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, NULL,
					 t->err, sizeof(t->err)), 0);
	assert_string_equal(get(t->dir, "image.unpacked"), sha);

	/* The current manifest a FIFO: refused, not read. */
	snprintf(path, sizeof(path), "%s/manifest.json", img);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0666), 0);
	blob(t, "v3", MANIFEST("3", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, NULL,
					 t->err, sizeof(t->err)), -1);
	if (!strstr(t->err, "manifest.json: not a regular file"))
		fail_msg("unexpected error \"%s\"", t->err);

	/* The blob a FIFO or a symbolic link: refused, not read. */
	snprintf(path, sizeof(path), "%s/fifo.blob", t->root);
	assert_int_equal(mkfifo(path, 0666), 0);
	assert_int_equal(wp_image_update(t->dir, path, sha, 0, NULL, t->err,
					 sizeof(t->err)), -1);
	assert_true(strstr(t->err, "fifo.blob: not a regular file") != NULL);
	snprintf(path, sizeof(path), "%s/link.blob", t->root);
	assert_int_equal(symlink(tar, path), 0);
	assert_int_equal(wp_image_update(t->dir, path, sha, 0, NULL, t->err,
					 sizeof(t->err)), -1);
	assert_true(strstr(t->err, "link.blob: a symbolic link: refused") != NULL);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
}

static void the_blob_must_match_its_sha256(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], tar[PATH_MAX], sha[65], other[65];

	provisioned(t, img);
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
	blob(t, "v3", MANIFEST("3", "disk.img"), "disk.img", tar, other);
	refuse(t, img, tar, sha, WP_IMAGE_NEED_MANIFEST, "sha256 mismatch");
}

static void an_apps_link_is_refused(void **state)
{
	struct t *t = *state;
	char out[PATH_MAX], link[PATH_MAX + 8];
	int dir_fd, fd;

	outside(t, out);
	dir_fd = wp_image_dir_open(t->dir, true, t->err, sizeof(t->err));
	assert_true(dir_fd >= 0);
	snprintf(link, sizeof(link), "%s/apps", t->dir);
	assert_int_equal(symlink(out, link), 0);
	fd = wp_image_subdir_open(dir_fd, t->dir, "apps", true, t->err, sizeof(t->err));
	assert_true(fd < 0);
	assert_true(strstr(t->err, "/workphone/apps: a symbolic link: refused") != NULL);
	assert_outside_untouched(out);
	/* A real apps/ is made 0700 and opened. */
	assert_int_equal(unlink(link), 0);
	fd = wp_image_subdir_open(dir_fd, t->dir, "apps", true, t->err, sizeof(t->err));
	assert_true(fd >= 0);
	assert_int_equal(mode_of(t->dir, "apps") & 0777, 0700 & ~umask(umask(0)));
	close(fd);
	close(dir_fd);
}

static void a_download_is_used_only_as_verified(void **state)
{
	struct t *t = *state;
	char out[PATH_MAX], sha[65], path[PATH_MAX + 16], got[65];
	int dir_fd, fd = -1;

	outside(t, out);
	dir_fd = wp_image_dir_open(t->dir, true, t->err, sizeof(t->err));
	assert_true(dir_fd >= 0);
	snprintf(path, sizeof(path), "%s/precious", out);
	assert_int_equal(wp_sha256_file(path, sha), 0);

	/* Wrong content: removed, nothing installed. */
	put(t->dir, "app.part", "tampered");
	assert_int_equal(wp_image_take_download(dir_fd, t->dir, "app.part", "app", sha, &fd,
						t->err, sizeof(t->err)), -EBADMSG);
	assert_true(strstr(t->err, "app.part: sha256 mismatch") != NULL);
	assert_false(exists(t->dir, "app.part"));
	assert_false(exists(t->dir, "app"));

	/* A symbolic link to a file with the right content: not followed. */
	snprintf(path, sizeof(path), "%s/app.part", t->dir);
	assert_int_equal(symlink(out, path), 0);
	assert_true(wp_image_take_download(dir_fd, t->dir, "app.part", "app", sha, &fd,
					   t->err, sizeof(t->err)) < 0);
	assert_true(strstr(t->err, "a symbolic link: refused") != NULL);
	assert_false(exists(t->dir, "app"));
	assert_outside_untouched(out);
	assert_int_equal(unlink(path), 0);

	/* The right content: renamed, and the descriptor is that file. */
	put(t->dir, "app.part", "untouched");
	assert_int_equal(wp_image_take_download(dir_fd, t->dir, "app.part", "app", sha, &fd,
						t->err, sizeof(t->err)), 0);
	assert_string_equal(get(t->dir, "app"), "untouched");
	assert_false(exists(t->dir, "app.part"));
	assert_int_equal(wp_sha256_fd(fd, got), 0);
	assert_string_equal(got, sha);
	close(fd);
	assert_int_equal(wp_image_open_verified(dir_fd, t->dir, "app", sha, NULL, t->err,
						sizeof(t->err)), 0);
	close(dir_fd);
}

/*
 * Files and directories that someone else made (or could have kept open
 * for writing) in the image directory are not trusted: a marker saying
 * an image is installed, an apps/ directory, a blob that hashes right.
 */
static void files_not_made_by_us_are_not_trusted(void **state)
{
	struct t *t = *state;
	const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char path[PATH_MAX + 32], other[PATH_MAX + 32], good[65];
	int dir_fd, fd;

	if (geteuid())
		skip();
	snprintf(path, sizeof(path), "%s/image", t->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/image.unpacked", t->dir);
	assert_int_equal(wp_write_file_atomic(path, sha, 64, 0600), 0);
	assert_int_equal(wp_image_is_current(t->dir, sha), 1);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(wp_image_is_current(t->dir, sha), 0);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, 0622), 0);
	assert_int_equal(wp_image_is_current(t->dir, sha), 0);

	dir_fd = wp_image_dir_open(t->dir, true, t->err, sizeof(t->err));
	assert_true(dir_fd >= 0);
	snprintf(path, sizeof(path), "%s/apps", t->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chown(path, 65534, 65534), 0);
	fd = wp_image_subdir_open(dir_fd, t->dir, "apps", true, t->err, sizeof(t->err));
	assert_int_equal(fd, -EPERM);
	assert_true(strstr(t->err, "apps: not made by this program") != NULL);

	put(t->dir, "app", "content");
	snprintf(path, sizeof(path), "%s/app", t->dir);
	assert_int_equal(wp_sha256_file(path, good), 0);
	assert_int_equal(wp_image_open_verified(dir_fd, t->dir, "app", good, NULL, t->err,
						sizeof(t->err)), 0);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(wp_image_open_verified(dir_fd, t->dir, "app", good, NULL, t->err,
						sizeof(t->err)), -EPERM);
	assert_true(strstr(t->err, "app: not made by this program") != NULL);
	assert_int_equal(chown(path, 0, 0), 0);
	snprintf(other, sizeof(other), "%s/another-name", t->root);
	assert_int_equal(link(path, other), 0);
	assert_int_equal(wp_image_open_verified(dir_fd, t->dir, "app", good, NULL, t->err,
						sizeof(t->err)), -EPERM);
	close(dir_fd);
}

/* image/ replaced by a file while image.old holds the phone: nothing lost. */
static void a_planted_image_file_does_not_cost_the_disk(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], old[PATH_MAX + 8], tar[PATH_MAX], sha[65];
	struct wp_image_info info;

	swap_interrupted(t, img, old, tar, sha);
	put(t->dir, "image", "not a directory");
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), -1);
	assert_true(strstr(t->err, "/image: not a directory") != NULL);
	assert_string_equal(get(old, "disk.img"), "the phone's data");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_install_then_update_keeps_the_phone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(the_disk_follows_the_new_manifest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(bad_updates_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_current_image_without_a_readable_manifest_is_not_guessed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_bare_disk_is_an_image_only_for_wp_provision,
						setup, teardown),
		cmocka_unit_test_setup_teardown(an_interrupted_swap_is_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(planted_image_new_and_old_links_are_not_followed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(an_image_dir_that_is_a_symlink_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(special_files_in_the_blob_are_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(setuid_bits_are_cleared_and_the_image_is_readable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(fifos_do_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(the_blob_must_match_its_sha256, setup, teardown),
		cmocka_unit_test_setup_teardown(an_apps_link_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(files_not_made_by_us_are_not_trusted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_planted_image_file_does_not_cost_the_disk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_download_is_used_only_as_verified,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
