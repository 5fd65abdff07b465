/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpctl: the device owner's command line for the work phone.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPCTL_H
#define WPCTL_H

#include <stdbool.h>

/* Exit codes: distinct per class of failure, for scripts. */
enum wpctl_exit {
	WPCTL_OK = 0,
	WPCTL_FAILED = 1,	/* the operation ran and failed */
	WPCTL_USAGE = 2,	/* bad command line */
	WPCTL_NO_ENABLER = 3,	/* /dev/workphone missing or unusable */
	WPCTL_REFUSED = 4,	/* the enabler refused */
	WPCTL_TIMEOUT = 5,	/* nothing happened in time */
};

struct wpctl_opts {
	bool json;
};

int wpctl_status(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_version(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_monitor(const struct wpctl_opts *o, int argc, char **argv);

/* "1d 2h 3m 4s" */
const char *wpctl_duration(unsigned long long ns, char *buf, unsigned long len);

#endif /* WPCTL_H */
