// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: virtio-blk, the work phone's disk (the disk image is the phone).
 * One request queue; requests run synchronously in the main loop with
 * preadv/pwritev on the image file, which wpvmm holds an exclusive lock on
 * (flock) so that two VMMs never share a phone.
 *
 * Offered: VERSION_1, FLUSH, BLK_SIZE, SEG_MAX, and RO when the disk was
 * opened read-only.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "device.h"
#include "util.h"
#include "virtio/virtio.h"
#include "vm.h"

#define BLK_QUEUE_SIZE		256
#define SECTOR_SIZE		512
#define PCI_CLASS_STORAGE_OTHER	0x018000
#define BLK_ID			"workphone-disk"

struct virtio_blk {
	struct virtio_device vdev;
	int fd;
	bool read_only;
	uint64_t capacity;	/* sectors */
	struct virtio_blk_config config;
	struct virtq_chain chain;
	uint64_t reads, writes, flushes, errors;
};

static void blk_read_config(struct virtio_device *dev, uint64_t offset, uint8_t *data,
			    uint32_t len)
{
	struct virtio_blk *blk = container_of(dev, struct virtio_blk, vdev);

	memset(data, 0, len);
	if (offset < sizeof(blk->config))
		memcpy(data, (uint8_t *)&blk->config + offset,
		       MIN((uint64_t)len, sizeof(blk->config) - offset));
}

static uint8_t blk_rw(struct virtio_blk *blk, uint32_t type, uint64_t sector,
		      struct virtq_chain *c, size_t data_len, uint32_t *written)
{
	uint64_t off, end;
	ssize_t n;

	if (data_len % SECTOR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	off = sector * SECTOR_SIZE;
	end = off + data_len;
	if (sector > blk->capacity || end / SECTOR_SIZE > blk->capacity || end < off)
		return VIRTIO_BLK_S_IOERR;
	if (type == VIRTIO_BLK_T_IN) {
		/* Data: every writable byte but the status byte at the end. */
		struct iovec iov[VIRTQ_MAX_CHAIN];
		unsigned int nr = 0;
		size_t left = data_len;

		for (unsigned int i = 0; i < c->nr_in && left; i++) {
			iov[nr].iov_base = c->in[i].iov_base;
			iov[nr].iov_len = MIN(c->in[i].iov_len, left);
			left -= iov[nr].iov_len;
			nr++;
		}
		n = preadv(blk->fd, iov, (int)nr, (off_t)off);
		if (n < 0 || (size_t)n != data_len)
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)data_len;
		blk->reads++;
	} else {
		/* Data: every readable byte after the 16-byte header. */
		struct iovec iov[VIRTQ_MAX_CHAIN];
		unsigned int nr = 0;
		size_t skip = sizeof(struct virtio_blk_outhdr);

		if (blk->read_only)
			return VIRTIO_BLK_S_IOERR;
		for (unsigned int i = 0; i < c->nr_out; i++) {
			if (skip >= c->out[i].iov_len) {
				skip -= c->out[i].iov_len;
				continue;
			}
			iov[nr].iov_base = (uint8_t *)c->out[i].iov_base + skip;
			iov[nr].iov_len = c->out[i].iov_len - skip;
			skip = 0;
			nr++;
		}
		n = pwritev(blk->fd, iov, (int)nr, (off_t)off);
		if (n < 0 || (size_t)n != data_len)
			return VIRTIO_BLK_S_IOERR;
		blk->writes++;
	}
	return VIRTIO_BLK_S_OK;
}

static void blk_handle(struct virtio_blk *blk, struct virtq_chain *c)
{
	struct virtio_blk_outhdr hdr;
	uint32_t written = 0;
	uint8_t status;

	/* A header to read and a status byte to write, at least. */
	if (iov_to_buf(c->out, c->nr_out, 0, &hdr, sizeof(hdr)) != sizeof(hdr) || !c->in_len) {
		status = VIRTIO_BLK_S_IOERR;
		goto done;
	}
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		status = blk_rw(blk, hdr.type, hdr.sector, c, c->in_len - 1, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk_rw(blk, hdr.type, hdr.sector, c, c->out_len - sizeof(hdr), &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = fdatasync(blk->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		blk->flushes++;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		char id[VIRTIO_BLK_ID_BYTES] = BLK_ID;
		size_t len = MIN(sizeof(id), c->in_len - 1);

		written = (uint32_t)buf_to_iov(c->in, c->nr_in, 0, id, len);
		status = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
done:
	if (status == VIRTIO_BLK_S_IOERR)
		blk->errors++;
	if (c->in_len)
		buf_to_iov(c->in, c->nr_in, c->in_len - 1, &status, 1);
	virtio_complete(&blk->vdev, &blk->vdev.queues[0], c->head,
			written + (c->in_len ? 1 : 0));
}

static void blk_queue_notify(struct virtio_device *dev, unsigned int q)
{
	struct virtio_blk *blk = container_of(dev, struct virtio_blk, vdev);
	int ret;

	if (q != 0)
		return;
	while ((ret = virtq_pop(&dev->queues[0], &dev->vm->mem, &blk->chain)) > 0)
		blk_handle(blk, &blk->chain);
	if (ret < 0)
		virtio_device_broken(dev, q);
}

static const struct virtio_device_ops blk_ops = {
	.read_config = blk_read_config,
	.queue_notify = blk_queue_notify,
};

static void virtio_blk_free(void *arg)
{
	struct virtio_blk *blk = arg;

	virtio_device_release(&blk->vdev);
	close(blk->fd);
	free(blk);
}

static int virtio_blk_init(struct vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	struct virtio_blk *blk;
	struct stat st;
	uint64_t features;
	int ret;

	if (!cfg->disk)
		return 0;
	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->fd = open(cfg->disk, O_RDWR | vmm_config_oflags(cfg));
	if (blk->fd < 0) {
		ret = vmm_input_error("disk", "%s: %s", cfg->disk, vmm_open_strerror(errno));
		goto err;
	}
	if (flock(blk->fd, LOCK_EX | LOCK_NB)) {
		ret = vmm_input_error("disk", "%s is in use by another VM (locked)", cfg->disk);
		goto err;
	}
	if (fstat(blk->fd, &st)) {
		ret = -errno;
		goto err;
	}
	blk->capacity = (uint64_t)st.st_size / SECTOR_SIZE;
	blk->config.capacity = blk->capacity;
	blk->config.seg_max = BLK_QUEUE_SIZE - 2;
	blk->config.blk_size = SECTOR_SIZE;
	features = (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		   (1ULL << VIRTIO_BLK_F_SEG_MAX);
	if (blk->read_only)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	ret = virtio_device_init(&blk->vdev, vm, "virtio-blk", VIRTIO_ID_BLOCK,
				 PCI_CLASS_STORAGE_OTHER, features, 1, BLK_QUEUE_SIZE, &blk_ops);
	if (ret)
		goto err;
	ret = vm_on_destroy(vm, virtio_blk_free, blk);
	if (ret)
		return ret;
	/* From here on the VM's destruction frees blk. */
	return virtio_pci_add(vm, &blk->vdev);
err:
	if (blk->fd >= 0)
		close(blk->fd);
	free(blk);
	return ret;
}
VMM_DEVICE_INIT("virtio-blk", VMM_INIT_DEVICE, virtio_blk_init);
