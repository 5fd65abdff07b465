/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: a conventional PCI bus 0 behind configuration mechanism #1
 * (ports 0xcf8/0xcfc), with 32-bit memory BARs and INTx interrupts routed
 * to IOAPIC pins 16-23 (described to the guest by the MP table).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_HW_PCI_H
#define WPVMM_HW_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iobus.h"

struct vm;

#define PCI_MAX_SLOTS		32
#define PCI_CFG_SIZE		256
#define PCI_NR_BARS		6

/* Standard configuration header offsets and bits. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_HEADER_TYPE		0x0e
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_ID_VNDR		0x09

struct pci_device;

/*
 * A memory BAR changed place (old or new may be 0: unmapped).  Called with
 * the bus lock held: it must not take a device lock.
 */
typedef void (*pci_bar_moved_fn)(struct pci_device *dev, unsigned int bar,
				 uint64_t old_addr, uint64_t new_addr);

struct pci_bar {
	uint64_t size;		/* power of two, 0: no BAR */
	uint64_t addr;		/* programmed address */
	uint64_t mapped;	/* where it is on the MMIO bus, 0: nowhere */
	io_handler_fn fn;
	void *opaque;
};

struct pci_device {
	const char *name;
	struct vm *vm;
	unsigned int slot;
	unsigned int gsi;		/* IOAPIC pin of INTA, 0: none */
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];	/* bits the guest may write */
	uint8_t next_cap;		/* where the next capability goes */
	struct pci_bar bars[PCI_NR_BARS];
	pci_bar_moved_fn bar_moved;
	int intx_level;
};

struct pci_bus {
	struct vm *vm;
	pthread_mutex_t lock;		/* configuration space and mappings */
	uint32_t config_address;	/* port 0xcf8 */
	struct pci_device *slots[PCI_MAX_SLOTS];
	uint64_t mmio_next;		/* BAR allocator in the 32-bit hole */
};

/* Fill the header of dev (vendor, device, class, subsystem). */
void pci_device_init(struct pci_device *dev, const char *name, uint16_t vendor,
		     uint16_t device, uint32_t class_code, uint16_t subsys_vendor,
		     uint16_t subsys_id);
/* Put dev in the next free slot with an INTx pin if want_irq; 0 or -errno. */
int pci_device_add(struct vm *vm, struct pci_device *dev, bool want_irq);
/* A 32-bit memory BAR of size (power of two), placed and mapped now. */
int pci_bar_add(struct pci_device *dev, unsigned int bar, uint64_t size,
		io_handler_fn fn, void *opaque);
/* Append a vendor-specific capability; returns its offset or -ENOSPC. */
int pci_cap_add(struct pci_device *dev, const void *cap, uint8_t len);
/* Drive INTA (level-triggered). */
void pci_set_irq(struct pci_device *dev, int level);

#endif /* WPVMM_HW_PCI_H */
