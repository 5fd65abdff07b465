/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: x86 machine.  A PC without firmware: the kernel is entered in
 * 64-bit mode through the boot protocol, an MP table describes the CPUs,
 * the IOAPIC and the PCI interrupt routing, and the in-kernel irqchip and
 * PIT provide interrupts and the timer.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_ARCH_X86_H
#define WPVMM_ARCH_X86_H

#include <stdint.h>

struct vm;
struct vcpu;
struct bzimage;

/* Low guest-physical memory used for booting. */
#define X86_GDT_GPA		0x0500ULL
#define X86_IDT_GPA		0x0520ULL
#define X86_ZERO_PAGE_GPA	0x7000ULL
#define X86_BOOT_STACK_GPA	0x8ff0ULL
#define X86_PML4_GPA		0x9000ULL
#define X86_PDPT_GPA		0xa000ULL
#define X86_PD_GPA		0xb000ULL	/* 4 pages: 4 GiB of 2 MiB pages */
#define X86_CMDLINE_GPA		0x20000ULL
#define X86_CMDLINE_MAX		4096
#define X86_EBDA_GPA		0x9fc00ULL
#define X86_BIOS_GPA		0xf0000ULL	/* reserved; the MP table lives here */
#define X86_BIOS_END		0x100000ULL
#define X86_KERNEL_GPA		0x100000ULL

#define X86_IOAPIC_GPA		0xfec00000ULL
#define X86_LAPIC_GPA		0xfee00000ULL
#define X86_TSS_GPA		0xfffbd000ULL
#define X86_IDENTITY_MAP_GPA	0xfffbc000ULL

/* IOAPIC pins for PCI INTx: 16..23 (0..15 are the ISA IRQs). */
#define X86_PCI_GSI_FIRST	16
#define X86_PCI_GSI_LAST	23

/* Where the kernel is entered. */
struct x86_boot {
	uint64_t entry;
	uint64_t zero_page;
};

/* In-kernel irqchip, PIT, TSS; 0 or -errno. */
int x86_vm_init(struct vm *vm);

/*
 * Load the kernel, initrd and command line into guest memory and write
 * the zero page, e820 map, page tables and GDT.  Errors about the input
 * name its field.  0 or -errno.
 */
int x86_load_kernel(struct vm *vm, const struct bzimage *bz,
		    const char *initrd_path, const char *cmdline,
		    struct x86_boot *boot);

/*
 * Initial bytes of the initrd fitting in guest memory: the largest initrd
 * mem_size bytes of RAM can take next to this kernel (for validation).
 */
uint64_t x86_initrd_room(uint64_t mem_size, const struct bzimage *bz);

/* CPUID, registers, LAPIC of one vCPU (the BSP enters the kernel). */
int x86_vcpu_init(struct vm *vm, struct vcpu *vcpu, const struct x86_boot *boot);

/* Fetch KVM_GET_SUPPORTED_CPUID into vm->supported_cpuid; 0 or -errno. */
int x86_cpuid_init(struct vm *vm);
/* Set the vCPU's CPUID from the supported one, with its APIC ID. */
int x86_cpuid_set(struct vm *vm, struct vcpu *vcpu);

#endif /* WPVMM_ARCH_X86_H */
