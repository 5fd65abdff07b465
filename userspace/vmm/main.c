// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the work phone's virtual machine monitor.  Command line, input
 * validation, the main loop and the exit report.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"
#include "control.h"
#include "evloop.h"
#include "loader/bzimage.h"
#include "manifest.h"
#include "password.h"
#include "util.h"
#include "vm.h"

#define WPVMM_VERSION	"0.1"
#define SIGNAL_STOP_TIMEOUT_MS	5000

static const char usage[] =
"Usage: wpvmm [OPTIONS] IMAGE_DIR\n"
"       wpvmm [OPTIONS] --kernel BZIMAGE [--initrd FILE] [--disk FILE] --cmdline TEXT\n"
"             --mem MIB --vcpus N\n"
"\n"
"Boot a work-phone image (a directory with manifest.json, see\n"
"Documentation/image-format.rst) in a KVM virtual machine.  KVM comes from\n"
"the Workphone enabler (/dev/workphone); wpvmm never opens /dev/kvm.\n"
"\n"
"Machine:\n"
"  --mem MIB              guest memory in MiB (overrides the manifest)\n"
"  --vcpus N              number of vCPUs (overrides the manifest)\n"
"  --cmdline TEXT         kernel command line (overrides the manifest)\n"
"  --kernel, --initrd, --disk FILE\n"
"                         boot these instead of an image directory's\n"
"Host side:\n"
"  --console KIND         where the serial console goes: stdio (default), pty,\n"
"                         unix:PATH (a listening socket), file:PATH, none\n"
"  --control PATH         JSON control socket (start, pause, resume, stop,\n"
"                         status, ping, console, unlock, passwd, lock,\n"
"                         activity, admin-unlock, policy-reload)\n"
"  --password-policy FILE the work phone's password rules (JSON, written by\n"
"                         wp-provision); with a required password the VM\n"
"                         starts locked until \"unlock\" (needs --control)\n"
"  --password-state FILE  where the password hash, failed tries and lock-out\n"
"                         are kept (JSON, mode 0600; created when needed)\n"
"  --paused               create the VM but run it only on \"start\"\n"
"  --on-reboot ACTION     restart (default: boot again in this process) or exit\n"
"  --raw-kvm              open /dev/kvm directly instead of the enabler: the\n"
"                         benchmark baseline and for development only, never\n"
"                         for production\n"
"Other:\n"
"  --check                validate the image and options, print the resolved\n"
"                         configuration, exit (needs no KVM)\n"
"  --json                 errors and the exit report as JSON lines on stderr\n"
"  -v, --verbose          more messages (repeat for debug)\n"
"  -q, --quiet            errors only\n"
"  -h, --help             this text\n"
"  --version              print the version\n"
"\n"
"Exit status:\n"
"  0  the guest powered off, or was stopped (control socket, SIGTERM, SIGINT)\n"
"  1  a host-side failure while running\n"
"  2  bad command line, manifest or image (nothing was started)\n"
"  3  KVM unavailable: the enabler is missing or refused this program\n"
"  4  the guest crashed: triple fault, KVM internal error\n"
"  5  the guest rebooted and --on-reboot=exit was given\n";

enum {
	OPT_MEM = 256, OPT_VCPUS, OPT_CMDLINE, OPT_KERNEL, OPT_INITRD, OPT_DISK,
	OPT_CONSOLE, OPT_CONTROL, OPT_PAUSED, OPT_ON_REBOOT, OPT_RAW_KVM, OPT_CHECK,
	OPT_JSON, OPT_VERSION, OPT_PASSWORD_POLICY, OPT_PASSWORD_STATE,
};

static const struct option options[] = {
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "paused", no_argument, NULL, OPT_PAUSED },
	{ "password-policy", required_argument, NULL, OPT_PASSWORD_POLICY },
	{ "password-state", required_argument, NULL, OPT_PASSWORD_STATE },
	{ "on-reboot", required_argument, NULL, OPT_ON_REBOOT },
	{ "raw-kvm", no_argument, NULL, OPT_RAW_KVM },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Command-line values that override the manifest. */
struct overrides {
	const char *mem, *vcpus, *cmdline, *kernel, *initrd, *disk;
	const char *password_policy, *password_state;
};

static int parse_number(const char *field, const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return vmm_input_error(field, "\"%s\" is not a number", s);
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return vmm_input_error(field, "\"%s\" is not a number", s);
	if (*out > max)
		return vmm_input_error(field, "%s is too large", s);
	return 0;
}

static int parse_console(struct vmm_config *cfg, const char *s)
{
	if (!strcmp(s, "stdio"))
		cfg->console = CONSOLE_STDIO;
	else if (!strcmp(s, "pty"))
		cfg->console = CONSOLE_PTY;
	else if (!strcmp(s, "none"))
		cfg->console = CONSOLE_NONE;
	else if (!strncmp(s, "unix:", 5) && s[5])
		cfg->console = CONSOLE_UNIX;
	else if (!strncmp(s, "file:", 5) && s[5])
		cfg->console = CONSOLE_FILE;
	else
		return vmm_input_error("console", "\"%s\": use stdio, pty, unix:PATH, file:PATH or none", s);
	if (cfg->console == CONSOLE_UNIX || cfg->console == CONSOLE_FILE)
		cfg->console_path = strdup(s + 5);
	return 0;
}

static int apply_overrides(struct vmm_config *cfg, const struct overrides *o)
{
	uint64_t n;
	int ret;

	if (o->mem) {
		ret = parse_number("memory", o->mem, UINT32_MAX, &n);
		if (ret)
			return ret;
		cfg->mem_mib = n;
	}
	if (o->vcpus) {
		ret = parse_number("vcpus", o->vcpus, UINT32_MAX, &n);
		if (ret)
			return ret;
		cfg->vcpus = (unsigned int)n;
	}
#define OVERRIDE(field) \
	if (o->field) { free(cfg->field); cfg->field = strdup(o->field); }
	OVERRIDE(cmdline);
	OVERRIDE(kernel);
	OVERRIDE(initrd);
	OVERRIDE(disk);
#undef OVERRIDE
	if (!cfg->image_dir) {
		if (!cfg->kernel)
			return vmm_input_error("image", "no image directory and no --kernel (see --help)");
		if (!o->mem)
			return vmm_input_error("memory", "--mem is required without an image directory");
		if (!o->vcpus)
			return vmm_input_error("vcpus", "--vcpus is required without an image directory");
		if (!cfg->cmdline)
			cfg->cmdline = strdup("console=ttyS0");
	}
	return 0;
}

/* --password-policy and --password-state: read and check both now. */
static int load_password(struct vmm_config *cfg, const struct overrides *o)
{
	if (!o->password_policy && !o->password_state)
		return 0;
	if (!o->password_state)
		return vmm_input_error("password-state", "--password-policy needs --password-state FILE (where the hash is kept)");
	if (!o->password_policy)
		return vmm_input_error("password-policy", "--password-state needs --password-policy FILE");
	if (!cfg->control_path)
		return vmm_input_error("password-policy", "a password lock needs --control: unlock and passwd come through the control socket");
	cfg->password_policy = calloc(1, sizeof(*cfg->password_policy));
	cfg->password_state = strdup(o->password_state);
	if (!cfg->password_policy || !cfg->password_state)
		return vmm_input_error("password-policy", "out of memory");
	if (password_policy_load(o->password_policy, cfg->password_policy))
		return -EINVAL;
	return password_state_check(cfg->password_state);
}

static int parse_args(int argc, char **argv, struct vmm_config *cfg)
{
	struct overrides o = { 0 };
	int c, ret;

	cfg->console = CONSOLE_STDIO;
	cfg->on_reboot = REBOOT_RESTART;
	while ((c = getopt_long(argc, argv, "vqh", options, NULL)) != -1) {
		switch (c) {
		case OPT_MEM: o.mem = optarg; break;
		case OPT_VCPUS: o.vcpus = optarg; break;
		case OPT_CMDLINE: o.cmdline = optarg; break;
		case OPT_KERNEL: o.kernel = optarg; break;
		case OPT_INITRD: o.initrd = optarg; break;
		case OPT_DISK: o.disk = optarg; break;
		case OPT_CONSOLE:
			ret = parse_console(cfg, optarg);
			if (ret)
				return ret;
			break;
		case OPT_CONTROL:
			free(cfg->control_path);
			cfg->control_path = strdup(optarg);
			break;
		case OPT_PAUSED: cfg->start_paused = true; break;
		case OPT_PASSWORD_POLICY: o.password_policy = optarg; break;
		case OPT_PASSWORD_STATE: o.password_state = optarg; break;
		case OPT_ON_REBOOT:
			if (!strcmp(optarg, "restart"))
				cfg->on_reboot = REBOOT_RESTART;
			else if (!strcmp(optarg, "exit"))
				cfg->on_reboot = REBOOT_EXIT;
			else
				return vmm_input_error("on-reboot", "\"%s\": use restart or exit", optarg);
			break;
		case OPT_RAW_KVM: cfg->raw_kvm = true; break;
		case OPT_CHECK: cfg->check_only = true; break;
		case OPT_JSON: vmm_log_json = true; break;
		case 'v': vmm_log_level++; break;
		case 'q': vmm_log_level = VMM_LOG_ERR; break;
		case 'h': fputs(usage, stdout); exit(0);
		case OPT_VERSION: printf("wpvmm %s\n", WPVMM_VERSION); exit(0);
		default:
			return vmm_input_error("usage", "unknown option (see --help)");
		}
	}
	if (optind < argc - 1)
		return vmm_input_error("usage", "more than one image directory given");
	if (optind == argc - 1) {
		cfg->image_dir = strdup(argv[optind]);
		ret = manifest_load(cfg->image_dir, cfg);
		if (ret)
			return ret;
	}
	ret = apply_overrides(cfg, &o);
	if (ret)
		return ret;
	return load_password(cfg, &o);
}

/* SIGINT, SIGTERM, SIGHUP: stop cleanly; a second one stops at once. */
struct signals {
	int fd;
	struct control *ctl;
	unsigned int count;
};

static void signal_ready(void *opaque, uint32_t events)
{
	struct signals *s = opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(s->fd, &si, sizeof(si)) != sizeof(si))
		return;
	vmm_info("%s: stopping the VM", strsignal((int)si.ssi_signo));
	control_request_stop(s->ctl, s->count++ > 0, SIGNAL_STOP_TIMEOUT_MS, "a signal");
}

static int block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	/* Blocked before any thread exists, so only the signalfd sees them. */
	return pthread_sigmask(SIG_BLOCK, set, NULL);
}

static int exit_code(enum vm_stop_reason reason)
{
	switch (reason) {
	case VM_STOP_NONE:
	case VM_STOP_POWEROFF:
	case VM_STOP_REQUESTED:
		return VMM_EXIT_OK;
	case VM_STOP_REBOOT:
		return VMM_EXIT_REBOOT;
	case VM_STOP_TRIPLE_FAULT:
	case VM_STOP_GUEST_ERROR:
		return VMM_EXIT_GUEST_CRASH;
	case VM_STOP_HOST_ERROR:
		return VMM_EXIT_ERROR;
	}
	return VMM_EXIT_ERROR;
}

static void report_exit(enum vm_stop_reason reason, const char *detail, int code)
{
	if (vmm_log_json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "event", json_object_new_string("exit"));
		json_object_object_add(o, "reason", json_object_new_string(vm_stop_reason_name(reason)));
		json_object_object_add(o, "detail", json_object_new_string(detail));
		json_object_object_add(o, "exit_code", json_object_new_int(code));
		fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else if (code == VMM_EXIT_OK || code == VMM_EXIT_REBOOT) {
		vmm_info("VM ended: %s (%s)", vm_stop_reason_name(reason), detail);
	} else {
		vmm_err("VM ended: %s (%s)", vm_stop_reason_name(reason), detail);
	}
}

int main(int argc, char **argv)
{
	struct vmm_config cfg = { 0 };
	struct bzimage bz = { 0 };
	struct signals sig = { .fd = -1 };
	enum vm_stop_reason reason;
	struct control *ctl = NULL;
	char detail[256];
	struct vm vm;
	sigset_t set;
	int ret, code;

	if (parse_args(argc, argv, &cfg) || vmm_config_validate(&cfg, &bz)) {
		vmm_config_free(&cfg);
		return VMM_EXIT_USAGE;
	}
	if (cfg.check_only) {
		json_object *o = vmm_config_to_json(&cfg);

		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		bzimage_free(&bz);
		vmm_config_free(&cfg);
		return VMM_EXIT_OK;
	}
	if (block_stop_signals(&set)) {
		vmm_err("cannot block signals: %s", strerror(errno));
		return VMM_EXIT_ERROR;
	}
	vmm_info("booting %s%s%s: %u vCPU%s, %llu MiB, KVM through %s",
		 cfg.name ? cfg.name : cfg.kernel, cfg.os_name ? " - " : "",
		 cfg.os_name ? cfg.os_name : "", cfg.vcpus, cfg.vcpus == 1 ? "" : "s",
		 (unsigned long long)cfg.mem_mib, cfg.raw_kvm ? "/dev/kvm (raw)" : "the enabler");

	ret = vm_create(&vm, &cfg, &bz);
	bzimage_free(&bz);
	if (ret) {
		code = ret == -EINVAL ? VMM_EXIT_USAGE : ret == -ENODEV ? VMM_EXIT_NO_KVM
									  : VMM_EXIT_ERROR;
		vm_destroy(&vm);
		vmm_config_free(&cfg);
		return code;
	}
	/* No thread before this point: the enabler needs it (vm.c). */
	ctl = control_new(&vm, cfg.control_path);
	sig.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	sig.ctl = ctl;
	if (!ctl || sig.fd < 0 || evloop_add(vm.loop, sig.fd, EPOLLIN, signal_ready, &sig) ||
	    vm_start_threads(&vm)) {
		control_free(ctl, NULL, NULL);
		vm_destroy(&vm);
		vmm_config_free(&cfg);
		return VMM_EXIT_ERROR;
	}

	reason = vm_run(&vm);
	snprintf(detail, sizeof(detail), "%s", vm.stop_detail);
	code = exit_code(reason);
	control_free(ctl, vm_stop_reason_name(reason), detail);
	evloop_del(vm.loop, sig.fd);
	close(sig.fd);
	vm_destroy(&vm);
	report_exit(reason, detail, code);

	if (reason == VM_STOP_REBOOT && cfg.on_reboot == REBOOT_RESTART) {
		vmm_info("rebooting");
		vmm_config_free(&cfg);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		/* A fresh process image: a fresh VM, created before any thread. */
		execv("/proc/self/exe", argv);
		vmm_err("cannot restart: %s", strerror(errno));
		return VMM_EXIT_REBOOT;
	}
	vmm_config_free(&cfg);
	return code;
}
