/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A listener for the enabler's generic-netlink events (libnl-genl-3).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WP_LIB_EVENTS_H
#define WP_LIB_EVENTS_H

#include <stdint.h>

struct nl_sock;

struct wp_event_msg {
	uint32_t event;
	uint32_t pid;
	uint32_t err;
	uint32_t lock_reasons;
	uint32_t vm_id;
	uint64_t time_ns;
	char comm[32];
};

/* Subscribe to the events group; NULL and errno set on failure. */
struct nl_sock *wp_events_open(void);
void wp_events_close(struct nl_sock *sk);

/*
 * Wait up to timeout_ms for an event of type `event` (0: any) and return 1
 * with *out filled, 0 on timeout, -errno on error.  Other events are
 * skipped.
 */
int wp_events_wait(struct nl_sock *sk, uint32_t event, int timeout_ms,
		   struct wp_event_msg *out);

#endif /* WP_LIB_EVENTS_H */
