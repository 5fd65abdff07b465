// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: split virtqueues (virtio 1.x, section 2.7).
 *
 * The driver owns the descriptor table and the available ring; the device
 * owns the used ring.  Reading the driver's side, we:
 *  - read avail->idx with acquire semantics before reading entries;
 *  - bound each chain by the queue size (no loops) and VIRTQ_MAX_CHAIN;
 *  - check every descriptor index, and that each buffer lies entirely in
 *    guest RAM (gpa_to_hva());
 *  - refuse device-readable descriptors after device-writable ones, and
 *    indirect descriptors (not offered).
 * A broken chain marks the queue broken rather than guessing.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"
#include "util.h"
#include "virtio/virtio.h"
#include "vm.h"

int virtio_device_init(struct virtio_device *dev, struct vm *vm, const char *name,
		       uint16_t device_id, uint32_t pci_class, uint64_t features,
		       unsigned int nr_queues, uint16_t max_size,
		       const struct virtio_device_ops *ops)
{
	memset(dev, 0, sizeof(*dev));
	dev->queues = calloc(nr_queues, sizeof(*dev->queues));
	if (!dev->queues)
		return -ENOMEM;
	dev->vm = vm;
	dev->name = name;
	dev->device_id = device_id;
	dev->pci_class = pci_class;
	dev->features = features | (1ULL << VIRTIO_F_VERSION_1);
	dev->nr_queues = nr_queues;
	dev->ops = ops;
	for (unsigned int i = 0; i < nr_queues; i++)
		dev->queues[i].max_size = max_size;
	{
		pthread_mutexattr_t attr;

		/* Recursive: a device callback may send on its own device. */
		pthread_mutexattr_init(&attr);
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&dev->lock, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	virtio_device_reset(dev);
	return 0;
}

void virtio_device_release(struct virtio_device *dev)
{
	pthread_mutex_destroy(&dev->lock);
	free(dev->queues);
	dev->queues = NULL;
}

void virtio_device_reset(struct virtio_device *dev)
{
	dev->driver_features = 0;
	dev->status = 0;
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		struct virtq *q = &dev->queues[i];
		uint16_t max = q->max_size;

		memset(q, 0, sizeof(*q));
		q->max_size = max;
		q->size = max;
	}
	if (dev->ops && dev->ops->reset)
		dev->ops->reset(dev);
}

bool virtio_has_feature(const struct virtio_device *dev, unsigned int bit)
{
	return bit < 64 && (dev->driver_features & (1ULL << bit));
}

int virtq_enable(struct virtq *q, const struct guest_memory *mem)
{
	uint64_t n = q->size;

	if (!n || n > q->max_size || (n & (n - 1)))
		return -EINVAL;
	/* Alignment from the spec: 16 for descriptors, 2 and 4 for the rings. */
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return -EINVAL;
	q->desc = gpa_to_hva(mem, q->desc_gpa, 16 * n);
	q->avail = gpa_to_hva(mem, q->avail_gpa, 6 + 2 * n);
	q->used = gpa_to_hva(mem, q->used_gpa, 6 + 8 * n);
	if (!q->desc || !q->avail || !q->used)
		return -EINVAL;
	q->last_avail = 0;
	q->used_idx = 0;
	q->broken = false;
	q->ready = true;
	return 0;
}

static int add_buffer(struct iovec *iov, unsigned int *n, size_t *total,
		      const struct guest_memory *mem, uint64_t addr, uint32_t len)
{
	void *p;

	if (*n == VIRTQ_MAX_CHAIN)
		return -EINVAL;
	p = len ? gpa_to_hva(mem, addr, len) : NULL;
	if (len && !p)
		return -EINVAL;
	iov[*n].iov_base = p;
	iov[*n].iov_len = len;
	(*n)++;
	*total += len;
	return 0;
}

int virtq_pop(struct virtq *q, const struct guest_memory *mem,
	      struct virtq_chain *chain)
{
	uint16_t avail_idx, head, idx;
	unsigned int count = 0;

	if (!q->ready || q->broken)
		return 0;
	avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		goto broken;	/* more requests than the ring has room for */

	head = q->avail->ring[q->last_avail % q->size];
	if (head >= q->size)
		goto broken;
	chain->head = head;
	chain->nr_out = chain->nr_in = 0;
	chain->out_len = chain->in_len = 0;
	idx = head;
	for (;;) {
		const struct vring_desc *d = &q->desc[idx];
		uint16_t flags = d->flags;
		int ret;

		if (++count > q->size || (flags & VRING_DESC_F_INDIRECT))
			goto broken;
		if (flags & VRING_DESC_F_WRITE) {
			ret = add_buffer(chain->in, &chain->nr_in, &chain->in_len, mem,
					 d->addr, d->len);
		} else {
			if (chain->nr_in)	/* readable after writable */
				goto broken;
			ret = add_buffer(chain->out, &chain->nr_out, &chain->out_len, mem,
					 d->addr, d->len);
		}
		if (ret)
			goto broken;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		idx = d->next;
		if (idx >= q->size)
			goto broken;
	}
	q->last_avail++;
	return 1;

broken:
	q->broken = true;
	return -EINVAL;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t written)
{
	struct vring_used_elem *e = &q->used->ring[q->used_idx % q->size];

	e->id = head;
	e->len = written;
	q->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
}

bool virtq_needs_interrupt(const struct virtq *q)
{
	/* Our used->idx store must be ordered before reading the flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(__atomic_load_n(&q->avail->flags, __ATOMIC_ACQUIRE) & VRING_AVAIL_F_NO_INTERRUPT);
}

void virtio_complete(struct virtio_device *dev, struct virtq *q, uint16_t head,
		     uint32_t written)
{
	virtq_push(q, head, written);
	if (virtq_needs_interrupt(q))
		dev->transport->notify(dev, VIRTIO_ISR_QUEUE);
}

void virtio_device_broken(struct virtio_device *dev, unsigned int q)
{
	vmm_warn("%s: queue %u: malformed descriptor chain; the device needs a reset",
		 dev->name, q);
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	dev->config_generation++;
	dev->transport->notify(dev, VIRTIO_ISR_CONFIG);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t offset,
		  void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = MIN(iov[i].iov_len - offset, len - done);
		memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + offset, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

size_t buf_to_iov(const struct iovec *iov, unsigned int n, size_t offset,
		  const void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = MIN(iov[i].iov_len - offset, len - done);
		memcpy((uint8_t *)iov[i].iov_base + offset, (const uint8_t *)buf + done, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}
