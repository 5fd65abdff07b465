// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the list of registered devices.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <string.h>

#include "device.h"
#include "util.h"

static struct vmm_device_init *devices;

void vmm_device_register(struct vmm_device_init *d)
{
	struct vmm_device_init **p = &devices;

	/*
	 * Sorted by name, whatever the link order: devices get the same PCI
	 * slots from one build to the next.
	 */
	while (*p && strcmp((*p)->name, d->name) < 0)
		p = &(*p)->next;
	d->next = *p;
	*p = d;
}

int vmm_devices_init(struct vm *vm)
{
	for (int level = 0; level < VMM_INIT_LEVELS; level++) {
		for (struct vmm_device_init *d = devices; d; d = d->next) {
			int ret;

			if ((int)d->level != level)
				continue;
			ret = d->init(vm);
			if (ret) {
				vmm_err("%s: initialisation failed", d->name);
				return ret;
			}
		}
	}
	return 0;
}
