/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the configuration of one VM, from the image manifest and the
 * command line (which overrides the manifest).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_CONFIG_H
#define WPVMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

/* vCPUs this VMM supports (APIC IDs in the MP table are 8 bits). */
#define VMM_MAX_VCPUS	64

enum console_kind {
	CONSOLE_STDIO,		/* stdout, and stdin for input */
	CONSOLE_PTY,		/* a pseudo-terminal; its path is logged */
	CONSOLE_UNIX,		/* a listening AF_UNIX stream socket */
	CONSOLE_FILE,		/* append output to a file, no input */
	CONSOLE_NONE,		/* only the history ring and attached clients */
};

enum reboot_action {
	REBOOT_RESTART,		/* boot the image again in the same process */
	REBOOT_EXIT,		/* exit with VMM_EXIT_REBOOT */
};

struct vmm_config {
	/* From the manifest (or --kernel & co.), paths resolved. */
	char *image_dir;
	char *name;
	char *os_name;
	char *os_version;
	char *kernel;
	char *initrd;		/* NULL: none */
	char *disk;		/* NULL: none */
	char *cmdline;
	uint64_t mem_mib;
	unsigned int vcpus;
	json_object *settings;	/* default settings, reported in status */
	json_object *apps;	/* default apps, reported in status */

	/* Host side, from the command line only. */
	enum console_kind console;
	char *console_path;	/* CONSOLE_UNIX, CONSOLE_FILE */
	char *control_path;	/* NULL: no control socket */
	enum reboot_action on_reboot;
	bool raw_kvm;
	bool start_paused;	/* wait for "start" on the control socket */
	bool check_only;	/* validate, print the configuration, exit */
	/* The password lock (password.h); NULL: none. */
	struct pw_policy *password_policy;
	char *password_state;	/* the state file, with password_policy */
};

struct bzimage;
struct pw_policy;

/*
 * Check everything that can be checked without KVM: vCPU count, memory
 * against this host, the kernel (parsed into bz), initrd size against
 * guest memory, the disk, the command line.  Errors name the field.
 * 0 or -EINVAL.
 */
int vmm_config_validate(const struct vmm_config *cfg, struct bzimage *bz);

/*
 * open(2) flags for the kernel, initrd and disk of @cfg: O_CLOEXEC, and
 * O_NOFOLLOW for the files of an image directory, so that a symbolic link
 * planted there cannot hand the guest a file of the host.
 */
int vmm_config_oflags(const struct vmm_config *cfg);
/* The resolved configuration as JSON (for --check). */
json_object *vmm_config_to_json(const struct vmm_config *cfg);
void vmm_config_free(struct vmm_config *cfg);

#endif /* WPVMM_CONFIG_H */
