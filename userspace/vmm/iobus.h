/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: dispatch of port-I/O and MMIO exits to the device that owns the
 * address.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_IOBUS_H
#define WPVMM_IOBUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Called from a vCPU thread for an access of len (1, 2, 4 or 8) bytes at
 * offset into the range.  Reads fill data (little-endian); it is
 * pre-filled with 0xff, the value of an unclaimed bus.
 */
typedef void (*io_handler_fn)(void *opaque, uint64_t offset, uint8_t *data,
			      uint32_t len, bool is_write);

struct io_range {
	uint64_t base;
	uint64_t len;
	io_handler_fn fn;
	void *opaque;
	const char *name;
};

/*
 * A bus: ranges sorted by base, never overlapping.  Handlers run with the
 * bus read-locked, so a handler may change another bus (a PCI config write
 * on the port bus moves a BAR on the MMIO bus) but not its own.
 */
struct io_bus {
	const char *name;
	pthread_rwlock_t lock;
	struct io_range *ranges;
	unsigned int nr, cap;
};

void io_bus_init(struct io_bus *bus, const char *name);
void io_bus_destroy(struct io_bus *bus);
/* 0, -EEXIST on overlap, -EINVAL for an empty or wrapping range, -ENOMEM. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_fn fn, void *opaque, const char *name);
/* Remove the range starting at base owned by opaque; 0 or -ENOENT. */
int io_bus_unregister(struct io_bus *bus, uint64_t base, void *opaque);
/* Dispatch an access; false if no device claims addr. */
bool io_bus_access(struct io_bus *bus, uint64_t addr, uint8_t *data,
		   uint32_t len, bool is_write);

#endif /* WPVMM_IOBUS_H */
