// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests (cmocka) of userspace/lib/fileio: crash-safe writes, bounded
 * reads, strict base64, SHA-256 and tree removal, and that none of them
 * follows a symbolic link or blocks on a FIFO planted in a directory
 * someone else can write (Documentation/threat-model.rst).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
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

static char dir[] = "/tmp/wp-fileio-XXXXXX";
#include "testfiles.h"

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return wp_remove_tree(dir);
}

static void atomic_write_replaces_and_sets_mode(void **state)
{
	char path[256];
	uint8_t *data;
	size_t len;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(0, wp_write_file_atomic(path, "old", 3, 0600));
	assert_int_equal(0, wp_write_file_atomic(path, "new content", 11, 0600));
	assert_int_equal(0, wp_read_file(path, 100, &data, &len));
	assert_int_equal(11, len);
	assert_string_equal("new content", (char *)data);
	free(data);
	assert_int_equal(0, stat(path, &st));
	assert_int_equal(0600, st.st_mode & 0777);
	/* No temporary file is left behind. */
	snprintf(path, sizeof(path), "%s/f.tmp.%d", dir, getpid());
	assert_int_equal(-1, access(path, F_OK));
}

static void atomic_write_into_missing_dir_fails_cleanly(void **state)
{
	(void)state;
	assert_int_equal(-ENOENT, wp_write_file_atomic("/nonexistent/dir/f", "x", 1, 0600));
}

static void read_is_bounded(void **state)
{
	char path[256];
	uint8_t *data;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/big", dir);
	assert_int_equal(0, wp_write_file_atomic(path, "0123456789", 10, 0600));
	assert_int_equal(-EFBIG, wp_read_file(path, 9, &data, &len));
	assert_int_equal(-ENOENT, wp_read_file("/nonexistent", 9, &data, &len));
}

static void base64_round_trips_every_length(void **state)
{
	uint8_t in[64], *out;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 1);
	for (size_t n = 1; n <= sizeof(in); n++) {
		char *text = wp_base64_encode(in, n);

		assert_non_null(text);
		assert_int_equal(0, wp_base64_decode(text, &out, &len));
		assert_int_equal(n, len);
		assert_memory_equal(in, out, n);
		free(out);
		free(text);
	}
}

static void base64_rejects_malformed_text(void **state)
{
	uint8_t *out;
	size_t len;

	(void)state;
	assert_int_equal(-EINVAL, wp_base64_decode("", &out, &len));
	assert_int_equal(-EINVAL, wp_base64_decode("abc", &out, &len));
	assert_int_equal(-EINVAL, wp_base64_decode("ab!c", &out, &len));
}

static void sha256_matches_the_known_vector(void **state)
{
	char path[256], hex[65];

	(void)state;
	snprintf(path, sizeof(path), "%s/abc", dir);
	assert_int_equal(0, wp_write_file_atomic(path, "abc", 3, 0600));
	assert_int_equal(0, wp_sha256_file(path, hex));
	assert_string_equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex);
	assert_int_equal(-ENOENT, wp_sha256_file("/nonexistent", hex));
}

static void remove_tree_removes_nested_files(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/t", dir);
	assert_int_equal(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/t/a", dir);
	assert_int_equal(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/t/a/f", dir);
	assert_int_equal(0, wp_write_file_atomic(path, "x", 1, 0600));
	snprintf(path, sizeof(path), "%s/t", dir);
	assert_int_equal(0, wp_remove_tree(path));
	assert_int_equal(-1, access(path, F_OK));
	/* Removing what is not there is fine. */
	assert_int_equal(0, wp_remove_tree(path));
}

static int count_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void atomic_write_ignores_planted_temp_links(void **state)
{
	static const char *const plausible[] = {
		"w.tmp", "w.tmp.%d", ".w.tmp.%d", "w.tmp.%d.0", "w.%d.tmp", "w~",
	};
	char name[64], link[80];

	(void)state;
	assert_int_equal(0, mkdir(at("plant"), 0700));
	assert_int_equal(0, mkdir(at("plant/out"), 0700));
	put(at("plant/out/secret"), "untouched");
	for (size_t i = 0; i < sizeof(plausible) / sizeof(plausible[0]); i++) {
		snprintf(name, sizeof(name), plausible[i], getpid());
		snprintf(link, sizeof(link), "plant/%s", name);
		assert_int_equal(0, symlink(at("plant/out/secret"), at(link)));
	}
	assert_int_equal(0, wp_write_file_atomic(at("plant/w"), "new", 3, 0600));
	assert_content(at("plant/w"), "new");
	assert_content(at("plant/out/secret"), "untouched");
	/* The links are still there, nothing else was left behind. */
	assert_int_equal(1 + 1 + (int)(sizeof(plausible) / sizeof(plausible[0])),
			 count_entries(at("plant")));
	assert_int_equal(0, wp_remove_tree(at("plant")));
}

static void atomic_write_replaces_a_link_or_fifo_at_the_path(void **state)
{
	struct stat st;

	(void)state;
	put(at("outside"), "untouched");
	assert_int_equal(0, symlink(at("outside"), at("link")));
	assert_int_equal(0, wp_write_file_atomic(at("link"), "mine", 4, 0600));
	assert_int_equal(0, lstat(at("link"), &st));
	assert_true(S_ISREG(st.st_mode));
	assert_content(at("link"), "mine");
	assert_content(at("outside"), "untouched");

	/* A FIFO must neither block the writer nor receive the data. */
	assert_int_equal(0, mkfifo(at("fifo"), 0600));
	assert_int_equal(0, wp_write_file_atomic(at("fifo"), "data", 4, 0600));
	assert_int_equal(0, lstat(at("fifo"), &st));
	assert_true(S_ISREG(st.st_mode));
	assert_content(at("fifo"), "data");
	unlink(at("outside"));
	unlink(at("link"));
	unlink(at("fifo"));
}

static void atomic_write_sets_exactly_the_mode(void **state)
{
	struct stat st;
	mode_t old = umask(077);

	(void)state;
	assert_int_equal(0, wp_write_file_atomic(at("mode"), "x", 1, 0644));
	umask(old);
	assert_int_equal(0, stat(at("mode"), &st));
	assert_int_equal(0644, st.st_mode & 07777);
	unlink(at("mode"));
}

static void atomic_write_failure_leaves_no_temp_file(void **state)
{
	(void)state;
	assert_int_equal(0, mkdir(at("fail"), 0700));
	assert_int_equal(0, mkdir(at("fail/d"), 0700));
	put(at("fail/d/keep"), "x");
	/* rename() onto a non-empty directory fails. */
	assert_true(wp_write_file_atomic(at("fail/d"), "x", 1, 0600) < 0);
	assert_int_equal(1, count_entries(at("fail")));
	assert_int_equal(-EINVAL, wp_write_file_atomic("/", "x", 1, 0600));
	assert_int_equal(0, wp_remove_tree(at("fail")));
}

static void open_regular_refuses_all_but_regular_files(void **state)
{
	int fd;

	(void)state;
	put(at("reg"), "r");
	assert_int_equal(0, symlink(at("reg"), at("reglink")));
	assert_int_equal(0, mkfifo(at("rfifo"), 0600));
	assert_int_equal(0, mkdir(at("rdir"), 0700));

	fd = wp_open_regular(AT_FDCWD, at("reg"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_int_equal(-ELOOP, wp_open_regular(AT_FDCWD, at("reglink"), O_RDONLY));
	assert_int_equal(-EINVAL, wp_open_regular(AT_FDCWD, at("rfifo"), O_RDONLY));
	assert_int_equal(-EINVAL, wp_open_regular(AT_FDCWD, at("rfifo"), O_WRONLY));
	assert_int_equal(-EISDIR, wp_open_regular(AT_FDCWD, at("rdir"), O_RDONLY));
	assert_int_equal(-EINVAL, wp_open_regular(AT_FDCWD, "/dev/null", O_RDONLY));
	assert_int_equal(-ENOENT, wp_open_regular(AT_FDCWD, at("none"), O_RDONLY));
	assert_int_equal(-EINVAL, wp_open_regular(AT_FDCWD, at("reg"), O_RDONLY | O_CREAT));

	/* Relative to a directory fd. */
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(-ELOOP, wp_open_regular(fd, "reglink", O_RDONLY));
	{
		int f = wp_open_regular(fd, "reg", O_RDONLY);

		assert_true(f >= 0);
		close(f);
	}
	close(fd);
	unlink(at("reg"));
	unlink(at("reglink"));
	unlink(at("rfifo"));
	rmdir(at("rdir"));
}

static void read_and_hash_refuse_links_and_fifos(void **state)
{
	uint8_t *data;
	size_t len;
	char hex[65];

	(void)state;
	assert_int_equal(0, symlink("/dev/zero", at("zero")));
	assert_int_equal(0, mkfifo(at("hfifo"), 0600));
	put(at("target"), "abc");
	assert_int_equal(0, symlink(at("target"), at("tlink")));
	/* Each of these would block or never end if opened blindly. */
	assert_int_equal(-ELOOP, wp_sha256_file(at("zero"), hex));
	assert_int_equal(-EINVAL, wp_sha256_file(at("hfifo"), hex));
	assert_int_equal(-EINVAL, wp_read_file(at("hfifo"), 100, &data, &len));
	assert_int_equal(-ELOOP, wp_read_file(at("tlink"), 100, &data, &len));
	assert_int_equal(-ELOOP, wp_sha256_file(at("tlink"), hex));
	assert_int_equal(-EISDIR, wp_sha256_file(dir, hex));
	unlink(at("zero"));
	unlink(at("hfifo"));
	unlink(at("target"));
	unlink(at("tlink"));
}

static void sha256_fd_hashes_from_the_start(void **state)
{
	char hex[65], again[65];
	int fd;

	(void)state;
	put(at("h"), "abc");
	fd = open(at("h"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(2, lseek(fd, 2, SEEK_SET));
	assert_int_equal(0, wp_sha256_fd(fd, hex));
	assert_string_equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex);
	/* The offset is not moved, and a second hash agrees. */
	assert_int_equal(2, lseek(fd, 0, SEEK_CUR));
	assert_int_equal(0, wp_sha256_fd(fd, again));
	assert_string_equal(hex, again);
	close(fd);

	fd = open("/dev/zero", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(-EINVAL, wp_sha256_fd(fd, hex));
	close(fd);
	assert_int_equal(-EBADF, wp_sha256_fd(-1, hex));

	/* Empty file. */
	put(at("h"), "");
	fd = open(at("h"), O_RDONLY);
	assert_int_equal(0, wp_sha256_fd(fd, hex));
	assert_string_equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex);
	close(fd);
	unlink(at("h"));
}


/* p.part is opened afresh (size 0) and written; "out" stays as it was. */
static void assert_part_replaced(void)
{
	off_t size = -1;
	int fd = wp_open_resumable(at("p.part"), &size);

	assert_true(fd >= 0);
	assert_int_equal(0, size);
	assert_int_equal(3, write(fd, "xyz", 3));
	close(fd);
	assert_content(at("out"), "untouched");
}
static void resumable_open_resumes_only_own_plain_files(void **state)
{
	struct stat st;
	off_t size;
	int fd;

	(void)state;
	put(at("out"), "untouched");
	/* Missing: a new file. */
	fd = wp_open_resumable(at("p.part"), &size);
	assert_true(fd >= 0);
	assert_int_equal(0, size);
	assert_int_equal(3, write(fd, "abc", 3));
	close(fd);
	/* Ours: resumed, appended to. */
	fd = wp_open_resumable(at("p.part"), &size);
	assert_true(fd >= 0);
	assert_int_equal(3, size);
	assert_int_equal(3, write(fd, "def", 3));
	close(fd);
	assert_content(at("p.part"), "abcdef");

	/* A symbolic link: replaced, the target is not written. */
	unlink(at("p.part"));
	assert_int_equal(0, symlink(at("out"), at("p.part")));
	assert_part_replaced();
	assert_int_equal(0, lstat(at("p.part"), &st));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(0600, st.st_mode & 07777);

	/* A hard link to another file: replaced. */
	unlink(at("p.part"));
	assert_int_equal(0, link(at("out"), at("p.part")));
	assert_part_replaced();

	/* Someone else's file: replaced (needs root to set up). */
	if (!geteuid()) {
		assert_int_equal(0, chown(at("p.part"), 65534, 65534));
		fd = wp_open_resumable(at("p.part"), &size);
		assert_true(fd >= 0);
		assert_int_equal(0, size);
		assert_int_equal(0, fstat(fd, &st));
		assert_int_equal(geteuid(), st.st_uid);
		close(fd);
	}

	/* A FIFO: replaced without blocking. */
	unlink(at("p.part"));
	assert_int_equal(0, mkfifo(at("p.part"), 0600));
	fd = wp_open_resumable(at("p.part"), &size);
	assert_true(fd >= 0);
	assert_int_equal(0, size);
	close(fd);
	assert_int_equal(0, lstat(at("p.part"), &st));
	assert_true(S_ISREG(st.st_mode));

	/* A directory is an error. */
	unlink(at("p.part"));
	assert_int_equal(0, mkdir(at("p.part"), 0700));
	assert_int_equal(-EISDIR, wp_open_resumable(at("p.part"), &size));
	rmdir(at("p.part"));
	unlink(at("out"));
}

static void remove_tree_never_follows_links(void **state)
{
	struct stat st;

	(void)state;
	/* Outside the tree: a directory and a file that must survive. */
	assert_int_equal(0, mkdir(at("keep"), 0700));
	put(at("keep/precious"), "p");
	assert_int_equal(0, mkdir(at("keep/sub"), 0700));
	put(at("keep/sub/also"), "a");
	put(at("keepfile"), "k");

	assert_int_equal(0, mkdir(at("tree"), 0700));
	assert_int_equal(0, mkdir(at("tree/a"), 0700));
	assert_int_equal(0, mkdir(at("tree/a/b"), 0700));
	assert_int_equal(0, mkdir(at("tree/a/b/c"), 0700));
	put(at("tree/a/b/c/f"), "f");
	put(at("tree/file"), "f");
	assert_int_equal(0, mkfifo(at("tree/a/fifo"), 0600));
	assert_int_equal(0, symlink(at("keep"), at("tree/dirlink")));
	assert_int_equal(0, symlink(at("keep"), at("tree/a/b/deeplink")));
	assert_int_equal(0, symlink(at("keepfile"), at("tree/filelink")));
	assert_int_equal(0, symlink("/nonexistent", at("tree/dangling")));

	assert_int_equal(0, wp_remove_tree(at("tree")));
	assert_int_equal(-1, lstat(at("tree"), &st));
	assert_content(at("keep/precious"), "p");
	assert_content(at("keep/sub/also"), "a");
	assert_content(at("keepfile"), "k");

	/* A symbolic link at the top: only the link goes. */
	assert_int_equal(0, symlink(at("keep"), at("toplink")));
	assert_int_equal(0, wp_remove_tree(at("toplink")));
	assert_int_equal(-1, lstat(at("toplink"), &st));
	assert_content(at("keep/precious"), "p");
	/* Also with a trailing slash, which would resolve the link. */
	assert_int_equal(0, symlink(at("keep"), at("toplink")));
	assert_int_equal(0, wp_remove_tree(at("toplink/")));
	assert_int_equal(-1, lstat(at("toplink"), &st));
	assert_content(at("keep/sub/also"), "a");

	/* A file or a FIFO at the top: unlinked. */
	assert_int_equal(0, wp_remove_tree(at("keepfile")));
	assert_int_equal(-1, lstat(at("keepfile"), &st));
	assert_int_equal(0, mkfifo(at("topfifo"), 0600));
	assert_int_equal(0, wp_remove_tree(at("topfifo")));
	assert_int_equal(-1, lstat(at("topfifo"), &st));

	assert_int_equal(-EINVAL, wp_remove_tree("/"));
	assert_int_equal(0, wp_remove_tree(at("keep")));
	assert_int_equal(-1, lstat(at("keep"), &st));
}

static void remove_tree_depth_is_bounded(void **state)
{
	char path[8192];
	size_t n;

	(void)state;
	n = (size_t)snprintf(path, sizeof(path), "%s/deep", dir);
	assert_int_equal(0, mkdir(path, 0700));
	/* Deeper than the limit: refused, but what it reached is removed. */
	for (int i = 0; i < WP_REMOVE_TREE_MAX_DEPTH + 2; i++) {
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/d");
		assert_true(n < sizeof(path));
		assert_int_equal(0, mkdir(path, 0700));
	}
	assert_int_equal(-ELOOP, wp_remove_tree(at("deep")));
	assert_int_equal(0, access(at("deep"), F_OK));
	/* Removing it bottom-up by hand works. */
	while (strlen(path) > strlen(dir)) {
		if (rmdir(path))
			break;
		*strrchr(path, '/') = '\0';
	}
	assert_int_equal(-1, access(at("deep"), F_OK));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(atomic_write_replaces_and_sets_mode),
		cmocka_unit_test(atomic_write_into_missing_dir_fails_cleanly),
		cmocka_unit_test(read_is_bounded),
		cmocka_unit_test(base64_round_trips_every_length),
		cmocka_unit_test(base64_rejects_malformed_text),
		cmocka_unit_test(sha256_matches_the_known_vector),
		cmocka_unit_test(remove_tree_removes_nested_files),
		cmocka_unit_test(atomic_write_ignores_planted_temp_links),
		cmocka_unit_test(atomic_write_replaces_a_link_or_fifo_at_the_path),
		cmocka_unit_test(atomic_write_sets_exactly_the_mode),
		cmocka_unit_test(atomic_write_failure_leaves_no_temp_file),
		cmocka_unit_test(open_regular_refuses_all_but_regular_files),
		cmocka_unit_test(read_and_hash_refuse_links_and_fifos),
		cmocka_unit_test(sha256_fd_hashes_from_the_start),
		cmocka_unit_test(resumable_open_resumes_only_own_plain_files),
		cmocka_unit_test(remove_tree_never_follows_links),
		cmocka_unit_test(remove_tree_depth_is_bounded),
	};

	/* A FIFO opened blindly would hang: make that a failure. */
	alarm(120);
	return cmocka_run_group_tests(tests, setup, teardown);
}
