// SPDX-License-Identifier: GPL-2.0-only
/*
 * enabler_ctl: drive the enabler from shell tests as the test server
 * would, with documents signed by the test server key.
 *
 *   enabler_ctl activate   provision (or renew) with long periods, unlock
 *   enabler_ctl lock       admin lock (signed LOCK command)
 *   enabler_ctl unlock     admin unlock (signed UNLOCK command)
 *   enabler_ctl vms        print the number of VMs the enabler accounts
 *   enabler_ctl locks      print the lock reasons bitmask
 *
 * Exit status 0 on success, 1 on failure (the errno is printed).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/wp_lease.h"
#include "../lib/wp_test.h"

static int command(unsigned int kind)
{
	struct wpdoc f;
	int fd = wp_open_bound(), ret;

	if (fd < 0)
		return fd;
	wp_doc_defaults(&f);
	f.kind = kind;
	/* A fresh command id each time: ids are single-use. */
	srand((unsigned int)(getpid() ^ wp_realtime_ns()));
	for (size_t i = 0; i < sizeof(f.command_id); i++)
		f.command_id[i] = (uint8_t)rand();
	f.command_id[0] |= 1;
	ret = wp_submit(fd, &f, "server");
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *what = argc == 2 ? argv[1] : "";
	int ret;

	if (!strcmp(what, "activate")) {
		ret = wp_ensure_active();
	} else if (!strcmp(what, "lock")) {
		ret = command(WORKPHONE_DOC_LOCK);
	} else if (!strcmp(what, "unlock")) {
		ret = command(WORKPHONE_DOC_UNLOCK);
	} else if (!strcmp(what, "vms")) {
		ret = wp_nr_vms();
		if (ret >= 0) {
			printf("%d\n", ret);
			return 0;
		}
	} else if (!strcmp(what, "locks")) {
		ret = wp_lock_reasons();
		if (ret >= 0) {
			printf("%#x\n", ret);
			return 0;
		}
	} else {
		fprintf(stderr, "usage: enabler_ctl activate|lock|unlock|vms|locks\n");
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "enabler_ctl %s: %s\n", what, strerror(-ret));
		return 1;
	}
	return 0;
}
