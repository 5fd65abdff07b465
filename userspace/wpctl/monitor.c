// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl monitor: the enabler's events, one line each.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "enabler.h"
#include "events.h"
#include "wpctl.h"

static void print_event(const struct wpctl_opts *o, const struct wp_event_msg *ev)
{
	char reasons[128];

	wp_lock_reasons_str(ev->lock_reasons, reasons, sizeof(reasons));
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string(wp_event_name(ev->event)));
		json_object_object_add(j, "time_ns", json_object_new_int64((int64_t)ev->time_ns));
		if (ev->pid)
			json_object_object_add(j, "pid", json_object_new_int64(ev->pid));
		if (ev->err)
			json_object_object_add(j, "errno", json_object_new_string(strerror((int)ev->err)));
		if (ev->event == WORKPHONE_EVENT_LOCK_CHANGED)
			json_object_object_add(j, "lock_reasons", json_object_new_string(reasons));
		if (ev->vm_id)
			json_object_object_add(j, "vm", json_object_new_int64(ev->vm_id));
		if (ev->comm[0])
			json_object_object_add(j, "comm", json_object_new_string(ev->comm));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
	} else {
		printf("[%llu.%03llu] %s", (unsigned long long)(ev->time_ns / 1000000000ULL),
		       (unsigned long long)(ev->time_ns / 1000000 % 1000),
		       wp_event_name(ev->event));
		if (ev->pid)
			printf(" pid=%u", ev->pid);
		if (ev->comm[0])
			printf(" comm=%s", ev->comm);
		if (ev->err)
			printf(" error=\"%s\"", strerror((int)ev->err));
		if (ev->event == WORKPHONE_EVENT_LOCK_CHANGED)
			printf(" lock=%s", reasons);
		if (ev->vm_id)
			printf(" vm=%u", ev->vm_id);
		printf("\n");
	}
	fflush(stdout);
}

int wpctl_monitor(const struct wpctl_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 }
	};
	long count = -1, timeout_s = -1, seen = 0;
	struct wp_event_msg ev;
	struct nl_sock *sk;
	char *end;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:", longopts, NULL)) != -1) {
		long *dst = c == 'c' ? &count : &timeout_s;

		if (c != 'c' && c != 't')
			return WPCTL_USAGE;
		errno = 0;
		*dst = strtol(optarg, &end, 10);
		if (errno || *end || *dst <= 0) {
			fprintf(stderr, "wpctl monitor: --%s: '%s' is not a positive number\n",
				c == 'c' ? "count" : "timeout", optarg);
			return WPCTL_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wpctl monitor: unexpected argument '%s'\n", argv[optind]);
		return WPCTL_USAGE;
	}
	sk = wp_events_open();
	if (!sk) {
		fprintf(stderr, "wpctl monitor: cannot subscribe to enabler events: %s\n",
			errno == EPERM ? "only root (CAP_SYS_ADMIN) may" :
			errno == ENOENT ? "the enabler is not loaded" : strerror(errno));
		return errno == EPERM ? WPCTL_REFUSED : WPCTL_NO_ENABLER;
	}
	while (count < 0 || seen < count) {
		/* --timeout: give up after that long without an event. */
		ret = wp_events_wait(sk, 0, timeout_s > 0 ? (int)(timeout_s * 1000) : 3600000, &ev);
		if (ret < 0) {
			fprintf(stderr, "wpctl monitor: %s\n", strerror(-ret));
			wp_events_close(sk);
			return WPCTL_FAILED;
		}
		if (!ret) {
			if (timeout_s > 0) {
				wp_events_close(sk);
				return count > 0 ? WPCTL_TIMEOUT : WPCTL_OK;
			}
			continue;
		}
		print_event(o, &ev);
		seen++;
	}
	wp_events_close(sk);
	return WPCTL_OK;
}
