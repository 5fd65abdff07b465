/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: device registration.  Each device file registers an init function
 * with VMM_DEVICE_INIT(); vm.c calls them in level order when it builds
 * the machine, and never names a device.  An init function looks at the
 * configuration and creates zero or more instances of its device.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_DEVICE_H
#define WPVMM_DEVICE_H

struct vm;

enum vmm_init_level {
	VMM_INIT_BUS,		/* buses devices attach to (PCI) */
	VMM_INIT_DEVICE,	/* devices */
	VMM_INIT_FIRMWARE,	/* tables describing the devices (MP table) */
	VMM_INIT_LEVELS,
};

struct vmm_device_init {
	const char *name;
	enum vmm_init_level level;
	int (*init)(struct vm *vm);	/* 0 or -errno, reason printed */
	struct vmm_device_init *next;
};

void vmm_device_register(struct vmm_device_init *d);
/* Run every registered init function, level by level; 0 or -errno. */
int vmm_devices_init(struct vm *vm);

#define VMM_DEVICE_INIT(_name, _level, _fn)				\
	static struct vmm_device_init _fn##_registration = {		\
		.name = _name, .level = _level, .init = _fn,		\
	};								\
	__attribute__((constructor)) static void _fn##_register(void)	\
	{								\
		vmm_device_register(&_fn##_registration);		\
	}

#endif /* WPVMM_DEVICE_H */
