// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: guest RAM.  One private anonymous mapping backs all of it, kept
 * out of core dumps (it holds the work phone's data) and out of children.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "memory.h"

int guest_memory_alloc(struct guest_memory *mem, uint64_t size)
{
	uint64_t low = MIN(size, MEM_LOW_MAX);
	uint8_t *map;

	memset(mem, 0, sizeof(*mem));
	map = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	madvise(map, size, MADV_DONTDUMP);
	madvise(map, size, MADV_DONTFORK);
	mem->map = map;
	mem->size = size;
	mem->regions[0] = (struct guest_region){ .gpa = 0, .size = low, .hva = map };
	mem->nr_regions = 1;
	if (size > low) {
		mem->regions[1] = (struct guest_region){
			.gpa = MEM_HIGH_BASE, .size = size - low, .hva = map + low,
		};
		mem->nr_regions = 2;
	}
	return 0;
}

int guest_memory_register(const struct guest_memory *mem, int vm_fd)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = mem->regions[i].gpa,
			.memory_size = mem->regions[i].size,
			.userspace_addr = (uintptr_t)mem->regions[i].hva,
		};

		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
			return -errno;
	}
	return 0;
}

void guest_memory_free(struct guest_memory *mem)
{
	if (mem->map)
		munmap(mem->map, mem->size);
	memset(mem, 0, sizeof(*mem));
}

uint64_t guest_memory_low_end(const struct guest_memory *mem)
{
	return mem->regions[0].size;
}

void *gpa_to_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_region *r = &mem->regions[i];

		/* Written so that no sum can overflow. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}
