/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: Linux bzImage parsing (Documentation/arch/x86/boot.rst).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_LOADER_BZIMAGE_H
#define WPVMM_LOADER_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

/* Oldest boot protocol with what we need: 64-bit entry (XLF_KERNEL_64). */
#define BZIMAGE_MIN_PROTOCOL	0x020c

struct bzimage {
	uint8_t *file;			/* the whole file (owned) */
	size_t file_size;
	struct setup_header hdr;	/* as in the file */
	size_t hdr_len;			/* bytes of it the kernel defines */
	size_t setup_size;		/* real-mode part: (setup_sects + 1) * 512 */
	const uint8_t *kernel;		/* protected-mode part */
	size_t kernel_size;
};

/*
 * Validate a bzImage held in data (size bytes) and describe it in out
 * (out->file is left NULL).  Errors name field ("kernel") and say what is
 * wrong; returns 0 or -EINVAL.
 */
int bzimage_parse(const char *field, const uint8_t *data, size_t size,
		  struct bzimage *out);

/* Read and parse a file; 0 or -errno (printed). */
int bzimage_load_file(const char *field, const char *path, int oflags, struct bzimage *out);
void bzimage_free(struct bzimage *bz);

#endif /* WPVMM_LOADER_BZIMAGE_H */
