// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: port-I/O and MMIO dispatch.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iobus.h"

void io_bus_init(struct io_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_rwlock_init(&bus->lock, NULL);
}

void io_bus_destroy(struct io_bus *bus)
{
	free(bus->ranges);
	pthread_rwlock_destroy(&bus->lock);
	memset(bus, 0, sizeof(*bus));
}

/* Index of the first range whose end is above addr. */
static unsigned int bus_search(const struct io_bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct io_range *r = &bus->ranges[mid];

		if (addr - r->base < r->len || addr < r->base)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_fn fn, void *opaque, const char *name)
{
	unsigned int i;
	int ret = 0;

	if (!len || base + len - 1 < base)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = bus_search(bus, base);
	/* The range at i ends above base: it must also start above our end. */
	if (i < bus->nr && bus->ranges[i].base <= base + len - 1) {
		ret = -EEXIST;
		goto out;
	}
	if (bus->nr == bus->cap) {
		unsigned int cap = bus->cap ? bus->cap * 2 : 16;
		struct io_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->nr - i) * sizeof(bus->ranges[0]));
	bus->ranges[i] = (struct io_range){
		.base = base, .len = len, .fn = fn, .opaque = opaque, .name = name,
	};
	bus->nr++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_unregister(struct io_bus *bus, uint64_t base, void *opaque)
{
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	for (unsigned int i = 0; i < bus->nr; i++) {
		if (bus->ranges[i].base != base || bus->ranges[i].opaque != opaque)
			continue;
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr - i - 1) * sizeof(bus->ranges[0]));
		bus->nr--;
		ret = 0;
		break;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool io_bus_access(struct io_bus *bus, uint64_t addr, uint8_t *data,
		   uint32_t len, bool is_write)
{
	const struct io_range *r;
	bool found = false;
	unsigned int i;

	if (!is_write)
		memset(data, 0xff, len);
	pthread_rwlock_rdlock(&bus->lock);
	i = bus_search(bus, addr);
	if (i < bus->nr) {
		r = &bus->ranges[i];
		/* The whole access must be inside the range. */
		if (addr >= r->base && addr - r->base < r->len &&
		    len <= r->len - (addr - r->base)) {
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			found = true;
		}
	}
	pthread_rwlock_unlock(&bus->lock);
	return found;
}
