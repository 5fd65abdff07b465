// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: the virtio-pci transport, modern interface only (virtio 1.x,
 * section 4.1), which the stock Debian kernel's virtio_pci finds without
 * firmware help.  One 16 KiB memory BAR holds the four regions the
 * capabilities point at:
 *
 *   0x0000  common configuration (struct virtio_pci_common_cfg)
 *   0x1000  ISR status (read to acknowledge; lowers INTA)
 *   0x2000  device-specific configuration
 *   0x3000  queue notifications, 4 bytes per queue
 *
 * Notifications are ioeventfds registered with KVM at the notify address
 * of each queue (2-byte writes, what Linux does) and served by the main
 * loop; any other write to the notify region lands here and does the same.
 * Interrupts are INTx, level-triggered, through the IOAPIC (no MSI-X):
 * the line is high while the ISR is non-zero.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/virtio_pci.h>

#include "evloop.h"
#include "hw/pci.h"
#include "memory.h"
#include "util.h"
#include "virtio/virtio.h"
#include "vm.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* + device ID: modern-only */

#define BAR_SIZE		0x4000
#define COMMON_OFFSET		0x0000
#define ISR_OFFSET		0x1000
#define DEVICE_CFG_OFFSET	0x2000
#define NOTIFY_OFFSET		0x3000
#define NOTIFY_MULTIPLIER	4
#define REGION_SIZE		0x1000
#define NO_VECTOR		0xffff

struct virtio_pci {
	struct pci_device pci;
	struct virtio_device *dev;
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint16_t queue_select;
	uint8_t isr;
	int *ioeventfds;	/* one per queue */
	struct virtio_pci_notify_watch {
		struct virtio_pci *vp;
		unsigned int queue;
	} *watches;
};

static void transport_notify(struct virtio_device *dev, uint8_t isr_bits)
{
	struct virtio_pci *vp = dev->transport_priv;

	vp->isr |= isr_bits;
	pci_set_irq(&vp->pci, 1);
}

static const struct virtio_transport_ops pci_transport = {
	.notify = transport_notify,
};

static struct virtq *selected_queue(struct virtio_pci *vp)
{
	return vp->queue_select < vp->dev->nr_queues ? &vp->dev->queues[vp->queue_select] : NULL;
}

/* The common configuration as the driver sees it now. */
static void common_snapshot(struct virtio_pci *vp, struct virtio_pci_common_cfg *c)
{
	struct virtio_device *dev = vp->dev;
	struct virtq *q = selected_queue(vp);

	memset(c, 0, sizeof(*c));
	c->device_feature_select = vp->device_feature_select;
	if (vp->device_feature_select < 2)
		c->device_feature = (uint32_t)(dev->features >> (32 * vp->device_feature_select));
	c->guest_feature_select = vp->driver_feature_select;
	if (vp->driver_feature_select < 2)
		c->guest_feature = (uint32_t)(dev->driver_features >> (32 * vp->driver_feature_select));
	c->msix_config = NO_VECTOR;
	c->num_queues = (uint16_t)dev->nr_queues;
	c->device_status = dev->status;
	c->config_generation = dev->config_generation;
	c->queue_select = vp->queue_select;
	c->queue_msix_vector = NO_VECTOR;
	if (q) {
		c->queue_size = q->size;
		c->queue_enable = q->ready;
		c->queue_notify_off = vp->queue_select;
		c->queue_desc_lo = (uint32_t)q->desc_gpa;
		c->queue_desc_hi = (uint32_t)(q->desc_gpa >> 32);
		c->queue_avail_lo = (uint32_t)q->avail_gpa;
		c->queue_avail_hi = (uint32_t)(q->avail_gpa >> 32);
		c->queue_used_lo = (uint32_t)q->used_gpa;
		c->queue_used_hi = (uint32_t)(q->used_gpa >> 32);
	}
}

static void set_half(uint64_t *v, bool high, uint32_t val)
{
	if (high)
		*v = (*v & 0xffffffffULL) | ((uint64_t)val << 32);
	else
		*v = (*v & ~0xffffffffULL) | val;
}

static void set_status(struct virtio_pci *vp, uint8_t status)
{
	struct virtio_device *dev = vp->dev;
	uint64_t required = 1ULL << VIRTIO_F_VERSION_1;

	if (!status) {
		virtio_device_reset(dev);
		vp->isr = 0;
		pci_set_irq(&vp->pci, 0);
		return;
	}
	/* FEATURES_OK only for a subset of ours that includes VERSION_1. */
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((dev->driver_features & ~dev->features) ||
	     (dev->driver_features & required) != required))
		status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		dev->status = status;
		if (dev->ops->driver_ok)
			dev->ops->driver_ok(dev);
		return;
	}
	dev->status = status;
}

static void common_write(struct virtio_pci *vp, uint64_t off, uint32_t val, uint32_t len)
{
	struct virtio_device *dev = vp->dev;
	struct virtq *q = selected_queue(vp);
	bool features_locked = dev->status & VIRTIO_CONFIG_S_FEATURES_OK;

	switch (off) {
	case offsetof(struct virtio_pci_common_cfg, device_feature_select):
		vp->device_feature_select = val;
		break;
	case offsetof(struct virtio_pci_common_cfg, guest_feature_select):
		vp->driver_feature_select = val;
		break;
	case offsetof(struct virtio_pci_common_cfg, guest_feature):
		if (!features_locked && vp->driver_feature_select < 2)
			set_half(&dev->driver_features, vp->driver_feature_select, val);
		break;
	case offsetof(struct virtio_pci_common_cfg, device_status):
		set_status(vp, (uint8_t)val);
		break;
	case offsetof(struct virtio_pci_common_cfg, queue_select):
		vp->queue_select = (uint16_t)val;
		break;
	case offsetof(struct virtio_pci_common_cfg, msix_config):
	case offsetof(struct virtio_pci_common_cfg, queue_msix_vector):
		break;	/* no MSI-X: reads stay NO_VECTOR */
	default:
		if (!q || q->ready)	/* a live queue's setup is fixed */
			break;
		switch (off) {
		case offsetof(struct virtio_pci_common_cfg, queue_size):
			q->size = (uint16_t)val;
			break;
		case offsetof(struct virtio_pci_common_cfg, queue_enable):
			if (val == 1 && virtq_enable(q, &dev->vm->mem)) {
				vmm_warn("%s: queue %u: ring outside guest RAM, misaligned or bad size",
					 dev->name, vp->queue_select);
				virtio_device_broken(dev, vp->queue_select);
			}
			break;
		case offsetof(struct virtio_pci_common_cfg, queue_desc_lo):
		case offsetof(struct virtio_pci_common_cfg, queue_desc_hi):
			set_half(&q->desc_gpa, off & 4, val);
			break;
		case offsetof(struct virtio_pci_common_cfg, queue_avail_lo):
		case offsetof(struct virtio_pci_common_cfg, queue_avail_hi):
			set_half(&q->avail_gpa, off & 4, val);
			break;
		case offsetof(struct virtio_pci_common_cfg, queue_used_lo):
		case offsetof(struct virtio_pci_common_cfg, queue_used_hi):
			set_half(&q->used_gpa, off & 4, val);
			break;
		}
	}
	(void)len;
}

static void queue_kick(struct virtio_pci *vp, unsigned int queue)
{
	struct virtio_device *dev = vp->dev;

	if (queue >= dev->nr_queues || !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	dev->ops->queue_notify(dev, queue);
}

static void bar_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct virtio_pci *vp = opaque;
	struct virtio_device *dev = vp->dev;
	uint64_t region = offset & ~(uint64_t)(REGION_SIZE - 1);
	uint64_t off = offset - region;
	uint32_t val = 0;

	if (len > 4)
		return;
	pthread_mutex_lock(&dev->lock);
	switch (region) {
	case COMMON_OFFSET:
		if (off + len > sizeof(struct virtio_pci_common_cfg))
			break;
		if (is_write) {
			memcpy(&val, data, len);
			common_write(vp, off, val, len);
		} else {
			struct virtio_pci_common_cfg c;

			common_snapshot(vp, &c);
			memcpy(data, (uint8_t *)&c + off, len);
		}
		break;
	case ISR_OFFSET:
		if (!is_write && off == 0) {
			memset(data, 0, len);
			data[0] = vp->isr;
			vp->isr = 0;
			pci_set_irq(&vp->pci, 0);
		}
		break;
	case DEVICE_CFG_OFFSET:
		if (!is_write)
			dev->ops->read_config(dev, off, data, len);
		break;
	case NOTIFY_OFFSET:
		/* Not caught by an ioeventfd (another width): same effect. */
		if (is_write && !(off % NOTIFY_MULTIPLIER))
			queue_kick(vp, (unsigned int)(off / NOTIFY_MULTIPLIER));
		break;
	}
	pthread_mutex_unlock(&dev->lock);
}

static void notify_ready(void *opaque, uint32_t events)
{
	struct virtio_pci_notify_watch *w = opaque;
	struct virtio_pci *vp = w->vp;
	uint64_t n;

	(void)events;
	if (read(vp->ioeventfds[w->queue], &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&vp->dev->lock);
	queue_kick(vp, w->queue);
	pthread_mutex_unlock(&vp->dev->lock);
}

static void set_ioeventfds(struct virtio_pci *vp, uint64_t bar_addr, bool assign)
{
	for (unsigned int q = 0; q < vp->dev->nr_queues; q++) {
		struct kvm_ioeventfd ioe = {
			.addr = bar_addr + NOTIFY_OFFSET + q * NOTIFY_MULTIPLIER,
			.len = 2,
			.fd = vp->ioeventfds[q],
			.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
		};

		if (ioctl(vp->dev->vm->fd, KVM_IOEVENTFD, &ioe) < 0)
			vmm_debug("%s: KVM_IOEVENTFD queue %u: %s (MMIO path used)",
				  vp->dev->name, q, strerror(errno));
	}
}

/* Only the queue count and eventfds are used: fixed, no device lock. */
static void bar_moved(struct pci_device *pci, unsigned int bar, uint64_t old_addr,
		      uint64_t new_addr)
{
	struct virtio_pci *vp = container_of(pci, struct virtio_pci, pci);

	if (bar)
		return;
	if (old_addr)
		set_ioeventfds(vp, old_addr, false);
	if (new_addr)
		set_ioeventfds(vp, new_addr, true);
}

static int add_cap(struct virtio_pci *vp, uint8_t type, uint32_t offset, uint32_t length,
		   const uint32_t *extra)
{
	struct {
		struct virtio_pci_cap cap;
		uint32_t extra;
	} __attribute__((packed)) c = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR,
			.cap_len = (uint8_t)(sizeof(c.cap) + (extra ? 4 : 0)),
			.cfg_type = type,
			.bar = 0,
			.offset = offset,
			.length = length,
		},
	};

	if (extra)
		c.extra = *extra;
	return pci_cap_add(&vp->pci, &c, c.cap.cap_len) < 0 ? -ENOSPC : 0;
}

static void virtio_pci_free(void *arg)
{
	struct virtio_pci *vp = arg;

	for (unsigned int q = 0; vp->ioeventfds && q < vp->dev->nr_queues; q++)
		if (vp->ioeventfds[q] >= 0)
			close(vp->ioeventfds[q]);
	free(vp->ioeventfds);
	free(vp->watches);
	free(vp);
}

int virtio_pci_add(struct vm *vm, struct virtio_device *dev)
{
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	const uint32_t multiplier = NOTIFY_MULTIPLIER;
	int ret;

	if (!vp)
		return -ENOMEM;
	vp->dev = dev;
	dev->transport = &pci_transport;
	dev->transport_priv = vp;
	vp->ioeventfds = calloc(dev->nr_queues, sizeof(int));
	vp->watches = calloc(dev->nr_queues, sizeof(*vp->watches));
	for (unsigned int q = 0; vp->ioeventfds && q < dev->nr_queues; q++)
		vp->ioeventfds[q] = -1;
	ret = vm_on_destroy(vm, virtio_pci_free, vp);
	if (ret)
		return ret;
	if (!vp->ioeventfds || !vp->watches)
		return -ENOMEM;
	for (unsigned int q = 0; q < dev->nr_queues; q++) {
		vp->ioeventfds[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->ioeventfds[q] < 0)
			return -errno;
		vp->watches[q] = (struct virtio_pci_notify_watch){ .vp = vp, .queue = q };
		ret = evloop_add(vm->loop, vp->ioeventfds[q], EPOLLIN, notify_ready,
				 &vp->watches[q]);
		if (ret)
			return ret;
	}

	pci_device_init(&vp->pci, dev->name, VIRTIO_PCI_VENDOR,
			VIRTIO_PCI_DEVICE_BASE + dev->device_id, dev->pci_class,
			VIRTIO_PCI_VENDOR, dev->device_id);
	vp->pci.bar_moved = bar_moved;
	ret = add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFFSET,
		      sizeof(struct virtio_pci_common_cfg), NULL);
	if (!ret)
		ret = add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFFSET, 1, NULL);
	if (!ret)
		ret = add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_CFG_OFFSET, REGION_SIZE, NULL);
	if (!ret)
		ret = add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFFSET,
			      dev->nr_queues * NOTIFY_MULTIPLIER, &multiplier);
	if (ret)
		return ret;
	ret = pci_device_add(vm, &vp->pci, true);
	if (ret)
		return ret;
	ret = pci_bar_add(&vp->pci, 0, BAR_SIZE, bar_io, vp);
	if (ret)
		vmm_err("%s: cannot map its BAR: %s", dev->name, strerror(-ret));
	return ret;
}
