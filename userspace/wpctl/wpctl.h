/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpctl: the device owner's command line for the work phone.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPCTL_H
#define WPCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "vmmctl.h"

/* Exit codes: distinct per class of failure, for scripts. */
enum wpctl_exit {
	WPCTL_OK = 0,
	WPCTL_FAILED = 1,	/* the operation ran and failed */
	WPCTL_USAGE = 2,	/* bad command line */
	WPCTL_NO_ENABLER = 3,	/* /dev/workphone missing or unusable */
	WPCTL_REFUSED = 4,	/* the enabler refused */
	WPCTL_TIMEOUT = 5,	/* nothing happened in time */
	WPCTL_NO_VMM = 6,	/* wpvmm is not running (no control socket) */
};

/* wpvmm's control socket unless --socket or WP_VMM_SOCKET says otherwise. */
#define WPCTL_VMM_SOCKET	WP_VMM_SOCKET_DEFAULT

struct wpctl_opts {
	bool json;
	const char *socket;	/* --socket, or NULL */
	/*
	 * Adds the VM to "status": into j (--json), or printed if j is
	 * NULL.  Set by main.c; a hook so that status.c links alone.
	 */
	void (*status_vm)(const struct wpctl_opts *o, json_object *j);
};

int wpctl_status(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_version(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_monitor(const struct wpctl_opts *o, int argc, char **argv);

/* vmcmd.c: the VM through wpvmm's control socket. */
int wpctl_vm_status(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_start(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_stop(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_pause(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_resume(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_lock(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_unlock(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_passwd(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_admin_unlock(const struct wpctl_opts *o, int argc, char **argv);
int wpctl_vm_request(const struct wpctl_opts *o, int argc, char **argv);
void wpctl_status_vm(const struct wpctl_opts *o, json_object *j);
/* console.c */
int wpctl_vm_console(const struct wpctl_opts *o, int argc, char **argv);

/* The options of the VM commands (vmcmd.c). */
#define WPCTL_VM_TIMEOUT_MS	30000
enum {
	A_REASON = 1 << 0,	/* --reason TEXT */
	A_FORCE = 1 << 1,	/* --force */
	A_GRACE = 1 << 2,	/* --grace SECONDS */
	A_STDIN = 1 << 3,	/* --password-stdin */
	A_RESET = 1 << 4,	/* --reset */
	A_ARG = 1 << 5,		/* one positional argument */
};

struct vm_args {
	struct wpctl_opts o;	/* --json and --socket may follow the command */
	int timeout_ms;
	const char *reason;
	bool force, from_stdin, reset;
	long grace_s;		/* -1: wpvmm's default */
	const char *arg;
};

/*
 * Parse a VM command's options: --socket, --json, --timeout, --help and
 * those in allowed.  0 or WPCTL_USAGE (reported); --help exits.
 */
int wpctl_vm_parse(const char *cmd, unsigned int allowed, const char *synopsis,
		   const char *help, const struct wpctl_opts *o, int argc, char **argv,
		   struct vm_args *a);
/* Report a failure (JSON on stdout with --json, else stderr); returns code. */
int wpctl_vm_fail(const struct vm_args *a, const char *cmd, int code, const char *word,
		  const char *msg);
/* "no-vmm", "refused", ... for an exit code. */
const char *wpctl_exit_word(int code);

/*
 * vmm.c: wpvmm's control socket, through the client of lib/vmmctl.c
 * (struct wp_vmm, wp_vmm_connect(), wp_vmm_call(), ...), whose results
 * are wpctl's exit codes.
 */
/* The socket path: --socket, WP_VMM_SOCKET, or WPCTL_VMM_SOCKET. */
const char *wpctl_vmm_socket(const struct wpctl_opts *o);
/* wp_vmm_connect(), with a hint about --socket when there is no socket. */
int wpctl_vmm_connect(struct wp_vmm *c, const char *path, char *err, size_t len);
/* The exit code for a reply: 0 if "ok", else by its "code". */
int wpctl_vmm_reply_exit(json_object *reply);

/* secret.c: read a password without echo (or a line of stdin); 0 or exit code. */
int wpctl_read_secret(const char *what, const char *prompt, bool from_stdin,
		      char *buf, size_t len);
/* Overwrite the password strings of a request before freeing it. */
void wpctl_wipe_request(json_object *req);

/* "1d 2h 3m 4s" */
const char *wpctl_duration(unsigned long long ns, char *buf, unsigned long len);

#endif /* WPCTL_H */
