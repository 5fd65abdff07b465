// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpctl: the work phone's VM through wpvmm's control socket: vm-status
 * (and the VM section of "status"), start, stop, pause, resume, lock,
 * unlock, passwd, admin-unlock and vm-request.
 *
 * Every command takes --socket PATH, --json, --timeout SECONDS and
 * --help.  With --json the reply of wpvmm (or, when it cannot be reached,
 * an object in the same form) is printed as one line on stdout.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "wpctl.h"

#define SECRET_MAX		256



static void cmd_usage(const char *cmd, const char *synopsis, const char *help)
{
	printf("usage: wpctl %s [--socket PATH] [--json] [--timeout SECONDS]%s%s\n\n%s\n\n"
	       "  --socket PATH      wpvmm's control socket (default: $WP_VMM_SOCKET or\n"
	       "                     " WPCTL_VMM_SOCKET ")\n"
	       "  --json             print wpvmm's reply as one JSON object\n"
	       "  --timeout SECONDS  how long to wait for the reply (default %d)\n"
	       "\n"
	       "Exit codes: 0 ok, 1 failed, 2 usage, 4 refused (wrong password, locked,\n"
	       "policy), 5 timed out, 6 wpvmm not running.\n",
	       cmd, synopsis[0] ? " " : "", synopsis, help, WPCTL_VM_TIMEOUT_MS / 1000);
}

static int parse_long(const char *cmd, const char *opt, const char *s, long min, long max,
		      long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || !*s || *end || *out < min || *out > max) {
		fprintf(stderr, "wpctl %s: --%s: '%s' is not a number from %ld to %ld\n", cmd, opt,
			s, min, max);
		return WPCTL_USAGE;
	}
	return 0;
}

int wpctl_vm_parse(const char *cmd, unsigned int allowed, const char *synopsis,
		   const char *help, const struct wpctl_opts *o, int argc, char **argv,
		   struct vm_args *a)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "grace", required_argument, NULL, 'g' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "reset", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	long n;
	int c;

	memset(a, 0, sizeof(*a));
	a->o = *o;
	a->timeout_ms = WPCTL_VM_TIMEOUT_MS;
	a->grace_s = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		unsigned int need = c == 'r' ? A_REASON : c == 'f' ? A_FORCE :
				    c == 'g' ? A_GRACE : c == 'p' ? A_STDIN :
				    c == 'R' ? A_RESET : 0;

		if (need && !(allowed & need)) {
			fprintf(stderr, "wpctl %s: %s is not an option of this command (see wpctl %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return WPCTL_USAGE;
		}
		switch (c) {
		case 's':
			a->o.socket = optarg;
			break;
		case 'j':
			a->o.json = true;
			break;
		case 't':
			if (parse_long(cmd, "timeout", optarg, 1, 3600, &n))
				return WPCTL_USAGE;
			a->timeout_ms = (int)n * 1000;
			break;
		case 'r':
			a->reason = optarg;
			break;
		case 'f':
			a->force = true;
			break;
		case 'g':
			if (parse_long(cmd, "grace", optarg, 0, 600, &a->grace_s))
				return WPCTL_USAGE;
			break;
		case 'p':
			a->from_stdin = true;
			break;
		case 'R':
			a->reset = true;
			break;
		case 'h':
			cmd_usage(cmd, synopsis, help);
			exit(WPCTL_OK);
		default:
			fprintf(stderr, "wpctl %s: unknown option '%s' (see wpctl %s --help)\n", cmd,
				argv[optind - 1], cmd);
			return WPCTL_USAGE;
		}
	}
	if ((allowed & A_ARG) && optind == argc - 1) {
		a->arg = argv[optind];
		return 0;
	}
	if (allowed & A_ARG) {
		fprintf(stderr, "wpctl %s: takes one argument (see wpctl %s --help)\n", cmd, cmd);
		return WPCTL_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "wpctl %s: unexpected argument '%s' (see wpctl %s --help)\n", cmd,
			argv[optind], cmd);
		return WPCTL_USAGE;
	}
	return 0;
}

int wpctl_vm_fail(const struct vm_args *a, const char *cmd, int code, const char *word,
		  const char *msg)
{
	if (a->o.json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "ok", json_object_new_boolean(0));
		json_object_object_add(j, "code", json_object_new_string(word));
		json_object_object_add(j, "error", json_object_new_string(msg));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		fprintf(stderr, "wpctl %s: %s\n", cmd, msg);
	}
	return code;
}

const char *wpctl_exit_word(int code)
{
	switch (code) {
	case WPCTL_NO_VMM: return "no-vmm";
	case WPCTL_REFUSED: return "refused";
	case WPCTL_TIMEOUT: return "timeout";
	case WPCTL_USAGE: return "usage";
	default: return "failed";
	}
}

/* Connect, send req, get the reply.  0, or an exit code (already reported). */
static int call(const struct vm_args *a, const char *cmd, struct wp_vmm *c,
		json_object *req, json_object **reply)
{
	char err[512];
	int ret;

	*reply = NULL;
	ret = wpctl_vmm_connect(c, wpctl_vmm_socket(&a->o), err, sizeof(err));
	if (!ret)
		ret = wp_vmm_call(c, req, a->timeout_ms, reply, err, sizeof(err));
	if (ret) {
		wp_vmm_close(c);
		return wpctl_vm_fail(a, cmd, ret, wpctl_exit_word(ret), err);
	}
	return 0;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long num(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static bool flag(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static json_object *sub(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/*
 * Report a reply: with --json print it; otherwise print ok_text on
 * success or the error on stderr.  Returns the exit code.  Consumes reply.
 */
static int report(const struct vm_args *a, const char *cmd, json_object *reply,
		  const char *ok_text)
{
	int code = wpctl_vmm_reply_exit(reply);

	if (a->o.json)
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (code)
		fprintf(stderr, "wpctl %s: %s\n", cmd, str(reply, "error") ? str(reply, "error") :
			"wpvmm refused without a reason");
	else if (ok_text)
		printf("%s\n", ok_text);
	json_object_put(reply);
	return code;
}

/* One request, one reply, reported; a password in the request is wiped. */
static int simple(const struct vm_args *a, const char *cmd, json_object *req,
		  const char *ok_text)
{
	struct wp_vmm c;
	json_object *reply;
	int ret;

	ret = call(a, cmd, &c, req, &reply);
	wpctl_wipe_request(req);
	json_object_put(req);
	if (ret)
		return ret;
	wp_vmm_close(&c);
	return report(a, cmd, reply, ok_text);
}

static json_object *request(const char *cmd)
{
	json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

/* --- status ---------------------------------------------------------------- */

/* The status reply of wpvmm, or NULL (err and the exit code set). */
static json_object *get_status(const struct vm_args *a, char *err, size_t len, int *code)
{
	struct wp_vmm c;
	json_object *req = request("status"), *reply = NULL;

	*code = wpctl_vmm_connect(&c, wpctl_vmm_socket(&a->o), err, len);
	if (!*code)
		*code = wp_vmm_call(&c, req, a->timeout_ms, &reply, err, len);
	wp_vmm_close(&c);
	json_object_put(req);
	if (!*code && wpctl_vmm_reply_exit(reply)) {
		snprintf(err, len, "%s", str(reply, "error") ? str(reply, "error") : "status refused");
		*code = wpctl_vmm_reply_exit(reply);
		json_object_put(reply);
		reply = NULL;
	}
	return reply;
}

static void print_password(json_object *pw)
{
	json_object *policy = sub(pw, "policy");
	char t[32];

	printf("Password:      %s", str(pw, "message") ? str(pw, "message") : "?");
	if (num(pw, "failed_tries") && !flag(pw, "locked_out")) {
		printf(" (%lld wrong tr%s", num(pw, "failed_tries"),
		       num(pw, "failed_tries") == 1 ? "y" : "ies");
		if (num(pw, "max_retries"))
			printf(", %lld left", num(pw, "tries_left"));
		printf(")");
	}
	printf("\n");
	if (policy)
		printf("Policy:        %s%s, at least %lld characters, %lld tries%s\n",
		       flag(policy, "required") ? "" : "optional, ",
		       str(policy, "strength") ? str(policy, "strength") : "?",
		       num(policy, "min_length"), num(policy, "max_retries"),
		       num(policy, "max_retries") ? "" : " (unlimited)");
	if (policy && num(policy, "auto_lock_s")) {
		printf("Auto-lock:     after %s of inactivity",
		       wpctl_duration((unsigned long long)num(policy, "auto_lock_s") * 1000000000ULL,
				      t, sizeof(t)));
		if (json_object_object_get_ex(pw, "locks_in_ms", NULL))
			printf(", in %s", wpctl_duration((unsigned long long)num(pw, "locks_in_ms") *
							 1000000ULL, t, sizeof(t)));
		printf("\n");
	}
}

static void print_vm(json_object *st, const char *path)
{
	json_object *paused = sub(st, "paused"), *locked = sub(st, "locked");
	json_object *image = sub(st, "image"), *pw = sub(st, "password");
	const char *state = str(st, "state") ? str(st, "state") : "?";
	char t[32];

	printf("VM:            %s", state);
	if (paused && str(paused, "reason"))
		printf(" (%s)", str(paused, "reason"));
	else if (locked)
		printf(" (the enabler: %s)", str(locked, "reasons") ? str(locked, "reasons") : "locked");
	else if (!strcmp(state, "created"))
		printf(" (waiting for start)");
	if (!strcmp(state, "running") || !strcmp(state, "paused"))
		printf(", up %s", wpctl_duration((unsigned long long)num(st, "uptime_ms") * 1000000ULL,
						 t, sizeof(t)));
	printf("\n");
	if (image)
		printf("Image:         %s, %lld vCPU%s, %lld MiB\n",
		       str(image, "name") && *str(image, "name") ? str(image, "name") : "(unnamed)",
		       num(image, "vcpus"), num(image, "vcpus") == 1 ? "" : "s",
		       num(image, "memory_mib"));
	if (pw)
		print_password(pw);
	printf("VMM:           wpvmm pid %lld on %s\n", num(st, "pid"), path);
}

void wpctl_status_vm(const struct wpctl_opts *o, json_object *j)
{
	struct vm_args a = { .o = *o, .timeout_ms = 5000 };
	json_object *st;
	char err[512];
	int code;

	st = get_status(&a, err, sizeof(err), &code);
	if (j) {
		if (st) {
			json_object_object_del(st, "ok");
		} else if (code != WPCTL_NO_VMM) {
			st = json_object_new_object();
			json_object_object_add(st, "error", json_object_new_string(err));
		}
		json_object_object_add(j, "vm", st);
		return;
	}
	if (st) {
		print_vm(st, wpctl_vmm_socket(o));
		json_object_put(st);
	} else if (code != WPCTL_NO_VMM) {
		printf("VM:            %s\n", err);
	}
}

int wpctl_vm_status(const struct wpctl_opts *o, int argc, char **argv)
{
	struct vm_args a;
	json_object *st;
	char err[512];
	int code;

	code = wpctl_vm_parse("vm-status", 0, "",
			"The work phone's VM as wpvmm reports it: run state, pause reason,\n"
			"password lock, image.",
			o, argc, argv, &a);
	if (code)
		return code;
	st = get_status(&a, err, sizeof(err), &code);
	if (!st)
		return wpctl_vm_fail(&a, "vm-status", code, wpctl_exit_word(code), err);
	if (a.o.json)
		printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_vm(st, wpctl_vmm_socket(&a.o));
	json_object_put(st);
	return WPCTL_OK;
}

/* --- run state --------------------------------------------------------------- */

int wpctl_vm_start(const struct wpctl_opts *o, int argc, char **argv)
{
	struct wp_vmm c;
	struct vm_args a;
	json_object *req, *reply;
	int ret;

	ret = wpctl_vm_parse("start", 0, "", "Start a VM that wpvmm created with --paused.", o, argc,
		       argv, &a);
	if (ret)
		return ret;
	req = request("start");
	ret = call(&a, "start", &c, req, &reply);
	json_object_put(req);
	if (ret)
		return ret;
	wp_vmm_close(&c);
	return report(&a, "start", reply, flag(reply, "password_locked") ?
		      "Started; it runs once the work phone is unlocked (wpctl unlock)." :
		      "Started.");
}

int wpctl_vm_stop(const struct wpctl_opts *o, int argc, char **argv)
{
	struct wp_vmm c;
	struct vm_args a;
	json_object *req, *reply;
	char text[512];
	int ret;

	ret = wpctl_vm_parse("stop", A_FORCE | A_GRACE, "[--force] [--grace SECONDS]",
		       "Stop the VM: the guest is asked to power off and, after --grace\n"
		       "seconds (wpvmm's default: 10), stopped; --force stops it at once.\n"
		       "Waits until wpvmm reports the VM stopped.",
		       o, argc, argv, &a);
	if (ret)
		return ret;
	req = request("stop");
	if (a.force)
		json_object_object_add(req, "force", json_object_new_boolean(1));
	if (a.grace_s >= 0)
		json_object_object_add(req, "timeout_ms", json_object_new_int64(a.grace_s * 1000));
	ret = call(&a, "stop", &c, req, &reply);
	json_object_put(req);
	if (ret)
		return ret;
	wp_vmm_close(&c);
	snprintf(text, sizeof(text), "Stopped: %s%s%s%s.", str(reply, "reason") ? str(reply, "reason") : "",
		 str(reply, "detail") && *str(reply, "detail") ? " (" : "",
		 str(reply, "detail") ? str(reply, "detail") : "",
		 str(reply, "detail") && *str(reply, "detail") ? ")" : "");
	return report(&a, "stop", reply, text);
}

int wpctl_vm_pause(const struct wpctl_opts *o, int argc, char **argv)
{
	struct vm_args a;
	json_object *req;
	int ret;

	ret = wpctl_vm_parse("pause", A_REASON, "[--reason TEXT]",
		       "Pause the VM: every vCPU leaves the guest until resume.", o, argc, argv, &a);
	if (ret)
		return ret;
	req = request("pause");
	if (a.reason)
		json_object_object_add(req, "reason", json_object_new_string(a.reason));
	return simple(&a, "pause", req, "Paused.");
}

int wpctl_vm_resume(const struct wpctl_opts *o, int argc, char **argv)
{
	struct vm_args a;
	int ret;

	ret = wpctl_vm_parse("resume", 0, "", "Resume a paused VM.", o, argc, argv, &a);
	if (ret)
		return ret;
	return simple(&a, "resume", request("resume"), "Resumed.");
}

int wpctl_vm_lock(const struct wpctl_opts *o, int argc, char **argv)
{
	struct vm_args a;
	int ret;

	ret = wpctl_vm_parse("lock", 0, "",
		       "Lock the work phone now: it stops running until unlocked with its\n"
		       "password.",
		       o, argc, argv, &a);
	if (ret)
		return ret;
	return simple(&a, "lock", request("lock"), "Locked.");
}

int wpctl_vm_admin_unlock(const struct wpctl_opts *o, int argc, char **argv)
{
	struct vm_args a;
	json_object *req;
	int ret;

	ret = wpctl_vm_parse("admin-unlock", A_RESET, "[--reset]",
		       "Lift a lock-out after too many wrong passwords (root only: wpd sends\n"
		       "this after a signed command of the server).  The password is still\n"
		       "needed to unlock; --reset also forgets it, so a new one must be set.",
		       o, argc, argv, &a);
	if (ret)
		return ret;
	req = request("admin-unlock");
	if (a.reset)
		json_object_object_add(req, "reset", json_object_new_boolean(1));
	return simple(&a, "admin-unlock", req, a.reset ?
		      "Lock-out lifted and password reset: set a new one with wpctl passwd." :
		      "Lock-out lifted: unlock with the password.");
}

int wpctl_vm_request(const struct wpctl_opts *o, int argc, char **argv)
{
	struct vm_args a;
	json_object *req;
	int ret;

	ret = wpctl_vm_parse("vm-request", A_ARG, "JSON",
		       "Send one raw request to wpvmm's control socket and print the reply\n"
		       "(for debugging), e.g. wpctl vm-request '{\"cmd\":\"activity\"}'.",
		       o, argc, argv, &a);
	if (ret)
		return ret;
	req = json_tokener_parse(a.arg);
	if (!req || !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		fprintf(stderr, "wpctl vm-request: the argument is not a JSON object\n");
		return WPCTL_USAGE;
	}
	a.o.json = true;
	return simple(&a, "vm-request", req, NULL);
}

/* --- passwords ------------------------------------------------------------- */

/* What wpvmm would answer to unlocking an unlocked phone, for --json. */
static json_object *not_locked_reply(void)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(1));
	json_object_object_add(r, "locked", json_object_new_boolean(0));
	return r;
}

/* The "password" object of the status, or NULL (reported, *code set). */
static json_object *password_state(const struct vm_args *a, const char *cmd, int *code)
{
	json_object *st, *pw;
	char err[512];

	st = get_status(a, err, sizeof(err), code);
	if (!st) {
		wpctl_vm_fail(a, cmd, *code, wpctl_exit_word(*code), err);
		return NULL;
	}
	pw = sub(st, "password");
	if (!pw) {
		json_object_put(st);
		*code = wpctl_vm_fail(a, cmd, WPCTL_FAILED, "no-password",
			     "this VM has no password policy (wpvmm --password-policy)");
		return NULL;
	}
	json_object_get(pw);
	json_object_put(st);
	return pw;
}

int wpctl_vm_unlock(const struct wpctl_opts *o, int argc, char **argv)
{
	char secret[SECRET_MAX];
	struct vm_args a;
	json_object *pw, *req;
	int ret;

	ret = wpctl_vm_parse("unlock", A_STDIN, "[--password-stdin]",
		       "Unlock the work phone with its password, asked on the terminal\n"
		       "without echo, or read as one line of standard input.",
		       o, argc, argv, &a);
	if (ret)
		return ret;
	pw = password_state(&a, "unlock", &ret);
	if (!pw)
		return ret;
	if (flag(pw, "locked_out") || flag(pw, "must_set") || !flag(pw, "locked")) {
		bool out = flag(pw, "locked_out"), unset = flag(pw, "must_set");

		json_object_put(pw);
		if (out)
			return wpctl_vm_fail(&a, "unlock", WPCTL_REFUSED, "locked-out",
				    "the work phone is locked out after too many wrong passwords: only the administrator can lift it");
		if (unset)
			return wpctl_vm_fail(&a, "unlock", WPCTL_REFUSED, "no-password-set",
				    "no password is set yet: set one with wpctl passwd");
		req = not_locked_reply();
		return report(&a, "unlock", req, "The work phone is not locked.");
	}
	json_object_put(pw);
	ret = wpctl_read_secret("unlock", "password", a.from_stdin, secret, sizeof(secret));
	if (ret)
		return ret;
	req = request("unlock");
	json_object_object_add(req, "password", json_object_new_string(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return simple(&a, "unlock", req, "Unlocked.");
}

int wpctl_vm_passwd(const struct wpctl_opts *o, int argc, char **argv)
{
	char old[SECRET_MAX] = "", new[SECRET_MAX] = "", again[SECRET_MAX] = "";
	struct vm_args a;
	json_object *pw, *req;
	bool set;
	int ret;

	ret = wpctl_vm_parse("passwd", A_STDIN, "[--password-stdin]",
		       "Set or change the work phone's password: the current one (if one is\n"
		       "set), then the new one twice, asked on the terminal without echo.\n"
		       "With --password-stdin: the current one (if set) and the new one, one\n"
		       "per line.  A correct change also unlocks the work phone, and is the\n"
		       "only way in once the password has expired.",
		       o, argc, argv, &a);
	if (ret)
		return ret;
	pw = password_state(&a, "passwd", &ret);
	if (!pw)
		return ret;
	set = flag(pw, "set");
	if (flag(pw, "locked_out")) {
		json_object_put(pw);
		return wpctl_vm_fail(&a, "passwd", WPCTL_REFUSED, "locked-out",
			    "the work phone is locked out after too many wrong passwords: only the administrator can lift it");
	}
	json_object_put(pw);
	if (set)
		ret = wpctl_read_secret("passwd", "current password", a.from_stdin, old, sizeof(old));
	if (!ret)
		ret = wpctl_read_secret("passwd", "new password", a.from_stdin, new, sizeof(new));
	if (!ret && !a.from_stdin) {
		ret = wpctl_read_secret("passwd", "new password again", false, again, sizeof(again));
		if (!ret && strcmp(new, again)) {
			fprintf(stderr, "wpctl passwd: the two new passwords differ; nothing changed\n");
			ret = WPCTL_USAGE;
		}
	}
	OPENSSL_cleanse(again, sizeof(again));
	if (ret) {
		OPENSSL_cleanse(old, sizeof(old));
		OPENSSL_cleanse(new, sizeof(new));
		return ret;
	}
	req = request("passwd");
	if (set)
		json_object_object_add(req, "old", json_object_new_string(old));
	json_object_object_add(req, "new", json_object_new_string(new));
	OPENSSL_cleanse(old, sizeof(old));
	OPENSSL_cleanse(new, sizeof(new));
	return simple(&a, "passwd", req, set ? "Password changed; the work phone is unlocked." :
				"Password set; the work phone is unlocked.");
}
