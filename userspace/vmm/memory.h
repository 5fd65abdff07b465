/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: guest RAM and the guest-physical address map.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_MEMORY_H
#define WPVMM_MEMORY_H

#include <stdint.h>

#include "util.h"

/*
 * Guest-physical layout (x86):
 *   [0, low_end)            RAM, low_end = min(size, MEM_LOW_MAX)
 *   [MEM_MMIO_BASE, 4 GiB)  PCI BARs, then IOAPIC, LAPIC, KVM's TSS
 *   [4 GiB, 4 GiB + rest)   RAM above the hole, if size > MEM_LOW_MAX
 */
#define MEM_LOW_MAX		0xC0000000ULL
#define MEM_MMIO_BASE		0xD0000000ULL
#define MEM_MMIO_END		0xFEC00000ULL
#define MEM_HIGH_BASE		GIB(4)

/* Guest RAM limits independent of the host (MiB). */
#define MEM_MIN_MIB		64
#define MEM_MAX_MIB		(1024 * 1024)

struct guest_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct guest_memory {
	struct guest_region regions[2];
	unsigned int nr_regions;
	uint64_t size;			/* total RAM */
	void *map;			/* one anonymous mapping for all */
};

/* Reserve size bytes of guest RAM; 0 or -errno. */
int guest_memory_alloc(struct guest_memory *mem, uint64_t size);
/* Hand the regions to KVM; 0 or -errno. */
int guest_memory_register(const struct guest_memory *mem, int vm_fd);
void guest_memory_free(struct guest_memory *mem);

/* End of RAM below the 32-bit hole. */
uint64_t guest_memory_low_end(const struct guest_memory *mem);

/*
 * The host address of [gpa, gpa + len), or NULL unless the whole range is
 * RAM inside one region.  Every guest-supplied address goes through here.
 */
void *gpa_to_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

#endif /* WPVMM_MEMORY_H */
