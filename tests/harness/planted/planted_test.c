// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kselftest whose outcome the harness self-test chooses with
 * WP_PLANTED_FAIL=1, to prove a failing kselftest fails the run and a
 * passing one does not.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <stdlib.h>

#include "kselftest_harness.h"

TEST(planted)
{
	const char *fail = getenv("WP_PLANTED_FAIL");

	EXPECT_FALSE(fail && !strcmp(fail, "1"));
}

TEST_HARNESS_MAIN
