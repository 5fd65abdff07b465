/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files in a test's temporary directory, for the cmocka tests of
 * userspace/lib.  Include after <cmocka.h>; the test defines
 * `static char dir[]` (its mkdtemp() template) before including this.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_TESTS_USERSPACE_TESTFILES_H
#define WP_TESTS_USERSPACE_TESTFILES_H

#include <stdio.h>
#include <string.h>

/* dir/name; the last eight results stay valid. */
static inline const char *at(const char *name)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

static inline void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(strlen(text), fwrite(text, 1, strlen(text), f));
	assert_int_equal(0, fclose(f));
}

static inline void assert_content(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(text, buf);
}

#endif /* WP_TESTS_USERSPACE_TESTFILES_H */
