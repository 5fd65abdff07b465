// SPDX-License-Identifier: GPL-2.0-only
/*
 * wpvmm: Linux bzImage parsing.  Everything in the header is untrusted
 * input: every size is checked against the file before it is used.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/bzimage.h"
#include "util.h"

#define SETUP_HEADER_OFFSET	0x1f1
#define BOOT_FLAG		0xaa55
#define HDRS_MAGIC		0x53726448	/* "HdrS" */
/* The largest kernel we load (the decompressed kernel is bigger). */
#define BZIMAGE_MAX_SIZE	MIB(256)

int bzimage_parse(const char *field, const uint8_t *data, size_t size,
		  struct bzimage *out)
{
	const struct setup_header *h;
	size_t setup_sects, hdr_end, need;

	memset(out, 0, sizeof(*out));
	if (size < SETUP_HEADER_OFFSET + sizeof(struct setup_header))
		return vmm_input_error(field, "not a bzImage: only %zu bytes, too short for a boot sector and setup header",
				       size);
	h = (const struct setup_header *)(data + SETUP_HEADER_OFFSET);
	memcpy(&out->hdr, h, sizeof(out->hdr));
	h = &out->hdr;
	if (h->boot_flag != BOOT_FLAG)
		return vmm_input_error(field, "not a bzImage: no boot sector signature 0xAA55 at offset 0x1fe");
	if (h->header != HDRS_MAGIC)
		return vmm_input_error(field, "not a bzImage: no \"HdrS\" setup header signature at offset 0x202");
	if (h->version < BZIMAGE_MIN_PROTOCOL)
		return vmm_input_error(field, "boot protocol %u.%02u is too old: need %u.%02u or later (64-bit entry)",
				       h->version >> 8, h->version & 0xff,
				       BZIMAGE_MIN_PROTOCOL >> 8, BZIMAGE_MIN_PROTOCOL & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return vmm_input_error(field, "not a bzImage: a zImage (loaded low), which is not supported");
	if (!(h->xloadflags & XLF_KERNEL_64))
		return vmm_input_error(field, "the kernel has no 64-bit entry point (XLF_KERNEL_64): not an x86_64 kernel");

	/* The jump at 0x200 says where the header ends. */
	hdr_end = 0x202 + data[0x201];
	if (hdr_end < 0x202 + 4 || hdr_end > SETUP_HEADER_OFFSET + sizeof(struct setup_header))
		hdr_end = SETUP_HEADER_OFFSET + sizeof(struct setup_header);
	out->hdr_len = hdr_end - SETUP_HEADER_OFFSET;

	setup_sects = h->setup_sects ? h->setup_sects : 4;
	out->setup_size = (setup_sects + 1) * 512;
	out->kernel_size = (size_t)h->syssize * 16;
	need = out->setup_size + out->kernel_size;
	if (!h->syssize)
		return vmm_input_error(field, "bzImage header gives a protected-mode kernel of 0 bytes (syssize 0)");
	if (size < need)
		return vmm_input_error(field, "truncated bzImage: the header says %zu bytes (setup %zu + kernel %zu), the file has %zu",
				       need, out->setup_size, out->kernel_size, size);
	if (h->init_size && h->init_size < out->kernel_size)
		return vmm_input_error(field, "bzImage header is inconsistent: init_size %u is smaller than the kernel (%zu)",
				       h->init_size, out->kernel_size);
	if (h->kernel_alignment & (h->kernel_alignment - 1))
		return vmm_input_error(field, "bzImage header is inconsistent: kernel_alignment 0x%x is not a power of two",
				       h->kernel_alignment);
	out->kernel = data + out->setup_size;
	return 0;
}

int bzimage_load_file(const char *field, const char *path, int oflags, struct bzimage *out)
{
	struct stat st;
	uint8_t *data;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC | oflags);
	if (fd < 0)
		return vmm_input_error(field, "%s: %s", path, vmm_open_strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_input_error(field, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > BZIMAGE_MAX_SIZE) {
		close(fd);
		return vmm_input_error(field, "%s: %lld bytes, larger than the %llu MiB a kernel may have",
				       path, (long long)st.st_size,
				       (unsigned long long)(BZIMAGE_MAX_SIZE >> 20));
	}
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(data);
		return vmm_input_error(field, "%s: short read", path);
	}
	ret = bzimage_parse(field, data, got, out);
	if (ret) {
		free(data);
		return ret;
	}
	out->file = data;
	out->file_size = got;
	return 0;
}

void bzimage_free(struct bzimage *bz)
{
	free(bz->file);
	memset(bz, 0, sizeof(*bz));
}
