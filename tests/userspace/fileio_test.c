// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests (cmocka) of userspace/lib/fileio: crash-safe writes, bounded
 * reads, strict base64, SHA-256 and tree removal.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
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
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"

static char dir[] = "/tmp/wp-fileio-XXXXXX";

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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
