// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: PCI bus 0, configuration mechanism #1, and a host bridge at
 * 00:00.0 (Linux checks for one before it trusts mechanism #1).
 *
 * BARs are assigned here, like firmware would, in the hole below 4 GiB; a
 * BAR is on the MMIO bus while memory decoding is on and its address is
 * not the all-ones sizing pattern, exactly as the guest programs it.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/arch.h"
#include "device.h"
#include "hw/pci.h"
#include "memory.h"
#include "util.h"
#include "vm.h"

#define PCI_CONFIG_ADDRESS_PORT	0xcf8
#define PCI_CONFIG_DATA_PORT	0xcfc
#define PCI_CONFIG_ENABLE	0x80000000u

/* The host bridge: Red Hat's generic "PCIe host bridge" ID, no driver. */
#define HOST_BRIDGE_VENDOR	0x1b36
#define HOST_BRIDGE_DEVICE	0x0008
#define PCI_CLASS_BRIDGE_HOST	0x060000

static void cfg_put16(uint8_t *cfg, unsigned int off, uint16_t v)
{
	cfg[off] = (uint8_t)v;
	cfg[off + 1] = (uint8_t)(v >> 8);
}

static void cfg_put32(uint8_t *cfg, unsigned int off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t cfg_get32(const uint8_t *cfg, unsigned int off)
{
	return cfg[off] | cfg[off + 1] << 8 | cfg[off + 2] << 16 |
	       (uint32_t)cfg[off + 3] << 24;
}

void pci_device_init(struct pci_device *dev, const char *name, uint16_t vendor,
		     uint16_t device, uint32_t class_code, uint16_t subsys_vendor,
		     uint16_t subsys_id)
{
	memset(dev->cfg, 0, sizeof(dev->cfg));
	memset(dev->wmask, 0, sizeof(dev->wmask));
	dev->name = name;
	cfg_put16(dev->cfg, PCI_VENDOR_ID, vendor);
	cfg_put16(dev->cfg, PCI_DEVICE_ID, device);
	dev->cfg[PCI_REVISION_ID] = 1;
	dev->cfg[PCI_CLASS_PROG] = (uint8_t)class_code;
	cfg_put16(dev->cfg, PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
	cfg_put16(dev->cfg, PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	cfg_put16(dev->cfg, PCI_SUBSYSTEM_ID, subsys_id);
	cfg_put16(dev->wmask, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		  PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->next_cap = 0x40;
}

/* Bring the MMIO mapping of every BAR in line with the config space. */
static void update_mappings(struct pci_device *dev)
{
	struct vm *vm = dev->vm;
	bool decode = cfg_get32(dev->cfg, PCI_COMMAND) & PCI_COMMAND_MEMORY;

	for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
		struct pci_bar *b = &dev->bars[i];
		uint64_t want = 0;

		if (!b->size)
			continue;
		b->addr = cfg_get32(dev->cfg, PCI_BASE_ADDRESS_0 + 4 * i) & ~(uint32_t)0xf;
		/* Mapped only where it cannot hide RAM or the APICs. */
		if (decode && b->addr >= MEM_MMIO_BASE && b->addr + b->size <= MEM_MMIO_END)
			want = b->addr;
		if (want == b->mapped)
			continue;
		if (b->mapped)
			io_bus_unregister(&vm->mmio, b->mapped, b->opaque);
		if (want && io_bus_register(&vm->mmio, want, b->size, b->fn, b->opaque, dev->name)) {
			vmm_warn("%s: BAR%u at 0x%llx overlaps another device: not mapped",
				 dev->name, i, (unsigned long long)want);
			want = 0;
		}
		if (dev->bar_moved)
			dev->bar_moved(dev, i, b->mapped, want);
		b->mapped = want;
	}
}

static void set_irq_locked(struct pci_device *dev, int level);

/* Under the bus lock; bar_moved callbacks must not take device locks. */
static void cfg_write(struct pci_device *dev, unsigned int off, uint32_t val,
		      unsigned int len)
{
	bool remap = false;

	for (unsigned int i = 0; i < len; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i)), m = dev->wmask[o];

		dev->cfg[o] = (dev->cfg[o] & ~m) | (b & m);
		if (o == PCI_COMMAND || (o >= PCI_BASE_ADDRESS_0 && o < PCI_BASE_ADDRESS_0 + 24))
			remap = true;
	}
	if (remap)
		update_mappings(dev);
	if (off <= PCI_COMMAND + 1 && off + len > PCI_COMMAND + 1 && dev->gsi)
		set_irq_locked(dev, dev->intx_level);	/* INTx disable changed */
}

static void config_address_io(void *opaque, uint64_t offset, uint8_t *data,
			      uint32_t len, bool is_write)
{
	struct pci_bus *bus = opaque;

	/* Only 32-bit accesses reach the address register (0xcfb is not ours). */
	if (offset || len != 4)
		return;
	pthread_mutex_lock(&bus->lock);
	if (is_write)
		memcpy(&bus->config_address, data, 4);
	else
		memcpy(data, &bus->config_address, 4);
	pthread_mutex_unlock(&bus->lock);
}

static void config_data_io(void *opaque, uint64_t offset, uint8_t *data,
			   uint32_t len, bool is_write)
{
	struct pci_bus *bus = opaque;
	struct pci_device *dev = NULL;
	unsigned int slot, fn, reg;
	uint32_t addr;

	pthread_mutex_lock(&bus->lock);
	addr = bus->config_address;
	slot = (addr >> 11) & 0x1f;
	fn = (addr >> 8) & 0x7;
	reg = (addr & 0xfc) + (unsigned int)offset;
	if ((addr & PCI_CONFIG_ENABLE) && !((addr >> 16) & 0xff) && !fn &&
	    reg + len <= PCI_CFG_SIZE)
		dev = bus->slots[slot];
	if (dev) {
		if (is_write) {
			uint32_t val = 0;

			memcpy(&val, data, len);
			cfg_write(dev, reg, val, len);
		} else {
			memcpy(data, &dev->cfg[reg], len);
		}
	}
	pthread_mutex_unlock(&bus->lock);
}

int pci_device_add(struct vm *vm, struct pci_device *dev, bool want_irq)
{
	struct pci_bus *bus = vm->pci;
	unsigned int slot;

	for (slot = 0; slot < PCI_MAX_SLOTS && bus->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS) {
		vmm_err("%s: no free PCI slot", dev->name);
		return -ENOSPC;
	}
	dev->vm = vm;
	dev->slot = slot;
	if (want_irq) {
		dev->gsi = X86_PCI_GSI_FIRST +
			   (slot % (X86_PCI_GSI_LAST - X86_PCI_GSI_FIRST + 1));
		dev->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA */
		dev->cfg[PCI_INTERRUPT_LINE] = (uint8_t)dev->gsi;
	}
	bus->slots[slot] = dev;
	return 0;
}

int pci_bar_add(struct pci_device *dev, unsigned int bar, uint64_t size,
		io_handler_fn fn, void *opaque)
{
	struct pci_bus *bus = dev->vm->pci;
	uint64_t addr;

	if (bar >= PCI_NR_BARS || size < 16 || (size & (size - 1)))
		return -EINVAL;
	addr = ALIGN_UP(bus->mmio_next, size);
	if (addr + size > MEM_MMIO_END)
		return -ENOSPC;
	bus->mmio_next = addr + size;
	dev->bars[bar] = (struct pci_bar){ .size = size, .fn = fn, .opaque = opaque };
	/* 32-bit, non-prefetchable memory BAR. */
	cfg_put32(dev->cfg, PCI_BASE_ADDRESS_0 + 4 * bar, (uint32_t)addr);
	cfg_put32(dev->wmask, PCI_BASE_ADDRESS_0 + 4 * bar, ~(uint32_t)(size - 1));
	cfg_put16(dev->cfg, PCI_COMMAND,
		  (uint16_t)(cfg_get32(dev->cfg, PCI_COMMAND) | PCI_COMMAND_MEMORY));
	pthread_mutex_lock(&bus->lock);
	update_mappings(dev);
	pthread_mutex_unlock(&bus->lock);
	return dev->bars[bar].mapped ? 0 : -EEXIST;
}

int pci_cap_add(struct pci_device *dev, const void *cap, uint8_t len)
{
	unsigned int off = dev->next_cap, p;

	if (len < 2 || off + len > PCI_CFG_SIZE)
		return -ENOSPC;
	memcpy(&dev->cfg[off], cap, len);
	dev->cfg[off + 1] = 0;	/* end of list */
	/* Link it at the end of the list. */
	if (!(dev->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
		dev->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
		dev->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	} else {
		for (p = dev->cfg[PCI_CAPABILITY_LIST]; dev->cfg[p + 1]; p = dev->cfg[p + 1])
			;
		dev->cfg[p + 1] = (uint8_t)off;
	}
	dev->next_cap = (uint8_t)ALIGN_UP(off + len, 4);
	return (int)off;
}

static void set_irq_locked(struct pci_device *dev, int level)
{
	bool disabled = cfg_get32(dev->cfg, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;

	dev->intx_level = level;
	if (level)
		dev->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		dev->cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	if (dev->gsi)
		vm_irq_line(dev->vm, dev->gsi, level && !disabled);
}

void pci_set_irq(struct pci_device *dev, int level)
{
	pthread_mutex_lock(&dev->vm->pci->lock);
	set_irq_locked(dev, level);
	pthread_mutex_unlock(&dev->vm->pci->lock);
}

static struct pci_device host_bridge;

static void pci_bus_free(void *arg)
{
	struct vm *vm = arg;

	pthread_mutex_destroy(&vm->pci->lock);
	free(vm->pci);
	vm->pci = NULL;
}

static int pci_bus_init(struct vm *vm)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	int ret;

	if (!bus)
		return -ENOMEM;
	bus->vm = vm;
	bus->mmio_next = MEM_MMIO_BASE;
	pthread_mutex_init(&bus->lock, NULL);
	vm->pci = bus;
	ret = vm_on_destroy(vm, pci_bus_free, vm);
	if (ret)
		return ret;
	ret = io_bus_register(&vm->pio, PCI_CONFIG_ADDRESS_PORT, 4, config_address_io,
			      bus, "pci-config-address");
	if (!ret)
		ret = io_bus_register(&vm->pio, PCI_CONFIG_DATA_PORT, 4, config_data_io,
				      bus, "pci-config-data");
	if (ret)
		return ret;
	pci_device_init(&host_bridge, "pci-host-bridge", HOST_BRIDGE_VENDOR,
			HOST_BRIDGE_DEVICE, PCI_CLASS_BRIDGE_HOST, HOST_BRIDGE_VENDOR,
			HOST_BRIDGE_DEVICE);
	return pci_device_add(vm, &host_bridge, false);
}
VMM_DEVICE_INIT("pci", VMM_INIT_BUS, pci_bus_init);
