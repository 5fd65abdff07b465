// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl: the device owner's command line for the work phone.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "wpctl.h"

static const struct {
	const char *name;
	int (*run)(const struct wpctl_opts *o, int argc, char **argv);
	const char *help;
} wpctl_commands[] = {
	{ "status", wpctl_status, "lease state, deadlines, daemon and VMs" },
	{ "version", wpctl_version, "enabler ABI, features and module version" },
	{ "monitor", wpctl_monitor,
	  "print enabler events (root; --count N, --timeout S of silence)" },
};

#define WPCTL_NR_COMMANDS (sizeof(wpctl_commands) / sizeof(wpctl_commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wpctl [--json] COMMAND [ARGS]\n"
		"\n"
		"The work phone on this device, as the enabler sees it.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < WPCTL_NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", wpctl_commands[i].name,
			wpctl_commands[i].help);
	fprintf(out,
		"\n"
		"Options:\n"
		"  --json     machine-readable output (one JSON object or line)\n"
		"  --help     this text\n"
		"\n"
		"Exit codes: 0 ok, 1 failed, 2 usage, 3 no enabler, 4 refused,\n"
		"5 timed out.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct wpctl_opts o = { 0 };
	int c;

	/* Stop at the command: its own options follow it. */
	while ((c = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return WPCTL_OK;
		default:
			usage(stderr);
			return WPCTL_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "wpctl: no command given\n\n");
		usage(stderr);
		return WPCTL_USAGE;
	}
	for (size_t i = 0; i < WPCTL_NR_COMMANDS; i++)
		if (!strcmp(argv[optind], wpctl_commands[i].name))
			return wpctl_commands[i].run(&o, argc - optind,
						     argv + optind);
	fprintf(stderr, "wpctl: unknown command '%s' (see wpctl --help)\n",
		argv[optind]);
	return WPCTL_USAGE;
}
