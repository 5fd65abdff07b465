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
	{ "status", wpctl_status, "lease state, deadlines, daemon and VMs (and the VM if wpvmm runs)" },
	{ "version", wpctl_version, "enabler ABI, features and module version" },
	{ "monitor", wpctl_monitor,
	  "print enabler events (root; --count N, --timeout S of silence)" },
	{ "vm-status", wpctl_vm_status, "the VM as wpvmm reports it (run state, password lock)" },
	{ "start", wpctl_vm_start, "start a VM created with wpvmm --paused" },
	{ "stop", wpctl_vm_stop, "stop the VM (--force, --grace SECONDS)" },
	{ "pause", wpctl_vm_pause, "pause the VM (--reason TEXT)" },
	{ "resume", wpctl_vm_resume, "resume the paused VM" },
	{ "console", wpctl_vm_console, "attach to the VM's console (Ctrl-] detaches)" },
	{ "lock", wpctl_vm_lock, "lock the work phone now (its password unlocks it)" },
	{ "unlock", wpctl_vm_unlock, "unlock with the password (--password-stdin)" },
	{ "passwd", wpctl_vm_passwd, "set or change the password (--password-stdin)" },
	{ "admin-unlock", wpctl_vm_admin_unlock,
	  "lift a lock-out after wrong passwords (root; --reset)" },
	{ "vm-request", wpctl_vm_request, "send one raw JSON request to wpvmm (debugging)" },
};

#define WPCTL_NR_COMMANDS (sizeof(wpctl_commands) / sizeof(wpctl_commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wpctl [--json] [--socket PATH] COMMAND [ARGS]\n"
		"\n"
		"The work phone on this device: the enabler's view, and its VM through\n"
		"wpvmm's control socket.  \"wpctl COMMAND --help\" for a VM command's options.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < WPCTL_NR_COMMANDS; i++)
		fprintf(out, "  %-13s %s\n", wpctl_commands[i].name,
			wpctl_commands[i].help);
	fprintf(out,
		"\n"
		"Options:\n"
		"  --json          machine-readable output (one JSON object or line)\n"
		"  --socket PATH   wpvmm's control socket (default: $WP_VMM_SOCKET or\n"
		"                  " WPCTL_VMM_SOCKET ")\n"
		"  --help          this text\n"
		"\n"
		"Exit codes: 0 ok, 1 failed, 2 usage, 3 no enabler, 4 refused (also a\n"
		"wrong password or a lock), 5 timed out, 6 wpvmm not running.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct wpctl_opts o = { .status_vm = wpctl_status_vm };
	int c;

	/* Stop at the command: its own options follow it. */
	while ((c = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 's':
			o.socket = optarg;
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
