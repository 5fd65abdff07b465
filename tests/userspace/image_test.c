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
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	refuse(t, img, path, "00", WP_IMAGE_NEED_MANIFEST, "failed (tar exit status 2: gzip: ");
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

static void an_interrupted_swap_is_recovered(void **state)
{
	struct t *t = *state;
	char img[PATH_MAX], old[PATH_MAX + 8], tar[PATH_MAX], sha[65];
	struct wp_image_info info;

	provisioned(t, img);
	/* A crash between image -> image.old and image.new -> image. */
	snprintf(old, sizeof(old), "%s.old", img);
	assert_int_equal(rename(img, old), 0);
	blob(t, "v2", MANIFEST("2", "disk.img"), "disk.img", tar, sha);
	assert_int_equal(wp_image_update(t->dir, tar, sha, WP_IMAGE_NEED_MANIFEST, &info,
					 t->err, sizeof(t->err)), 0);
	assert_true(info.disk_kept);
	assert_string_equal(get(img, "disk.img"), "the phone's data");
	assert_false(exists(t->dir, "image.old"));
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
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
