// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests (cmocka) of the device tools' shared code that needs no
 * enabler: names, reasons, durations and error explanations.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "enabler.h"
#include "wpctl.h"

static void state_names(void **state)
{
	(void)state;
	assert_string_equal("UNPROVISIONED", wp_state_name(WORKPHONE_STATE_UNPROVISIONED));
	assert_string_equal("ACTIVE", wp_state_name(WORKPHONE_STATE_ACTIVE));
	assert_string_equal("LOCKED", wp_state_name(WORKPHONE_STATE_LOCKED));
	assert_string_equal("WIPED", wp_state_name(WORKPHONE_STATE_WIPED));
	assert_string_equal("UNKNOWN", wp_state_name(42));
}

static void lock_reasons_are_listed_in_order(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal("none", wp_lock_reasons_str(0, buf, sizeof(buf)));
	assert_string_equal("lease-expired",
			    wp_lock_reasons_str(WORKPHONE_LOCK_LEASE, buf, sizeof(buf)));
	assert_string_equal("daemon-lost,admin",
			    wp_lock_reasons_str(WORKPHONE_LOCK_ADMIN |
						WORKPHONE_LOCK_DAEMON_LOST, buf, sizeof(buf)));
	assert_string_equal("daemon-lost,lease-expired,admin,wiped,unprovisioned",
			    wp_lock_reasons_str(0x1f, buf, sizeof(buf)));
}

static void lock_reasons_never_overflow(void **state)
{
	char small[8];

	(void)state;
	wp_lock_reasons_str(0x1f, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void event_names(void **state)
{
	(void)state;
	assert_string_equal("bind-failed", wp_event_name(WORKPHONE_EVENT_BIND_FAILED));
	assert_string_equal("wiped", wp_event_name(WORKPHONE_EVENT_WIPED));
	assert_string_equal("unknown", wp_event_name(0));
	assert_string_equal("unknown", wp_event_name(1000));
}

static void explanations_name_the_remedy(void **state)
{
	(void)state;
	assert_non_null(strstr(wp_enabler_explain(-ENOENT), "workphone.ko"));
	assert_non_null(strstr(wp_enabler_explain(-ENOKEY), "wp-provision"));
	assert_non_null(strstr(wp_enabler_explain(-ENODATA), "signed"));
	assert_string_equal(strerror(ENOSPC), wp_enabler_explain(-ENOSPC));
}

static void durations_read_naturally(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal("0.250s", wpctl_duration(250000000ULL, buf, sizeof(buf)));
	assert_string_equal("1m 5s", wpctl_duration(65000000000ULL, buf, sizeof(buf)));
	assert_string_equal("2h 0m 1s", wpctl_duration(7201000000000ULL, buf, sizeof(buf)));
	assert_string_equal("3d 1h 0m", wpctl_duration(262800000000000ULL, buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_names),
		cmocka_unit_test(lock_reasons_are_listed_in_order),
		cmocka_unit_test(lock_reasons_never_overflow),
		cmocka_unit_test(event_names),
		cmocka_unit_test(explanations_name_the_remedy),
		cmocka_unit_test(durations_read_naturally),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
