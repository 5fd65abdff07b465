// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the Intel MultiProcessor Specification 1.4 table, which tells a
 * guest without ACPI where its CPUs, IOAPIC and interrupt lines are.
 * Linux finds the floating pointer in the BIOS area (0xf0000, reserved in
 * the e820 map).
 *
 * Interrupt routing matches KVM's default GSI routing: ISA IRQ n is IOAPIC
 * pin n (so the PIT's IRQ 0 is pin 0, not the usual override to pin 2),
 * and each PCI slot's INTA goes to its own pin 16-23, level-triggered.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <string.h>

#include <cpuid.h>

#include "arch/x86/arch.h"
#include "device.h"
#include "hw/pci.h"
#include "memory.h"
#include "util.h"
#include "vm.h"

#define MPC_SPEC		4	/* 1.4 */
#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4
#define CPU_ENABLED		1
#define CPU_BOOTPROCESSOR	2
#define MP_INT			0
#define MP_NMI			1
#define MP_EXTINT		3
#define MP_IRQPOL_HIGH		0x1
#define MP_IRQTRIG_LEVEL	0xc
#define APIC_VERSION		0x14
#define IOAPIC_VERSION		0x11
#define BUS_PCI			0
#define BUS_ISA			1

struct mpf_intel {
	char signature[4];
	uint32_t physptr;
	uint8_t length;
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_table {
	char signature[4];
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint32_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "mpf_intel layout");
_Static_assert(sizeof(struct mpc_table) == 44, "mpc_table layout");
_Static_assert(sizeof(struct mpc_cpu) == 20, "mpc_cpu layout");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "mpc_intsrc layout");

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

static void *put(uint8_t **cursor, const void *entry, size_t len)
{
	void *at = *cursor;

	memcpy(at, entry, len);
	*cursor += len;
	return at;
}

static int mptable_init(struct vm *vm)
{
	const uint64_t size = X86_BIOS_END - X86_BIOS_GPA;
	uint8_t *base = gpa_to_hva(&vm->mem, X86_BIOS_GPA, size), *p;
	struct mpf_intel *mpf;
	struct mpc_table *mpc;
	unsigned int eax = 0, ebx, ecx, edx = 0;
	uint8_t ioapic_id = (uint8_t)vm->nr_vcpus;

	if (!base)
		return -EFAULT;
	memset(base, 0, size);
	__get_cpuid(1, &eax, &ebx, &ecx, &edx);

	mpf = (struct mpf_intel *)base;
	mpc = (struct mpc_table *)(base + sizeof(*mpf));
	p = (uint8_t *)(mpc + 1);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct mpc_cpu cpu = {
			.type = MP_PROCESSOR, .apicid = (uint8_t)i,
			.apicver = APIC_VERSION,
			.cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0),
			.cpufeature = eax, .featureflag = edx,
		};

		put(&p, &cpu, sizeof(cpu));
	}
	put(&p, &(struct mpc_bus){ .type = MP_BUS, .busid = BUS_PCI, .bustype = "PCI   " },
	    sizeof(struct mpc_bus));
	put(&p, &(struct mpc_bus){ .type = MP_BUS, .busid = BUS_ISA, .bustype = "ISA   " },
	    sizeof(struct mpc_bus));
	put(&p, &(struct mpc_ioapic){ .type = MP_IOAPIC, .apicid = ioapic_id,
				      .apicver = IOAPIC_VERSION, .flags = 1,
				      .apicaddr = (uint32_t)X86_IOAPIC_GPA },
	    sizeof(struct mpc_ioapic));
	for (uint8_t irq = 0; irq < 16; irq++) {
		if (irq == 2)	/* the PIC cascade */
			continue;
		put(&p, &(struct mpc_intsrc){ .type = MP_INTSRC, .irqtype = MP_INT,
					      .srcbus = BUS_ISA, .srcbusirq = irq,
					      .dstapic = ioapic_id, .dstirq = irq },
		    sizeof(struct mpc_intsrc));
	}
	for (unsigned int slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		struct pci_device *dev = vm->pci ? vm->pci->slots[slot] : NULL;

		if (!dev || !dev->gsi)
			continue;
		put(&p, &(struct mpc_intsrc){
			.type = MP_INTSRC, .irqtype = MP_INT,
			.irqflag = MP_IRQPOL_HIGH | MP_IRQTRIG_LEVEL,
			.srcbus = BUS_PCI, .srcbusirq = (uint8_t)(slot << 2), /* INTA */
			.dstapic = ioapic_id, .dstirq = (uint8_t)dev->gsi },
		    sizeof(struct mpc_intsrc));
	}
	/* LINT0: the PIC (virtual wire); LINT1: NMI; on every LAPIC. */
	put(&p, &(struct mpc_intsrc){ .type = MP_LINTSRC, .irqtype = MP_EXTINT,
				      .srcbus = BUS_ISA, .dstapic = 0xff, .dstirq = 0 },
	    sizeof(struct mpc_intsrc));
	put(&p, &(struct mpc_intsrc){ .type = MP_LINTSRC, .irqtype = MP_NMI,
				      .srcbus = BUS_ISA, .dstapic = 0xff, .dstirq = 1 },
	    sizeof(struct mpc_intsrc));

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec = MPC_SPEC;
	memcpy(mpc->oem, "WORKPHON", 8);
	memcpy(mpc->productid, "WPVMM       ", 12);
	mpc->lapic = (uint32_t)X86_LAPIC_GPA;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(X86_BIOS_GPA + sizeof(*mpf));
	mpf->length = 1;	/* in 16-byte units */
	mpf->specification = MPC_SPEC;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return 0;
}
VMM_DEVICE_INIT("mptable", VMM_INIT_FIRMWARE, mptable_init);
