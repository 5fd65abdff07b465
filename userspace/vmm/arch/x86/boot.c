// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: x86 64-bit boot protocol.  Loads the protected-mode kernel at
 * 1 MiB, the initrd at the top of low RAM, and writes the zero page
 * (boot_params with the kernel's own setup header, the command line and
 * the e820 map), identity page tables for the first 4 GiB and a GDT with
 * the __BOOT_CS/__BOOT_DS selectors the protocol asks for.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>
#include <asm/e820.h>

#include "arch/x86/arch.h"
#include "loader/bzimage.h"
#include "memory.h"
#include "util.h"
#include "vm.h"

#define BOOT_LOADER_UNDEFINED	0xff
#define PTE_PRESENT		(1ULL << 0)
#define PTE_WRITE		(1ULL << 1)
#define PTE_LARGE		(1ULL << 7)

static uint64_t kernel_init_size(const struct bzimage *bz)
{
	/* Protocol >= 2.10 always sets it; be generous otherwise. */
	return bz->hdr.init_size ? bz->hdr.init_size : 4 * (uint64_t)bz->kernel_size;
}

/* First byte after what the kernel may use while it decompresses. */
static uint64_t kernel_end(const struct bzimage *bz)
{
	uint64_t init = kernel_init_size(bz);
	uint64_t end = X86_KERNEL_GPA + init;

	/* A relocatable kernel moves itself up to pref_address first. */
	if (bz->hdr.pref_address > X86_KERNEL_GPA && bz->hdr.pref_address < MEM_LOW_MAX)
		end = MAX(end, bz->hdr.pref_address + init);
	return ALIGN_UP(end, 4096);
}

static uint64_t initrd_limit(uint64_t mem_size, const struct bzimage *bz)
{
	uint64_t top = MIN(mem_size, MEM_LOW_MAX);
	uint64_t max = (uint64_t)bz->hdr.initrd_addr_max + 1;

	if (bz->hdr.initrd_addr_max && max < top)
		top = max;
	return ALIGN_DOWN(top, 4096);
}

uint64_t x86_initrd_room(uint64_t mem_size, const struct bzimage *bz)
{
	uint64_t top = initrd_limit(mem_size, bz), end = kernel_end(bz);

	return top > end ? top - end : 0;
}

static int load_initrd(struct vm *vm, const struct bzimage *bz,
		       const char *path, struct boot_params *bp)
{
	uint64_t room = x86_initrd_room(vm->mem.size, bz), gpa, done = 0;
	struct stat st;
	uint8_t *dst;
	int fd;

	fd = open(path, O_RDONLY | vmm_config_oflags(vm->cfg));
	if (fd < 0)
		return vmm_input_error("initrd", "%s: %s", path, vmm_open_strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_input_error("initrd", "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > room) {
		close(fd);
		return vmm_input_error("initrd", "%s is %llu KiB but %llu MiB of guest memory leave room for %llu KiB next to the kernel",
				       path, (unsigned long long)st.st_size >> 10,
				       (unsigned long long)(vm->mem.size >> 20),
				       (unsigned long long)room >> 10);
	}
	gpa = ALIGN_DOWN(initrd_limit(vm->mem.size, bz) - (uint64_t)st.st_size, 4096);
	dst = gpa_to_hva(&vm->mem, gpa, (uint64_t)st.st_size);
	if (!dst) {
		close(fd);
		return -EFAULT;
	}
	while (done < (uint64_t)st.st_size) {
		ssize_t n = pread(fd, dst + done, (uint64_t)st.st_size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return vmm_input_error("initrd", "%s: read failed after %llu bytes",
					       path, (unsigned long long)done);
		}
		done += (uint64_t)n;
	}
	close(fd);
	bp->hdr.ramdisk_image = (uint32_t)gpa;
	bp->hdr.ramdisk_size = (uint32_t)st.st_size;
	return 0;
}

static void add_e820(struct boot_params *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct boot_e820_entry *e;

	if (!size || bp->e820_entries >= E820_MAX_ENTRIES_ZEROPAGE)
		return;
	e = &bp->e820_table[bp->e820_entries++];
	e->addr = addr;
	e->size = size;
	e->type = type;
}

static void write_e820(const struct vm *vm, struct boot_params *bp)
{
	uint64_t low_end = guest_memory_low_end(&vm->mem);

	add_e820(bp, 0, X86_EBDA_GPA, E820_RAM);
	add_e820(bp, X86_EBDA_GPA, 0xa0000 - X86_EBDA_GPA, E820_RESERVED);
	add_e820(bp, X86_BIOS_GPA, X86_BIOS_END - X86_BIOS_GPA, E820_RESERVED);
	add_e820(bp, X86_KERNEL_GPA, low_end - X86_KERNEL_GPA, E820_RAM);
	if (vm->mem.nr_regions > 1)
		add_e820(bp, vm->mem.regions[1].gpa, vm->mem.regions[1].size, E820_RAM);
}

/* Identity-map 4 GiB with 2 MiB pages; the GDT of the boot protocol. */
static void write_page_tables_and_gdt(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(&vm->mem, X86_PML4_GPA, 4096);
	uint64_t *pdpt = gpa_to_hva(&vm->mem, X86_PDPT_GPA, 4096);
	uint64_t *pd = gpa_to_hva(&vm->mem, X86_PD_GPA, 4 * 4096);
	uint64_t *gdt = gpa_to_hva(&vm->mem, X86_GDT_GPA, 5 * 8);

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = X86_PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (X86_PD_GPA + i * 4096) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;	/* 0x10 __BOOT_CS: 64-bit code */
	gdt[3] = 0x00cf93000000ffffULL;	/* 0x18 __BOOT_DS: flat data */
	gdt[4] = 0x00008b0000000fffULL;	/* 0x20: a busy TSS for TR */
}

int x86_load_kernel(struct vm *vm, const struct bzimage *bz,
		    const char *initrd_path, const char *cmdline,
		    struct x86_boot *boot)
{
	uint64_t end = kernel_end(bz);
	size_t cmdline_len = strlen(cmdline), cmdline_max;
	struct boot_params *bp;
	uint8_t *dst;
	int ret;

	if (end > guest_memory_low_end(&vm->mem))
		return vmm_input_error("memory", "%llu MiB is too small for this kernel, which needs %llu MiB to decompress",
				       (unsigned long long)(vm->mem.size >> 20),
				       (unsigned long long)(end >> 20) + 1);
	cmdline_max = MIN((size_t)X86_CMDLINE_MAX, (size_t)(bz->hdr.cmdline_size ? bz->hdr.cmdline_size : 255));
	if (cmdline_len > cmdline_max)
		return vmm_input_error("cmdline", "%zu bytes; this kernel accepts at most %zu",
				       cmdline_len, cmdline_max);

	dst = gpa_to_hva(&vm->mem, X86_KERNEL_GPA, bz->kernel_size);
	if (!dst)
		return -EFAULT;
	memcpy(dst, bz->kernel, bz->kernel_size);

	bp = gpa_to_hva(&vm->mem, X86_ZERO_PAGE_GPA, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &bz->hdr, bz->hdr_len);
	bp->hdr.type_of_loader = BOOT_LOADER_UNDEFINED;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.loadflags &= (uint8_t)~KEEP_SEGMENTS;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.vid_mode = 0xffff;	/* "normal" */
	bp->hdr.code32_start = (uint32_t)X86_KERNEL_GPA;

	dst = gpa_to_hva(&vm->mem, X86_CMDLINE_GPA, X86_CMDLINE_MAX + 1);
	memset(dst, 0, X86_CMDLINE_MAX + 1);
	memcpy(dst, cmdline, cmdline_len);
	bp->hdr.cmd_line_ptr = (uint32_t)X86_CMDLINE_GPA;

	if (initrd_path) {
		ret = load_initrd(vm, bz, initrd_path, bp);
		if (ret)
			return ret;
	}
	write_e820(vm, bp);
	write_page_tables_and_gdt(vm);

	boot->entry = X86_KERNEL_GPA + 0x200;	/* startup_64 */
	boot->zero_page = X86_ZERO_PAGE_GPA;
	return 0;
}
