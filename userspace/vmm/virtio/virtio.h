/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: virtio devices and split virtqueues (virtio 1.x).
 *
 * A device (blk.c, console.c) fills a struct virtio_device with its ID,
 * features, queues and ops, and hands it to a transport (pci.c).  The
 * transport owns the registers; the core owns the rings.  Everything in a
 * ring is guest-controlled: every index and address is checked before use.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_VIRTIO_H
#define WPVMM_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

struct vm;
struct guest_memory;
struct virtio_device;

/* Interrupt status bits (ISR): used buffers, configuration change. */
#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_ISR_CONFIG	0x2

/* Descriptors one request may chain; also bounds the iovec arrays. */
#define VIRTQ_MAX_CHAIN		256

struct virtq {
	uint16_t max_size;	/* offered */
	uint16_t size;		/* chosen by the driver */
	bool ready;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	/* next avail entry to take */
	uint16_t used_idx;	/* our copy of used->idx */
	bool broken;		/* the driver broke the ring; stop using it */
};

/* One request: the device-readable part, then the device-writable part. */
struct virtq_chain {
	uint16_t head;
	unsigned int nr_out, nr_in;
	size_t out_len, in_len;
	struct iovec out[VIRTQ_MAX_CHAIN];
	struct iovec in[VIRTQ_MAX_CHAIN];
};

struct virtio_device_ops {
	/* Read len bytes of the device configuration at offset. */
	void (*read_config)(struct virtio_device *dev, uint64_t offset,
			    uint8_t *data, uint32_t len);
	/* The driver kicked queue q (main thread, dev->lock held). */
	void (*queue_notify)(struct virtio_device *dev, unsigned int q);
	/* The driver set DRIVER_OK (dev->lock held). */
	void (*driver_ok)(struct virtio_device *dev);
	/* The driver reset the device (dev->lock held). */
	void (*reset)(struct virtio_device *dev);
};

struct virtio_transport_ops {
	/* Raise the interrupt for used buffers or a config change. */
	void (*notify)(struct virtio_device *dev, uint8_t isr_bits);
};

struct virtio_device {
	const char *name;
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint32_t pci_class;
	uint64_t features;		/* offered (VIRTIO_F_VERSION_1 added) */
	uint64_t driver_features;	/* accepted by the driver */
	uint8_t status;
	uint8_t config_generation;
	unsigned int nr_queues;
	struct virtq *queues;
	const struct virtio_device_ops *ops;
	const struct virtio_transport_ops *transport;
	void *transport_priv;
	struct vm *vm;
	/* Registers, rings and device state. */
	pthread_mutex_t lock;
};

/* Initialise dev with nr_queues queues of max_size each; 0 or -ENOMEM. */
/* Free what virtio_device_init() allocated. */
void virtio_device_release(struct virtio_device *dev);
int virtio_device_init(struct virtio_device *dev, struct vm *vm, const char *name,
		       uint16_t device_id, uint32_t pci_class, uint64_t features,
		       unsigned int nr_queues, uint16_t max_size,
		       const struct virtio_device_ops *ops);
/* Back to the state after power-on (dev->lock held). */
void virtio_device_reset(struct virtio_device *dev);
bool virtio_has_feature(const struct virtio_device *dev, unsigned int bit);

/*
 * Validate the driver's ring addresses and size and map the rings.
 * 0, or -EINVAL if they are not in guest RAM or misaligned.
 */
int virtq_enable(struct virtq *q, const struct guest_memory *mem);
/*
 * Take the next available request.  1: chain filled; 0: none; -EINVAL: the
 * chain is malformed (q->broken is set, the device should need a reset).
 */
int virtq_pop(struct virtq *q, const struct guest_memory *mem,
	      struct virtq_chain *chain);
/* Return a request with written bytes in its device-writable part. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t written);
/* Whether the driver wants an interrupt for what was just pushed. */
bool virtq_needs_interrupt(const struct virtq *q);
/* Push and, if the driver wants one, interrupt (dev->lock held). */
void virtio_complete(struct virtio_device *dev, struct virtq *q, uint16_t head,
		     uint32_t written);
/* A ring was broken: signal DEVICE_NEEDS_RESET (dev->lock held). */
void virtio_device_broken(struct virtio_device *dev, unsigned int q);

/* Copy between iovecs and a flat buffer; return bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t offset,
		  void *buf, size_t len);
size_t buf_to_iov(const struct iovec *iov, unsigned int n, size_t offset,
		  const void *buf, size_t len);

/* virtio/pci.c: expose dev as a virtio-pci device; 0 or -errno. */
int virtio_pci_add(struct vm *vm, struct virtio_device *dev);

#endif /* WPVMM_VIRTIO_H */
