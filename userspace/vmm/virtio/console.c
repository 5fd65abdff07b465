// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: virtio-console with one port (no MULTIPORT), /dev/hvc0 in the
 * guest, carrying the control channel to the guest agent (channel.c).
 * Queue 0 (receiveq) takes host-to-guest bytes into buffers the guest
 * posts; what the guest has not taken yet waits in a bounded buffer.
 * Queue 1 (transmitq) carries guest-to-host bytes.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "channel.h"
#include "device.h"
#include "util.h"
#include "virtio/virtio.h"
#include "vm.h"

#define CONSOLE_QUEUE_SIZE	64
#define PENDING_MAX		(64 * 1024)
#define RX_QUEUE		0
#define TX_QUEUE		1
#define PCI_CLASS_COMM_OTHER	0x078000

struct virtio_console {
	struct virtio_device vdev;
	struct channel_port port;
	struct channel *channel;
	uint8_t pending[PENDING_MAX];
	size_t pending_len;
	struct virtq_chain chain;
	uint8_t tx_buf[4096];
};

static void console_read_config(struct virtio_device *dev, uint64_t offset,
				uint8_t *data, uint32_t len)
{
	(void)dev;
	(void)offset;
	/* No feature needs the configuration: cols, rows, ports all 0. */
	memset(data, 0, len);
}

/* Move pending bytes into receive buffers the guest posted. */
static void flush_pending(struct virtio_console *con)
{
	struct virtio_device *dev = &con->vdev;
	struct virtq *q = &dev->queues[RX_QUEUE];
	int ret = 0;

	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	while (con->pending_len && (ret = virtq_pop(q, &dev->vm->mem, &con->chain)) > 0) {
		size_t n = buf_to_iov(con->chain.in, con->chain.nr_in, 0, con->pending,
				      con->pending_len);

		memmove(con->pending, con->pending + n, con->pending_len - n);
		con->pending_len -= n;
		virtio_complete(dev, q, con->chain.head, (uint32_t)n);
	}
	if (ret < 0)
		virtio_device_broken(dev, RX_QUEUE);
}

static void drain_tx(struct virtio_console *con)
{
	struct virtio_device *dev = &con->vdev;
	struct virtq *q = &dev->queues[TX_QUEUE];
	int ret;

	while ((ret = virtq_pop(q, &dev->vm->mem, &con->chain)) > 0) {
		size_t off = 0, n;

		while ((n = iov_to_buf(con->chain.out, con->chain.nr_out, off, con->tx_buf,
				       sizeof(con->tx_buf))) > 0) {
			channel_receive(con->channel, con->tx_buf, n);
			off += n;
		}
		virtio_complete(dev, q, con->chain.head, 0);
	}
	if (ret < 0)
		virtio_device_broken(dev, TX_QUEUE);
}

static void console_queue_notify(struct virtio_device *dev, unsigned int q)
{
	struct virtio_console *con = container_of(dev, struct virtio_console, vdev);

	if (q == RX_QUEUE)
		flush_pending(con);
	else if (q == TX_QUEUE)
		drain_tx(con);
}

static void console_driver_ok(struct virtio_device *dev)
{
	flush_pending(container_of(dev, struct virtio_console, vdev));
}

static void console_reset(struct virtio_device *dev)
{
	struct virtio_console *con = container_of(dev, struct virtio_console, vdev);

	con->pending_len = 0;
}

static int console_send(struct channel_port *port, const void *buf, size_t len)
{
	struct virtio_console *con = container_of(port, struct virtio_console, port);
	int ret = 0;

	pthread_mutex_lock(&con->vdev.lock);
	if (len > PENDING_MAX - con->pending_len) {
		ret = -ENOSPC;
	} else {
		memcpy(con->pending + con->pending_len, buf, len);
		con->pending_len += len;
		flush_pending(con);
	}
	pthread_mutex_unlock(&con->vdev.lock);
	return ret;
}

static const struct virtio_device_ops console_ops = {
	.read_config = console_read_config,
	.queue_notify = console_queue_notify,
	.driver_ok = console_driver_ok,
	.reset = console_reset,
};

static void virtio_console_free(void *arg)
{
	struct virtio_console *con = arg;

	virtio_device_release(&con->vdev);
	free(con);
}

static int virtio_console_init(struct vm *vm)
{
	struct virtio_console *con;
	int ret;

	if (!vm->channel)
		return 0;
	con = calloc(1, sizeof(*con));
	if (!con)
		return -ENOMEM;
	con->channel = vm->channel;
	con->port.send = console_send;
	ret = virtio_device_init(&con->vdev, vm, "virtio-console", VIRTIO_ID_CONSOLE,
				 PCI_CLASS_COMM_OTHER, 0, 2, CONSOLE_QUEUE_SIZE, &console_ops);
	if (ret) {
		free(con);
		return ret;
	}
	ret = vm_on_destroy(vm, virtio_console_free, con);
	if (!ret)
		ret = virtio_pci_add(vm, &con->vdev);
	if (ret)
		return ret;
	channel_attach_port(vm->channel, &con->port);
	return 0;
}
VMM_DEVICE_INIT("virtio-console", VMM_INIT_DEVICE, virtio_console_init);
